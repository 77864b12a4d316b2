"""Receipts: anvil's receipts of every type encode to the header's receiptsRoot; codec properties."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import InputError
from provenance.evidence.proofs import (
    BlockEvidence,
    Log,
    Receipt,
    decode_header,
    decode_receipt,
    encode_receipt,
    receipt_from_json,
    receipts_root,
)
from tests.integration.evidence.evidence_support import DevChain


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


# -- against anvil ---------------------------------------------------------------------


def test_mixed_block_receipts_rebuild_receipts_root(mixed_block: BlockEvidence, chain: DevChain) -> None:
    receipts = chain.block_receipts(mixed_block.number)
    encoded = [encode_receipt(r) for r in receipts]
    assert receipts_root(encoded) == decode_header(mixed_block.header).receipts_root
    decoded = [decode_receipt(raw) for raw in encoded]
    assert sorted(r.tx_type for r in decoded) == [0, 0, 1, 2, 2]
    assert sorted(r.status for r in decoded) == [0, 1, 1, 1, 1]
    failed = next(r for r in decoded if r.status == 0)
    assert failed.logs == ()
    assert sum(len(r.logs) for r in decoded) == 9  # three logging calls, three logs each


def test_decoded_receipts_match_rpc_fields(mixed_block: BlockEvidence, chain: DevChain) -> None:
    for raw, rpc_receipt in zip(mixed_block.receipts, chain.block_receipts(mixed_block.number), strict=True):
        decoded = decode_receipt(raw)
        assert decoded.tx_type == int(rpc_receipt["type"], 16)
        assert decoded.status == int(rpc_receipt["status"], 16)
        assert decoded.cumulative_gas_used == int(rpc_receipt["cumulativeGasUsed"], 16)
        assert _hex(decoded.logs_bloom) == rpc_receipt["logsBloom"]
        assert [(_hex(g.address), [_hex(t) for t in g.topics], _hex(g.data)) for g in decoded.logs] == [
            (g["address"], g["topics"], g["data"]) for g in rpc_receipt["logs"]
        ]


def test_set_code_receipt_rebuilds_receipts_root(set_code_block: BlockEvidence) -> None:
    decoded = [decode_receipt(raw) for raw in set_code_block.receipts]
    assert sorted(r.tx_type for r in decoded) == [2, 4]
    assert [r.status for r in decoded] == [1, 1]
    assert receipts_root(set_code_block.receipts) == decode_header(set_code_block.header).receipts_root


def test_legacy_receipt_has_no_type_prefix(mixed_block: BlockEvidence) -> None:
    for raw in mixed_block.receipts:
        kind = decode_receipt(raw).tx_type
        assert (raw[0] >= 0xC0) == (kind == 0)
        if kind:
            assert raw[0] == kind


# -- properties ------------------------------------------------------------------------


def _hexs(size: int) -> st.SearchStrategy[str]:
    return st.binary(min_size=size, max_size=size).map(_hex)


logs_json = st.fixed_dictionaries(
    {"address": _hexs(20), "topics": st.lists(_hexs(32), max_size=4), "data": st.binary(max_size=90).map(_hex)}
)
receipts_json = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["0x0", "0x1", "0x2", "0x3", "0x4"]),
        "status": st.sampled_from(["0x0", "0x1"]),
        "cumulativeGasUsed": st.integers(min_value=0, max_value=2**64).map(hex),
        "logsBloom": _hexs(256),
        "logs": st.lists(logs_json, max_size=4),
    },
    optional={"transactionHash": _hexs(32), "logIndex": st.just("0x0")},
)


@given(receipts_json)
def test_receipt_round_trips_and_matches_the_rlp_package(receipt: dict[str, Any]) -> None:
    raw = encode_receipt(receipt)
    decoded = decode_receipt(raw)
    assert decoded == receipt_from_json(receipt)
    assert decoded.encode() == raw
    kind = int(receipt["type"], 16)
    reference = rlp.encode(
        [
            int(receipt["status"], 16),
            int(receipt["cumulativeGasUsed"], 16),
            bytes.fromhex(receipt["logsBloom"][2:]),
            [
                [
                    bytes.fromhex(g["address"][2:]),
                    [bytes.fromhex(t[2:]) for t in g["topics"]],
                    bytes.fromhex(g["data"][2:]),
                ]
                for g in receipt["logs"]
            ],
        ]
    )
    assert raw == (reference if kind == 0 else bytes([kind]) + reference)


def test_missing_type_means_legacy() -> None:
    receipt = {"status": "0x1", "cumulativeGasUsed": "0x5208", "logsBloom": _hex(bytes(256)), "logs": []}
    assert decode_receipt(encode_receipt(receipt)).tx_type == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "0x7e"}, "unsupported receipt type 0x7e"),
        ({"status": None}, "pre-Byzantium"),
        ({"status": "0x2"}, "expected 0 or 1"),
        ({"logsBloom": "0x00"}, "receipt.logsBloom: expected 256 bytes"),
        ({"logs": [{"address": "0x00", "topics": [], "data": "0x"}]}, r"receipt.logs\[0\].address"),
        ({"logs": [{"address": _hex(bytes(20)), "topics": ["0x00"] * 5, "data": "0x"}]}, "at most 4"),
    ],
)
def test_malformed_json_receipts_are_rejected(change: dict[str, Any], message: str) -> None:
    receipt = {"type": "0x2", "status": "0x1", "cumulativeGasUsed": "0x1", "logsBloom": _hex(bytes(256)), "logs": []}
    with pytest.raises(InputError, match=message):
        encode_receipt({**receipt, **change})


def _raw(fields: list[Any], kind: int = 2) -> bytes:
    return bytes([kind]) + bytes(rlp.encode(fields))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "non-empty"),
        (b"\x05" + rlp.encode([1, 2, bytes(256), []]), "unsupported receipt type 0x5"),
        (_raw([1, 2, bytes(256)]), "expected 4 RLP items"),
        (_raw([2, 2, bytes(256), []]), "expected 0 or 1"),
        (_raw([b"\x00", 2, bytes(256), []]), "leading zero"),
        (_raw([1, 2, bytes(255), []]), "logsBloom: expected 256 bytes"),
        (_raw([1, 2, bytes(256), [[bytes(19), [], b""]]]), r"logs\[0\].address"),
        (_raw([1, 2, bytes(256), [[bytes(20), [bytes(31)], b""]]]), r"logs\[0\].topics\[0\]"),
        (_raw([1, 2, bytes(256), [[bytes(20), [bytes(32)] * 5, b""]]]), "at most 4"),
        (_raw([1, 2, bytes(256), [[bytes(20), [], [b""]]]]), r"logs\[0\].data"),
        (_raw([1, 2, bytes(256), []]) + b"\x00", "trailing"),
    ],
)
def test_malformed_receipt_bytes_are_rejected(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_receipt(raw)


def test_records_are_frozen() -> None:
    log = Log(bytes(20), (), b"")
    receipt = Receipt(0, 1, 21000, bytes(256), (log,))
    with pytest.raises(AttributeError):
        receipt.status = 0  # type: ignore[misc]
    assert not hasattr(receipt, "__dict__")
