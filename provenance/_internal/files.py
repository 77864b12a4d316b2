"""Atomic file writes: the new content appears whole under its name, or not at all.

Both functions write to a temporary file in the target's directory (same file system, so
the rename is atomic), flush and ``fsync`` it, ``os.replace`` it over the target and
``fsync`` the directory so the rename itself survives a crash. On any failure the temporary
file is removed and the old file, if any, is left as it was. Errors are :class:`OSError`;
callers say what they were writing.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_writer"]


def atomic_write(path: PurePath | str, data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically; a new file gets ``mode`` (less the umask)."""
    with atomic_writer(path, mode=mode) as out:
        out.write(data)


@contextmanager
def atomic_writer(path: PurePath | str, *, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary file to stream into; it replaces ``path`` when the block ends without error."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):  # Windows: a directory cannot be opened for fsync
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
