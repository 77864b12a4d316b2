"""Block headers: JSON-RPC block -> consensus RLP, and RLP -> a record with named fields.

The header is the RLP list of these fields, in this order; each fork appends fields, and
the fork is recognised by which optional fields are present::

    parentHash, sha3Uncles, miner, stateRoot, transactionsRoot, receiptsRoot, logsBloom,
    difficulty, number, gasLimit, gasUsed, timestamp, extraData, mixHash, nonce   (15)
    + baseFeePerGas                                          London   (EIP-1559, 16)
    + withdrawalsRoot                                        Shanghai (EIP-4895, 17)
    + blobGasUsed, excessBlobGas, parentBeaconBlockRoot      Cancun   (EIP-4844/4788, 20)
    + requestsHash                                           Prague   (EIP-7685, 21)

``keccak(rlp(header))`` is the block hash. A verifier reads fields from these bytes (via
:func:`decode_header`), never from the JSON the node sent.
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
)
from provenance.errors import InputError

__all__ = ["FORKS", "Header", "decode_header", "encode_header", "header_from_json"]

# (JSON-RPC name, attribute, kind); kind: a byte size for fixed DATA, 0 for variable DATA,
# -1 for a QUANTITY.
_QTY, _DATA = -1, 0
_BASE_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("parentHash", "parent_hash", 32),
    ("sha3Uncles", "ommers_hash", 32),
    ("miner", "coinbase", 20),
    ("stateRoot", "state_root", 32),
    ("transactionsRoot", "transactions_root", 32),
    ("receiptsRoot", "receipts_root", 32),
    ("logsBloom", "logs_bloom", 256),
    ("difficulty", "difficulty", _QTY),
    ("number", "number", _QTY),
    ("gasLimit", "gas_limit", _QTY),
    ("gasUsed", "gas_used", _QTY),
    ("timestamp", "timestamp", _QTY),
    ("extraData", "extra_data", _DATA),
    ("mixHash", "mix_hash", 32),
    ("nonce", "nonce", 8),
)
_FORK_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("baseFeePerGas", "base_fee_per_gas", _QTY),
    ("withdrawalsRoot", "withdrawals_root", 32),
    ("blobGasUsed", "blob_gas_used", _QTY),
    ("excessBlobGas", "excess_blob_gas", _QTY),
    ("parentBeaconBlockRoot", "parent_beacon_block_root", 32),
    ("requestsHash", "requests_hash", 32),
)
_ALL_FIELDS = _BASE_FIELDS + _FORK_FIELDS

FORKS: dict[int, str] = {15: "frontier", 16: "london", 17: "shanghai", 20: "cancun", 21: "prague"}
"""Header field count -> the earliest fork with that header layout."""


@dataclass(frozen=True, slots=True)
class Header:
    """A decoded block header; the optional fields are ``None`` before their fork."""

    parent_hash: bytes
    ommers_hash: bytes
    coinbase: bytes
    state_root: bytes
    transactions_root: bytes
    receipts_root: bytes
    logs_bloom: bytes
    difficulty: int
    number: int
    gas_limit: int
    gas_used: int
    timestamp: int
    extra_data: bytes
    mix_hash: bytes
    nonce: bytes
    base_fee_per_gas: int | None = None
    withdrawals_root: bytes | None = None
    blob_gas_used: int | None = None
    excess_blob_gas: int | None = None
    parent_beacon_block_root: bytes | None = None
    requests_hash: bytes | None = None

    @property
    def fork(self) -> str:
        """The earliest fork whose header layout this is (``"prague"`` for 21 fields)."""
        return FORKS[len(self._values())]

    def _values(self) -> list[int | bytes]:
        values: list[int | bytes] = [getattr(self, attr) for _, attr, _ in _BASE_FIELDS]
        optional = [getattr(self, attr) for _, attr, _ in _FORK_FIELDS]
        present = len(optional)
        while present and optional[present - 1] is None:
            present -= 1
        if any(value is None for value in optional[:present]) or len(_BASE_FIELDS) + present not in FORKS:
            raise InputError(f"header: fork fields present do not form a known fork: {_present_names(optional)}")
        return values + optional[:present]

    def encode(self) -> bytes:
        """The consensus RLP encoding; its keccak is the block hash."""
        items: list[RlpItem] = [int_to_bytes(v) if isinstance(v, int) else v for v in self._values()]
        return rlp_encode(items)


def _present_names(optional: list[Any]) -> str:
    names = [name for (name, _, _), value in zip(_FORK_FIELDS, optional) if value is not None]
    return ", ".join(names) or "none"


def header_from_json(block: Mapping[str, Any]) -> Header:
    """A header record from a raw JSON-RPC block (eth_getBlockByNumber/Hash)."""
    if not isinstance(block, Mapping):
        raise InputError(f"block: expected a JSON object, got {type(block).__name__}")
    values: dict[str, int | bytes] = {}
    for position, (name, attr, kind) in enumerate(_ALL_FIELDS):
        raw = block.get(name)
        if raw is None:  # absent or null: an error before the optional (fork) fields
            if position < len(_BASE_FIELDS):
                raise InputError(f"block.{name}: missing")
            continue
        if kind == _QTY:
            values[attr] = parse_quantity(raw, what=f"block.{name}")
        elif kind == _DATA:
            values[attr] = parse_hex(raw, what=f"block.{name}")
        else:
            values[attr] = parse_hex(raw, what=f"block.{name}", length=kind)
    header = Header(**values)  # type: ignore[arg-type]
    header._values()  # raises InputError unless the fork fields present form a known fork
    return header


def encode_header(block: Mapping[str, Any]) -> bytes:
    """The consensus RLP header of a raw JSON-RPC block; keccak of it is the block hash."""
    return header_from_json(block).encode()


def decode_header(raw: bytes) -> Header:
    """Decode RLP header bytes of any supported fork; InputError names the malformed field."""
    # (1) an RLP list whose length says the fork
    items = as_list(rlp_decode(raw, "header"), "header")
    if len(items) not in FORKS:
        raise InputError(f"header: {len(items)} fields match no known fork ({sorted(FORKS)})")
    # (2) each field by position, with its fixed size or as a canonical integer
    values: dict[str, int | bytes] = {}
    for (name, attr, kind), item in zip(_ALL_FIELDS, items):
        what = f"header.{name}"
        if kind == _QTY:
            values[attr] = bytes_to_int(item, what)
        elif kind == _DATA:
            values[attr] = as_bytes(item, what)
        else:
            values[attr] = fixed_bytes(item, what, kind)
    return Header(**values)  # type: ignore[arg-type]
