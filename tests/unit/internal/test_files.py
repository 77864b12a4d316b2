"""Atomic writes: the new content whole or the old file untouched, and never a temporary file left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from provenance._internal.files import atomic_write, atomic_writer


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    atomic_write(target, b"one")
    assert target.read_bytes() == b"one"
    atomic_write(str(target), b"two")
    assert target.read_bytes() == b"two"
    assert _leftovers(tmp_path) == []


def test_mode_of_a_new_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "key.json", b"{}", mode=0o600)
        atomic_write(tmp_path / "doc.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "key.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "doc.json").stat().st_mode) == 0o644


def test_the_old_file_survives_a_failed_stream(tmp_path: Path) -> None:
    target = tmp_path / "proofs.jsonl"
    target.write_bytes(b"old proofs\n")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_writer(target) as out:
        out.write(b"half a new file")
        raise Boom
    assert target.read_bytes() == b"old proofs\n"
    assert _leftovers(tmp_path) == []


def test_the_old_file_survives_a_failed_write(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_a_target_that_cannot_be_replaced_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "a-directory").mkdir()
    with pytest.raises(OSError):
        atomic_write(tmp_path / "a-directory", b"x")
    assert (tmp_path / "a-directory").is_dir()
    assert _leftovers(tmp_path) == []


def test_a_missing_directory_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "missing" / "out.json", b"x")
