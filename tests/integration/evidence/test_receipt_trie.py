"""Receipts trie: roots match anvil, proofs verify, and any tampering fails naming the node."""

from __future__ import annotations

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st
from trie.hexary import HexaryTrie

from provenance._internal.rlp import rlp_encode
from provenance.errors import InputError, VerificationError
from provenance.evidence.proofs import (
    EMPTY_TRIE_ROOT,
    BlockEvidence,
    ReceiptTrie,
    decode_header,
    receipt_key,
    receipts_root,
    verify_receipt_proof,
    verify_trie_proof,
)

# -- against anvil ---------------------------------------------------------------------


@pytest.mark.parametrize("block", ["mixed_block", "big_block", "set_code_block"])
def test_every_receipt_proof_verifies_against_the_header(block: str, request: pytest.FixtureRequest) -> None:
    evidence: BlockEvidence = request.getfixturevalue(block)
    root = decode_header(evidence.header).receipts_root
    trie = evidence.receipt_trie()
    assert trie.root == root
    for index, receipt in enumerate(evidence.receipts):
        assert verify_receipt_proof(root, index, trie.proof(index)) == receipt


def test_big_block_exercises_long_keys_and_wrong_indexes(big_block: BlockEvidence) -> None:
    assert len(big_block.receipts) == 140
    assert receipt_key(127) == b"\x7f" and receipt_key(128) == b"\x81\x80" and receipt_key(0) == b"\x80"
    trie = big_block.receipt_trie()
    for index in (0, 1, 127, 128, 129, 139):
        proof = trie.proof(index)
        for other in (index - 1, index + 1, 140, 1000):
            if other >= 0:
                with pytest.raises(VerificationError, match="receipt-proof failed"):
                    verify_receipt_proof(trie.root, other, proof)


# -- properties ------------------------------------------------------------------------

receipt_lists = st.lists(st.binary(min_size=33, max_size=120), min_size=1, max_size=160)


@st.composite
def proofs(draw: st.DrawFn) -> tuple[bytes, int, tuple[bytes, ...], list[bytes]]:
    receipts = draw(receipt_lists)
    index = draw(st.integers(min_value=0, max_value=len(receipts) - 1))
    trie = ReceiptTrie(receipts)
    return trie.root, index, trie.proof(index), receipts


@given(receipt_lists)
@settings(max_examples=25)
def test_root_matches_a_plain_hexary_trie_and_all_proofs_verify(receipts: list[bytes]) -> None:
    reference = HexaryTrie({})
    for index, receipt in enumerate(receipts):
        reference[rlp_encode(index.to_bytes(2, "big").lstrip(b"\x00"))] = receipt
    trie = ReceiptTrie(receipts)
    assert trie.root == reference.root_hash == receipts_root(receipts)
    for index, receipt in enumerate(receipts):
        assert verify_receipt_proof(trie.root, index, trie.proof(index)) == receipt


@given(proofs())
def test_proofs_also_verify_with_the_trie_package(case: tuple[bytes, int, tuple[bytes, ...], list[bytes]]) -> None:
    root, index, proof, receipts = case
    decoded = [rlp.decode(node) for node in proof]
    assert HexaryTrie.get_from_proof(root, receipt_key(index), decoded) == receipts[index]  # type: ignore[no-untyped-call]


@given(proofs(), st.data())
def test_changing_any_byte_of_any_node_fails_at_that_node(
    case: tuple[bytes, int, tuple[bytes, ...], list[bytes]], data: st.DataObject
) -> None:
    root, index, proof, _ = case
    node = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="node")
    offset = data.draw(st.integers(min_value=0, max_value=len(proof[node]) - 1), label="offset")
    flip = data.draw(st.integers(min_value=1, max_value=255), label="xor")
    changed = bytearray(proof[node])
    changed[offset] ^= flip
    tampered = proof[:node] + (bytes(changed),) + proof[node + 1 :]
    with pytest.raises(VerificationError, match="node hashes to") as caught:
        verify_receipt_proof(root, index, tampered)
    assert caught.value.check == "receipt-proof"
    assert caught.value.field == f"receipt_proof[{node}]"


@given(proofs(), st.data())
def test_a_wrong_index_fails(case: tuple[bytes, int, tuple[bytes, ...], list[bytes]], data: st.DataObject) -> None:
    root, index, proof, receipts = case
    # another index whose receipt differs: an identical receipt elsewhere has the same leaf node, so the proof holds
    other = data.draw(
        st.integers(min_value=0, max_value=len(receipts) + 300).filter(
            lambda i: i >= len(receipts) or receipts[i] != receipts[index]
        )
    )
    with pytest.raises(VerificationError) as caught:
        verify_receipt_proof(root, other, proof)
    assert caught.value.check == "receipt-proof"


@given(proofs())
def test_missing_extra_or_reordered_nodes_fail(case: tuple[bytes, int, tuple[bytes, ...], list[bytes]]) -> None:
    root, index, proof, _ = case
    with pytest.raises(VerificationError, match="unused node"):
        verify_receipt_proof(root, index, proof + (proof[-1],))
    with pytest.raises(VerificationError, match="the proof ends|node hashes to"):
        verify_receipt_proof(root, index, proof[:-1])
    if len(proof) > 1:
        with pytest.raises(VerificationError, match=r"receipt_proof\[0\]"):
            verify_receipt_proof(root, index, proof[::-1])


@given(proofs())
def test_a_wrong_root_fails_at_the_first_node(case: tuple[bytes, int, tuple[bytes, ...], list[bytes]]) -> None:
    _, index, proof, _ = case
    with pytest.raises(VerificationError, match="the root references") as caught:
        verify_receipt_proof(bytes(32), index, proof)
    assert caught.value.field == "receipt_proof[0]"


@given(st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=40))
def test_small_values_sit_inline_and_still_verify(values: list[bytes]) -> None:
    trie = ReceiptTrie(values)
    for index, value in enumerate(values):
        proof = trie.proof(index)
        assert all(len(node) >= 32 for node in proof[1:])  # inline nodes are not repeated
        assert verify_trie_proof(trie.root, receipt_key(index), proof) == value


def test_empty_trie_and_bad_inputs() -> None:
    assert receipts_root([]) == EMPTY_TRIE_ROOT
    with pytest.raises(VerificationError, match="the proof ends after 0 nodes"):
        verify_receipt_proof(EMPTY_TRIE_ROOT, 0, ())
    with pytest.raises(VerificationError, match="root must be 32 bytes"):
        verify_receipt_proof(b"\x00", 0, ())
    with pytest.raises(VerificationError, match="a list of RLP nodes"):
        verify_receipt_proof(EMPTY_TRIE_ROOT, 0, b"\x80")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="tx_index"):
        receipt_key(-1)
    with pytest.raises(InputError, match="outside the block's 1 receipts"):
        ReceiptTrie([b"x" * 40]).proof(1)
    with pytest.raises(InputError, match=r"receipts\[1\]"):
        ReceiptTrie([b"x" * 40, b""])


def test_structurally_bad_nodes_that_hash_correctly_are_rejected() -> None:
    from eth_hash.auto import keccak

    cases = {
        rlp_encode([b"\x20", b"v", b"x"]): "2 or 17 items",
        rlp_encode([b"\x50\x80", b"v" * 40]): "bad hex-prefix flag",
        rlp_encode([b"\x00", b"\x01" * 32]): "extension node with an empty path",
        rlp_encode([b"\x20\x80", b""]): "no value",
        rlp_encode([b"\x00\x80", b"\x01" * 5]): "child reference of 5 bytes",
        b"\x80": "expected an RLP list",
        rlp_encode([b""] * 17): "empty branch slot",
    }
    for node, message in cases.items():
        with pytest.raises(VerificationError, match=message) as caught:
            verify_receipt_proof(keccak(node), 0, (node,))
        assert caught.value.field == "receipt_proof[0]"
