"""Hashing: SHA-256 of data files (streamed, with progress), and hashes given as hex or as text."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from provenance._internal.hexbytes import parse_bytes32
from provenance.errors import InputError

__all__ = ["file_sha256", "hash_or_text"]


def hash_or_text(value: str, what: str) -> bytes:
    """A 32-byte hash given as ``0x`` + 64 hex digits, or the SHA-256 of a text's UTF-8 bytes.

    The rule of every hash option of the CLI (a purpose, licence terms, a ruling...): a value
    that starts with ``0x`` must be a whole 32-byte hash (a mistyped hash is an error, never
    hashed as text); anything else is a text and its SHA-256 is the hash. An empty text, or one
    that is not valid UTF-8, is an :class:`~provenance.errors.InputError` naming ``what``.
    """
    if not isinstance(value, str):
        raise InputError(f"{what} must be a text or a 0x hash, got {type(value).__name__}")
    if value.startswith("0x"):
        return parse_bytes32(value, what=what)
    if not value:
        raise InputError(f"{what} is empty: give a text or a 0x + 64 hex digits hash")
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{what} is not valid UTF-8 text") from None
    return hashlib.sha256(data).digest()


def file_sha256(path: Path | str, progress: Callable[[int], None] | None = None, chunk: int = 1 << 20) -> bytes:
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
