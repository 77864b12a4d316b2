"""RFC 8785 (JSON Canonicalization Scheme) canonical JSON: the one ``canonical_json``.

The ``rfc8785`` package defines the output. Most documents here (trade records, evidence
bundles) hold only strings, booleans, null, small integers, lists and objects: for those,
orjson with sorted keys prints exactly the RFC 8785 bytes (tens of times faster than
``rfc8785.dumps``), so they take that path. Anything else (floats, integers beyond
+-(2**53 - 1), keys beyond the BMP whose UTF-16 order differs from code point order,
non-``str`` keys) goes to ``rfc8785``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from provenance.errors import InputError

__all__ = ["canonical_json"]

_SAFE_INT = (1 << 53) - 1
_ASTRAL_RE = re.compile(rb"[\xf0-\xf4]")


def canonical_json(doc: Mapping[str, Any], *, what: str = "document") -> bytes:
    """RFC 8785 canonical JSON of a JSON object; InputError naming ``what`` if it is not JSON."""
    if type(doc) is dict:
        obj = doc
    elif isinstance(doc, Mapping):
        obj = dict(doc)
    else:
        raise InputError(f"a {what} must be a JSON object (mapping), got {type(doc).__name__}")
    if _orjson_is_canonical_object(obj):
        try:
            out = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            out = b""  # e.g. a lone surrogate: let rfc8785 say what is wrong
        # UTF-16 and code point order differ only for characters beyond the BMP
        if out and (out.isascii() or _ASTRAL_RE.search(out) is None):
            return out
    import rfc8785

    try:
        return rfc8785.dumps(obj)
    except Exception as exc:  # noqa: BLE001 - rfc8785 raises several types; one message out
        raise InputError(f"{what} is not canonical-JSON serializable: {exc}") from None


def _orjson_is_canonical(obj: Any) -> bool:
    """Whether orjson with sorted keys prints ``obj`` exactly as RFC 8785 does.

    True for dicts with ``str`` keys, lists, strings, booleans, null and integers within
    +-(2**53 - 1). Floats (formatting differs), other types and big integers are left to
    the ``rfc8785`` package. Keys beyond the BMP are caught after printing (sort order).
    """
    kind = type(obj)
    if kind is str or kind is bool or obj is None:
        return True
    if kind is int:
        return -_SAFE_INT <= obj <= _SAFE_INT  # type: ignore[no-any-return]
    if kind is dict:
        for key, item in obj.items():
            if type(key) is not str or not _orjson_is_canonical(item):
                return False
        return True
    if kind is list or kind is tuple:
        for item in obj:
            if not _orjson_is_canonical(item):
                return False
        return True
    return False


def _orjson_is_canonical_object(obj: dict[Any, Any]) -> bool:
    """:func:`_orjson_is_canonical` for a dict, with the first level inlined (the hot path)."""
    for key, item in obj.items():
        if type(key) is not str:
            return False
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_SAFE_INT <= item <= _SAFE_INT:
                return False
        elif not _orjson_is_canonical(item):
            return False
    return True
