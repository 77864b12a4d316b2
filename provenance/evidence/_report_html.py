"""The HTML report: one self-contained file (inline CSS, the QR code as inline SVG, no script).

Every value from the bundle goes through :func:`html.escape`; nothing is fetched when the
file is opened. Printing it gives the same sections as the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape as _html_escape

from provenance.evidence._report_qr import qr_svg
from provenance.evidence._report_view import EventView, Row, View

__all__ = ["render_html"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def escape(text: str) -> str:
    """HTML-escaped text, quotes included; control characters (invalid in HTML) as U+FFFD."""
    return _html_escape(_CONTROL.sub("\ufffd", text), quote=True)


_CSS = """
:root{--ink:#1d2329;--mute:#5b6770;--line:#d6dde3;--ok:#17693a;--okbg:#e3f4e9;--bad:#a11d1d;--badbg:#fbe6e6}
*{box-sizing:border-box}
body{margin:0;background:#f4f6f8;color:var(--ink);
 font:14px/1.55 "Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Helvetica Neue",Arial,sans-serif}
main{max-width:960px;margin:24px auto;background:#fff;padding:32px 40px;border:1px solid var(--line)}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--ink)}
h3{font-size:14px;margin:0 0 4px}
.sub{color:var(--mute);margin:0 0 16px}
.mono,code{font-family:"SFMono-Regular",Consolas,"Liberation Mono",Menlo,monospace;font-size:12.5px;
 overflow-wrap:anywhere}
.verdict{padding:12px 16px;border-radius:4px;font-weight:700;font-size:16px;margin:16px 0}
.verdict.ok{background:var(--okbg);color:var(--ok);border:1px solid var(--ok)}
.verdict.bad{background:var(--badbg);color:var(--bad);border:2px solid var(--bad)}
.verdict .detail{display:block;font-weight:400;font-size:13px;margin-top:4px}
.head{display:flex;gap:24px;align-items:flex-start;justify-content:space-between}
.qr-box{text-align:center;font-size:11px;color:var(--mute);max-width:220px}
.qr-box dl{margin:4px 0 0;text-align:left}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}
th{color:var(--mute);font-weight:600;white-space:nowrap}
table.kv th{width:26%}
td.addr{white-space:nowrap}
.event{border:1px solid var(--line);border-left:4px solid var(--ink);padding:10px 14px;margin:10px 0;
 break-inside:avoid}
.event.related{border-left-color:var(--mute)}
.event .meta{color:var(--mute);font-size:13px}
.event .name{color:var(--mute);font-weight:400;font-size:12px;margin-left:6px}
.event table{font-size:12.5px;margin-top:6px}
.status-passed{color:var(--ok);font-weight:700}
.status-failed{color:var(--bad);font-weight:700}
.status-skipped{color:var(--mute)}
tr.failed td{background:var(--badbg)}
.warn{color:var(--bad);font-weight:700}
footer{margin-top:28px;color:var(--mute);font-size:12px}
@media print{body{background:#fff}main{border:0;margin:0;padding:0;max-width:none}}
"""


def _kv(rows: Sequence[Row], css: str = "kv") -> str:
    body = "".join(
        f'<tr><th scope="row">{escape(r.label)}</th><td{" class=mono" if r.mono else ""}>{escape(r.value)}</td></tr>'
        for r in rows
    )
    return f'<table class="{css}">{body}</table>'


def _event(view: View, e: EventView) -> str:
    t = view.labels
    related = f' <span class="name">({escape(t["event.related"])})</span>' if e.related else ""
    return (
        f'<section class="event{" related" if e.related else ""}" id="event-{e.number}">'
        f'<h3>#{e.number} {escape(e.title)}<span class="name">{escape(e.name)}</span>{related}</h3>'
        f'<div class="meta">{escape(t["event.block"])} <b>{e.block}</b> · {escape(t["event.time"])} '
        f"{escape(e.time)}</div>"
        f'<div class="meta">{escape(t["event.tx"])} <span class="mono">{escape(e.tx_hash)}</span></div>'
        f"{_kv(e.rows, 'kv args')}</section>"
    )


def _checks(view: View) -> str:
    t = view.labels
    head = "".join(f"<th>{escape(t[k])}</th>" for k in ("check.name", "check.status", "check.message", "check.field"))
    rows = "".join(
        f'<tr class="{escape(c.status)}"><td>{escape(c.label)}<br><code>{escape(c.name)}</code></td>'
        f'<td class="status-{escape(c.status)}">{escape(c.status_text)}</td><td>{escape(c.message)}</td>'
        f'<td class="mono">{escape(c.field)}</td></tr>'
        for c in view.checks
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def render_html(view: View) -> str:
    """The whole report as one HTML document."""
    t = view.labels
    parts = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if view.lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{escape(view.title)}</title><style>{_CSS}</style></head><body><main>",
        '<div class="head"><div>',
        f"<h1>{escape(view.title)}</h1><p class=sub>{escape(t['subtitle'])}</p>",
        f'<div class="verdict {"ok" if view.ok else "bad"}" id="verdict">{escape(view.verdict)}',
        f'<span class="detail">{escape(view.verdict_detail)}</span>' if view.verdict_detail else "",
        "</div></div>",
        (
            f'<figure class="qr-box">{qr_svg(view.qr_payload)}<figcaption>{escape(t["qr.caption"])}'
            f"{_kv(view.qr_text, 'kv')}</figcaption></figure></div>"
        ),
        f"<h2>{escape(t['section.summary'])}</h2>{_kv(view.summary)}",
        f"<h2>{escape(t['section.certificate'])}</h2>",
        _kv(view.certificate) if view.certificate else f"<p>{escape(t['certificate.none'])}</p>",
    ]
    if view.other_certificates:
        parts.append(f"<h3>{escape(t['certificate.others'])}</h3>")
        parts += [_kv(rows) for rows in view.other_certificates]
    parties = "".join(
        f'<tr><td class="mono addr">{escape(p.address)}</td><td>{escape(p.roles)}</td><td>{escape(p.events)}</td></tr>'
        for p in view.parties
    )
    parts.append(
        f"<h2>{escape(t['section.parties'])}</h2><table><thead><tr><th>{escape(t['party.address'])}</th>"
        f"<th>{escape(t['party.roles'])}</th><th>{escape(t['party.events'])}</th></tr></thead>"
        f"<tbody>{parties}</tbody></table>"
    )
    unverified = "" if view.ok else f' <span class="warn">{escape(t["not.verified.facts"])}</span>'
    parts.append(f"<h2>{escape(t['section.timeline'])}{unverified}</h2>")
    parts += [_event(view, e) for e in view.events]
    if view.records:
        parts.append(f"<h2>{escape(t['section.records'])}</h2>")
        parts += [_kv(rows) for rows in view.records]
    parts.append(f"<h2 id=verification>{escape(t['section.verification'])}</h2>")
    parts.append(
        f'<div class="verdict {"ok" if view.ok else "bad"}">{escape(view.verdict)}'
        + (f'<span class="detail">{escape(view.verdict_detail)}</span>' if view.verdict_detail else "")
        + "</div>"
        + _checks(view)
    )
    if view.problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in view.problems)
        parts.append(f"<h2>{escape(t['section.problems'])}</h2><ul class=warn>{items}</ul>")
    parts.append(f"<h2>{escape(t['section.bundle'])}</h2>{_kv(view.bundle)}")
    parts.append(f"<footer>{escape(t['how'])}</footer></main></body></html>\n")
    return "".join(parts)
