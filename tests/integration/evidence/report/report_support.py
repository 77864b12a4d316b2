"""Helpers for the report tests: PDF text, QR codes read back from the PDF and the HTML, tampering."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import orjson
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from provenance.evidence.bundle import canonical_json

__all__ = ["decode_png", "pdf_text", "qr_from_pdf", "qr_from_svg", "tampered"]


def pdf_text(data: bytes) -> str:
    """The text of every page (pypdf), whitespace runs folded to one space."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def decode_png(image: Image.Image) -> list[str]:
    """The QR codes zxing-cpp finds in an image."""
    return [found.text for found in zxingcpp.read_barcodes(image) if found.format == zxingcpp.BarcodeFormat.QRCode]


def qr_from_pdf(data: bytes) -> list[str]:
    """Every QR code in the images of the PDF's first page."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    found = []
    for image in page.images:
        assert image.image is not None
        found += decode_png(image.image)
    return found


def qr_from_svg(html: str, scale: int = 6) -> list[str]:
    """Rasterize the report's inline SVG QR code (its ``Mx yh1v1h-1z`` squares) and read it."""
    svg = re.search(r"<svg[^>]*viewBox=\"0 0 (\d+) \1\"[^>]*>.*?</svg>", html, re.DOTALL)
    assert svg is not None, "no QR code SVG in the HTML"
    n = int(svg.group(1))
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg.group(0))
    assert path is not None
    image = Image.new("L", (n * scale, n * scale), 255)
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", path.group(1)):
        image.paste(0, (int(x) * scale, int(y) * scale, (int(x) + 1) * scale, (int(y) + 1) * scale))
    return decode_png(image)


def tampered(source: Path, target: Path, change: Any) -> Path:
    """A copy of the bundle with ``change(doc)`` applied, written as canonical JSON."""
    doc = orjson.loads(source.read_bytes())
    change(doc)
    target.write_bytes(canonical_json(doc))
    return target
