"""Event decoding over raw bytes, with one prepared decoder per event signature.

web3.py's ``process_log`` re-derives the ABI, builds formatters and attribute dicts for
every log (about 3,000 logs/s). Here each event of each ABI is compiled once into a list
of per-argument converters; a log's topics and data are then sliced 32 bytes at a time.
Dynamic arguments (``string``, ``bytes``, arrays of static elementary types) have their
own fast paths; anything more exotic (tuples, nested or fixed-size arrays) falls back to
``eth_abi`` for that event only. Types are parsed by :func:`provenance._internal.abi.parse_type`
when a decoder is prepared, never per log. A log that does not fit its ABI raises
:class:`~provenance.errors.DecodeError`.

Canonical values: integers are ``int``; addresses are lowercase ``0x`` hex (checksums cost
a keccak each, and the store compares bytes anyway); ``bytesN``, ``bytes`` and indexed
dynamic values (stored as their keccak) are ``0x`` hex; ``string`` is ``str``; arrays are
lists. In JSON, integers of types wider than 64 bits are decimal strings (JSON numbers
lose precision past 2**53), converted back by :meth:`EventDecoder.args_from_json`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from eth_hash.auto import keccak

from provenance._internal.abi import AbiType, abi_type, parse_type
from provenance._internal.hexbytes import parse_address
from provenance.errors import DecodeError, IndexerError

__all__ = [
    "ABI",
    "Event",
    "EventDecoder",
    "LogDecoder",
    "RefSlot",
    "event_id",
    "event_signature",
    "event_topic",
    "ref_kind",
]

ABI = Sequence[Mapping[str, Any]]
LOG_INDEX_BITS = 24


def event_id(block_number: int, log_index: int) -> int:
    """The event's row id: ``block_number << 24 | log_index`` (the natural key, one integer)."""
    if not 0 <= log_index < 1 << LOG_INDEX_BITS:
        raise IndexerError(f"log index {log_index} of block {block_number} does not fit {LOG_INDEX_BITS} bits")
    return (block_number << LOG_INDEX_BITS) | log_index


_ALIASES = {"parent": "asset", "child": "asset"}


@dataclass(frozen=True, slots=True)
class RefSlot:
    """Where an argument that puts an event in a history sits in the raw log.

    ``source`` is ``"topics"`` (the topics concatenated) or ``"data"``; ``offset`` and
    ``length`` are in bytes. Every address, bytes32 or uint argument of an event has a fixed
    place (its topic, or its head word in the data), so the history keys of a whole batch
    are derived by SQL from the raw bytes (:meth:`provenance.indexer.store.Store.derive_refs`).
    """

    kind: str
    source: str
    offset: int
    length: int


def ref_kind(name: str, typ: str) -> str | None:
    """The history a ``name: typ`` argument belongs to, or None.

    Every ``address`` argument is a party; ``fooId`` arguments (``bytes32`` or ``uint``) are
    of kind ``foo`` (``parentId``/``childId`` are assets, so are ``bytes32`` arguments named
    ``asset`` or ``...Asset``); ``chainId`` is not an id of ours.
    """
    if typ == "address":
        return "party"
    if typ == "bytes32" and (name == "asset" or name.endswith("Asset")):
        return "asset"  # e.g. the exchange's PayoutCredited(sourceAsset)
    if name.endswith("Id") and name != "chainId" and (typ == "bytes32" or parse_type(typ).kind == "uint"):
        return _ALIASES.get(name[:-2].lower(), name[:-2].lower())
    return None


def _ref_slots(dec: EventDecoder) -> tuple[RefSlot, ...]:
    out: list[RefSlot] = []
    topic = word = 0
    for name, typ, idx in zip(dec.names, dec.types, dec.indexed, strict=True):
        kind = ref_kind(name, typ)
        if idx:
            topic += 1
            if kind is not None:
                start = 32 * topic + (12 if typ == "address" else 0)
                out.append(RefSlot(kind, "topics", start, 20 if typ == "address" else 32))
        else:
            if kind is not None:
                start = 32 * word + (12 if typ == "address" else 0)
                out.append(RefSlot(kind, "data", start, 20 if typ == "address" else 32))
            word += parse_type(typ).head_words
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Event:
    """One log of one of our contracts, decoded.

    ``name`` is empty and ``args`` is ``None`` when the topic matches no event of the
    contract's ABI (or the data does not decode); the raw ``topics`` and ``data`` are kept.
    """

    block_number: int
    log_index: int
    block_hash: bytes
    block_time: int | None
    tx_hash: bytes
    tx_index: int
    address: str  # lowercase 0x hex
    contract: str  # contract name from the deployment
    name: str  # event name
    topics: tuple[bytes, ...]
    data: bytes
    args: dict[str, Any] | None

    @property
    def key(self) -> tuple[int, int]:
        """The natural order of events: (block number, log index)."""
        return (self.block_number, self.log_index)


def event_signature(item: Mapping[str, Any]) -> str:
    """``Name(type1,type2,...)`` of an ABI event entry."""
    return f"{item['name']}({','.join(abi_type(p) for p in item.get('inputs', ()))})"


def event_topic(item: Mapping[str, Any]) -> bytes:
    """topic0 of an ABI event entry: keccak of its signature."""
    return bytes(keccak(event_signature(item).encode()))


# -- per-type converters -------------------------------------------------------------

Word = Callable[[bytes], Any]


def _word_converter(typ: str) -> Word | None:
    """A converter of one 32-byte word for a static elementary type, or None."""
    t = parse_type(typ)
    if t.kind == "uint":
        if t.size == 256:
            return _uint256
        limit = t.size

        def uint(w: bytes) -> int:
            v = int.from_bytes(w, "big")
            if v >> limit:
                raise DecodeError(f"uint{limit} out of range")
            return v

        return uint
    if t.kind == "int":
        sbits = t.size

        def sint(w: bytes) -> int:
            v = int.from_bytes(w, "big", signed=True)
            if sbits < 256 and not -(1 << (sbits - 1)) <= v < (1 << (sbits - 1)):
                raise DecodeError(f"int{sbits} out of range")
            return v

        return sint
    if t.kind == "fixedbytes":
        size = t.size

        def fixed_bytes(w: bytes) -> str:
            return "0x" + w[:size].hex()

        return fixed_bytes
    if t.kind == "address":
        return _address
    if t.kind == "bool":
        return _bool
    return None  # dynamic, arrays and tuples


def _uint256(w: bytes) -> int:
    return int.from_bytes(w, "big")


def _address(w: bytes) -> str:
    if w[:12].strip(b"\0"):
        raise DecodeError("address with dirty upper bytes")
    return "0x" + w[12:32].hex()


def _bool(w: bytes) -> bool:
    v = int.from_bytes(w, "big")
    if v > 1:
        raise DecodeError("bool out of range")
    return v == 1


def _topic_hash(w: bytes) -> str:
    return "0x" + w.hex()


def _is_wide_int(typ: str) -> bool:
    """Whether the type, or its arrays' element, is an integer wider than 64 bits."""
    t = parse_type(typ).element
    return t.kind in ("uint", "int") and t.size > 64


def _json_converters(typ: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]] | None:
    """(to_json, from_json) for types whose JSON form differs from the Python value."""
    if _is_wide_int(typ):
        if typ.endswith("]"):
            return (_deep(str), _deep(int))
        return (str, int)
    if typ.startswith("(") or typ.endswith("]"):
        return (_deep_jsonable, _identity)
    return None


def _identity(v: Any) -> Any:
    return v


def _deep(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def walk(v: Any) -> Any:
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return fn(v)

    return walk


def _deep_jsonable(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return [_deep_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _deep_jsonable(x) for k, x in v.items()}
    if isinstance(v, int) and not isinstance(v, bool) and not -(1 << 63) <= v < (1 << 64):
        return str(v)
    return v


def _normalize_abi_value(value: Any, t: AbiType) -> Any:
    """eth_abi's output (checksummed addresses, bytes, tuples) in our canonical form."""
    if t.kind == "array":
        return [_normalize_abi_value(v, t.items[0]) for v in value]
    if t.kind == "tuple":
        return [_normalize_abi_value(v, item) for v, item in zip(value, t.items, strict=True)]
    if t.kind == "address":
        return str(value).lower()
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


class EventDecoder:
    """A prepared decoder for one event signature of one contract."""

    __slots__ = (
        "_data_names",
        "_data_plan",
        "_data_types",
        "_fallback",
        "_from_json",
        "_n_topics",
        "_reorder",
        "_to_json",
        "_topic_conv",
        "contract",
        "fast_json",
        "indexed",
        "name",
        "names",
        "ref_slots",
        "signature",
        "topic0",
        "types",
    )

    def __init__(self, contract: str, item: Mapping[str, Any]) -> None:
        self.contract = contract
        self.name = str(item["name"])
        self.signature = event_signature(item)
        self.topic0 = event_topic(item)
        inputs = list(item.get("inputs", ()))
        self.names = tuple(str(p.get("name") or f"arg{i}") for i, p in enumerate(inputs))
        self.types = tuple(abi_type(p) for p in inputs)
        self.indexed = tuple(bool(p.get("indexed")) for p in inputs)
        # (1) indexed arguments: a static value is its own topic; a dynamic one is its hash.
        self._topic_conv: list[tuple[str, Word]] = []
        for name, typ, idx in zip(self.names, self.types, self.indexed, strict=True):
            if idx:
                self._topic_conv.append((name, _word_converter(typ) or _topic_hash))
        self._n_topics = 1 + len(self._topic_conv)
        # (2) data arguments: a plan of (name, kind, converter) with kind "w" (static word),
        #     "s"/"b" (string/bytes) or "a" (dynamic array of static words).
        self._data_names = [n for n, i in zip(self.names, self.indexed, strict=True) if not i]
        self._data_types = [t for t, i in zip(self.types, self.indexed, strict=True) if not i]
        plan: list[tuple[str, str, Word | None]] = []
        fallback = False
        for name, typ in zip(self._data_names, self._data_types, strict=True):
            conv = _word_converter(typ)
            if conv is not None:
                plan.append((name, "w", conv))
            elif typ == "string":
                plan.append((name, "s", None))
            elif typ == "bytes":
                plan.append((name, "b", None))
            elif typ.endswith("[]") and (inner := _word_converter(typ[:-2])) is not None:
                plan.append((name, "a", inner))
            else:
                fallback = True
        self._data_plan = plan
        self._fallback = fallback
        # Arguments come out in ABI order (topics are read first).
        self._reorder = list(self.names) != [n for n, i in zip(self.names, self.indexed, strict=True) if i] + list(
            self._data_names
        )
        # (3) JSON forms differing from Python values.
        self._to_json: list[tuple[str, Callable[[Any], Any]]] = []
        self._from_json: list[tuple[str, Callable[[Any], Any]]] = []
        for name, typ in zip(self.names, self.types, strict=True):
            conv_pair = _json_converters(typ)
            if conv_pair is not None:
                self._to_json.append((name, conv_pair[0]))
                self._from_json.append((name, conv_pair[1]))
        # (4) which arguments put the event in an asset's, a party's... history; and the
        #     generated fast paths over hex strings.
        self.ref_slots = _ref_slots(self)
        self.fast_json = _compile_fast(self)

    def decode(self, topics: Sequence[bytes], data: bytes) -> dict[str, Any]:
        """Named arguments of one log; :class:`~provenance.errors.DecodeError` if it does not fit the ABI."""
        if len(topics) != self._n_topics:
            raise DecodeError(f"{self.signature}: expected {self._n_topics} topics, got {len(topics)}")
        args: dict[str, Any] = {}
        try:
            for (name, tconv), topic in zip(self._topic_conv, topics[1:], strict=True):
                args[name] = tconv(topic)
            if self._fallback:
                from eth_abi.abi import decode as abi_decode

                values = abi_decode(self._data_types, data)
                for name, typ, value in zip(self._data_names, self._data_types, values, strict=True):
                    args[name] = _normalize_abi_value(value, parse_type(typ))
            else:
                self._decode_data(data, args)
        except DecodeError as exc:
            raise DecodeError(f"{self.signature}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - eth_abi's decoding errors have no common base with ours
            raise DecodeError(f"{self.signature}: {exc}") from None
        if self._reorder:
            return {n: args[n] for n in self.names}
        return args

    def _decode_data(self, data: bytes, args: dict[str, Any]) -> None:
        """The data arguments of a log through the prepared plan (no eth_abi), into ``args``."""
        if len(data) < 32 * len(self._data_plan):
            raise DecodeError(f"data too short ({len(data)} bytes)")
        for i, (name, kind, conv) in enumerate(self._data_plan):
            head = data[32 * i : 32 * i + 32]
            if kind == "w":
                args[name] = conv(head) if conv is not None else None
                continue
            offset = int.from_bytes(head, "big")
            if offset + 32 > len(data):
                raise DecodeError(f"offset of {name} out of range")
            length = int.from_bytes(data[offset : offset + 32], "big")
            start = offset + 32
            if kind == "a":
                end = start + 32 * length
                if end > len(data):
                    raise DecodeError(f"array {name} out of range")
                word_conv: Word = conv if conv is not None else _topic_hash
                args[name] = [word_conv(data[j : j + 32]) for j in range(start, end, 32)]
                continue
            if start + length > len(data):
                raise DecodeError(f"{name} out of range")
            raw = data[start : start + length]
            args[name] = raw.decode("utf-8", errors="replace") if kind == "s" else "0x" + raw.hex()

    def args_to_json(self, args: Mapping[str, Any]) -> bytes:
        """Arguments as JSON bytes (wide integers as decimal strings), in ABI order."""
        if self._to_json:
            out = dict(args)
            for name, fn in self._to_json:
                if name in out:
                    out[name] = fn(out[name])
            return orjson.dumps(out)
        return orjson.dumps(args)

    def args_from_json(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Inverse of :meth:`args_to_json` (after JSON parsing)."""
        out = dict(doc)
        for name, fn in self._from_json:
            if name in out:
                out[name] = fn(out[name])
        return out


class LogDecoder:
    """Decodes JSON-RPC log objects of a set of contracts.

    ``contracts`` maps addresses (any case) to contract names; ``abis`` maps contract names
    to ABIs. Events of a contract whose name has no ABI are kept raw.
    """

    def __init__(self, contracts: Mapping[str, str], abis: Mapping[str, ABI]) -> None:
        self.by_address: dict[str, str] = {}
        for address, name in contracts.items():
            self.by_address[parse_address(address, what=f"the address of contract {name!r}").lower()] = name
        self._decoders: dict[tuple[str, bytes], EventDecoder] = {}
        self._by_name: dict[tuple[str, str], EventDecoder] = {}
        for name in set(self.by_address.values()):
            for item in abis.get(name, ()):
                if item.get("type") != "event" or item.get("anonymous"):
                    continue
                dec = EventDecoder(name, item)
                self._decoders[(name, dec.topic0)] = dec
                self._by_name[(name, dec.name)] = dec

    @property
    def addresses(self) -> list[str]:
        return sorted(self.by_address)

    def decoders(self) -> Iterable[EventDecoder]:
        return self._decoders.values()

    def decoder(self, contract: str, topic0: bytes | None = None, name: str | None = None) -> EventDecoder | None:
        """The prepared decoder of an event, by topic0 or by name."""
        if topic0 is not None:
            return self._decoders.get((contract, topic0))
        if name is not None:
            return self._by_name.get((contract, name))
        return None

    def decode(self, log: Mapping[str, Any]) -> Event:
        """One ``eth_getLogs`` result object -> :class:`Event`.

        Raises :class:`IndexerError` for a log of a contract we do not index or a log
        without the fields every node must send.
        """
        try:
            address = log["address"].lower()
            contract = self.by_address.get(address)
            if contract is None:
                raise IndexerError(f"the node returned a log of {address}, which is not one of our contracts")
            topics = tuple(bytes.fromhex(t[2:]) for t in log["topics"])
            data = bytes.fromhex(log["data"][2:])
            ts = log.get("blockTimestamp")
            block_number = int(log["blockNumber"], 16)
            log_index = int(log["logIndex"], 16)
            block_hash = bytes.fromhex(log["blockHash"][2:])
            tx_hash = bytes.fromhex(log["transactionHash"][2:])
            tx_index = int(log["transactionIndex"], 16)
            block_time = int(ts, 16) if ts is not None else None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IndexerError(f"the node returned a malformed log ({exc!r}): {str(log)[:300]}") from None
        name = ""
        args: dict[str, Any] | None = None
        if topics:
            dec = self._decoders.get((contract, topics[0]))
            if dec is not None:
                name = dec.name
                try:
                    args = dec.decode(topics, data)
                except DecodeError:  # a log that does not fit its ABI is kept raw
                    args = None
        return Event(
            block_number,
            log_index,
            block_hash,
            block_time,
            tx_hash,
            tx_index,
            address,
            contract,
            name,
            topics,
            data,
            args,
        )


# -- generated fast paths ----------------------------------------------------------------

_Z = "0" * 64


def _compile_fast(dec: EventDecoder) -> Callable[[list[str], str], tuple[str, str]] | None:
    """Generate, for an event whose arguments are all static words, a function over the log's
    hex strings returning its JSON arguments (identical to ``args_to_json(decode(...))``) and
    its topics as one hex string. None when the event needs the general path. A log of the
    wrong shape raises :class:`~provenance.errors.DecodeError` (a ``ValueError``).
    """
    checks: list[str] = []
    template: list[str] = []
    values: list[str] = []
    n_topics = dec._n_topics
    n_words = 0
    ti = 1
    for name, typ, idx in zip(dec.names, dec.types, dec.indexed, strict=True):
        t = parse_type(typ)
        if idx:
            word = f"t[{ti}]"  # "0x" + 64 hex digits
            lo = 2
            ti += 1
            dynamic = _word_converter(typ) is None
        else:
            if _word_converter(typ) is None:
                return None
            word = "d"
            lo = 2 + 64 * n_words
            n_words += 1
            dynamic = False
        if dynamic:
            template.append(f'"{name}":"0x%s"')
            values.append(f"{word}[{lo}:{lo + 64}]")
        elif typ == "address":
            checks.append(f"{word}[{lo}:{lo + 24}] != {'0' * 24!r}")
            template.append(f'"{name}":"0x%s"')
            values.append(f"{word}[{lo + 24}:{lo + 64}]")
        elif typ == "bool":
            checks.append(f"{word}[{lo}:{lo + 63}] != {'0' * 63!r} or {word}[{lo + 63}] not in '01'")
            template.append(f'"{name}":%s')
            values.append(f"('true' if {word}[{lo + 63}] == '1' else 'false')")
        elif t.kind == "uint":
            bits = t.size
            pad = 64 - bits // 4
            if pad:
                checks.append(f"{word}[{lo}:{lo + pad}] != {'0' * pad!r}")
            template.append(f'"{name}":"%d"' if bits > 64 else f'"{name}":%d')
            values.append(f"int({word}[{lo + pad}:{lo + 64}], 16)")
        elif t.kind == "fixedbytes":
            template.append(f'"{name}":"0x%s"')
            values.append(f"{word}[{lo}:{lo + 2 * t.size}]")
        else:
            return None  # signed integers and the rest: general path
    fmt = "{" + ",".join(template) + "}"
    topics = " + ".join(f"t[{k}][2:]" for k in range(n_topics))
    cond = " or ".join(f"({c})" for c in checks)
    src = (
        "def fast_json(t, d):\n"
        f"    if len(t) != {n_topics} or len(d) != {2 + 64 * n_words}: raise DecodeError('shape')\n"
        + (f"    if {cond}: raise DecodeError('padding')\n" if cond else "")
        + f"    return {fmt!r} % ({', '.join(values)}{',' if len(values) == 1 else ''}), {topics}\n"
    )
    namespace: dict[str, Any] = {"DecodeError": DecodeError}
    exec(compile(src, f"<fast decoder {dec.signature}>", "exec"), namespace)  # noqa: S102
    fn: Callable[[list[str], str], tuple[str, str]] = namespace["fast_json"]
    return fn
