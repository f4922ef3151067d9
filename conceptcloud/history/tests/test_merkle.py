"""The Merkle core against RFC 9162: published vectors, the RFC's own recursions, tampering.

No database: the core is pure. The reference MTH, PATH and SUBPROOF below are
written straight from RFC 9162 §2.1 over a plain list of leaf hashes, so the
store-based proofs are checked against an independent reading of the RFC.
"""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conceptcloud.history import canonical
from conceptcloud.history.merkle import (
    EMPTY_ROOT,
    CompactTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The 8-leaf tree of the Certificate Transparency reference implementations.
CT_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# (leaf index counted from 0, tree size, PATH)
CT_INCLUSION_PROOFS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, PROOF)
CT_CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

FAST = settings(max_examples=100, deadline=None)


# ---- RFC 9162 §2.1, read literally, over a list of leaf hashes ----


def _k(n):
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m, leaves):
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_mth(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_mth(leaves[:k])]


def ref_subproof(m, leaves, b):
    if m == len(leaves):
        return [] if b else [ref_mth(leaves)]
    k = _k(len(leaves))
    if m <= k:
        return ref_subproof(m, leaves[:k], b) + [ref_mth(leaves[k:])]
    return ref_subproof(m - k, leaves[k:], False) + [ref_mth(leaves[:k])]


def ref_proof(m, leaves):
    return ref_subproof(m, leaves, True)


# ---- helpers ----


def distinct_leaves(count, salt=b""):
    return [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(count)]


def ceil_log2(n):
    return (n - 1).bit_length()


def flip(value, position, bit):
    changed = bytearray(value)
    changed[position % len(changed)] ^= 1 << bit
    return bytes(changed)


class CountingStore:
    """Reads through to a CompactTree and records the stored subtrees it is asked for."""

    def __init__(self, tree):
        self.tree = tree
        self.asked = []

    def subtree(self, start, end):
        self.asked.append((start, end))
        return self.tree.subtree(start, end)

    @property
    def lookups(self):
        return len(self.asked)


@pytest.fixture(scope="module")
def ct_tree():
    return CompactTree(leaf_hash(entry) for entry in CT_INPUTS)


# ---- hashing ----


def test_leaf_and_node_hashes_carry_the_rfc_9162_domain_prefixes():
    assert leaf_hash(b"entry") == hashlib.sha256(b"\x00entry").digest()
    assert node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]


def test_the_leaf_hash_is_the_one_the_history_already_stores():
    for entry in [*CT_INPUTS, b'{"seq":0}']:
        assert leaf_hash(entry) == canonical.leaf_hash(entry)


# ---- published vectors ----


@pytest.mark.parametrize("size", sorted(CT_ROOTS))
def test_roots_of_the_reference_tree_match_the_published_values(size, ct_tree):
    leaves = [leaf_hash(entry) for entry in CT_INPUTS[:size]]
    assert root(leaves).hex() == CT_ROOTS[size]
    assert range_hash(0, size, ct_tree).hex() == CT_ROOTS[size]
    assert CompactTree(leaves).root().hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "expected"), CT_INCLUSION_PROOFS)
def test_inclusion_proofs_of_the_reference_tree_match_the_published_values(index, size, expected, ct_tree):
    proof = inclusion_proof(index, size, ct_tree)
    assert [p.hex() for p in proof] == expected
    root_hash = bytes.fromhex(CT_ROOTS[size])
    assert verify_inclusion(leaf_hash(CT_INPUTS[index]), index, size, proof, root_hash)


@pytest.mark.parametrize(("m", "n", "expected"), CT_CONSISTENCY_PROOFS)
def test_consistency_proofs_of_the_reference_tree_match_the_published_values(m, n, expected, ct_tree):
    proof = consistency_proof(m, n, ct_tree)
    assert [p.hex() for p in proof] == expected
    assert verify_consistency(m, n, proof, bytes.fromhex(CT_ROOTS[m]), bytes.fromhex(CT_ROOTS[n]))


# ---- the store: complete aligned subtrees only ----


def test_the_compact_tree_keeps_every_complete_aligned_subtree_by_level_and_index():
    leaves = distinct_leaves(6)
    tree = CompactTree(leaves)
    assert sorted(tree.nodes) == [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 0), (1, 1), (1, 2), (2, 0)]
    assert tree.nodes[(1, 2)] == ref_mth(leaves[4:6])
    assert tree.nodes[(2, 0)] == ref_mth(leaves[0:4])
    assert tree.subtree(4, 6) == ref_mth(leaves[4:6])


@pytest.mark.parametrize(("start", "end"), [(1, 3), (0, 3), (2, 6), (4, 8), (0, 0), (-1, 0)])
def test_the_compact_tree_refuses_ranges_that_are_not_complete_aligned_subtrees(start, end):
    with pytest.raises(ValueError):
        CompactTree(distinct_leaves(6)).subtree(start, end)


@pytest.mark.parametrize(("start", "end"), [(2, 6), (1, 3), (3, 7), (5, 4), (-2, 2)])
def test_range_hash_refuses_ranges_that_are_no_node_of_a_merkle_tree(start, end):
    with pytest.raises(ValueError):
        range_hash(start, end, CompactTree(distinct_leaves(8)))


@FAST
@given(size=st.integers(0, 300), grown=st.integers(0, 40), salt=st.binary(max_size=4))
def test_the_stored_root_equals_the_reference_root_even_after_the_log_has_grown(size, grown, salt):
    leaves = distinct_leaves(size + grown, salt)
    tree = CompactTree(leaves)
    assert range_hash(0, size, tree) == root(leaves[:size]) == ref_mth(leaves[:size])


class RecordingStore:
    """Answers every subtree with the same dummy hash and records which were asked for."""

    def __init__(self):
        self.asked = []

    def subtree(self, start, end):
        self.asked.append((start, end))
        return b"\x00" * 32


@FAST
@given(data=st.data(), n=st.integers(1, 300))
def test_which_subtrees_a_proof_reads_depends_only_on_the_sizes_never_on_the_hashes(data, n):
    tree = CompactTree(distinct_leaves(n))
    index, m = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n))
    for compute in (
        lambda store: inclusion_proof(index, n, store),
        lambda store: consistency_proof(m, n, store),
        lambda store: range_hash(0, n, store),
    ):
        dry, real = RecordingStore(), CountingStore(tree)
        compute(dry)
        compute(real)
        assert dry.asked == real.asked


# ---- proofs equal the RFC recursions and verify ----


def test_every_inclusion_proof_up_to_64_leaves_is_the_rfc_path_and_verifies():
    leaves = distinct_leaves(70)
    tree = CompactTree(leaves)
    for size in range(1, 65):
        root_hash = ref_mth(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(index, size, tree)
            assert proof == ref_path(index, leaves[:size]), (index, size)
            assert len(proof) <= ceil_log2(size)
            assert verify_inclusion(leaves[index], index, size, proof, root_hash), (index, size)


def test_every_consistency_proof_up_to_40_leaves_is_the_rfc_proof_and_verifies():
    leaves = distinct_leaves(45)
    tree = CompactTree(leaves)
    roots = [ref_mth(leaves[:size]) for size in range(41)]
    for n in range(1, 41):
        for m in range(1, n + 1):
            proof = consistency_proof(m, n, tree)
            assert proof == ref_proof(m, leaves[:n]), (m, n)
            assert len(proof) <= ceil_log2(n) + 1
            assert verify_consistency(m, n, proof, roots[m], roots[n]), (m, n)


@FAST
@given(data=st.data(), size=st.integers(1, 400), grown=st.integers(0, 20), salt=st.binary(max_size=4))
def test_inclusion_proofs_of_large_trees_are_the_rfc_path_and_verify(data, size, grown, salt):
    leaves = distinct_leaves(size + grown, salt)
    store = CountingStore(CompactTree(leaves))
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(index, size, store)
    assert proof == ref_path(index, leaves[:size])
    assert len(proof) <= ceil_log2(size)
    assert store.lookups <= 2 * ceil_log2(size) + 1
    assert verify_inclusion(leaves[index], index, size, proof, ref_mth(leaves[:size]))


@FAST
@given(data=st.data(), n=st.integers(1, 400), grown=st.integers(0, 20), salt=st.binary(max_size=4))
def test_consistency_proofs_of_large_trees_are_the_rfc_proof_and_verify(data, n, grown, salt):
    leaves = distinct_leaves(n + grown, salt)
    store = CountingStore(CompactTree(leaves))
    m = data.draw(st.integers(1, n))
    proof = consistency_proof(m, n, store)
    assert proof == ref_proof(m, leaves[:n])
    assert len(proof) <= ceil_log2(n) + 1
    assert store.lookups <= 2 * ceil_log2(n) + 2
    assert verify_consistency(m, n, proof, ref_mth(leaves[:m]), ref_mth(leaves[:n]))


# ---- tampering ----


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    size=st.integers(1, 300),
    target=st.sampled_from(["leaf", "proof", "root", "index"]),
    position=st.integers(0, 31),
    bit=st.integers(0, 7),
)
def test_any_flipped_bit_or_other_index_makes_an_inclusion_proof_fail(data, size, target, position, bit):
    leaves = distinct_leaves(size)
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(index, size, CompactTree(leaves))
    args = {"leaf": leaves[index], "index": index, "proof": proof, "root": root(leaves)}
    if target == "proof":
        if not proof:
            return
        which = data.draw(st.integers(0, len(proof) - 1))
        args["proof"] = [flip(p, position, bit) if i == which else p for i, p in enumerate(proof)]
    elif target == "index":
        args["index"] = data.draw(st.integers(0, 2 * size).filter(lambda other: other != index))
    else:
        args[target] = flip(args[target], position, bit)
    assert not verify_inclusion(args["leaf"], args["index"], size, args["proof"], args["root"])


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 300),
    target=st.sampled_from(["proof", "old_root", "new_root", "m"]),
    position=st.integers(0, 31),
    bit=st.integers(0, 7),
)
def test_any_flipped_bit_or_other_old_size_makes_a_consistency_proof_fail(data, n, target, position, bit):
    leaves = distinct_leaves(n)
    m = data.draw(st.integers(1, n))
    proof = consistency_proof(m, n, CompactTree(leaves))
    args = {"m": m, "proof": proof, "old_root": root(leaves[:m]), "new_root": root(leaves)}
    if target == "proof":
        if not proof:
            return
        which = data.draw(st.integers(0, len(proof) - 1))
        args["proof"] = [flip(p, position, bit) if i == which else p for i, p in enumerate(proof)]
    elif target == "m":
        args["m"] = data.draw(st.integers(0, 2 * n).filter(lambda other: other != m))
    else:
        args[target] = flip(args[target], position, bit)
    assert not verify_consistency(args["m"], n, args["proof"], args["old_root"], args["new_root"])


def test_no_inclusion_proof_up_to_16_leaves_verifies_for_any_other_index():
    leaves = distinct_leaves(16)
    tree = CompactTree(leaves)
    for size in range(1, 17):
        root_hash = root(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(index, size, tree)
            for other in range(size + 4):
                if other != index:
                    assert not verify_inclusion(leaves[index], other, size, proof, root_hash), (index, other, size)


def test_no_consistency_proof_up_to_16_leaves_verifies_for_any_other_old_size():
    leaves = distinct_leaves(16)
    tree = CompactTree(leaves)
    for n in range(1, 17):
        for m in range(1, n + 1):
            proof = consistency_proof(m, n, tree)
            for other in range(n + 4):
                if other != m:
                    assert not verify_consistency(other, n, proof, root(leaves[:m]), root(leaves[:n])), (m, other, n)


def test_a_proof_longer_than_the_path_fails_even_when_it_hashes_to_the_root():
    # A one-leaf tree has no siblings: the RFC stops as soon as sn reaches 0.
    first, second = distinct_leaves(2)
    assert node_hash(first, second) == root([first, second])
    assert not verify_inclusion(second, 0, 1, [first], root([first, second]))


@FAST
@given(data=st.data(), size=st.integers(1, 200))
def test_a_proof_for_one_checkpoint_never_verifies_against_a_checkpoint_of_another_size(data, size):
    # The proof does not carry the size: a verifier takes size and root together
    # from one signed checkpoint, so the question is whether a proof made for one
    # checkpoint can pass against another, genuine one.
    leaves = distinct_leaves(size + 50)
    tree = CompactTree(leaves)
    index = data.draw(st.integers(0, size - 1))
    other = data.draw(st.integers(index + 1, size + 50).filter(lambda s: s != size))
    proof = inclusion_proof(index, size, tree)
    assert not verify_inclusion(leaves[index], index, other, proof, root(leaves[:other]))
    m = data.draw(st.integers(1, size))
    proof = consistency_proof(m, size, tree)
    other_n = data.draw(st.integers(m, size + 50).filter(lambda s: s != size))
    assert not verify_consistency(m, other_n, proof, root(leaves[:m]), root(leaves[:other_n]))


# ---- edges outside 0 < m < n, and malformed input ----


def test_a_tree_is_consistent_with_itself_only_with_an_empty_proof_and_equal_roots(ct_tree):
    r5 = range_hash(0, 5, ct_tree)
    assert consistency_proof(5, 5, ct_tree) == []
    assert verify_consistency(5, 5, [], r5, r5)
    assert not verify_consistency(5, 5, [], r5, flip(r5, 0, 0))
    assert not verify_consistency(5, 5, [r5], r5, r5)
    assert verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)


def test_every_tree_extends_the_empty_tree_with_an_empty_proof(ct_tree):
    r8 = range_hash(0, 8, ct_tree)
    assert consistency_proof(0, 8, ct_tree) == []
    assert verify_consistency(0, 8, [], EMPTY_ROOT, r8)
    assert not verify_consistency(0, 8, [], flip(EMPTY_ROOT, 3, 1), r8)
    assert not verify_consistency(0, 8, [r8], EMPTY_ROOT, r8)


def test_stored_hashes_read_back_as_memoryviews_verify_like_bytes(ct_tree):
    proof = inclusion_proof(5, 8, ct_tree)
    root_hash = range_hash(0, 8, ct_tree)
    assert verify_inclusion(
        memoryview(leaf_hash(CT_INPUTS[5])), 5, 8, [memoryview(p) for p in proof], memoryview(root_hash)
    )


def _inclusion_case(ct_tree):
    return leaf_hash(CT_INPUTS[5]), 5, 8, inclusion_proof(5, 8, ct_tree), range_hash(0, 8, ct_tree)


@pytest.mark.parametrize(
    "change",
    [
        lambda leaf, index, size, proof, r: (leaf, 8, size, proof, r),
        lambda leaf, index, size, proof, r: (leaf, 9, size, proof, r),
        lambda leaf, index, size, proof, r: (leaf, -1, size, proof, r),
        lambda leaf, index, size, proof, r: (leaf, index, 0, proof, r),
        lambda leaf, index, size, proof, r: (leaf, index, -8, proof, r),
        lambda leaf, index, size, proof, r: (leaf, 5.0, size, proof, r),
        lambda leaf, index, size, proof, r: (leaf, "5", size, proof, r),
        lambda leaf, index, size, proof, r: (leaf, index, size, [*proof, proof[0]], r),
        lambda leaf, index, size, proof, r: (leaf, index, size, proof[:-1], r),
        lambda leaf, index, size, proof, r: (leaf, index, size, [], r),
        lambda leaf, index, size, proof, r: (leaf, index, size, b"".join(proof), r),
        lambda leaf, index, size, proof, r: (leaf, index, size, None, r),
        lambda leaf, index, size, proof, r: (leaf, index, size, [p.hex() for p in proof], r),
        lambda leaf, index, size, proof, r: (leaf, index, size, [proof[0][:31], *proof[1:]], r),
        lambda leaf, index, size, proof, r: (leaf.hex(), index, size, proof, r),
        lambda leaf, index, size, proof, r: (leaf + b"\x00", index, size, proof, r),
        lambda leaf, index, size, proof, r: (leaf, index, size, proof, None),
        lambda leaf, index, size, proof, r: (leaf, index, size, proof, r[:16]),
    ],
)
def test_malformed_inclusion_input_fails_without_raising(change, ct_tree):
    assert verify_inclusion(*_inclusion_case(ct_tree))
    assert verify_inclusion(*change(*_inclusion_case(ct_tree))) is False


def _consistency_case(ct_tree):
    return 6, 8, consistency_proof(6, 8, ct_tree), range_hash(0, 6, ct_tree), range_hash(0, 8, ct_tree)


@pytest.mark.parametrize(
    "change",
    [
        lambda m, n, proof, old, new: (9, n, proof, old, new),
        lambda m, n, proof, old, new: (n, m, proof, new, old),
        lambda m, n, proof, old, new: (-6, n, proof, old, new),
        lambda m, n, proof, old, new: (m, -8, proof, old, new),
        lambda m, n, proof, old, new: (m, 8.0, proof, old, new),
        lambda m, n, proof, old, new: (m, n, [*proof, proof[0]], old, new),
        lambda m, n, proof, old, new: (m, n, proof[:-1], old, new),
        lambda m, n, proof, old, new: (m, n, [], old, new),
        lambda m, n, proof, old, new: (m, n, b"".join(proof), old, new),
        lambda m, n, proof, old, new: (m, n, [None, *proof[1:]], old, new),
        lambda m, n, proof, old, new: (m, n, proof, old.hex(), new),
        lambda m, n, proof, old, new: (m, n, proof, old, new + b"\x00"),
        lambda m, n, proof, old, new: (0, n, proof, old, new),
        lambda m, n, proof, old, new: (n, n, proof, new, new),
    ],
)
def test_malformed_consistency_input_fails_without_raising(change, ct_tree):
    assert verify_consistency(*_consistency_case(ct_tree))
    assert verify_consistency(*change(*_consistency_case(ct_tree))) is False


@pytest.mark.parametrize(("index", "size"), [(8, 8), (-1, 8), (0, 0), (3, 9)])
def test_an_inclusion_proof_is_refused_for_a_leaf_or_size_the_store_does_not_have(index, size, ct_tree):
    with pytest.raises(ValueError):
        inclusion_proof(index, size, ct_tree)


@pytest.mark.parametrize(("m", "n"), [(5, 4), (-1, 8), (3, 9)])
def test_a_consistency_proof_is_refused_for_sizes_the_store_cannot_relate(m, n, ct_tree):
    with pytest.raises(ValueError):
        consistency_proof(m, n, ct_tree)
