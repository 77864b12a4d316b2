"""TradeAnchor on a real anvil: roles, anchoring, events, on-chain proof checks, gas."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.contract import Contract

from provenance._internal.keccak import keccak256
from provenance.anchor_records import build_batch
from provenance.merkle import StandardMerkleTree, verify

from .conftest import ANCHORER_ROLE

Reverts = Callable[..., dict[str, Any]]


def records(count: int, salt: int = 0) -> list[dict[str, Any]]:
    return [{"tradeId": f"T-{salt}-{i}", "price": 100 + i, "buyer": f"B{i % 7}", "seller": "S"} for i in range(count)]


def send_anchor(w3: Web3, anchor: Contract, sender: str, root: str, count: int, batch_id: bytes, meta: bytes) -> Any:
    tx = anchor.functions.anchor(root, count, batch_id, meta).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return receipt


def flip(value: bytes, byte: int, mask: int) -> bytes:
    raw = bytearray(value)
    raw[byte] ^= mask
    return bytes(raw)


def test_anchor_emits_everything_a_verifier_needs(w3: Web3, anchor: Contract, roles: dict[str, str]) -> None:
    tree, _ = build_batch(records(10))
    batch_id, meta = keccak256(b"batch-1"), keccak256(b"metadata document")
    receipt = send_anchor(w3, anchor, roles["exchange"], tree.root, 10, batch_id, meta)
    (event,) = anchor.events.BatchAnchored().process_receipt(receipt)
    block = w3.eth.get_block(receipt["blockNumber"])
    assert event["address"] == anchor.address
    assert event["args"]["batchId"] == batch_id
    assert "0x" + event["args"]["root"].hex() == tree.root
    assert event["args"]["exchange"] == roles["exchange"]
    assert event["args"]["recordCount"] == 10
    assert event["args"]["metadataHash"] == meta
    assert event["args"]["anchoredAt"] == block["timestamp"]
    # batchId, root and exchange are indexed: queries filter on them
    log = receipt["logs"][0]
    assert log["topics"][1] == batch_id
    assert "0x" + log["topics"][2].hex() == tree.root
    assert log["topics"][3][12:] == bytes.fromhex(roles["exchange"][2:])
    assert "0x" + anchor.functions.batchRoot(batch_id).call().hex() == tree.root
    assert anchor.functions.isAnchored(batch_id).call()


def test_role_matrix(w3: Web3, deploy_anchor: Callable[..., Contract], roles: dict[str, str], reverts: Reverts) -> None:
    anchor = deploy_anchor(grant=False)
    root, batch_id = "0x" + "11" * 32, keccak256(b"b")
    assert anchor.functions.ANCHORER_ROLE().call() == ANCHORER_ROLE
    assert anchor.functions.hasRole(b"\0" * 32, roles["admin"]).call()
    # nobody anchors without ANCHORER_ROLE: not a stranger, not the exchange before the grant, not the admin
    for who in ("stranger", "exchange", "admin"):
        sender = roles[who]
        args = reverts(
            lambda sender=sender: anchor.functions.anchor(root, 1, batch_id, b"\0" * 32).transact({"from": sender}),
            "AccessControlUnauthorizedAccount",
        )
        assert args == {"account": sender, "neededRole": ANCHORER_ROLE}
    # only the admin grants the role
    args = reverts(
        lambda: anchor.functions.grantRole(ANCHORER_ROLE, roles["stranger"]).transact({"from": roles["stranger"]}),
        "AccessControlUnauthorizedAccount",
    )
    assert args["account"] == roles["stranger"]
    w3.eth.wait_for_transaction_receipt(
        anchor.functions.grantRole(ANCHORER_ROLE, roles["exchange"]).transact({"from": roles["admin"]})
    )
    send_anchor(w3, anchor, roles["exchange"], root, 1, batch_id, b"\0" * 32)
    # revoked: anchors no more
    w3.eth.wait_for_transaction_receipt(
        anchor.functions.revokeRole(ANCHORER_ROLE, roles["exchange"]).transact({"from": roles["admin"]})
    )
    reverts(
        lambda: anchor.functions.anchor(root, 1, keccak256(b"c"), b"\0" * 32).transact({"from": roles["exchange"]}),
        "AccessControlUnauthorizedAccount",
    )


def test_duplicates_and_bad_batches_are_rejected(
    w3: Web3, anchor: Contract, roles: dict[str, str], reverts: Reverts
) -> None:
    exchange = roles["exchange"]
    root, other, batch_id = "0x" + "22" * 32, "0x" + "33" * 32, keccak256(b"dup")
    send_anchor(w3, anchor, exchange, root, 5, batch_id, b"\0" * 32)
    args = reverts(
        lambda: anchor.functions.anchor(other, 5, batch_id, b"\0" * 32).transact({"from": exchange}),
        "AnchorBatchExists",
    )
    assert args == {"batchId": batch_id, "root": bytes.fromhex("22" * 32)}
    args = reverts(
        lambda: anchor.functions.anchor(root, 5, b"\0" * 32, b"\0" * 32).transact({"from": exchange}),
        "AnchorInvalidBatchId",
    )
    assert args == {"batchId": b"\0" * 32}
    args = reverts(
        lambda: anchor.functions.anchor(b"\0" * 32, 5, keccak256(b"z"), b"\0" * 32).transact({"from": exchange}),
        "AnchorInvalidRoot",
    )
    assert args == {"batchId": keccak256(b"z"), "root": b"\0" * 32}
    args = reverts(
        lambda: anchor.functions.anchor(other, 0, keccak256(b"z"), b"\0" * 32).transact({"from": exchange}),
        "AnchorEmptyBatch",
    )
    assert args == {"batchId": keccak256(b"z"), "recordCount": 0}
    args = reverts(lambda: anchor.functions.batchRoot(keccak256(b"unknown")).call(), "AnchorUnknownBatch")
    assert args == {"batchId": keccak256(b"unknown")}
    assert not anchor.functions.isAnchored(keccak256(b"unknown")).call()


def test_constructor_rejects_zero_admin(
    w3: Web3, anchor_artifact: Any, roles: dict[str, str], reverts: Reverts
) -> None:
    factory = w3.eth.contract(abi=anchor_artifact.abi, bytecode=anchor_artifact.bytecode)
    zero = "0x" + "00" * 20
    args = reverts(lambda: factory.constructor(zero).transact({"from": roles["admin"]}), "AnchorInvalidAdmin")
    assert args == {"admin": zero}


@pytest.mark.parametrize("count", [1, 2, 5, 33])
def test_every_proof_verifies_on_chain_and_offline(
    w3: Web3, anchor: Contract, roles: dict[str, str], count: int
) -> None:
    tree, values = build_batch(records(count, salt=count))
    batch_id = keccak256(f"batch-{count}".encode())
    send_anchor(w3, anchor, roles["exchange"], tree.root, count, batch_id, b"\0" * 32)
    for i, (value,) in enumerate(values):
        proof = tree.get_proof(i)
        assert verify(tree.root, ["bytes32"], [value], proof)
        assert anchor.functions.verifyRecord(batch_id, value, proof).call()
        assert "0x" + anchor.functions.leafOf(value).call().hex() == tree.leaf_hash([value])
    # not under another batch id, and an inner node is no record
    assert not anchor.functions.verifyRecord(keccak256(b"other"), values[0][0], tree.get_proof(0)).call()
    if count >= 2:
        proof = tree.get_proof(0)
        inner = tree.dump()["tree"][(tree.dump()["values"][0]["treeIndex"] - 1) // 2]
        assert not anchor.functions.verifyRecord(batch_id, inner, proof[1:]).call()


def test_multiproof_verifies_on_chain(w3: Web3, anchor: Contract, roles: dict[str, str]) -> None:
    tree, values = build_batch(records(40, salt=99))
    batch_id = keccak256(b"multi")
    send_anchor(w3, anchor, roles["exchange"], tree.root, 40, batch_id, b"\0" * 32)
    multi = tree.get_multi_proof([0, 3, 17, 39])
    hashes = [v[0] for v in multi.leaves]
    assert anchor.functions.verifyRecords(batch_id, hashes, list(multi.proof), list(multi.proof_flags)).call()
    swapped = [values[5][0], *hashes[1:]]
    assert not anchor.functions.verifyRecords(batch_id, swapped, list(multi.proof), list(multi.proof_flags)).call()
    assert not anchor.functions.verifyRecords(batch_id, hashes[1:], list(multi.proof), list(multi.proof_flags)).call()


@pytest.fixture(scope="module")
def anchored_batch(w3: Web3, anchor_artifact: Any) -> tuple[Contract, StandardMerkleTree, list[list[str]], bytes]:
    accounts = list(w3.eth.accounts)
    factory = w3.eth.contract(abi=anchor_artifact.abi, bytecode=anchor_artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(accounts[0]).transact({"from": accounts[0]}))
    address = receipt["contractAddress"]
    assert address is not None
    contract = w3.eth.contract(address=address, abi=anchor_artifact.abi)
    w3.eth.wait_for_transaction_receipt(
        contract.functions.grantRole(ANCHORER_ROLE, accounts[1]).transact({"from": accounts[0]})
    )
    tree, values = build_batch(records(50, salt=7))
    batch_id = keccak256(b"tamper")
    send_anchor(w3, contract, accounts[1], tree.root, 50, batch_id, b"\0" * 32)
    return contract, tree, values, batch_id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 49), byte=st.integers(0, 31), mask=st.integers(1, 255), target=st.integers(-1, 9))
def test_any_single_byte_tamper_fails_on_chain(
    anchored_batch: tuple[Contract, StandardMerkleTree, list[list[str]], bytes],
    index: int,
    byte: int,
    mask: int,
    target: int,
) -> None:
    contract, tree, values, batch_id = anchored_batch
    record = bytes.fromhex(values[index][0][2:])
    proof = [bytes.fromhex(p[2:]) for p in tree.get_proof(index)]
    assert contract.functions.verifyRecord(batch_id, record, proof).call()
    if target < 0:  # the record's hash
        record = flip(record, byte, mask)
    else:  # one proof element
        k = target % len(proof)
        proof[k] = flip(proof[k], byte, mask)
    assert not contract.functions.verifyRecord(batch_id, record, proof).call()
    assert not verify(tree.root, ["bytes32"], ["0x" + record.hex()], proof)


def test_gas_per_record_at_1024_is_within_50(w3: Web3, anchor: Contract, roles: dict[str, str]) -> None:
    root, batch_id, meta = os.urandom(32), os.urandom(32), os.urandom(32)
    receipt = send_anchor(w3, anchor, roles["exchange"], "0x" + root.hex(), 1024, batch_id, meta)
    assert receipt["gasUsed"] <= 1024 * 50, receipt["gasUsed"]


def test_supports_interfaces(anchor: Contract) -> None:
    assert anchor.functions.supportsInterface(bytes.fromhex("7965db0b")).call()  # IAccessControl
    assert anchor.functions.supportsInterface(bytes.fromhex("01ffc9a7")).call()  # IERC165
    assert not anchor.functions.supportsInterface(bytes.fromhex("ffffffff")).call()
    selectors = [
        "anchor(bytes32,uint64,bytes32,bytes32)",
        "verifyRecord(bytes32,bytes32,bytes32[])",
        "verifyRecords(bytes32,bytes32[],bytes32[],bool[])",
        "batchRoot(bytes32)",
        "isAnchored(bytes32)",
        "leafOf(bytes32)",
        "ANCHORER_ROLE()",
    ]
    interface_id = 0
    for signature in selectors:
        interface_id ^= int.from_bytes(keccak256(signature.encode())[:4], "big")
    assert anchor.functions.supportsInterface(interface_id.to_bytes(4, "big")).call()
