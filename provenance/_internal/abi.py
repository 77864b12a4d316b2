"""A small ABI codec prepared once per contract: calldata, return values and event logs.

web3.py's contract objects re-derive types on every call; clients on the hot path encode
with eth-abi against types prepared here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

from provenance.errors import InputError

__all__ = ["AbiCodec", "EventSpec", "FunctionSpec", "abi_type", "checksummed", "split_tuple"]


def abi_type(param: Mapping[str, Any]) -> str:
    """The canonical type string of an ABI parameter (tuples expanded)."""
    typ = str(param["type"])
    if typ.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param.get("components", []))
        return f"({inner}){typ[5:]}"
    return typ


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
                out[name] = raw if _is_dynamic(typ) else checksummed(typ, abi_decode([typ], raw)[0])
            else:
                out[name] = checksummed(typ, next(data_values))
        return out


def checksummed(typ: str, value: Any) -> Any:
    """``value`` of ABI type ``typ`` with every address in checksum form."""
    if typ == "address":
        return to_checksum_address(value)
    if typ.endswith("]"):
        inner = typ[: typ.rindex("[")]
        return tuple(checksummed(inner, v) for v in value)
    if typ.startswith("("):
        return tuple(checksummed(t, v) for t, v in zip(split_tuple(typ[1:-1]), value, strict=True))
    return value


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


def _is_dynamic(typ: str) -> bool:
    return typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("(")


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
