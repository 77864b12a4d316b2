"""Content hashing of data files: SHA-256, streamed, with progress."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from provenance.errors import InputError

__all__ = ["file_sha256"]


def file_sha256(path: Path, progress: Callable[[int], None] | None = None, chunk: int = 1 << 20) -> bytes:
    """SHA-256 of a file, read in chunks; ``progress`` receives the bytes read so far."""
    digest = hashlib.sha256()
    done = 0
    try:
        with open(path, "rb") as fh:
            while block := fh.read(chunk):
                digest.update(block)
                done += len(block)
                if progress:
                    progress(done)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a data file") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    return digest.digest()
