"""provenance.merkle against @openzeppelin/merkle-tree 1.0.8: roots, proofs, multiproofs, dumps.

Each hypothesis example is a batch of trees checked in a single node process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.merkle import MultiProof, StandardMerkleTree, process_proof, verify, verify_multi_proof

Reference = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

hex32 = st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
address = st.binary(min_size=20, max_size=20).flatmap(
    lambda b: st.sampled_from(["0x" + b.hex(), to_checksum_address(b)])
)
uint256 = st.integers(min_value=0, max_value=2**256 - 1).map(str)
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)

ENCODINGS: dict[str, tuple[list[str], st.SearchStrategy[list[Any]]]] = {
    "bytes32": (["bytes32"], st.tuples(hex32).map(list)),
    "address,uint256": (["address", "uint256"], st.tuples(address, uint256).map(list)),
    "string": (["string"], st.tuples(text).map(list)),
    "mixed-dynamic": (
        ["bool", "int8", "bytes", "uint256[]", "(address,bytes4)"],
        st.tuples(
            st.booleans(),
            st.integers(-128, 127).map(str),
            st.binary(max_size=40).map(lambda b: "0x" + b.hex()),
            st.lists(uint256, max_size=3),
            st.tuples(address, st.binary(min_size=4, max_size=4).map(lambda b: "0x" + b.hex())).map(list),
        ).map(list),
    ),
}


@st.composite
def tree_job(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(ENCODINGS)))
    encoding, value = ENCODINGS[name]
    values = draw(st.lists(value, min_size=1, max_size=40))
    if len(values) > 1 and draw(st.booleans()):  # duplicates: the sort must be stable, as in JS
        values.append(values[draw(st.integers(0, len(values) - 1))])
    multi = draw(st.lists(st.integers(0, len(values) - 1), unique=True, max_size=len(values)))
    return {"values": values, "encoding": encoding, "multi": multi}


def _js(obj: Any) -> bytes:
    """Serialized as JSON.stringify would (orjson keeps insertion order, no spaces)."""
    return orjson.dumps(obj)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(jobs=st.lists(tree_job(), min_size=8, max_size=16))
def test_trees_match_the_npm_library(jobs: list[dict[str, Any]], oz_reference: Reference) -> None:
    results = oz_reference(jobs)
    for job, ref in zip(jobs, results, strict=True):
        assert "error" not in ref, ref
        tree = StandardMerkleTree.of(job["values"], job["encoding"])
        # (1): the same root, the same proof for every value, the same dump byte for byte
        assert tree.root == ref["root"]
        assert [tree.get_proof(i) for i in range(len(tree))] == ref["proofs"]
        assert _js(tree.dump()) == json.dumps(ref["dump"], separators=(",", ":"), ensure_ascii=False).encode()
        assert tree.dump() == ref["dump"]
        # (2): the same multiproof (values, siblings and flags in the same order)
        multi = tree.get_multi_proof(job["multi"])
        assert [list(v) for v in multi.leaves] == ref["multi"]["leaves"]
        assert list(multi.proof) == ref["multi"]["proof"]
        assert list(multi.proof_flags) == ref["multi"]["proofFlags"]
        assert verify_multi_proof(ref["root"], job["encoding"], multi)
        # (3): the npm proofs verify here, and our load() accepts the npm dump
        for i, proof in enumerate(ref["proofs"]):
            assert verify(ref["root"], job["encoding"], job["values"][i], proof)
        assert StandardMerkleTree.load(ref["dump"]).root == ref["root"]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(jobs=st.lists(tree_job(), min_size=4, max_size=8))
def test_npm_library_loads_and_verifies_our_dumps(jobs: list[dict[str, Any]], oz_reference: Reference) -> None:
    trees = [StandardMerkleTree.of(job["values"], job["encoding"]) for job in jobs]
    requests = [
        {
            "load": tree.dump(),
            "verify": [{"value": job["values"][i], "proof": tree.get_proof(i)} for i in range(len(tree))],
        }
        for job, tree in zip(jobs, trees, strict=True)
    ]
    for tree, ref in zip(trees, oz_reference(requests), strict=True):
        assert "error" not in ref, ref
        assert ref["root"] == tree.root
        assert all(ref["verified"])
        assert ref["proofs"] == [tree.get_proof(i) for i in range(len(tree))]


def test_known_vector_single_leaf_and_empty_multiproof(oz_reference: Reference) -> None:
    values = [["0x" + "11" * 32]]
    (ref,) = oz_reference([{"values": values, "encoding": ["bytes32"], "multi": []}])
    tree = StandardMerkleTree.of(values, ["bytes32"])
    assert tree.root == ref["root"] == tree.leaf_hash(values[0])
    assert tree.get_proof(0) == [] == ref["proofs"][0]
    assert process_proof(tree.root, []) == tree.root
    empty = tree.get_multi_proof([])
    assert list(empty.proof) == ref["multi"]["proof"] == [tree.root]
    assert verify_multi_proof(tree.root, ["bytes32"], MultiProof((), empty.proof, ()))
