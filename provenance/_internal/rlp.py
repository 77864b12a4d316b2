"""The one RLP codec of the package: canonical encoding, strict decoding, EIP-2718 envelopes.

The decoder rejects every non-canonical form (a single byte below 0x80 wrapped as a string,
a long form used for a short payload, a length with leading zeros, trailing bytes, a
payload running past its parent), so one value has exactly one encoding and a verifier can
re-encode what it decoded and get the same bytes.

Why not the ``rlp`` package (5.0.0): its ``decode(strict=True)`` refuses the same forms, but
it is pure Python that builds every item's re-encoding on the way (``rusty-rlp``, its fast
backend, has no build for Python 3.11+): on the receipts of a block it decodes 2x and
encodes 6-7x slower than this module, and the evidence verifier re-encodes every receipt
and trie node it checks. Its error messages ("RLP string ends with -1 superfluous bytes")
also name neither the field nor the offset. ``tests/property/test_rlp.py`` checks this codec
against the package: same encodings, and both refuse the same non-canonical inputs.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import TypeAlias

from provenance.errors import InputError

__all__ = [
    "RlpItem",
    "as_bytes",
    "as_list",
    "bytes_to_int",
    "fixed_bytes",
    "int_to_bytes",
    "rlp_decode",
    "rlp_encode",
    "split_envelope",
]

RlpItem: TypeAlias = "bytes | list[RlpItem]"
"""A decoded RLP value: a byte string or a list of values."""

Encodable: TypeAlias = "bytes | int | Sequence[Encodable]"


def rlp_encode(item: Encodable) -> bytes:
    """The canonical RLP encoding of bytes, non-negative ints (minimal big-endian) and lists of them."""
    if isinstance(item, bytes):
        if len(item) == 1 and item[0] < 0x80:
            return item
        return _prefix(len(item), 0x80) + item
    if isinstance(item, int) and not isinstance(item, bool):
        if item < 0:
            raise InputError(f"RLP cannot encode a negative integer: {item}")
        return rlp_encode(int_to_bytes(item))
    if isinstance(item, (list, tuple)):
        payload = b"".join([rlp_encode(sub) for sub in item])
        return _prefix(len(payload), 0xC0) + payload
    raise InputError(f"RLP cannot encode a {type(item).__name__}")


def _prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes((offset + length,))
    encoded = int_to_bytes(length)
    return bytes((offset + 55 + len(encoded),)) + encoded


def rlp_decode(data: bytes, what: str = "rlp") -> RlpItem:
    """Decode one canonical RLP item that spans all of ``data``; InputError names ``what``."""
    if not isinstance(data, bytes):
        raise InputError(f"{what}: expected bytes, got {type(data).__name__}")
    item, end = _item(data, 0, len(data), what)
    if end != len(data):
        raise InputError(f"{what}: {len(data) - end} trailing bytes after the RLP item")
    return item


def _item(data: bytes, pos: int, limit: int, what: str) -> tuple[RlpItem, int]:
    if pos >= limit:
        raise InputError(f"{what}: RLP ends at byte {pos}, an item was expected")
    b0 = data[pos]
    if b0 < 0x80:
        return data[pos : pos + 1], pos + 1
    if b0 < 0xB8:
        start, length = pos + 1, b0 - 0x80
        if length == 1 and start < limit and data[start] < 0x80:
            raise InputError(f"{what}: non-canonical RLP at byte {pos} (single byte as string)")
    elif b0 < 0xC0:
        start, length = _long_length(data, pos, b0 - 0xB7, limit, what)
    elif b0 < 0xF8:
        start, length = pos + 1, b0 - 0xC0
    else:
        start, length = _long_length(data, pos, b0 - 0xF7, limit, what)
    end = start + length
    if end > limit:
        raise InputError(f"{what}: RLP item at byte {pos} runs past the end of its container")
    if b0 < 0xC0:
        return data[start:end], end
    items: list[RlpItem] = []
    cursor = start
    while cursor < end:
        sub, cursor = _item(data, cursor, end, what)
        items.append(sub)
    return items, end


def _long_length(data: bytes, pos: int, size: int, limit: int, what: str) -> tuple[int, int]:
    start = pos + 1 + size
    if start > limit:
        raise InputError(f"{what}: RLP length at byte {pos} is truncated")
    if data[pos + 1] == 0:
        raise InputError(f"{what}: non-canonical RLP at byte {pos} (length with leading zero)")
    length = int.from_bytes(data[pos + 1 : start], "big")
    if length < 56:
        raise InputError(f"{what}: non-canonical RLP at byte {pos} (long form for a short item)")
    return start, length


def as_list(item: RlpItem, what: str, size: int | None = None) -> list[RlpItem]:
    """``item`` as an RLP list, of exactly ``size`` elements when given."""
    if not isinstance(item, list):
        raise InputError(f"{what}: expected an RLP list, got a byte string")
    if size is not None and len(item) != size:
        raise InputError(f"{what}: expected {size} RLP items, got {len(item)}")
    return item


def as_bytes(item: RlpItem, what: str) -> bytes:
    """``item`` as an RLP byte string."""
    if not isinstance(item, bytes):
        raise InputError(f"{what}: expected an RLP byte string, got a list")
    return item


def fixed_bytes(item: RlpItem, what: str, size: int) -> bytes:
    """``item`` as a byte string of exactly ``size`` bytes."""
    value = as_bytes(item, what)
    if len(value) != size:
        raise InputError(f"{what}: expected {size} bytes, got {len(value)}")
    return value


def int_to_bytes(value: int) -> bytes:
    """The minimal big-endian encoding of a non-negative integer (0 is empty)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def bytes_to_int(item: RlpItem, what: str) -> int:
    """A canonical RLP integer: big-endian, no leading zero byte."""
    value = as_bytes(item, what)
    if value[:1] == b"\x00":
        raise InputError(f"{what}: non-canonical integer (leading zero byte)")
    return int.from_bytes(value, "big")


def split_envelope(raw: bytes, types: Container[int], what: str) -> tuple[int, bytes]:
    """(type, RLP payload) of EIP-2718 bytes: legacy starts with an RLP list prefix (>= 0xc0)."""
    if not isinstance(raw, bytes) or not raw:
        raise InputError(f"{what}: expected non-empty bytes")
    if raw[0] >= 0xC0:
        return 0, raw
    if raw[0] in types and raw[0] != 0:
        return raw[0], raw[1:]
    raise InputError(f"{what}: unsupported {what} type {raw[0]:#x}")
