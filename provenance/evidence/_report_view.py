"""What a report shows, in one language: the facts of a bundle and its verification, as text.

:func:`build_view` turns :class:`~provenance.evidence._report_facts.BundleFacts` and a
:class:`~provenance.evidence.verify.VerificationReport` into a :class:`View` of formatted
strings; the HTML and PDF renderers only lay it out, so both print the same facts. Times are
UTC; amounts are integers in the currency's smallest unit; hashes are printed in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from provenance.evidence._report_facts import Arg, BundleFacts, EventFact, checksum, is_hex
from provenance.evidence._report_text import CHECK_NAMES, LABELS, arg_label, enum_label, event_label
from provenance.evidence.verify import VerificationReport
from provenance.records.registry import TOTAL_SHARES, format_code

__all__ = [
    "CheckView",
    "EventView",
    "PartyView",
    "Row",
    "View",
    "build_view",
    "format_time",
    "format_value",
    "qr_payload",
]

_TIMES = frozenset({"noticeEndsAt", "certifiedAt", "startsAt", "expiresAt", "settleableAt", "anchoredAt"})
_DURATIONS = frozenset({"licenceDuration", "noticePeriod", "window"})
_BPS = frozenset({"revenueShareBps", "feeBps"})
_LISTING_TERMS = (
    "assetId",
    "contractHash",
    "price",
    "currency",
    "purposeHash",
    "licenceDuration",
    "revenueShareBps",
    "derivativesAllowed",
)


@dataclass(frozen=True, slots=True)
class Row:
    """A label and its value; ``mono`` for hashes, addresses and codes."""

    label: str
    value: str
    mono: bool = False


@dataclass(frozen=True, slots=True)
class EventView:
    """One event of the timeline: a heading line, the tx hash, and its rows."""

    number: int
    title: str
    name: str
    block: int
    time: str
    tx_hash: str
    rows: tuple[Row, ...]
    related: bool
    """The event concerns another asset than the subject (lineage)."""


@dataclass(frozen=True, slots=True)
class CheckView:
    """One verification check."""

    name: str
    label: str
    status: str
    status_text: str
    message: str
    field: str


@dataclass(frozen=True, slots=True)
class PartyView:
    address: str
    roles: str
    events: str


@dataclass(frozen=True, slots=True)
class View:
    """Everything a report prints, formatted in ``lang``."""

    lang: str
    labels: Mapping[str, str]
    title: str
    ok: bool
    verdict: str
    verdict_detail: str
    summary: tuple[Row, ...]
    certificate: tuple[Row, ...]
    other_certificates: tuple[tuple[Row, ...], ...]
    parties: tuple[PartyView, ...]
    events: tuple[EventView, ...]
    checks: tuple[CheckView, ...]
    bundle: tuple[Row, ...]
    records: tuple[tuple[Row, ...], ...]
    problems: tuple[str, ...]
    qr_payload: str
    qr_text: tuple[Row, ...]


def format_time(timestamp: int | None) -> str:
    """``YYYY-MM-DD HH:MM:SS UTC`` (the number itself when it is no date)."""
    if timestamp is None:
        return "?"
    try:
        return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(timestamp)


def _label(lang: str, name: str) -> str:
    """An argument's name as a row label (capitalized in English)."""
    text = arg_label(lang, name)
    return text[:1].upper() + text[1:] if lang == "en" else text


def _days(lang: str, seconds: int) -> str:
    days = seconds / 86400
    unit = LABELS[lang]["days"]
    return f"{seconds} s ({days:g} {unit})" if days == int(days) else f"{seconds} s ({days:.2f} {unit})"


def format_value(lang: str, event: str, arg: Arg) -> tuple[str, bool]:
    """(text, monospace) of one event argument."""
    t = LABELS[lang]
    value = arg.value
    named = enum_label(lang, event, arg.name, value)
    if named is not None:
        return named, False
    if isinstance(value, bool):
        return (t["yes"] if value else t["no"]), False
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit() and arg.type.startswith("uint")):
        number = int(value)
        if arg.name in _TIMES:
            return format_time(number), False
        if arg.name in _DURATIONS:
            return _days(lang, number), False
        if arg.name in _BPS:
            return f"{number / 100:.2f}% ({number} bps)", False
        if arg.name == "shares":
            return f"{number:,} / {TOTAL_SHARES:,} ({number * 100 / TOTAL_SHARES:g}%)", False
        return str(number), False
    if isinstance(value, str) and arg.type == "bytes10" and arg.name == "code" and len(value) == 22:
        try:
            return f"{format_code(bytes.fromhex(value[2:]))} ({value})", True
        except ValueError:
            return value, True
    if isinstance(value, str):
        if arg.type == "address" or (not arg.type and len(value) == 42 and is_hex(value)):
            return checksum(value), True
        return value, is_hex(value)
    if isinstance(value, list):
        if event == "Listed" and arg.name == "terms" and len(value) == len(_LISTING_TERMS):
            parts = [
                f"{arg_label(lang, name)}: {format_value(lang, event, Arg(name, '', v))[0]}"
                for name, v in zip(_LISTING_TERMS, value, strict=True)
            ]
        else:
            parts = [format_value(lang, event, Arg(arg.name, "", v))[0] for v in value]
        return "; ".join(parts), True
    return str(value), False


def _event_view(lang: str, facts: BundleFacts, e: EventFact) -> EventView:
    t = LABELS[lang]
    rows = [Row(t["event.sender"], e.sender, True)]
    for arg in e.args:
        text, mono = format_value(lang, e.event, arg)
        rows.append(Row(_label(lang, arg.name), text, mono))
    rows += [
        Row(t["event.block_hash"], e.block_hash, True),
        Row(t["event.contract"], f"{e.contract} {e.address}", True),
        Row(t["event.position"], f"{e.tx_index} / {e.log_index}"),
    ]
    asset = e.arg("assetId")
    related = facts.kind == "asset" and isinstance(asset, str) and asset != facts.subject
    return EventView(
        e.index + 1,
        event_label(lang, e.event),
        e.event,
        e.block_number,
        format_time(e.timestamp),
        e.tx_hash,
        tuple(rows),
        related,
    )


def _certificate_rows(lang: str, facts: BundleFacts, index: int) -> tuple[Row, ...]:
    t = LABELS[lang]
    c = facts.certificates[index]
    event = facts.events[c.event]
    state = t["certificate.revoked"] if c.revoked else t["certificate.valid"]
    if not c.revoked and facts.to_block is not None:
        state = t["certificate.valid.until"].format(block=facts.to_block)
    return (
        Row(t["certificate.number"], c.number, True),
        Row(t["certificate.code"], c.code, True),
        Row(t["certificate.asset"], c.asset_id, True),
        Row(t["certificate.time"], format_time(c.certified_at)),
        Row(t["certificate.registrar"], c.registrar, True),
        Row(t["certificate.state"], state),
        Row(t["event.block"], f"{event.block_number} (#{event.index + 1})"),
        Row(t["event.tx"], event.tx_hash, True),
    )


def _summary(lang: str, facts: BundleFacts) -> list[Row]:
    t = LABELS[lang]
    kind = t.get(f"kind.{facts.kind}", facts.kind)
    rows = [Row(t["query.kind"], f"{kind} ({facts.kind})"), Row(t["subject"], facts.subject, True)]
    if facts.certificate is not None:
        rows += [
            Row(t["certificate.number"], facts.certificate.number, True),
            Row(t["certificate.code"], facts.certificate.code, True),
        ]
    if facts.kind == "asset":
        applied = [e for e in facts.events_of("AssetApplied") if e.arg("assetId") == facts.subject]
        if applied:
            first = applied[-1]
            for name in ("applicant", "metadataURI", "metadataHash", "category", "level", "kind"):
                found = next((a for a in first.args if a.name == name), None)
                if found is not None:
                    text, mono = format_value(lang, first.event, found)
                    rows.append(Row(_label(lang, name), text, mono))
    if facts.kind == "trade" and is_hex(facts.subject) and len(facts.subject) > 2:
        rows.append(Row(t["trade"], str(int(facts.subject, 16))))
    if facts.kind == "trade":
        for opened in facts.events_of("TradeOpened")[:1]:
            for found in opened.args:
                if found.name in ("listingId", "buyer", "seller", "currency", "price", "amount", "origin"):
                    text, mono = format_value(lang, opened.event, found)
                    rows.append(Row(_label(lang, found.name), text, mono))
    if facts.lineage and facts.lineage != "none":
        rows.append(Row(t["lineage"], facts.lineage))
    if facts.events:
        span = f"{facts.events[0].block_number} – {facts.events[-1].block_number}"
        rows.append(Row(t["events"], f"{len(facts.events)} ({t['event.block']} {span})"))
    return rows


def _bundle_rows(lang: str, facts: BundleFacts, bundle_hash: str) -> list[Row]:
    t = LABELS[lang]
    rows = [
        Row(t["bundle.hash"], bundle_hash, True),
        Row(t["bundle.chain"], str(facts.chain_id)),
        Row(t["bundle.genesis"], facts.genesis_hash, True),
    ]
    if facts.checkpoint is not None:
        rows.append(Row(t["bundle.checkpoint"], f"{facts.checkpoint[0]} {facts.checkpoint[1]}", True))
    rows += [
        Row(t["source"], facts.source),
        Row(t["to_block"], str(facts.to_block)),
        Row(t["bundle.exporter"], facts.exporter, True),
        Row(t["bundle.created"], format_time(facts.created_at)),
        Row(t["bundle.tool"], facts.tool),
    ]
    rows += [Row(t["bundle.contracts"], f"{name} {address}", True) for name, address in facts.contracts]
    return rows


def _checks(lang: str, verification: VerificationReport) -> tuple[CheckView, ...]:
    t = LABELS[lang]
    return tuple(
        CheckView(
            c.name,
            CHECK_NAMES[lang].get(c.name, c.name),
            c.status,
            t.get(f"status.{c.status}", c.status),
            c.message,
            c.field,
        )
        for c in verification.checks
    )


def _parties(lang: str, facts: BundleFacts) -> tuple[PartyView, ...]:
    sep = "、" if lang == "zh" else ", "
    return tuple(
        PartyView(p.address, sep.join(arg_label(lang, r) for r in p.roles), " ".join(f"#{k + 1}" for k in p.events))
        for p in facts.parties
    )


def qr_payload(code: str | None, bundle_hash: str) -> str:
    """What the QR code carries: ``provenance:cert=CODE;bundle=HASH`` (no ``cert=`` without one)."""
    return (f"provenance:cert={code};" if code else "provenance:") + f"bundle={bundle_hash}"


def build_view(lang: str, facts: BundleFacts, verification: VerificationReport, bundle_hash: str) -> View:
    """The report of one bundle in ``lang`` (``zh`` or ``en``)."""
    t = LABELS[lang]
    failure = verification.failure
    detail = ""
    if failure is not None:
        where = f" [{failure.field}]" if failure.field else ""
        label = CHECK_NAMES[lang].get(failure.name, failure.name)
        detail = f"{t['failed.detail']}: {label} ({failure.name}){where}: {failure.message}"
    primary = facts.certificate
    others = tuple(_certificate_rows(lang, facts, k) for k, c in enumerate(facts.certificates) if c is not primary)
    records = tuple(
        (
            Row(t["record.hash"], r.record_hash, True),
            Row(t["record.content"], r.content, True),
            Row(t["record.event"], "—" if r.event is None else f"#{r.event + 1}"),
        )
        for r in facts.records
    )
    code = primary.code if primary is not None else None
    qr_text = ([Row(t["certificate.code"], code, True)] if code else []) + [Row(t["bundle.hash"], bundle_hash, True)]
    return View(
        lang=lang,
        labels=t,
        title=t.get(f"title.{facts.kind}", t["title.asset"]),
        ok=verification.ok,
        verdict=t["verified"] if verification.ok else t["failed"],
        verdict_detail=detail,
        summary=tuple(_summary(lang, facts)),
        certificate=() if primary is None else _certificate_rows(lang, facts, facts.certificates.index(primary)),
        other_certificates=others,
        parties=_parties(lang, facts),
        events=tuple(_event_view(lang, facts, e) for e in facts.events),
        checks=_checks(lang, verification),
        bundle=tuple(_bundle_rows(lang, facts, bundle_hash)),
        records=records,
        problems=facts.problems,
        qr_payload=qr_payload(code, bundle_hash),
        qr_text=tuple(qr_text),
    )
