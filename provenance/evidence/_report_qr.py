"""The report's QR code: its module matrix, as an inline SVG (HTML) and a PNG (PDF).

Error correction level M, a quiet zone of 4 modules; the payload is ASCII
(:func:`provenance.evidence._report_view.qr_payload`), so any QR reader returns it as is.
"""

from __future__ import annotations

import io

__all__ = ["qr_matrix", "qr_png", "qr_svg"]


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules of ``payload``, quiet zone included (True = dark)."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload.encode("ascii"), optimize=0)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_svg(payload: str, size_px: int = 180) -> str:
    """An inline ``<svg>`` of the code: one path, one ``M x y h1v1h-1z`` square per dark module."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    squares = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" width="{size_px}" height="{size_px}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{squares}"/></svg>'
    )


def qr_png(payload: str, scale: int = 8) -> bytes:
    """A 1-bit PNG of the code, ``scale`` pixels per module."""
    from PIL import Image

    matrix = qr_matrix(payload)
    n = len(matrix)
    image = Image.new("1", (n, n), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    out = io.BytesIO()
    image.resize((n * scale, n * scale), Image.Resampling.NEAREST).save(out, format="PNG", optimize=True)
    return out.getvalue()
