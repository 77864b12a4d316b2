"""Transaction receipts: JSON-RPC receipt -> EIP-2718 consensus bytes, and bytes -> record.

The consensus encoding (the value stored in a block's receipts trie) is::

    legacy (type 0):   rlp([status, cumulativeGasUsed, logsBloom, logs])
    typed (1, 2, 3, 4): type byte || rlp([status, cumulativeGasUsed, logsBloom, logs])
    log:               [address, [topic, ...], data]

Only post-Byzantium receipts (a ``status``, not a state root) are supported; JSON-RPC
fields that are not part of the consensus encoding (``gasUsed``, ``logIndex``,
``transactionHash``, ...) are ignored here on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provenance._internal.hexbytes import parse_hex, parse_quantity
from provenance._internal.rlp import (
    RlpItem,
    as_bytes,
    as_list,
    bytes_to_int,
    fixed_bytes,
    int_to_bytes,
    rlp_decode,
    rlp_encode,
    split_envelope,
)
from provenance.errors import InputError

__all__ = [
    "RECEIPT_TYPES",
    "Log",
    "Receipt",
    "decode_receipt",
    "encode_receipt",
    "receipt_from_json",
]

RECEIPT_TYPES = frozenset({0, 1, 2, 3, 4})
"""Legacy, EIP-2930 access list, EIP-1559 dynamic fee, EIP-4844 blob, EIP-7702 set-code."""

_MAX_TOPICS = 4


@dataclass(frozen=True, slots=True)
class Log:
    """One event log as the receipt commits to it."""

    address: bytes
    """The emitting contract, 20 bytes."""
    topics: tuple[bytes, ...]
    """Zero to four 32-byte topics; topic 0 is the event signature for non-anonymous events."""
    data: bytes
    """The ABI-encoded non-indexed arguments."""

    def to_rlp(self) -> list[RlpItem]:
        return [self.address, list(self.topics), self.data]


@dataclass(frozen=True, slots=True)
class Receipt:
    """A decoded consensus receipt: exactly what the receipts trie commits to."""

    tx_type: int
    """The EIP-2718 transaction type, 0 for legacy."""
    status: int
    """1 when the transaction succeeded, 0 when it reverted."""
    cumulative_gas_used: int
    """Gas used in the block up to and including this transaction."""
    logs_bloom: bytes
    """The 256-byte bloom filter of this receipt's logs."""
    logs: tuple[Log, ...]
    """The logs in emission order; a log's position here is its index in the receipt."""

    def encode(self) -> bytes:
        """The EIP-2718 consensus encoding (type byte prefix for typed receipts)."""
        payload = rlp_encode(
            [
                int_to_bytes(self.status),
                int_to_bytes(self.cumulative_gas_used),
                self.logs_bloom,
                [log.to_rlp() for log in self.logs],
            ]
        )
        return payload if self.tx_type == 0 else bytes((self.tx_type,)) + payload


def receipt_from_json(receipt: Mapping[str, Any]) -> Receipt:
    """A receipt record from a raw JSON-RPC receipt (hex strings, as the node sent it)."""
    if not isinstance(receipt, Mapping):
        raise InputError(f"receipt: expected a JSON object, got {type(receipt).__name__}")
    tx_type = parse_quantity(receipt["type"], what="receipt.type") if "type" in receipt else 0
    if tx_type not in RECEIPT_TYPES:
        raise InputError(f"receipt.type: unsupported receipt type {tx_type:#x}")
    if receipt.get("status") is None:
        raise InputError("receipt.status: missing (pre-Byzantium receipts are not supported)")
    status = parse_quantity(receipt["status"], what="receipt.status")
    if status not in (0, 1):
        raise InputError(f"receipt.status: expected 0 or 1, got {status}")
    raw_logs = receipt.get("logs")
    if not isinstance(raw_logs, list):
        raise InputError("receipt.logs: expected a JSON array")
    logs = []
    for i, entry in enumerate(raw_logs):
        where = f"receipt.logs[{i}]"
        if not isinstance(entry, Mapping):
            raise InputError(f"{where}: expected a JSON object")
        topics = entry.get("topics")
        if not isinstance(topics, list) or len(topics) > _MAX_TOPICS:
            raise InputError(f"{where}.topics: expected a list of at most {_MAX_TOPICS} topics")
        logs.append(
            Log(
                address=parse_hex(entry.get("address"), what=f"{where}.address", length=20),
                topics=tuple(parse_hex(t, what=f"{where}.topics[{j}]", length=32) for j, t in enumerate(topics)),
                data=parse_hex(entry.get("data"), what=f"{where}.data"),
            )
        )
    return Receipt(
        tx_type=tx_type,
        status=status,
        cumulative_gas_used=parse_quantity(receipt.get("cumulativeGasUsed"), what="receipt.cumulativeGasUsed"),
        logs_bloom=parse_hex(receipt.get("logsBloom"), what="receipt.logsBloom", length=256),
        logs=tuple(logs),
    )


def encode_receipt(receipt: Mapping[str, Any]) -> bytes:
    """The EIP-2718 consensus encoding of a raw JSON-RPC receipt."""
    return receipt_from_json(receipt).encode()


def decode_receipt(raw: bytes) -> Receipt:
    """Decode EIP-2718 receipt bytes; InputError names the malformed part."""
    # (1) the first byte tells legacy (an RLP list prefix, >= 0xc0) from typed
    tx_type, payload = split_envelope(raw, RECEIPT_TYPES, "receipt")
    # (2) the payload is a 4-item list: status, cumulative gas, bloom, logs
    fields = as_list(rlp_decode(payload, "receipt"), "receipt", 4)
    status = bytes_to_int(fields[0], "receipt.status")
    if status not in (0, 1) or len(as_bytes(fields[0], "receipt.status")) > 1:
        raise InputError(f"receipt.status: expected 0 or 1, got {fields[0]!r:.80}")
    # (3) each log is [address, [topics], data] with fixed sizes
    logs = []
    for i, item in enumerate(as_list(fields[3], "receipt.logs")):
        where = f"receipt.logs[{i}]"
        address, topics, data = as_list(item, where, 3)
        topic_items = as_list(topics, f"{where}.topics")
        if len(topic_items) > _MAX_TOPICS:
            raise InputError(f"{where}.topics: {len(topic_items)} topics, at most {_MAX_TOPICS} allowed")
        logs.append(
            Log(
                address=fixed_bytes(address, f"{where}.address", 20),
                topics=tuple(fixed_bytes(t, f"{where}.topics[{j}]", 32) for j, t in enumerate(topic_items)),
                data=as_bytes(data, f"{where}.data"),
            )
        )
    return Receipt(
        tx_type=tx_type,
        status=status,
        cumulative_gas_used=bytes_to_int(fields[1], "receipt.cumulativeGasUsed"),
        logs_bloom=fixed_bytes(fields[2], "receipt.logsBloom", 256),
        logs=tuple(logs),
    )
