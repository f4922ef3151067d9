"""Near-duplicate signatures and their banded LSH index (duplicates.py, no database)."""

import numpy as np
import pytest

from conceptcloud.discovery import duplicates
from conceptcloud.discovery.duplicates import NEAR_DUPLICATE, PERMUTATIONS, build, jaccard, signature, similarity
from conceptcloud.discovery.text import analyse

PUMP = (
    "Solar powered water pump for smallholder irrigation. A brushless motor driven directly by "
    "photovoltaic panels lifts water from wells up to forty metres deep without batteries, so farms "
    "far from the grid can irrigate vegetables through the dry season at a fraction of the cost of diesel. "
    "The controller tracks the maximum power point of the panels, starts the motor softly at dawn, "
    "stops it when the well runs low and reports the volume pumped each day by text message."
)
PUMP_EDITED = PUMP.replace("forty", "fifty").replace("vegetables", "crops")
OTHER = (
    "Ceramic membrane filter for drinking water. Porous clay discs coated with silver remove bacteria "
    "from river water in households without electricity, tested in rural clinics."
)


def terms(text: str) -> list[str]:
    return analyse(text)


def test_signature_is_fixed_length_little_endian_and_empty_for_no_terms():
    sig = signature(terms(PUMP))
    assert len(sig) == 4 * PERMUTATIONS
    assert signature([]) == b""
    assert signature(terms(PUMP)) == sig  # the same in every process: fixed seed


def test_similarity_estimates_the_exact_jaccard_of_shingles():
    exact = jaccard(terms(PUMP), terms(PUMP_EDITED))
    estimate = similarity(signature(terms(PUMP)), signature(terms(PUMP_EDITED)))
    assert 0.7 < exact < 1
    assert abs(estimate - exact) < 0.15
    assert similarity(signature(terms(PUMP)), signature(terms(OTHER))) < 0.1
    assert similarity(b"", signature(terms(PUMP))) == 0.0


def test_similarity_refuses_signatures_of_different_lengths():
    with pytest.raises(ValueError):
        similarity(signature(terms(PUMP)), b"\0" * 8)


def test_jaccard_of_short_texts_treats_them_as_one_shingle():
    assert jaccard(["solar", "pump"], ["solar", "pump"]) == 1.0
    assert jaccard(["solar", "pump"], ["pump", "solar"]) == 0.0
    assert jaccard([], ["pump"]) == 0.0


def test_index_finds_a_lightly_edited_copy_and_not_an_unrelated_text():
    index = build([10, 11, 12], [signature(terms(PUMP)), signature(terms(OTHER)), b""])
    assert len(index) == 2  # the empty signature is left out
    hits = index.near(signature(terms(PUMP_EDITED)))
    assert [hit.id for hit in hits] == [10]
    assert hits[0].similarity >= NEAR_DUPLICATE
    assert index.near(signature(terms("A cooking stove that burns crop waste cleanly in village kitchens."))) == []
    assert index.near(b"") == []


def test_index_leaves_out_excluded_ids_and_orders_best_first():
    edited_more = PUMP_EDITED.replace("brushless", "efficient")
    index = build([1, 2, 3], [signature(terms(PUMP)), signature(terms(edited_more)), signature(terms(OTHER))])
    hits = index.near(signature(terms(PUMP)), threshold=0.5)
    assert [hit.id for hit in hits] == [1, 2]
    assert hits[0].similarity == 1.0 >= hits[1].similarity
    assert [hit.id for hit in index.near(signature(terms(PUMP)), threshold=0.5, exclude={1})] == [2]


def test_index_recall_at_the_threshold_matches_the_band_formula():
    # Signatures agreeing in exactly 90 of 128 values (estimate 0.70) are always found:
    # with 32 bands of 4, at least one band is untouched by 38 changed values.
    rng = np.random.default_rng(7)
    base = rng.integers(0, 2**32 - 1, size=(200, PERMUTATIONS), dtype=np.uint32)
    index = build(list(range(200)), [row.astype("<u4").tobytes() for row in base])
    found = 0
    for i in range(200):
        query = base[i].copy()
        changed = rng.choice(PERMUTATIONS, size=PERMUTATIONS - 90, replace=False)
        query[changed] = rng.integers(0, 2**32 - 1, size=len(changed), dtype=np.uint32)
        hits = index.near(query.astype("<u4").tobytes(), threshold=0.7)
        found += any(hit.id == i for hit in hits)
    assert found >= 195


def test_build_refuses_bad_input():
    sig = signature(terms(PUMP))
    with pytest.raises(ValueError):
        build([1], [sig, sig])
    with pytest.raises(ValueError):
        build([1, 1], [sig, sig])
    with pytest.raises(ValueError):
        build([1], [b"\0" * 12])


def test_an_empty_index_finds_nothing():
    assert duplicates.build([], []).near(signature(terms(PUMP))) == []
