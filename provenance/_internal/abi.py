"""ABI types and a small ABI codec prepared once per contract: calldata, return values, event logs.

The one parser of ABI type strings lives here (:func:`parse_type`: canonical form, tuple
components, array dimensions, whether a type is dynamic, how many head words it takes), with
:func:`abi_type` for the canonical type of an ABI JSON parameter and :func:`normalize` /
:func:`static_word` that put Python values in the form eth-abi takes (the Merkle leaves).

web3.py's contract objects re-derive types on every call; clients on the hot path encode
with eth-abi against types prepared here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

from provenance._internal.hexbytes import parse_hex
from provenance.errors import InputError

__all__ = [
    "AbiCodec",
    "AbiType",
    "EventSpec",
    "FunctionSpec",
    "abi_type",
    "checksummed",
    "normalize",
    "parse_type",
    "split_tuple",
    "static_word",
]


def abi_type(param: Mapping[str, Any]) -> str:
    """The canonical type string of an ABI JSON parameter (tuples expanded, ``tuple[2]`` -> ``(..)[2]``)."""
    typ = str(param["type"])
    if typ.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param.get("components", ()))
        return f"({inner}){typ[5:]}"
    return typ


def split_tuple(inner: str) -> list[str]:
    """The top-level components of a tuple type's inner text (``"a,(b,c)"`` -> ``["a", "(b,c)"]``)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    if inner:
        parts.append(inner[start:])
    return parts


@dataclass(frozen=True, slots=True)
class AbiType:
    """A parsed ABI type.

    ``kind`` is ``uint``, ``int``, ``address``, ``bool``, ``fixedbytes`` (``bytesN``),
    ``bytes``, ``string``, ``array`` or ``tuple``; ``size`` is the bits of an integer, N of
    ``bytesN``, the length of ``T[k]`` (-1 for ``T[]``) or the component count of a tuple;
    ``items`` holds the element type of an array or the components of a tuple.
    """

    kind: str
    size: int
    items: tuple[AbiType, ...]
    canonical: str

    @property
    def dynamic(self) -> bool:
        """Whether the type is dynamic in the ABI encoding (its head word is an offset)."""
        if self.kind in ("bytes", "string"):
            return True
        if self.kind == "array":
            return self.size < 0 or self.items[0].dynamic
        if self.kind == "tuple":
            return any(item.dynamic for item in self.items)
        return False

    @property
    def is_word(self) -> bool:
        """Whether a value is one 32-byte word (an elementary value type): so is an indexed topic."""
        return self.kind in ("uint", "int", "address", "bool", "fixedbytes")

    @property
    def head_words(self) -> int:
        """32-byte words the type takes in the head of an encoding (1 for a dynamic type's offset)."""
        if self.dynamic:
            return 1
        if self.kind == "array":
            return self.size * self.items[0].head_words
        if self.kind == "tuple":
            return sum(item.head_words for item in self.items)
        return 1

    @property
    def element(self) -> AbiType:
        """The innermost element type of a (nested) array; the type itself otherwise."""
        t = self
        while t.kind == "array":
            t = t.items[0]
        return t


_BASE_RE = re.compile(r"^(uint|int)(\d*)$|^bytes(\d+)$")
_ARRAY_RE = re.compile(r"^(.*)\[(\d*)\]$")


def parse_type(text: str) -> AbiType:
    """Parse an ABI type string (``uint`` is ``uint256``, spaces ignored); InputError if unsupported."""
    if not isinstance(text, str):
        raise InputError(f"an ABI type must be a string, got {text!r:.80}")
    return _parse_type(text)


@lru_cache(maxsize=1024)
def _parse_type(text: str) -> AbiType:
    t = text.replace(" ", "")
    array = _ARRAY_RE.match(t)
    if array:
        item = _parse_type(array.group(1))
        length = int(array.group(2)) if array.group(2) else -1
        if length == 0:
            raise InputError(f"unsupported ABI type {text!r}: zero-length array")
        return AbiType("array", length, (item,), f"{item.canonical}[{array.group(2)}]")
    if t.startswith("(") and t.endswith(")"):
        items = tuple(_parse_type(part) for part in split_tuple(t[1:-1]))
        if not items:
            raise InputError(f"unsupported ABI type {text!r}: empty tuple")
        return AbiType("tuple", len(items), items, "(" + ",".join(i.canonical for i in items) + ")")
    if t in ("address", "bool", "string", "bytes"):
        return AbiType(t, 0, (), t)
    base = _BASE_RE.match(t)
    if base and base.group(1):
        bits = int(base.group(2)) if base.group(2) else 256
        if 8 <= bits <= 256 and bits % 8 == 0:
            return AbiType(base.group(1), bits, (), f"{base.group(1)}{bits}")
    elif base and 1 <= int(base.group(3)) <= 32:
        return AbiType("fixedbytes", int(base.group(3)), (), t)
    raise InputError(f"unsupported ABI type {text!r:.80}")


# -- Python values -> what eth-abi takes -------------------------------------------------


def normalize(t: AbiType, value: Any, where: str) -> Any:
    """``value`` as eth-abi takes it for type ``t``; InputError naming ``where`` if it does not fit.

    Integers may be given as decimal or ``0x``-hex strings, byte values as ``0x``-hex.
    """
    kind = t.kind
    if kind in ("uint", "int"):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise InputError(f"{where}: {t.canonical} needs an integer, got {value!r:.80}")
        if isinstance(value, str):
            try:
                number = int(value, 16) if value[:2] in ("0x", "0X") else int(value, 10)
            except ValueError:
                raise InputError(f"{where}: {t.canonical} needs an integer, got {value!r:.80}") from None
        else:
            number = value
        low, high = (0, (1 << t.size) - 1) if kind == "uint" else (-(1 << (t.size - 1)), (1 << (t.size - 1)) - 1)
        if not low <= number <= high:
            raise InputError(f"{where}: {number} is out of range for {t.canonical}")
        return number
    if kind == "address":
        return parse_hex(value, what=f"{where}: address", length=20)
    if kind == "bool":
        if not isinstance(value, bool):
            raise InputError(f"{where}: bool needs true or false, got {value!r:.80}")
        return value
    if kind == "fixedbytes":
        return parse_hex(value, what=f"{where}: {t.canonical}", length=t.size)
    if kind == "bytes":
        return parse_hex(value, what=f"{where}: bytes")
    if kind == "string":
        if not isinstance(value, str):
            raise InputError(f"{where}: string needs a str, got {value!r:.80}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"{where}: string is not valid Unicode (lone surrogate)") from None
        return value
    if not isinstance(value, (list, tuple)):
        raise InputError(f"{where}: {t.canonical} needs a list, got {value!r:.80}")
    if kind == "array":
        if t.size >= 0 and len(value) != t.size:
            raise InputError(f"{where}: {t.canonical} needs {t.size} items, got {len(value)}")
        return [normalize(t.items[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if len(value) != len(t.items):
        raise InputError(f"{where}: {t.canonical} needs {len(t.items)} items, got {len(value)}")
    return tuple(normalize(item, v, f"{where}[{i}]") for i, (item, v) in enumerate(zip(t.items, value)))


def static_word(t: AbiType, value: Any) -> bytes:
    """The 32-byte ABI word of a :func:`normalize`-d value of a word type (:attr:`AbiType.is_word`)."""
    if t.kind == "uint":
        return int(value).to_bytes(32, "big")
    if t.kind == "int":
        return int(value).to_bytes(32, "big", signed=True)
    if t.kind == "address":
        return b"\0" * 12 + value  # type: ignore[no-any-return]
    if t.kind == "bool":
        return b"\0" * 31 + (b"\1" if value else b"\0")
    return value + b"\0" * (32 - len(value))  # type: ignore[no-any-return]


# -- the codec ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventSpec:
    name: str
    topic0: bytes
    names: tuple[str, ...]
    types: tuple[str, ...]
    indexed: tuple[bool, ...]

    def decode(self, topics: Sequence[bytes], data: bytes) -> dict[str, Any]:
        """Named arguments of one log of this event."""
        data_types = [t for t, ix in zip(self.types, self.indexed, strict=True) if not ix]
        data_values = iter(abi_decode(data_types, data) if data_types else ())
        topic_iter = iter(topics[1:])
        out: dict[str, Any] = {}
        for name, typ, ix in zip(self.names, self.types, self.indexed, strict=True):
            if ix:
                raw = next(topic_iter)
                out[name] = checksummed(typ, abi_decode([typ], raw)[0]) if parse_type(typ).is_word else raw
            else:
                out[name] = checksummed(typ, next(data_values))
        return out


def checksummed(typ: str, value: Any) -> Any:
    """``value`` of ABI type ``typ`` (as eth-abi decodes it) with every address in checksum form."""
    return _checksummed(parse_type(typ), value)


def _checksummed(t: AbiType, value: Any) -> Any:
    if t.kind == "address":
        return to_checksum_address(value)
    if t.kind == "array":
        return tuple(_checksummed(t.items[0], v) for v in value)
    if t.kind == "tuple":
        return tuple(_checksummed(item, v) for item, v in zip(t.items, value, strict=True))
    return value


class AbiCodec:
    """Functions by name and events by topic0 of one ABI."""

    def __init__(self, abi: Sequence[Mapping[str, Any]]) -> None:
        self.abi = list(abi)
        self.functions: dict[str, FunctionSpec] = {}
        self.events: dict[bytes, EventSpec] = {}
        self.events_by_name: dict[str, EventSpec] = {}
        for item in abi:
            kind = item.get("type")
            if kind == "function":
                inputs = tuple(abi_type(p) for p in item.get("inputs", []))
                outputs = tuple(abi_type(p) for p in item.get("outputs", []))
                selector = keccak(f"{item['name']}({','.join(inputs)})".encode())[:4]
                self.functions[str(item["name"])] = FunctionSpec(str(item["name"]), selector, inputs, outputs)
            elif kind == "event":
                params = item.get("inputs", [])
                types = tuple(abi_type(p) for p in params)
                spec = EventSpec(
                    name=str(item["name"]),
                    topic0=keccak(f"{item['name']}({','.join(types)})".encode()),
                    names=tuple(str(p["name"]) for p in params),
                    types=types,
                    indexed=tuple(bool(p.get("indexed")) for p in params),
                )
                self.events[spec.topic0] = spec
                self.events_by_name[spec.name] = spec

    def function(self, name: str) -> FunctionSpec:
        try:
            return self.functions[name]
        except KeyError:
            raise InputError(f"the contract has no function {name!r}") from None

    def encode(self, name: str, *args: Any) -> bytes:
        spec = self.function(name)
        try:
            return spec.selector + abi_encode(list(spec.inputs), list(args))
        except Exception as exc:  # noqa: BLE001 - eth-abi raises many types; name the call instead
            raise InputError(f"bad arguments for {name}: {exc}") from None

    def decode_output(self, name: str, data: bytes) -> tuple[Any, ...]:
        types = self.function(name).outputs
        return tuple(checksummed(t, v) for t, v in zip(types, abi_decode(list(types), data), strict=True))

    def decode_log(self, topics: Sequence[bytes], data: bytes) -> tuple[str, dict[str, Any]] | None:
        """(event name, args) of a log of this ABI, None if topic0 is unknown."""
        if not topics:
            return None
        spec = self.events.get(topics[0])
        if spec is None:
            return None
        return spec.name, spec.decode(topics, data)
