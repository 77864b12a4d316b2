"""Click parameter types of the CLI: each converts one kind of argument or fails in one line.

A bad value is a usage error (exit 2) whose message names the parameter and what was wrong,
e.g. ``error: Invalid value for 'ASSET': asset id must be a 32-byte hash (64 hex digits), ...``.
The rules themselves live in the library (:func:`provenance.hashing.hash_or_text`,
:func:`provenance._internal.hexbytes.parse_address`, ...); these types only adapt them to click.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation, Overflow, localcontext
from typing import Any, TypeVar

import click

from provenance.errors import InputError

__all__ = [
    "ADDRESS",
    "AMOUNT",
    "ASSET",
    "CURRENCY",
    "AddressType",
    "AmountType",
    "AssetIdType",
    "CurrencyType",
    "HashOrTextType",
    "parse_amount",
]

_T = TypeVar("_T")
_UNITS = {"gwei": 9, "ether": 18, "wei": 0}  # longest suffix first


def parse_amount(text: str) -> int:
    """An amount: an integer, or a decimal followed by ``wei``, ``gwei`` or ``ether``."""
    raw = text.strip().lower().replace("_", "")
    scale = 0
    for unit, digits in _UNITS.items():
        if raw.endswith(unit):
            raw, scale = raw[: -len(unit)].strip(), digits
            break
    if len(raw) > 100:  # Decimal would take a 5,000-digit number; no amount is that long
        raise InputError(f"not an amount: {text!r:.40} (use an integer or e.g. 1.5ether)")
    try:
        # exact: 100 digits and an 18-digit scale fit in 120; a huge exponent overflows (an error)
        with localcontext(Context(prec=120, Emax=200, Emin=-200, traps=[InvalidOperation, Overflow])):
            value = Decimal(raw) * (Decimal(10) ** scale)
    except ArithmeticError:  # InvalidOperation, Overflow: every decimal signal
        raise InputError(f"not an amount: {text!r:.40} (use an integer or e.g. 1.5ether)") from None
    if not value.is_finite() or value != value.to_integral_value() or value <= 0 or value >= 2**256:
        raise InputError(f"amount must be a positive whole number of the smallest unit, got {text!r:.40}")
    return int(value)


class _LibraryType(click.ParamType[_T]):
    """A parameter type whose conversion is a library function raising InputError."""

    def parse(self, value: str) -> _T:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> _T:
        if not isinstance(value, str):  # a default that is already converted
            return value  # type: ignore[no-any-return]  # click passes converted values through
        try:
            return self.parse(value)
        except InputError as exc:
            self.fail(str(exc), param, ctx)


class AssetIdType(_LibraryType[bytes]):
    """An asset id: ``0x`` + 64 hex digits -> 32 bytes."""

    name = "asset"

    def parse(self, value: str) -> bytes:
        from provenance.records.registry import to_bytes32

        return to_bytes32(value, "asset id")


class AddressType(_LibraryType[str]):
    """An account or contract address -> its EIP-55 form (a mixed-case one must be a valid checksum)."""

    name = "address"

    def __init__(self, what: str = "address") -> None:
        self.what = what

    def parse(self, value: str) -> str:
        from provenance._internal.hexbytes import parse_address

        return parse_address(value, what=self.what)


class HashOrTextType(_LibraryType[bytes]):
    """A hash option: ``0x`` + 64 hex digits, or a text hashed with SHA-256 (:func:`~provenance.hashing.hash_or_text`)."""

    name = "hash-or-text"

    def __init__(self, what: str) -> None:
        self.what = what

    def parse(self, value: str) -> bytes:
        from provenance.hashing import hash_or_text

        return hash_or_text(value, self.what)


class AmountType(_LibraryType[int]):
    """An amount in the smallest unit: ``1000``, ``1.5ether``, ``20gwei``."""

    name = "amount"

    def parse(self, value: str) -> int:
        return parse_amount(value)


class CurrencyType(_LibraryType[str]):
    """``native`` (the chain's coin) or an ERC-20 token address."""

    name = "currency"

    def parse(self, value: str) -> str:
        from provenance._internal.hexbytes import parse_address
        from provenance.exchange import NATIVE

        if value.lower() in ("native", "eth", "0", ""):
            return NATIVE
        return parse_address(value, what="currency")


ASSET = AssetIdType()
ADDRESS = AddressType()
AMOUNT = AmountType()
CURRENCY = CurrencyType()
