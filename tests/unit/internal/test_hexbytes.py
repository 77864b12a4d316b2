"""Hex, bytes32, quantity and address parsing: lengths, case, checksums, bad characters, huge inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance._internal.hexbytes import parse_address, parse_bytes32, parse_hex, parse_quantity, to_hex
from provenance.errors import InputError

VITALIK = "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045"


@given(st.binary(max_size=100))
def test_round_trip(raw: bytes) -> None:
    assert parse_hex(to_hex(raw), what="x") == raw
    assert parse_hex(to_hex(raw).upper().replace("0X", "0x"), what="x") == raw
    assert parse_hex(raw, what="x") == raw


def test_values_parse() -> None:
    assert parse_hex("0x", what="x") == b""
    assert parse_hex("0xABcd", what="x") == b"\xab\xcd"
    assert parse_hex("0XABCD", what="x") == b"\xab\xcd"
    assert parse_hex(bytearray(b"\x01"), what="x") == b"\x01"
    assert parse_bytes32("0x" + "ab" * 32, what="root") == b"\xab" * 32
    assert parse_quantity("0x0", what="x") == 0
    assert parse_quantity("0x1F", what="x") == 31


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("abcd", "expected 0x-prefixed hex"),
        ("0xabc", "odd-length hex"),
        ("0xab cd", "invalid hex"),
        ("0x ab", "invalid hex"),
        ("0xgg", "invalid hex"),
        ("0x\u0661\u0662", "invalid hex"),  # Arabic-Indic digits: not ASCII
        (None, "expected 0x-prefixed hex"),
        (12, "expected 0x-prefixed hex"),
    ],
)
def test_malformed_hex_is_refused_naming_the_field(bad: object, reason: str) -> None:
    with pytest.raises(InputError, match=rf"^log\.data: {reason}"):
        parse_hex(bad, what="log.data")


def test_lengths() -> None:
    with pytest.raises(InputError, match="root: expected 32 bytes, got 31"):
        parse_bytes32("0x" + "00" * 31, what="root")
    with pytest.raises(InputError, match="root: expected 32 bytes, got 33"):
        parse_bytes32(b"\x00" * 33, what="root")
    assert parse_hex("0x" + "00" * 20, what="a", length=20) == bytes(20)


def test_lowercase_only() -> None:
    assert parse_hex("0xab12", what="x", lowercase=True) == b"\xab\x12"
    assert parse_hex("0x1234", what="x", lowercase=True) == b"\x12\x34"
    with pytest.raises(InputError, match="must be lowercase"):
        parse_hex("0xAB12", what="x", lowercase=True)
    with pytest.raises(InputError, match="expected 0x-prefixed"):
        parse_hex("0Xab12", what="x", lowercase=True)


def test_huge_inputs_parse_and_errors_stay_short() -> None:
    big = "0x" + "ab" * 5_000_000
    assert len(parse_hex(big, what="data")) == 5_000_000
    with pytest.raises(InputError) as info:
        parse_hex(big + "z", what="data")
    assert len(str(info.value)) < 150 and "\n" not in str(info.value)
    with pytest.raises(InputError) as info:
        parse_bytes32(big, what="root")
    assert str(info.value) == "root: expected 32 bytes, got 5000000"


@pytest.mark.parametrize("bad", ["12", "0x", "0x1 2", "0x_1", "0xzz", "0x+1", None, 5])
def test_malformed_quantities_are_refused(bad: object) -> None:
    with pytest.raises(InputError, match="^receipt.status: "):
        parse_quantity(bad, what="receipt.status")


def test_addresses_in_every_accepted_case() -> None:
    assert parse_address(VITALIK) == VITALIK
    assert parse_address(VITALIK.lower()) == VITALIK
    assert parse_address("0x" + VITALIK[2:].upper()) == VITALIK
    assert parse_address("0X" + VITALIK[2:].lower()) == VITALIK
    assert parse_address(bytes.fromhex(VITALIK[2:])) == VITALIK


def test_a_mixed_case_address_with_a_bad_checksum_is_refused() -> None:
    typo = VITALIK.replace("dA6B", "Da6B")  # one letter's case flipped
    with pytest.raises(InputError, match=f"^seller has a bad EIP-55 checksum: '{typo}' \\(expected {VITALIK}\\)$"):
        parse_address(typo, what="seller")
    with pytest.raises(InputError, match="bad EIP-55 checksum"):
        parse_address(VITALIK[:-1] + "6")  # a wrong digit in a checksummed address


@pytest.mark.parametrize(
    "bad",
    ["0x12", VITALIK[2:], VITALIK + "00", "0x" + "g" * 40, "0x" + " " * 40, None, 1, b"\x00" * 19],
)
def test_malformed_addresses_are_refused(bad: object) -> None:
    with pytest.raises(InputError, match="^to "):
        parse_address(bad, what="to")
