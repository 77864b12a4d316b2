"""Which events a bundle holds: the indexer's histories, or eth_getLogs when there is no index.

With an index (:mod:`provenance.indexer`), ``asset`` uses :func:`asset_history` (with
lineage), ``party`` :func:`party_history` and ``trade`` :func:`trade_history`. Without one,
every log of the deployment's contracts in the block range is read with ``eth_getLogs``
(address filter, ranges of ``span`` blocks) and kept when a decoded argument puts it in the
history, by the indexer's own rule (:func:`provenance.indexer.decode.ref_kind`): the same
events the index would return, lineage aside. An anchored record's ``BatchAnchored``
event is found by its indexed Merkle root (topic 2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from provenance._internal.hexbytes import parse_hex, parse_quantity
from provenance.deployment import Deployment
from provenance.errors import ChainError, InputError
from provenance.evidence._collect import BatchRpc, EventRef
from provenance.indexer.decode import ABI, EventDecoder, event_topic, ref_kind

__all__ = ["KINDS", "Query", "anchored_events", "select_from_index", "select_from_logs"]

KINDS = ("asset", "trade", "party", "record")
LINEAGES = ("none", "up", "down", "both")


@dataclass(frozen=True, slots=True)
class Query:
    """What a bundle is about: ``kind`` and ``id`` (normalised), and the asset lineage."""

    kind: str
    id: str
    """``0x`` + 64 hex digits (asset, trade, record), or ``0x`` + 40 (party); lowercase."""
    lineage: str = "none"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"query kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.lineage not in LINEAGES or (self.lineage != "none" and self.kind != "asset"):
            raise InputError(f"lineage must be one of {', '.join(LINEAGES)} (assets only), got {self.lineage!r}")
        size = 40 if self.kind == "party" else 64
        if not re.fullmatch(rf"0x[0-9a-f]{{{size}}}", self.id):
            raise InputError(f"{self.kind} id must be 0x and {size} lowercase hex digits, got {self.id!r}")

    @classmethod
    def of(cls, kind: str, ident: str | bytes | int, lineage: str = "none") -> Query:
        """Normalise an id: bytes, ``0x`` hex, or a decimal number (trade ids)."""
        size = 20 if kind == "party" else 32
        if isinstance(ident, bytes):
            raw = ident
        elif isinstance(ident, int) or (isinstance(ident, str) and ident.strip().isdigit()):
            number = int(ident)
            if not 0 <= number < 1 << (8 * size):
                raise InputError(f"{kind} id out of range: {ident}")
            raw = number.to_bytes(size, "big")
        else:
            try:
                raw = parse_hex(str(ident).strip(), what=f"{kind} id")
            except InputError:
                raise InputError(f"{kind} id must be 0x hex (or a decimal number), got {ident!r}") from None
        if len(raw) != size:
            raise InputError(f"{kind} id must be {size} bytes, got {len(raw)}")
        return cls(kind, "0x" + raw.hex(), lineage)


def select_from_index(store: Any, query: Query, to_block: int) -> list[tuple[int, int, bytes]]:
    """(block number, block logIndex, block hash) of the query's events, from an index."""
    from provenance.indexer.query import asset_history, iter_history, party_history, trade_history

    if query.kind == "asset":
        found = iter_history(asset_history, store, query.id, lineage=query.lineage, to_block=to_block)
    elif query.kind == "party":
        found = iter_history(party_history, store, query.id, to_block=to_block)
    elif query.kind == "trade":
        found = iter_history(trade_history, store, query.id, to_block=to_block)
    else:
        raise InputError("anchored records are selected by their Merkle proof, not from the index")
    return [(e.block_number, e.log_index, bytes.fromhex(e.block_hash[2:])) for e in found]


def _decoders(deployment: Deployment, abis: Mapping[str, ABI]) -> dict[tuple[bytes, bytes], EventDecoder]:
    out: dict[tuple[bytes, bytes], EventDecoder] = {}
    for name, contract in deployment.contracts.items():
        for item in abis.get(name, ()):
            if item.get("type") == "event" and not item.get("anonymous"):
                dec = EventDecoder(name, item)
                out[(bytes.fromhex(contract.address[2:].lower()), dec.topic0)] = dec
    return out


def _refs(dec: EventDecoder, topics: Sequence[bytes], data: bytes) -> set[tuple[str, str]]:
    try:
        args = dec.decode(topics, data)
    except ValueError:
        return set()
    refs: set[tuple[str, str]] = set()
    for name, typ in zip(dec.names, dec.types, strict=True):
        kind = ref_kind(name, typ)
        value = args.get(name)
        if kind is None or value is None:
            continue
        if isinstance(value, int):
            refs.add((kind, "0x" + value.to_bytes(32, "big").hex()))
        else:
            refs.add((kind, str(value).lower()))
    return refs


def _log_ref(log: Mapping[str, Any]) -> EventRef:
    try:
        return EventRef(
            block_number=parse_quantity(log.get("blockNumber"), what="log.blockNumber"),
            log_index=parse_quantity(log.get("logIndex"), what="log.logIndex"),
            block_hash=parse_hex(log.get("blockHash"), what="log.blockHash", length=32),
            address=parse_hex(log.get("address"), what="log.address", length=20),
            topics=tuple(parse_hex(t, what="log.topics", length=32) for t in log.get("topics") or ()),
            data=parse_hex(log.get("data"), what="log.data"),
        )
    except InputError as exc:
        raise ChainError(f"eth_getLogs returned a malformed log: {exc}") from None


def _get_logs(node: BatchRpc, flt: dict[str, Any], first: int, last: int, span: int) -> list[EventRef]:
    calls = [
        ("eth_getLogs", [{**flt, "fromBlock": hex(lo), "toBlock": hex(min(last, lo + span - 1))}])
        for lo in range(first, last + 1, span)
    ]
    refs: list[EventRef] = []
    for start in range(0, len(calls), 20):
        part = calls[start : start + 20]
        answers = node.batch(part) if len(part) > 1 else [node.rpc(*part[0])]
        for answer in answers:
            if isinstance(answer, Exception) or not isinstance(answer, list):
                raise ChainError(f"eth_getLogs failed: {answer!r:.200}")
            refs.extend(_log_ref(log) for log in answer)
    return refs


def select_from_logs(
    node: BatchRpc,
    deployment: Deployment,
    abis: Mapping[str, ABI],
    query: Query,
    to_block: int,
    *,
    span: int = 5_000,
) -> list[EventRef]:
    """The query's events read with eth_getLogs (no index); lineage is refused here."""
    if query.kind == "record":
        raise InputError("anchored records are selected by their Merkle proof")
    if query.lineage != "none":
        raise InputError("lineage needs an index: run `provenance index` first (or use --lineage none)")
    decoders = _decoders(deployment, abis)
    addresses = sorted(c.address.lower() for c in deployment.contracts.values())
    logs = _get_logs(node, {"address": addresses}, deployment.start_block, to_block, span)
    wanted = (query.kind, query.id)
    picked = []
    for ref in logs:
        dec = decoders.get((ref.address, ref.topics[0])) if ref.topics else None
        if dec is not None and wanted in _refs(dec, ref.topics, ref.data):
            picked.append(ref)
    return sorted(picked, key=lambda r: (r.block_number, r.log_index))


def anchored_events(node: BatchRpc, deployment: Deployment, root: bytes, to_block: int) -> list[EventRef]:
    """The ``BatchAnchored`` events of the deployment's TradeAnchor whose root is ``root``."""
    from provenance.compiler import load_artifact

    anchor = deployment.contract("TradeAnchor")
    item = next(
        i for i in load_artifact("TradeAnchor").abi if i.get("type") == "event" and i.get("name") == "BatchAnchored"
    )
    flt = {"address": anchor.address.lower(), "topics": ["0x" + event_topic(item).hex(), None, "0x" + root.hex()]}
    return _get_logs(node, flt, anchor.block_number, to_block, 100_000)
