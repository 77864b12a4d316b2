"""The facts an evidence report prints, read from a bundle's decoded ``timeline`` and header.

Nothing here trusts the bundle: a value of the wrong shape (a tampered bundle) is left out
and named in :attr:`BundleFacts.problems`, so a report can still be printed and says the
bundle failed verification. Which facts the verifier proves is the verifier's business
(:mod:`provenance.evidence.verify`); this module only reads.

The certificate: ``AssetCertified`` carries ``serial``, ``year``, ``code`` (bytes10) and
``certifiedAt``; its number is ``PREFIX-YEAR-SERIAL`` (serial zero-padded to 6 digits, as
``DataRegistry.certificateNumber``), the prefix being the registry's constructor argument
``(address admin, string prefix, uint40 noticePeriod)`` in the bundle's ``contracts``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from provenance._internal.abi import abi_type
from provenance.records.registry import format_code

__all__ = [
    "Arg",
    "BundleFacts",
    "CertificateFact",
    "EventFact",
    "PartyFact",
    "RecordFact",
    "checksum",
    "is_hex",
    "read_facts",
]

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_HEX = re.compile(r"0x[0-9a-fA-F]*")
_ZERO_ADDRESS = "0x" + "00" * 20
# address arguments that name a contract or a token, not a party
_NOT_PARTIES = frozenset({"currency", "registry"})


@dataclass(frozen=True, slots=True)
class Arg:
    """One decoded event argument with its ABI type ("" when the bundle does not say)."""

    name: str
    type: str
    value: Any


@dataclass(frozen=True, slots=True)
class EventFact:
    """One ``timeline`` entry."""

    index: int
    contract: str
    event: str
    address: str
    block_number: int
    block_hash: str
    timestamp: int
    tx_hash: str
    tx_index: int
    log_index: int
    sender: str
    args: tuple[Arg, ...]

    def arg(self, name: str) -> Any:
        return next((a.value for a in self.args if a.name == name), None)


@dataclass(frozen=True, slots=True)
class CertificateFact:
    """A certificate issued by an ``AssetCertified`` event (``event`` indexes the events)."""

    asset_id: str
    number: str
    code: str
    code_hex: str
    serial: int
    year: int
    certified_at: int
    registrar: str
    event: int
    revoked: bool


@dataclass(frozen=True, slots=True)
class PartyFact:
    """An address that appears in the events: its roles (argument names) and events."""

    address: str
    roles: tuple[str, ...]
    events: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RecordFact:
    """An anchored off-chain record (canonical JSON text) and its hash."""

    record_hash: str
    content: str
    event: int | None


@dataclass(frozen=True, slots=True)
class BundleFacts:
    """What a report prints about a bundle, as the bundle states it."""

    kind: str
    subject: str
    lineage: str
    source: str
    to_block: int | None
    chain_id: int | None
    genesis_hash: str
    checkpoint: tuple[int, str] | None
    exporter: str
    created_at: int | None
    tool: str
    contracts: tuple[tuple[str, str], ...]
    events: tuple[EventFact, ...]
    certificates: tuple[CertificateFact, ...]
    certificate: CertificateFact | None
    """The certificate of the report's subject (None when the bundle holds none or several)."""
    parties: tuple[PartyFact, ...]
    records: tuple[RecordFact, ...]
    problems: tuple[str, ...]

    def events_of(self, name: str) -> list[EventFact]:
        return [e for e in self.events if e.event == name]


def checksum(address: str) -> str:
    """EIP-55 form of a 20-byte hex address (left as it is when it is not one)."""
    if not _ADDRESS.fullmatch(address):
        return address
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(address.lower()))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _abi_types(contracts: Any, problems: list[str]) -> dict[tuple[str, str], dict[str, str]]:
    """(contract, event) -> {argument: ABI type} from the bundle's reduced ABI entries."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for c in contracts if isinstance(contracts, list) else ():
        try:
            for item in c["events"]:
                out[(str(c["name"]), str(item["name"]))] = {str(p["name"]): abi_type(p) for p in item["inputs"]}
        except (KeyError, TypeError):
            problems.append("contracts: an ABI entry is malformed")
    return out


def _event(k: int, entry: Any, types: Mapping[tuple[str, str], Mapping[str, str]]) -> EventFact:
    """One timeline entry; KeyError/TypeError/ValueError when it is malformed."""
    args = entry["args"]
    if not isinstance(args, dict):
        raise TypeError("args is not an object")
    known = types.get((str(entry["contract"]), str(entry["event"])), {})
    order = {name: k for k, name in enumerate(known)}  # the ABI's order; unknown names last
    names = sorted(args, key=lambda name: (order.get(str(name), len(order)), str(name)))
    numbers = [_int(entry[key]) for key in ("blockNumber", "timestamp", "txIndex", "logIndex")]
    if any(n is None for n in numbers):
        raise ValueError("a number is not a number")
    block_number, timestamp, tx_index, log_index = (int(n or 0) for n in numbers)
    return EventFact(
        index=k,
        contract=str(entry["contract"]),
        event=str(entry["event"]),
        address=checksum(_text(entry["address"])),
        block_number=block_number,
        block_hash=_text(entry["blockHash"]),
        timestamp=timestamp,
        tx_hash=_text(entry["txHash"]),
        tx_index=tx_index,
        log_index=log_index,
        sender=checksum(_text(entry["from"])),
        args=tuple(Arg(str(name), known.get(str(name), ""), args[name]) for name in names),
    )


def _prefixes(contracts: Any, problems: list[str]) -> dict[str, str]:
    """Registry contract name -> certificate prefix, from its constructor arguments."""
    from eth_abi.abi import decode

    out: dict[str, str] = {}
    for c in contracts if isinstance(contracts, list) else ():
        if not isinstance(c, dict) or c.get("name") != "DataRegistry":
            continue
        try:
            raw = bytes.fromhex(str(c["constructorArgs"])[2:])
            _admin, prefix, _notice = decode(["address", "string", "uint40"], raw)
            out[str(c["name"])] = str(prefix)
        except Exception:  # noqa: BLE001 - eth_abi raises many kinds; any of them means "unreadable"
            problems.append("contracts: the DataRegistry constructor arguments do not decode")
    return out


def _certificates(
    events: Sequence[EventFact], prefixes: Mapping[str, str], problems: list[str]
) -> list[CertificateFact]:
    out: list[CertificateFact] = []
    for e in events:
        if e.event != "AssetCertified":
            continue
        serial, year, at = _int(e.arg("serial")), _int(e.arg("year")), _int(e.arg("certifiedAt"))
        code_hex = _text(e.arg("code"))
        try:
            code = format_code(bytes.fromhex(code_hex[2:]))
        except ValueError:
            code = ""
        if serial is None or year is None or at is None or not code:
            problems.append(f"timeline[{e.index}]: the AssetCertified arguments are malformed")
            continue
        asset = _text(e.arg("assetId"))
        revoked = any(
            later.event == "CertificateRevoked" and _text(later.arg("assetId")) == asset
            for later in events[e.index + 1 :]
        )
        prefix = prefixes.get(e.contract, "?")
        out.append(
            CertificateFact(
                asset,
                f"{prefix}-{year}-{serial:06d}",
                code,
                code_hex,
                serial,
                year,
                at,
                checksum(_text(e.arg("registrar"))),
                e.index,
                revoked,
            )
        )
    return out


def _primary(
    kind: str, subject: str, events: Sequence[EventFact], certificates: Sequence[CertificateFact]
) -> CertificateFact | None:
    """The subject's certificate: of the asset, or of the traded asset, or the only one."""
    asset = subject if kind == "asset" else None
    if kind == "trade":
        listings = {_text(e.arg("listingId")) or str(e.arg("listingId")) for e in events if e.event == "TradeOpened"}
        traded = [
            _text(e.arg("assetId")) for e in events if e.event == "Listed" and str(e.arg("listingId")) in listings
        ]
        asset = traded[0] if traded else None
    if asset is not None:
        own = [c for c in certificates if c.asset_id == asset]
        return own[-1] if own else None
    assets = {c.asset_id for c in certificates}
    return certificates[-1] if len(assets) == 1 else None


def _parties(events: Sequence[EventFact]) -> list[PartyFact]:
    roles: dict[str, list[str]] = {}
    seen: dict[str, list[int]] = {}

    def add(address: str, role: str, k: int) -> None:
        if not _ADDRESS.fullmatch(address) or address.lower() == _ZERO_ADDRESS:
            return
        key = checksum(address)
        if role not in roles.setdefault(key, []):
            roles[key].append(role)
        if k not in seen.setdefault(key, []):
            seen[key].append(k)

    for e in events:
        for a in e.args:
            is_address = a.type == "address" or (
                not a.type and isinstance(a.value, str) and bool(_ADDRESS.fullmatch(a.value))
            )
            if is_address and a.name not in _NOT_PARTIES and isinstance(a.value, str):
                add(a.value, a.name, e.index)
        add(e.sender, "sender", e.index)
    return [PartyFact(address, tuple(roles[address]), tuple(seen[address])) for address in roles]


def _records(doc: Mapping[str, Any], problems: list[str]) -> list[RecordFact]:
    out = []
    entries = doc.get("records")
    for k, entry in enumerate(entries if isinstance(entries, list) else ()):
        try:
            content = orjson.dumps(entry["record"], option=orjson.OPT_SORT_KEYS).decode()
            event = _int(entry.get("event"))
            out.append(RecordFact(_text(entry["recordHash"]), content, event))
        except (KeyError, TypeError, AttributeError, orjson.JSONEncodeError):
            problems.append(f"records[{k}] is malformed")
    return out


def read_facts(doc: Mapping[str, Any]) -> BundleFacts:
    """The facts of a parsed bundle (any JSON object whose ``format`` is the bundle format)."""
    problems: list[str] = []
    query = _obj(doc.get("query"))
    chain = _obj(doc.get("chain"))
    point = doc.get("checkpoint")
    checkpoint = None
    if isinstance(point, dict) and _int(point.get("number")) is not None:
        checkpoint = (int(point["number"]), _text(point.get("hash")))
    tool = doc.get("tool")
    tool_text = f"{tool.get('name', '')} {tool.get('version', '')}".strip() if isinstance(tool, dict) else ""
    contracts = doc.get("contracts")
    types = _abi_types(contracts, problems)
    events: list[EventFact] = []
    timeline = doc.get("timeline")
    if not isinstance(timeline, list):
        problems.append("timeline is missing or not a list")
        timeline = []
    for k, entry in enumerate(timeline):
        try:
            events.append(_event(len(events), entry, types))
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(f"timeline[{k}] is malformed and left out")
    certificates = _certificates(events, _prefixes(contracts, problems), problems)
    kind, subject = _text(query.get("kind")), _text(query.get("id"))
    listed = [
        (str(c.get("name", "")), checksum(_text(c.get("address"))))
        for c in (contracts if isinstance(contracts, list) else ())
        if isinstance(c, dict)
    ]
    return BundleFacts(
        kind=kind,
        subject=checksum(subject) if kind == "party" else subject,
        lineage=_text(query.get("lineage")),
        source=_text(query.get("source")),
        to_block=_int(query.get("toBlock")),
        chain_id=_int(chain.get("chainId")),
        genesis_hash=_text(chain.get("genesisHash")),
        checkpoint=checkpoint,
        exporter=checksum(_text(doc.get("exporter"))),
        created_at=_int(doc.get("createdAt")),
        tool=tool_text,
        contracts=tuple(listed),
        events=tuple(events),
        certificates=tuple(certificates),
        certificate=_primary(kind, subject, events, certificates),
        parties=tuple(_parties(events)),
        records=tuple(_records(doc, problems)),
        problems=tuple(problems),
    )


def is_hex(value: Any) -> bool:
    """True for a ``0x`` hex string (how the bundle writes bytes)."""
    return isinstance(value, str) and bool(_HEX.fullmatch(value))
