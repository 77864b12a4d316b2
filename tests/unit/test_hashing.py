"""provenance.hashing: the hash-or-text rule of every hash option, and streamed file hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.hashing import file_sha256, hash_or_text


def test_a_hex_hash_is_taken_as_is() -> None:
    assert hash_or_text("0x" + "ab" * 32, "terms") == bytes.fromhex("ab" * 32)
    assert hash_or_text("0x" + "AB" * 32, "terms") == bytes.fromhex("ab" * 32)


def test_any_other_text_is_hashed_as_utf8() -> None:
    assert hash_or_text("training", "purpose") == hashlib.sha256(b"training").digest()
    assert hash_or_text("数据训练", "purpose") == hashlib.sha256("数据训练".encode()).digest()
    assert hash_or_text("0X" + "ab" * 32, "purpose") == hashlib.sha256(("0X" + "ab" * 32).encode()).digest()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0x1234", r"^terms: expected 32 bytes, got 2$"),
        ("0x" + "zz" * 32, r"^terms: invalid hex"),
        ("0x" + "a" * 63, r"^terms: odd-length hex"),
        ("", r"^terms is empty"),
        ("\udcff", r"^terms is not valid UTF-8 text$"),
        (b"\x00" * 32, r"^terms must be a text or a 0x hash, got bytes$"),
    ],
)
def test_bad_values_name_the_option(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        hash_or_text(value, "terms")  # type: ignore[arg-type]


def test_file_sha256_streams_with_progress(tmp_path: Path) -> None:
    data = tmp_path / "d.bin"
    data.write_bytes(b"x" * 2500)
    seen: list[int] = []
    assert file_sha256(data, seen.append, chunk=1000) == hashlib.sha256(b"x" * 2500).digest()
    assert seen == [1000, 2000, 2500]
    with pytest.raises(InputError, match="no such file"):
        file_sha256(tmp_path / "missing")
