from __future__ import annotations

import hashlib
from typing import Any

from provenance.records.registry import Registration


def h(text: str | bytes) -> bytes:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).digest()


def reg(name: str, **kw: Any) -> Registration:
    return Registration(
        content_hash=h("data:" + name),
        metadata_hash=h("meta:" + name),
        metadata_uri=f"https://example.org/{name}.json",
        **kw,
    )
