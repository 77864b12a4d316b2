"""The PDF report (reportlab): A4, embedded CJK font subset, QR code as an image.

The same sections as the HTML report, from the same :class:`~provenance.evidence._report_view.View`.
Text is real text (extractable, searchable): labels in the embedded subset
(:mod:`provenance.evidence._report_fonts`), hashes and addresses in Courier, other characters in
the ``STSong-Light`` fallback. The PDF is deterministic: the same bundle gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from provenance.evidence._report_fonts import FALLBACK, covered, register
from provenance.evidence._report_qr import qr_png
from provenance.evidence._report_view import EventView, Row, View

__all__ = ["render_pdf"]

_MONO = "Courier"
_INK = "#1d2329"
_MUTE = "#5b6770"
_LINE = "#d6dde3"
_OK, _OK_BG = "#17693a", "#e3f4e9"
_BAD, _BAD_BG = "#a11d1d", "#fbe6e6"
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LONGEST = 1500  # characters of one value in the PDF: a table row must fit on a page


def _markup(text: str, base: str) -> str:
    """Paragraph markup of plain ``text``: escaped; characters the font lacks set in another."""
    regular, _bold = register()
    out: list[str] = []
    current = base
    piece: list[str] = []

    def font_of(char: str) -> str:
        if base == _MONO:
            if " " <= char <= "~" or "\xa0" <= char <= "\xff":
                return _MONO
            return regular if covered(char) else FALLBACK
        return base if covered(char, base) else FALLBACK

    def flush() -> None:
        if piece:
            body = escape("".join(piece)).replace("\n", "<br/>")
            out.append(body if current == base else f'<font name="{current}">{body}</font>')
            piece.clear()

    for char in text:
        font = font_of(char)
        if font != current:
            flush()
            current = font
        piece.append(char)
    flush()
    return "".join(out)


class _Styles:
    """Paragraph styles of one report (language-dependent wrapping)."""

    def __init__(self, lang: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        regular, bold = register()
        wrap = "CJK" if lang == "zh" else None
        base = ParagraphStyle(
            "body", fontName=regular, fontSize=9, leading=12.5, textColor=colors.HexColor(_INK), wordWrap=wrap
        )
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=10.5)
        self.mute = ParagraphStyle("mute", parent=base, fontSize=8, leading=10.5, textColor=colors.HexColor(_MUTE))
        self.label = ParagraphStyle("label", parent=self.mute, fontName=bold)
        self.mono = ParagraphStyle("mono", parent=base, fontName=_MONO, fontSize=7.5, leading=10, wordWrap="CJK")
        self.title = ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=24)
        self.h2 = ParagraphStyle(
            "h2", parent=base, fontName=bold, fontSize=12.5, leading=16, spaceBefore=12, spaceAfter=4, keepWithNext=1
        )
        self.h3 = ParagraphStyle("h3", parent=base, fontName=bold, fontSize=10, leading=13, keepWithNext=1)
        self.verdict_ok = ParagraphStyle(
            "vok", parent=base, fontName=bold, fontSize=11, leading=15, textColor=colors.HexColor(_OK)
        )
        self.verdict_bad = ParagraphStyle(
            "vbad", parent=base, fontName=bold, fontSize=11, leading=15, textColor=colors.HexColor(_BAD)
        )
        self.detail_bad = ParagraphStyle(
            "dbad", parent=base, fontSize=8.5, leading=11.5, textColor=colors.HexColor(_BAD)
        )


def _p(text: str, style: Any, mono: bool = False) -> Any:
    """A paragraph of plain text; very long values are cut (the bundle and the HTML have them whole)."""
    from reportlab.platypus import Paragraph

    if len(text) > _LONGEST:
        text = f"{text[:_LONGEST]} … (+{len(text) - _LONGEST})"
    text = _UNPRINTABLE.sub("\ufffd", text)
    return Paragraph(_markup(text, _MONO if mono else style.fontName), style)


def _kv(rows: Sequence[Row], s: _Styles, width: float, label_width: float = 110) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [[_p(r.label, s.label), _p(r.value, s.mono if r.mono else s.small, r.mono)] for r in rows]
    table = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(_LINE)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _verdict(view: View, s: _Styles, width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    cell = [_p(view.verdict, s.verdict_ok if view.ok else s.verdict_bad)]
    if view.verdict_detail:
        cell.append(_p(view.verdict_detail, s.detail_bad))
    box = Table([[cell]], colWidths=[width], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(_OK_BG if view.ok else _BAD_BG)),
                ("BOX", (0, 0), (-1, -1), 0.8 if view.ok else 1.6, colors.HexColor(_OK if view.ok else _BAD)),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return box


def _header(view: View, s: _Styles, width: float) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Spacer, Table, TableStyle

    qr_side = 36 * mm
    left_width = width - qr_side - 10
    left = [_p(view.title, s.title), _p(view.labels["subtitle"], s.mute), Spacer(1, 8), _verdict(view, s, left_width)]
    right: list[Any] = [
        Image(io.BytesIO(qr_png(view.qr_payload)), width=qr_side, height=qr_side),
        _p(view.labels["qr.caption"], s.mute),
    ]
    right += [_p(r.value, s.mono, True) for r in view.qr_text[:1] if len(view.qr_text) > 1]
    table = Table([[left, right]], colWidths=[left_width + 10, qr_side], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _event(view: View, e: EventView, s: _Styles, width: float) -> Any:
    """One event as a boxed table, a row per line: kept on one page when it fits, else split."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = view.labels
    heading = f"#{e.number} {e.title}  {e.name}" + (f"  ({t['event.related']})" if e.related else "")
    meta = f"{t['event.block']} {e.block} · {t['event.time']} {e.time}"
    label_width = 104.0
    data: list[list[Any]] = [
        [_p(heading, s.h3), ""],
        [_p(meta, s.small), ""],
        [_p(f"{t['event.tx']} {e.tx_hash}", s.mono, True), ""],
    ]
    data += [[_p(r.label, s.label), _p(r.value, s.mono if r.mono else s.small, r.mono)] for r in e.rows]
    card = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    card.setStyle(
        TableStyle(
            [
                *(("SPAN", (0, k), (1, k)) for k in range(3)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(_MUTE if e.related else _INK)),
                ("BOX", (0, 0), (-1, -1), 0.4, colors.HexColor(_LINE)),
                ("LINEBELOW", (0, 3), (-1, -2), 0.4, colors.HexColor(_LINE)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, 0), 5),
                ("BOTTOMPADDING", (0, 2), (-1, 2), 4),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return card


def _checks(view: View, s: _Styles, width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = view.labels
    head = [_p(t[k], s.label) for k in ("check.name", "check.status", "check.message", "check.field")]
    data = [head]
    marks = []
    for k, c in enumerate(view.checks, start=1):
        color = {"passed": _OK, "failed": _BAD}.get(c.status, _MUTE)
        status = f'<font color="{color}">{_markup(c.status_text, s.label.fontName)}</font>'
        from reportlab.platypus import Paragraph

        data.append(
            [
                [_p(c.label, s.small), _p(c.name, s.mono, True)],
                Paragraph(status, s.label),
                _p(c.message, s.small),
                _p(c.field, s.mono, True),
            ]
        )
        if c.status == "failed":
            marks.append(("BACKGROUND", (0, k), (-1, k), colors.HexColor(_BAD_BG)))
    widths = [118.0, 50.0, width - 118 - 50 - 95, 95.0]
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(_LINE)),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(_INK)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                *marks,
            ]
        )
    )
    return table


def _parties(view: View, s: _Styles, width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = view.labels
    data = [[_p(t[k], s.label) for k in ("party.address", "party.roles", "party.events")]]
    data += [[_p(p.address, s.mono, True), _p(p.roles, s.small), _p(p.events, s.small)] for p in view.parties]
    table = Table(data, colWidths=[200, width - 200 - 90, 90], hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(_LINE)),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(_INK)),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def render_pdf(view: View) -> bytes:
    """The whole report as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

    regular, _bold = register()
    s = _Styles(view.lang)
    t = view.labels
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=view.title,
        author="provenance",
        subject=view.qr_payload,
        creator="provenance report",
        invariant=1,
    )
    width = A4[0] - 32 * mm
    story: list[Any] = [_header(view, s, width), Spacer(1, 4)]
    story += [_p(t["section.summary"], s.h2), _kv(view.summary, s, width)]
    story.append(_p(t["section.certificate"], s.h2))
    story.append(_kv(view.certificate, s, width) if view.certificate else _p(t["certificate.none"], s.body))
    if view.other_certificates:
        story.append(_p(t["certificate.others"], s.h3))
        story += [_kv(rows, s, width) for rows in view.other_certificates]
    story += [_p(t["section.parties"], s.h2), _parties(view, s, width)]
    heading = _p(t["section.timeline"] + ("" if view.ok else " " + t["not.verified.facts"]), s.h2)
    for k, e in enumerate(view.events):  # each event on one page when it fits; the heading with the first
        story += [
            KeepTogether([heading, _event(view, e, s, width)] if k == 0 else [_event(view, e, s, width)]),
            Spacer(1, 5),
        ]
    if not view.events:
        story.append(heading)
    if view.records:
        story.append(_p(t["section.records"], s.h2))
        story += [_kv(rows, s, width) for rows in view.records]
    story += [_p(t["section.verification"], s.h2), _verdict(view, s, width), Spacer(1, 6), _checks(view, s, width)]
    if view.problems:
        story.append(_p(t["section.problems"], s.h2))
        story += [_p(problem, s.detail_bad) for problem in view.problems]
    story += [_p(t["section.bundle"], s.h2), _kv(view.bundle, s, width), Spacer(1, 10), _p(t["how"], s.mute)]

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColorRGB(0.36, 0.4, 0.44)
        canvas.drawString(16 * mm, 9 * mm, f"{view.title} · {view.verdict.split('：')[0].split(':')[0]}")
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, t["page"].format(page=canvas.getPageNumber()))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
