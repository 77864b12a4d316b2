"""Hex strings, fixed-size byte strings and addresses: the one place where they are parsed.

Every parser raises :class:`~provenance.errors.InputError` whose message names ``what`` (the
argument or JSON field) and shows at most 80 characters of the bad value, so a megabyte of
garbage never ends up in a one-line error.

- :func:`parse_hex`: ``0x``-prefixed hex (or bytes) -> bytes, optionally of an exact length;
  nothing but hex digits after the prefix (``bytes.fromhex`` alone would skip spaces);
- :func:`parse_bytes32`: the common 32-byte case;
- :func:`parse_quantity`: a JSON-RPC QUANTITY (``0x``-prefixed hex integer) -> int;
- :func:`parse_address`: an address in its EIP-55 checksum form; all-lowercase and
  all-uppercase hex are accepted, mixed case must be a valid checksum;
- :func:`to_hex`: bytes -> ``0x``-hex, lowercase.
"""

from __future__ import annotations

from eth_utils.address import to_checksum_address

from provenance._internal.ints import describe
from provenance.errors import InputError

__all__ = ["parse_address", "parse_bytes32", "parse_hex", "parse_quantity", "to_hex"]


def to_hex(data: bytes) -> str:
    """``0x`` followed by the lowercase hex digits of ``data``."""
    return "0x" + data.hex()


def parse_hex(value: object, *, what: str, length: int | None = None, lowercase: bool = False) -> bytes:
    """The bytes of ``0x``-prefixed hex (``bytes`` pass through); InputError naming ``what``.

    ``length`` asks for exactly that many bytes. ``lowercase`` refuses upper-case digits and
    an upper-case ``0X`` (for documents that have one canonical spelling).
    """
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    elif isinstance(value, str) and (value[:2] == "0x" or (value[:2] == "0X" and not lowercase)):
        digits = value[2:]
        # fromhex skips whitespace and accepts nothing non-ASCII; isalnum refuses the former
        if digits and not (digits.isascii() and digits.isalnum()):
            raise InputError(f"{what}: invalid hex {value!r:.80}")
        try:
            raw = bytes.fromhex(digits)
        except ValueError:
            detail = "odd-length" if len(digits) % 2 else "invalid"
            raise InputError(f"{what}: {detail} hex {value!r:.80}") from None
        if lowercase and digits != digits.lower():
            raise InputError(f"{what}: hex must be lowercase, got {value!r:.80}")
    else:
        raise InputError(f"{what}: expected 0x-prefixed hex, got {describe(value)}")
    if length is not None and len(raw) != length:
        raise InputError(f"{what}: expected {length} bytes, got {len(raw)}")
    return raw


def parse_bytes32(value: object, *, what: str) -> bytes:
    """32 bytes from ``0x``-hex or bytes; InputError naming ``what``."""
    return parse_hex(value, what=what, length=32)


def parse_quantity(value: object, *, what: str) -> int:
    """A JSON-RPC QUANTITY (``0x``-prefixed hex integer, at least one digit) as an int."""
    if not isinstance(value, str) or value[:2] not in ("0x", "0X") or len(value) < 3:
        raise InputError(f"{what}: expected a 0x-prefixed hex quantity, got {value!r:.80}")
    digits = value[2:]
    if not (digits.isascii() and digits.isalnum()):
        raise InputError(f"{what}: invalid hex quantity {value!r:.80}")
    try:
        return int(digits, 16)
    except ValueError:
        raise InputError(f"{what}: invalid hex quantity {value!r:.80}") from None


def parse_address(value: object, *, what: str = "address") -> str:
    """The EIP-55 checksum form of a 20-byte address given as ``0x``-hex (or 20 bytes).

    All-lowercase and all-uppercase digits carry no checksum and are accepted; mixed case
    is a checksum and must be the right one (a typo in a mixed-case address is refused).
    """
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 20:
            raise InputError(f"{what} is not a 20-byte address: got {len(value)} bytes")
        return str(to_checksum_address(bytes(value)))
    if not isinstance(value, str) or len(value) != 42 or value[:2] not in ("0x", "0X"):
        raise InputError(f"{what} is not a 20-byte hex address: {value!r:.80}")
    digits = value[2:]
    if not (digits.isascii() and digits.isalnum()) or digits.strip("0123456789abcdefABCDEF"):
        raise InputError(f"{what} is not a 20-byte hex address: {value!r:.80}")
    checksummed = str(to_checksum_address("0x" + digits.lower()))
    if digits != digits.lower() and digits != digits.upper() and checksummed[2:] != digits:
        raise InputError(f"{what} has a bad EIP-55 checksum: {value!r} (expected {checksummed})")
    return checksummed
