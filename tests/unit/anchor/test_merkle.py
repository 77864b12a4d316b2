"""provenance.merkle offline: validation, tampering, dump/load, multiproofs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance._internal.keccak import KECCAK_BACKEND, keccak256
from provenance.errors import InputError
from provenance.merkle import (
    MultiProof,
    StandardMerkleTree,
    process_multi_proof,
    process_proof,
    standard_leaf_hash,
    verify,
    verify_multi_proof,
)

VALUES = [["0x" + bytes([i]).hex() * 20, str(i * 10**18)] for i in range(1, 12)]
ENCODING = ["address", "uint256"]


def _flip(hex32: str, byte: int, mask: int) -> str:
    raw = bytearray.fromhex(hex32[2:])
    raw[byte] ^= mask
    return "0x" + raw.hex()


def test_keccak_backend_is_keccak_not_sha3() -> None:
    assert KECCAK_BACKEND in ("safe-pysha3", "pycryptodome", "eth-hash")
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=400))
def test_keccak_backends_agree(data: bytes) -> None:
    from Crypto.Hash import keccak as cryptodome_keccak
    from eth_hash.auto import keccak as eth_keccak

    assert keccak256(data) == cryptodome_keccak.new(digest_bits=256, data=data).digest() == eth_keccak(data)


def test_leaf_is_double_keccak_of_abi_encoding() -> None:
    value = ["0x" + "ab" * 32]
    assert standard_leaf_hash(["bytes32"], value) == "0x" + keccak256(keccak256(bytes.fromhex("ab" * 32))).hex()
    # integers, decimal strings and 0x strings are the same uint256
    assert standard_leaf_hash(["uint256"], [255]) == standard_leaf_hash(["uint256"], ["255"])
    assert standard_leaf_hash(["uint256"], ["0xff"]) == standard_leaf_hash(["uint"], [255])
    assert standard_leaf_hash(["bytes32"], [bytes.fromhex("ab" * 32)]) == standard_leaf_hash(["bytes32"], value)


@pytest.mark.parametrize(
    ("values", "encoding", "match"),
    [
        ([], ["bytes32"], "at least one value"),
        ([["0x12"]], ["bytes32"], r"values\[0\]\[0\]: bytes32: expected 32 bytes"),
        ([["0x" + "00" * 20, "-1"]], ENCODING, r"values\[0\]\[1\]: -1 is out of range for uint256"),
        ([["0x" + "00" * 20, True]], ENCODING, r"values\[0\]\[1\]: uint256 needs an integer"),
        ([["0x" + "00" * 19, "1"]], ENCODING, r"values\[0\]\[0\]: address: expected 20 bytes"),
        ([["0xzz" + "00" * 19, "1"]], ENCODING, r"values\[0\]\[0\]: address: invalid hex"),
        ([["0x" + "00" * 20]], ENCODING, r"values\[0\]: expected 2 items"),
        (["0x" + "00" * 32], ["bytes32"], r"values\[0\]: a value must be a list"),
        ([[1]], ["uint7"], "unsupported ABI type 'uint7'"),
        ([[1]], [], "leaf encoding must be a non-empty list"),
        ([["a"]], "string", "leaf encoding must be a non-empty list"),
        ([["\ud800"]], ["string"], "lone surrogate"),
        ([[300]], ["int8"], "out of range for int8"),
        ([[[1, 2]]], ["uint256[3]"], r"uint256\[3\] needs 3 items"),
    ],
)
def test_bad_input_is_named(values: list[Any], encoding: Any, match: str) -> None:
    with pytest.raises(InputError, match=match):
        StandardMerkleTree.of(values, encoding)


def test_proof_by_index_and_by_value() -> None:
    tree = StandardMerkleTree.of(VALUES, ENCODING)
    for i, value in enumerate(VALUES):
        proof = tree.get_proof(i)
        assert tree.get_proof(value) == proof
        assert tree.verify(i, proof) and tree.verify(value, proof)
        assert verify(tree.root, ENCODING, value, proof)
        assert process_proof(tree.leaf_hash(value), proof) == tree.root
    with pytest.raises(InputError, match="not in the tree"):
        tree.get_proof(["0x" + "ee" * 20, "1"])
    with pytest.raises(InputError, match="out of bounds"):
        tree.get_proof(len(VALUES))
    with pytest.raises(InputError, match=r"proof\[0\]: expected 32 bytes"):
        process_proof(tree.root, ["0x1234"])


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_byte_tamper_fails(data: st.DataObject) -> None:
    tree = StandardMerkleTree.of(VALUES, ENCODING)
    i = data.draw(st.integers(0, len(VALUES) - 1))
    proof = tree.get_proof(i)
    leaf = tree.leaf_hash(VALUES[i])
    byte, mask = data.draw(st.integers(0, 31)), data.draw(st.integers(1, 255))
    # (1): the leaf
    assert process_proof(_flip(leaf, byte, mask), proof) != tree.root
    # (2): any proof element
    k = data.draw(st.integers(0, len(proof) - 1))
    bad = [*proof[:k], _flip(proof[k], byte, mask), *proof[k + 1 :]]
    assert not verify(tree.root, ENCODING, VALUES[i], bad)
    # (3): the value itself (one byte of the address)
    address = VALUES[i][0]
    raw = bytearray.fromhex(address[2:])
    raw[byte % 20] ^= mask
    assert not verify(tree.root, ENCODING, ["0x" + raw.hex(), VALUES[i][1]], proof)


def test_dump_load_round_trip_and_tampered_dumps() -> None:
    tree = StandardMerkleTree.of(VALUES, ENCODING)
    dump = tree.dump()
    assert dump["format"] == "standard-v1" and list(dump) == ["format", "leafEncoding", "tree", "values"]
    again = StandardMerkleTree.load(dump)
    assert again.root == tree.root and again.dump() == dump
    assert again.get_proof(3) == tree.get_proof(3)

    bad = copy.deepcopy(dump)
    bad["tree"][5] = _flip(bad["tree"][5], 0, 1)
    with pytest.raises(InputError, match=r"tree\[|does not hash"):
        StandardMerkleTree.load(bad)
    bad = copy.deepcopy(dump)
    bad["values"][2]["value"][1] = "7"
    with pytest.raises(InputError, match=r"values\[2\] does not hash"):
        StandardMerkleTree.load(bad)
    bad = copy.deepcopy(dump)
    bad["values"][0]["treeIndex"] = 0
    with pytest.raises(InputError, match=r"values\[0\].treeIndex 0 is not a leaf"):
        StandardMerkleTree.load(bad)
    with pytest.raises(InputError, match="unknown tree dump format"):
        StandardMerkleTree.load({**dump, "format": "simple-v1"})
    with pytest.raises(InputError, match="no leafEncoding"):
        StandardMerkleTree.load({k: v for k, v in dump.items() if k != "leafEncoding"})


def test_multiproof_verifies_and_rejects_tampering() -> None:
    tree = StandardMerkleTree.of(VALUES, ENCODING)
    multi = tree.get_multi_proof([0, 4, 7, 10])
    assert verify_multi_proof(tree.root, ENCODING, multi)
    flipped = MultiProof(multi.leaves, (_flip(multi.proof[0], 3, 0x80), *multi.proof[1:]), multi.proof_flags)
    assert not verify_multi_proof(tree.root, ENCODING, flipped)
    whole = tree.get_multi_proof(list(range(len(VALUES))))
    assert whole.proof == () and verify_multi_proof(tree.root, ENCODING, whole)
    with pytest.raises(InputError, match="duplicated index"):
        tree.get_multi_proof([1, 1])
    with pytest.raises(InputError, match="leaves \\+ proof must equal flags \\+ 1"):
        process_multi_proof([tree.root], [tree.root], [])
