"""Fonts of the PDF report: an embedded subset of Noto Sans SC, and a CID fallback.

``fonts/ProvenanceSansSC-{Regular,Bold}.ttf`` are subsets of Noto Sans SC 2.004 (SIL Open
Font License 1.1, ``fonts/OFL.txt``), renamed as the licence asks of modified fonts. They hold
ASCII, Latin-1, common punctuation and every character of the report's fixed text
(:func:`provenance.evidence._report_text.all_text`), so the labels of both languages are
embedded (reportlab subsets them again per PDF, with a ToUnicode map: the text extracts).
Characters outside the subset (free text inside events, e.g. a Chinese revocation reason) are
set in Adobe's ``STSong-Light`` CID font, which PDF readers supply (it is not embedded).

Rebuild the subsets after changing the report's text (needs ``fonttools``; the test
``test_font_covers_every_label`` says when)::

    python -m provenance.evidence._report_fonts NotoSansSC-Regular.ttf NotoSansSC-Bold.ttf

(the static TrueType files of Noto Sans SC, e.g. from the npm package
``@expo-google-fonts/noto-sans-sc@0.4.3``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

__all__ = ["BOLD", "FALLBACK", "FONT_DIR", "REGULAR", "SUBSET_TEXT", "build_subset", "covered", "register", "runs"]

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR = "ProvenanceSansSC"
BOLD = "ProvenanceSansSC-Bold"
FALLBACK = "STSong-Light"
_FILES = {REGULAR: "ProvenanceSansSC-Regular.ttf", BOLD: "ProvenanceSansSC-Bold.ttf"}
_FAMILY = "Provenance Sans SC"
_EXTRA = "–—‘’“”…•·×→、，。：；（）《》【】！？「」％／＃"


def _subset_text() -> str:
    from provenance.evidence._report_text import all_text

    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)} | set(_EXTRA)
    for text in all_text():
        chars.update(text)
    return "".join(sorted(chars))


SUBSET_TEXT = _subset_text()


@cache
def register() -> tuple[str, str]:
    """Register the fonts with reportlab once; (regular, bold) font names."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD


@cache
def _cmap(name: str) -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    register()
    face = pdfmetrics.getFont(name).face  # type: ignore[attr-defined]
    return frozenset(int(c) for c in face.charToGlyph)


def covered(text: str, name: str = REGULAR) -> bool:
    """True when every character of ``text`` (but line breaks) has a glyph in the subset."""
    glyphs = _cmap(name)
    return all(ord(c) in glyphs for c in text if c not in "\n\r\t")


def runs(text: str, name: str = REGULAR) -> list[tuple[bool, str]]:
    """``text`` cut into (in the subset?, piece) runs, for setting the others in the fallback."""
    glyphs = _cmap(name)
    out: list[tuple[bool, str]] = []
    for char in text:
        inside = ord(char) in glyphs or char in "\n\r\t"
        if out and out[-1][0] == inside:
            out[-1] = (inside, out[-1][1] + char)
        else:
            out.append((inside, char))
    return out


def build_subset(source: Path, target: Path, text: str = SUBSET_TEXT, style: str = "Regular") -> int:
    """Subset the TrueType font ``source`` to ``text``, renamed; returns the file's size."""
    from fontTools import subset  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped, import-not-found, unused-ignore]

    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 13, 14]  # copyright and the licence; the names are set below
    options.notdef_outline = True
    font = TTFont(str(source), recalcTimestamp=False)
    version = font["name"].getDebugName(5) or "?"
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    table = font["name"]
    full = f"{_FAMILY} {style}"
    postscript = f"{_FAMILY.replace(' ', '')}-{style}"
    for ident, value in (
        (1, _FAMILY),
        (2, style),
        (3, f"{postscript};subset"),
        (4, full),
        (5, version),
        (6, postscript),
        (
            10,
            (
                f"Subset of Noto Sans SC ({version}) for provenance evidence "
                "reports, made by provenance.evidence._report_fonts"
            ),
        ),
    ):
        table.setName(value, ident, 3, 1, 0x409)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    return target.stat().st_size


def _main(args: Iterable[str]) -> None:  # pragma: no cover - a maintenance command
    regular, bold = (Path(a) for a in args)
    for source, style, name in ((regular, "Regular", REGULAR), (bold, "Bold", BOLD)):
        size = build_subset(source, FONT_DIR / _FILES[name], style=style)
        print(f"{_FILES[name]}: {len(SUBSET_TEXT)} characters, {size} bytes")


if __name__ == "__main__":  # pragma: no cover
    _main(sys.argv[1:])
