"""Hashes and ids in the records go through the one hex parser: 0x-prefixed, exactly 32 bytes."""

from __future__ import annotations

from typing import Any

import pytest

from provenance.errors import InputError
from provenance.records.registry import Registration, to_bytes32

GOOD = "0x" + "ab" * 32


def test_bytes_and_prefixed_hex_are_accepted() -> None:
    assert to_bytes32(GOOD, "asset id") == bytes.fromhex("ab" * 32)
    assert to_bytes32(GOOD.upper().replace("0X", "0x"), "asset id") == bytes.fromhex("ab" * 32)
    assert to_bytes32(b"\x01" * 32, "asset id") == b"\x01" * 32


@pytest.mark.parametrize(
    "bad",
    [
        "ab" * 32,  # no 0x: one spelling, as everywhere else in the package
        "0x" + "ab" * 31,
        "0x" + "ab" * 33,
        "0x" + "zz" * 32,
        "0x" + "ab " * 21 + "a",
        " 0x" + "ab" * 32,
        b"\x01" * 31,
        None,
        32,
        2**3000,
    ],
)
def test_anything_else_is_one_line_naming_the_field(bad: Any) -> None:
    with pytest.raises(InputError, match=r"^asset id must be a 32-byte hash \(0x and 64 hex digits\), got ") as info:
        to_bytes32(bad, "asset id")
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_registration_fields_are_checked() -> None:
    with pytest.raises(InputError, match="^metadata hash must be a 32-byte hash"):
        Registration(content_hash=GOOD, metadata_hash="cd" * 32)  # type: ignore[arg-type]
