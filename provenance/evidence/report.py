"""Human-readable evidence reports: the timeline of an asset or trade, verified, as HTML or PDF.

:func:`build_report` reads a bundle (format :mod:`provenance.evidence.bundle`), verifies it
offline with :func:`provenance.evidence.verify.verify_bundle`, and reads the facts it
states: the subject, the certificate (number ``PREFIX-YEAR-SERIAL`` and verification code
``XXXX-XXXX-XXXX-XXXX``), the parties, and every event with its block, time and transaction
hash. :meth:`Report.html` and :meth:`Report.pdf` render it in Chinese (``zh``) or English
(``en``); :func:`write_report` picks the format from the file's extension.

A report always shows the verification result, check by check. A bundle that fails a check
still gets a report: it says so at the top and at the end, names the failed check and field,
and marks the timeline as not verified. Only input that is no bundle at all (unreadable, not
JSON, not a bundle) raises :class:`~provenance.errors.InputError`.

The QR code carries ``provenance:cert=CODE;bundle=HASH`` (:attr:`Report.qr_payload`; without
``cert=`` when the bundle holds no certificate of its subject): the verification code and the
bundle hash (keccak of the canonical bundle, :func:`provenance.evidence.bundle.bundle_hash`),
so a reader can fetch the bundle and check that it is the one the report was made from.
Nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from provenance._internal.files import atomic_write
from provenance.errors import InputError
from provenance.evidence._report_facts import BundleFacts, read_facts
from provenance.evidence._report_text import LANGUAGES
from provenance.evidence._report_view import View, build_view, qr_payload
from provenance.evidence.bundle import FORMAT, bundle_hash, load_bundle
from provenance.evidence.verify import VerificationReport, verify_bundle

__all__ = ["FORMATS", "LANGUAGES", "Report", "build_report", "report_format", "write_report"]

FORMATS: Mapping[str, str] = {".html": "html", ".htm": "html", ".pdf": "pdf"}


@dataclass(frozen=True, slots=True)
class Report:
    """A verified (or not) bundle's facts, ready to render."""

    facts: BundleFacts
    verification: VerificationReport
    bundle_hash: str

    @property
    def ok(self) -> bool:
        """True when no verification check failed."""
        return self.verification.ok

    @property
    def qr_payload(self) -> str:
        """The QR code's text: the certificate's verification code and the bundle hash."""
        certificate = self.facts.certificate
        return qr_payload(certificate.code if certificate is not None else None, self.bundle_hash)

    def view(self, lang: str) -> View:
        """What the report prints, formatted in ``lang``."""
        return build_view(_language(lang), self.facts, self.verification, self.bundle_hash)

    def html(self, lang: str) -> str:
        """The report as one self-contained HTML document."""
        from provenance.evidence._report_html import render_html

        return render_html(self.view(lang))

    def pdf(self, lang: str) -> bytes:
        """The report as a PDF (A4, CJK font embedded)."""
        from provenance.evidence._report_pdf import render_pdf

        return render_pdf(self.view(lang))

    def render(self, fmt: str, lang: str) -> bytes:
        """``html`` (UTF-8) or ``pdf`` bytes."""
        if fmt == "html":
            return self.html(lang).encode("utf-8")
        if fmt == "pdf":
            return self.pdf(lang)
        raise InputError(f"unknown report format {fmt!r}: use html or pdf")


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InputError(f"unknown report language {lang!r}: use {' or '.join(LANGUAGES)}")
    return lang


def report_format(path: PurePath | str) -> str:
    """``html`` or ``pdf`` from the file name's extension; InputError for any other."""
    suffix = PurePath(path).suffix.lower()
    found = FORMATS.get(suffix)
    if found is None:
        raise InputError(f"unsupported report file {str(path)!r}: the name must end in .html or .pdf")
    return found


def _is_bundle(doc: Any) -> bool:
    return isinstance(doc, dict) and (doc.get("format") == FORMAT or {"timeline", "headers", "events"} <= set(doc))


def build_report(
    source: PurePath | str | bytes | Mapping[str, Any],
    *,
    trust_checkpoint: str | None = None,
    exporter: str | None = None,
) -> Report:
    """Read, verify (offline) and summarize a bundle: a path, its bytes, or the parsed JSON.

    ``trust_checkpoint`` and ``exporter`` pin the checkpoint hash and the exporter's address
    as ``provenance verify`` does. Raises InputError when ``source`` cannot be read or is not
    an evidence bundle; a bundle that fails verification gives a report that says so.
    """
    # (1) read: unreadable, not JSON, or not a bundle is bad input, not a failed check
    if isinstance(source, Mapping):
        doc: Any = source
        target: bytes | Mapping[str, Any] = source
    else:
        doc, raw = load_bundle(source)
        target = raw
    if not _is_bundle(doc):
        name = "the input" if isinstance(source, (bytes, Mapping)) else str(source)
        raise InputError(f"{name} is not an evidence bundle (format {FORMAT})")
    # (2) verify offline, every check
    verification = verify_bundle(target, trust_checkpoint=trust_checkpoint, exporter=exporter)
    digest = verification.bundle_hash
    if digest is None:
        try:
            digest = bundle_hash(doc)
        except (InputError, TypeError, ValueError):
            digest = "?"
    # (3) the facts the bundle states (read defensively: it may be tampered)
    return Report(read_facts(doc), verification, digest)


def write_report(
    source: PurePath | str | bytes | Mapping[str, Any],
    output: PurePath | str,
    *,
    lang: str,
    trust_checkpoint: str | None = None,
    exporter: str | None = None,
) -> Report:
    """Verify ``source`` and write its report to ``output`` (``.html`` or ``.pdf``) in ``lang``."""
    fmt = report_format(output)
    _language(lang)
    report = build_report(source, trust_checkpoint=trust_checkpoint, exporter=exporter)
    data = report.render(fmt, lang)
    target = Path(output)
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise InputError(f"cannot write the report to {target}: {exc.strerror}") from None
    return report
