"""Export + verify round trips: asset (with lineage), party, trade, anchored record; options."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from provenance.chain import Chain
from provenance.errors import InputError, VerificationError
from provenance.evidence._transactions import decode_transaction
from provenance.evidence.bundle import FORMAT, bundle_hash, canonical_json, signing_digest
from provenance.evidence.proofs import decode_header, decode_receipt, verify_receipt_proof
from provenance.evidence.verify import CHECKS, verify_bundle
from provenance.node import LocalNode
from tests.integration.evidence.bundle.conftest import World


def events(bundle: dict[str, Any]) -> list[str]:
    return [entry["event"] for entry in bundle["timeline"]]


def passed(bundle: dict[str, Any], **kw: Any) -> dict[str, str]:
    report = verify_bundle(canonical_json(bundle), **kw)
    report.raise_for_failure()
    assert report.ok and report.bundle_hash == bundle_hash(bundle)
    return {c.name: c.status for c in report.checks}


def test_asset_history_round_trip(world: World, asset_bundle: dict[str, Any]) -> None:
    b = asset_bundle
    assert b["format"] == FORMAT and b["query"]["source"] == "index" and b["query"]["lineage"] == "both"
    # (1) the whole life of the asset and of the asset derived from it
    for name in (
        "AssetApplied",
        "AssetCertified",
        "LicenceGranted",
        "DerivationRecorded",
        "RightTransferred",
        "PledgeCreated",
        "PledgeReleased",
        "DisputeFiled",
        "DisputeResolved",
        "Listed",
    ):
        assert name in events(b), name
    assert {e["args"].get("assetId") for e in b["timeline"] if e["event"] == "AssetApplied"} == {
        "0x" + world.asset.hex(),
        "0x" + world.derived.hex(),
    }
    # (2) headers from the deployment to the checkpoint; contracts with their deployments
    first = decode_header(bytes.fromhex(b["headers"][0][2:])).number
    assert first == min(c.block_number for c in world.deployment.contracts.values())
    assert [c["name"] for c in b["contracts"]] == ["DataExchange", "DataRegistry"]
    # (3) every check ran and passed, except those not asked for
    statuses = passed(b)
    assert list(statuses) == list(CHECKS)
    assert {k for k, v in statuses.items() if v == "skipped"} == {
        "trusted-checkpoint",
        "checkpoint-canonical",
        "record-proof",
        "trusted-exporter",
    }


def test_index_and_eth_getlogs_select_the_same_events(world: World) -> None:
    from_index = world.export("asset", world.asset)
    from_logs = world.export("asset", world.asset, index=False, checkpoint=from_index["checkpoint"]["number"])
    assert from_logs["query"]["source"] == "logs"
    assert from_logs["events"] == from_index["events"] and from_logs["timeline"] == from_index["timeline"]
    passed(from_logs)


def test_party_history_round_trip(world: World) -> None:
    b = world.export("party", world.signers["owner"].address)
    owner = world.signers["owner"].address.lower()
    assert "AssetApplied" in events(b) and "TradeOpened" in events(b)
    assert all(owner in {str(v).lower() for v in e["args"].values()} for e in b["timeline"])
    passed(b)


def test_trade_round_trip(world: World) -> None:
    b = world.export("trade", world.trade_id)
    assert events(b)[:3] == ["TradeOpened", "TradeDelivered", "TradeConfirmed"]
    assert {e["args"]["tradeId"] for e in b["timeline"]} == {str(world.trade_id)}  # uint256: decimal string
    passed(b)


def test_anchored_record_round_trip(world: World) -> None:
    from provenance.anchor_records import record_hash

    b = world.export("record", record_hash(world.records[3]), records=[world.record(3)])
    assert events(b) == ["BatchAnchored"] and b["records"][0]["record"] == world.records[3]
    assert passed(b)["record-proof"] == "passed"
    # a changed record, proof or event reference is named
    for path, value, field in (
        (("record", "price"), 1, "records[0].recordHash"),
        (("proof", 0), "0x" + "11" * 32, "records[0].proof"),
    ):
        doc = orjson.loads(canonical_json(b))
        doc["records"][0][path[0]][path[1]] = value
        failure = verify_bundle(canonical_json(doc)).failure
        assert failure is not None and (failure.name, failure.field) == ("record-proof", field)


def test_receipt_and_transaction_types(world: World, asset_bundle: dict[str, Any]) -> None:
    """Legacy, EIP-2930 and EIP-1559 transactions of the history, beside a failed one, verify."""
    txs = {(t["blockNumber"], t["txIndex"]): t for t in asset_bundle["transactions"]}
    kinds = {decode_transaction(bytes.fromhex(t["transaction"][2:])).tx_type for t in txs.values()}
    receipts = {decode_receipt(bytes.fromhex(t["receipt"][2:])).tx_type for t in txs.values()}
    assert {0, 1, 2} <= kinds and {0, 1, 2} <= receipts
    mixed = world.mixed_block
    assert (mixed, world.tx_types["legacy"]) in txs and (mixed, world.tx_types["access"]) in txs
    # the failed transaction's receipt sits in the same receipts trie as the proven ones
    from provenance.evidence._collect import fetch_blocks

    block = fetch_blocks(world.chain, [mixed])[mixed]
    header = decode_header(block.evidence.header)
    failed = verify_receipt_proof(
        header.receipts_root, world.tx_types["failed"], block.receipt_trie.proof(world.tx_types["failed"])
    )
    assert decode_receipt(failed).status == 0 and not decode_receipt(failed).logs
    passed(asset_bundle)


def test_given_checkpoint_trust_and_exporter_pins(world: World) -> None:
    latest = world.chain.block_number()
    b = world.export("asset", world.asset, checkpoint=latest - 1)
    assert b["checkpoint"]["number"] == latest - 1
    passed(b, trust_checkpoint=b["checkpoint"]["hash"], exporter=world.signers["exporter"].address)
    report = verify_bundle(canonical_json(b), trust_checkpoint="0x" + "ab" * 32)
    failure = report.failure
    assert failure is not None and (failure.name, failure.field) == ("trusted-checkpoint", "checkpoint.hash")
    with pytest.raises(VerificationError, match="trusted-exporter failed at exporter"):
        verify_bundle(canonical_json(b), exporter=world.signers["admin"].address).raise_for_failure()


def test_rpc_confirms_the_checkpoint_and_refuses_another_chain(world: World, asset_bundle: dict[str, Any]) -> None:
    assert passed(asset_bundle, rpc=Chain(world.node.url))["checkpoint-canonical"] == "passed"
    with LocalNode() as other:
        failure = verify_bundle(canonical_json(asset_bundle), rpc=Chain(other.url)).failure
    assert failure is not None and failure.name == "checkpoint-canonical"
    assert failure.field in ("checkpoint.hash", "chain.genesisHash")
    unreachable = verify_bundle(canonical_json(asset_bundle), rpc=Chain("http://127.0.0.1:9", retries=0)).failure
    assert unreachable is not None and unreachable.name == "checkpoint-canonical"


def test_signature_is_over_the_canonical_bundle(world: World, asset_bundle: dict[str, Any]) -> None:
    from provenance.evidence._transactions import recover_signer

    signer = recover_signer(signing_digest(asset_bundle), bytes.fromhex(asset_bundle["signature"][2:]))
    assert "0x" + signer.hex() == asset_bundle["exporter"].lower() == world.signers["exporter"].address.lower()
    pretty = json.dumps(asset_bundle, indent=1).encode()
    report = verify_bundle(pretty)
    assert report.failure is not None and report.failure.name == "canonical-json"
    assert [c.name for c in report.checks if c.status == "failed"] == ["canonical-json"]


def test_nothing_to_export_and_bad_ids(world: World) -> None:
    with pytest.raises(InputError, match="no events for asset"):
        world.export("asset", b"\x01" * 32)
    with pytest.raises(InputError, match="32 bytes"):
        world.export("asset", "0x1234")
    with pytest.raises(InputError, match="lineage needs an index"):
        world.export("asset", world.asset, index=False, lineage="up")
