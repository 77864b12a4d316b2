"""One set of integer validators for values bound for the contracts (uint widths, ids, amounts).

``bool`` is refused everywhere although it is an ``int`` subclass: ``True`` is never a
meaningful share count, id or price. Each failure is an :class:`~provenance.errors.InputError`
naming what was wrong.
"""

from __future__ import annotations

from typing import Any

from provenance.errors import InputError

__all__ = ["describe", "is_int", "parse_amount", "parse_positive", "parse_uint"]


def describe(value: Any, limit: int = 80) -> str:
    """A short, safe rendering of a bad value for an error message (a huge integer's repr would
    raise ValueError past Python's digit limit, and a long one would flood the line)."""
    if is_int(value) and value.bit_length() > 256:
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_int(value: Any) -> bool:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def parse_uint(value: Any, bits: int, what: str) -> int:
    """``value`` as an unsigned integer of ``bits`` bits."""
    if not is_int(value) or not 0 <= value < 2**bits:
        raise InputError(f"{what} must be an integer in [0, 2**{bits}), got {describe(value)}")
    return int(value)


def parse_positive(value: Any, what: str, *, bits: int = 64) -> int:
    """``value`` as an id or count: ``1 <= value < 2**bits``."""
    if not is_int(value) or not 0 < value < 2**bits:
        raise InputError(f"{what} must be a positive integer, got {describe(value)}")
    return int(value)


def parse_amount(value: Any, what: str) -> int:
    """A price or amount in the currency's smallest unit: ``1 <= value < 2**128``."""
    if not is_int(value) or not 0 < value < 2**128:
        raise InputError(
            f"{what} must be a positive integer below 2**128 (smallest currency unit), got {describe(value)}"
        )
    return int(value)
