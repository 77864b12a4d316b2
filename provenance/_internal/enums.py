"""One enum helper: read an enum member from what a user or caller gives, name it for display.

The contracts' enums are :class:`~enum.IntEnum` classes (``records``); callers may pass a
member, its number, or its name in any case with ``-``, ``_`` or spaces between words.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, TypeVar

from provenance._internal.ints import describe
from provenance.errors import InputError

__all__ = ["enum_name", "parse_enum"]

E = TypeVar("E", bound=IntEnum)


def parse_enum(cls: type[E], value: Any, what: str) -> E:
    """The member of ``cls`` that ``value`` names; InputError naming ``what`` and the choices otherwise."""
    if isinstance(value, cls):
        return value
    try:
        if isinstance(value, str):
            key = value.strip().upper().replace("-", "_").replace(" ", "_")
            if key.isdigit():
                return cls(int(key))
            return cls[key]
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
    except (KeyError, ValueError):
        pass
    names = ", ".join(enum_name(m) for m in cls)
    raise InputError(f"{what} must be one of {names}; got {describe(value)}")


def enum_name(member: IntEnum) -> str:
    """The display name of a member: its name in lower case (``RIGHTS_TRANSFERRED`` -> ``rights_transferred``)."""
    return member.name.lower()
