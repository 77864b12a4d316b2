"""The shape of an evidence bundle, checked field by field (check ``bundle-format``).

:func:`parse_bundle` reads a parsed JSON document into typed entries, or raises
:class:`~provenance.errors.VerificationError` naming the JSON path of the first field that is
missing, of the wrong type, not lowercase hex, of the wrong size, or not part of the format
(see :mod:`provenance.evidence.bundle` for the format).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from provenance._internal.hexbytes import parse_hex
from provenance.errors import InputError, VerificationError
from provenance.evidence.bundle import FORMAT

__all__ = ["ContractEntry", "EventEntry", "ParsedBundle", "RecordEntry", "TxEntry", "parse_bundle"]


def _fail(where: str, message: str) -> VerificationError:
    return VerificationError("bundle-format", message, where)


def _obj(value: Any, where: str, keys: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, "expected a JSON object")
    missing = [k for k in keys if k not in value]
    extra = sorted(set(value) - set(keys))
    if missing:
        raise _fail(f"{where}.{missing[0]}" if where else missing[0], "missing")
    if extra:
        raise _fail(f"{where}.{extra[0]}" if where else extra[0], "not a field of this format")
    return value


def _int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 53:
        raise _fail(where, f"expected a non-negative integer, got {value!r:.40}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"expected a string, got {value!r:.40}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, "expected a JSON array")
    return value


def _hex(value: Any, where: str, size: int | None = None) -> bytes:
    text = _str(value, where)
    try:
        return parse_hex(text, what=where, length=size, lowercase=True)
    except InputError as exc:
        raise _fail(where, str(exc).removeprefix(f"{where}: ")) from None


@dataclass(frozen=True, slots=True)
class TxEntry:
    block_number: int
    tx_index: int
    transaction: bytes
    transaction_proof: tuple[bytes, ...]
    receipt: bytes
    receipt_proof: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class ContractEntry:
    name: str
    address: bytes
    deployment: int
    bytecode_hash: bytes
    constructor_args: bytes
    events: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class EventEntry:
    tx: int
    log_index: int
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class RecordEntry:
    record: Mapping[str, Any]
    record_hash: bytes
    proof: tuple[bytes, ...]
    event: int


TOP_KEYS = (
    "format",
    "tool",
    "createdAt",
    "query",
    "chain",
    "checkpoint",
    "headers",
    "transactions",
    "contracts",
    "events",
    "timeline",
    "records",
    "exporter",
    "signature",
)


@dataclass(slots=True)
class ParsedBundle:
    doc: Mapping[str, Any]
    query: Mapping[str, Any] = field(default_factory=dict)
    chain_id: int = 0
    genesis: bytes = b""
    checkpoint: tuple[int, bytes] = (0, b"")
    headers: list[bytes] = field(default_factory=list)
    txs: list[TxEntry] = field(default_factory=list)
    contracts: list[ContractEntry] = field(default_factory=list)
    events: list[EventEntry] = field(default_factory=list)
    timeline: list[Any] = field(default_factory=list)
    records: list[RecordEntry] = field(default_factory=list)
    exporter: str = ""
    signature: bytes = b""


def parse_bundle(doc: Any) -> ParsedBundle:
    top = _obj(doc, "", TOP_KEYS)
    if top["format"] != FORMAT:
        raise _fail("format", f"expected {FORMAT!r}, got {top['format']!r:.60}")
    b = ParsedBundle(top)
    tool = _obj(top["tool"], "tool", ("name", "version"))
    _str(tool["name"], "tool.name"), _str(tool["version"], "tool.version")
    _int(top["createdAt"], "createdAt")
    q = b.query = _obj(top["query"], "query", ("kind", "id", "lineage", "source", "toBlock"))
    kinds = {"asset": 32, "trade": 32, "record": 32, "party": 20}
    if q["kind"] not in kinds:
        raise _fail("query.kind", f"unknown kind {q['kind']!r:.40}")
    _hex(q["id"], "query.id", kinds[q["kind"]])
    if q["lineage"] not in ("none", "up", "down", "both"):
        raise _fail("query.lineage", f"unknown lineage {q['lineage']!r:.40}")
    if q["source"] not in ("index", "logs", "proof"):
        raise _fail("query.source", f"unknown source {q['source']!r:.40}")
    _int(q["toBlock"], "query.toBlock")
    chain = _obj(top["chain"], "chain", ("chainId", "genesisHash"))
    b.chain_id, b.genesis = _int(chain["chainId"], "chain.chainId"), _hex(chain["genesisHash"], "chain.genesisHash", 32)
    cp = _obj(top["checkpoint"], "checkpoint", ("number", "hash"))
    b.checkpoint = (_int(cp["number"], "checkpoint.number"), _hex(cp["hash"], "checkpoint.hash", 32))
    b.headers = [_hex(h, f"headers[{i}]") for i, h in enumerate(_list(top["headers"], "headers"))]
    for k, t in enumerate(_list(top["transactions"], "transactions")):
        w = f"transactions[{k}]"
        t = _obj(t, w, ("blockNumber", "txIndex", "transaction", "transactionProof", "receipt", "receiptProof"))
        b.txs.append(
            TxEntry(
                _int(t["blockNumber"], f"{w}.blockNumber"),
                _int(t["txIndex"], f"{w}.txIndex"),
                _hex(t["transaction"], f"{w}.transaction"),
                tuple(
                    _hex(n, f"{w}.transactionProof[{j}]")
                    for j, n in enumerate(_list(t["transactionProof"], f"{w}.transactionProof"))
                ),
                _hex(t["receipt"], f"{w}.receipt"),
                tuple(
                    _hex(n, f"{w}.receiptProof[{j}]")
                    for j, n in enumerate(_list(t["receiptProof"], f"{w}.receiptProof"))
                ),
            )
        )
    for c, entry in enumerate(_list(top["contracts"], "contracts")):
        w = f"contracts[{c}]"
        entry = _obj(
            entry, w, ("name", "address", "deployment", "bytecodeHash", "constructorArgs", "inputHash", "events")
        )
        _hex(entry["inputHash"], f"{w}.inputHash", 32)
        b.contracts.append(
            ContractEntry(
                _str(entry["name"], f"{w}.name"),
                _hex(entry["address"], f"{w}.address", 20),
                _int(entry["deployment"], f"{w}.deployment"),
                _hex(entry["bytecodeHash"], f"{w}.bytecodeHash", 32),
                _hex(entry["constructorArgs"], f"{w}.constructorArgs"),
                tuple(_list(entry["events"], f"{w}.events")),
            )
        )
    for i, ev in enumerate(_list(top["events"], "events")):
        w = f"events[{i}]"
        ev = _obj(ev, w, ("transaction", "logIndex", "log"))
        log = _obj(ev["log"], f"{w}.log", ("address", "topics", "data"))
        b.events.append(
            EventEntry(
                _int(ev["transaction"], f"{w}.transaction"),
                _int(ev["logIndex"], f"{w}.logIndex"),
                _hex(log["address"], f"{w}.log.address", 20),
                tuple(
                    _hex(t, f"{w}.log.topics[{j}]", 32) for j, t in enumerate(_list(log["topics"], f"{w}.log.topics"))
                ),
                _hex(log["data"], f"{w}.log.data"),
            )
        )
    b.timeline = _list(top["timeline"], "timeline")
    for r, rec in enumerate(_list(top["records"], "records")):
        w = f"records[{r}]"
        rec = _obj(rec, w, ("record", "recordHash", "proof", "event"))
        if not isinstance(rec["record"], Mapping):
            raise _fail(f"{w}.record", "expected a JSON object")
        b.records.append(
            RecordEntry(
                rec["record"],
                _hex(rec["recordHash"], f"{w}.recordHash", 32),
                tuple(_hex(p, f"{w}.proof[{j}]", 32) for j, p in enumerate(_list(rec["proof"], f"{w}.proof"))),
                _int(rec["event"], f"{w}.event"),
            )
        )
    b.exporter = _str(top["exporter"], "exporter")
    if len(b.exporter) != 42 or b.exporter[:2] != "0x":
        raise _fail("exporter", f"expected an address, got {b.exporter!r:.60}")
    b.signature = _hex(top["signature"], "signature", 65)
    return b
