"""The strict RLP and hex codecs, differentially against the ``rlp`` package."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import InputError
from provenance.evidence._codec import (
    RlpItem,
    bytes_to_int,
    hex_bytes,
    hex_quantity,
    int_to_bytes,
    rlp_decode,
    rlp_encode,
)

items: st.SearchStrategy[Any] = st.recursive(
    st.binary(max_size=80), lambda children: st.lists(children, max_size=6), max_leaves=30
)


@given(items)
def test_encode_matches_the_rlp_package_and_round_trips(item: RlpItem) -> None:
    encoded = rlp_encode(item)
    assert encoded == rlp.encode(item)
    assert rlp_decode(encoded) == item


@given(st.integers(min_value=0, max_value=2**256))
def test_integers_are_minimal_big_endian(value: int) -> None:
    encoded = int_to_bytes(value)
    assert rlp_encode(encoded) == rlp.encode(value)
    assert bytes_to_int(encoded, "x") == value


@given(items, st.data())
def test_truncated_or_extended_encodings_are_rejected(item: RlpItem, data: st.DataObject) -> None:
    encoded = rlp_encode(item)
    cut = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    with pytest.raises(InputError):
        rlp_decode(encoded[:cut])
    with pytest.raises(InputError, match="trailing"):
        rlp_decode(encoded + b"\x00")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x81\x05", "single byte as string"),
        (b"\xb8\x05hello", "long form"),
        (b"\xb9\x00\x38" + b"x" * 56, "leading zero"),
        (b"\xf8\x01\x80", "long form"),
        (b"\xc2\x83ab", "runs past"),
        (b"\xb9\x01", "truncated"),
        (b"", "ends at byte 0"),
    ],
)
def test_non_canonical_rlp_is_rejected(raw: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        rlp_decode(raw)


def test_integer_with_leading_zero_is_rejected() -> None:
    with pytest.raises(InputError, match="leading zero"):
        bytes_to_int(b"\x00\x01", "header.number")


@pytest.mark.parametrize("bad", ["12", "0x1 2", "0x_1", "0xzz", None, 5, "0x"])
def test_hex_quantity_rejects_malformed(bad: object) -> None:
    with pytest.raises(InputError, match="receipt.status"):
        hex_quantity(bad, "receipt.status")


@pytest.mark.parametrize("bad", ["abcd", "0xabc", "0xab cd", "0xgg", None])
def test_hex_bytes_rejects_malformed(bad: object) -> None:
    with pytest.raises(InputError, match="log.data"):
        hex_bytes(bad, "log.data")


def test_hex_values_parse() -> None:
    assert hex_bytes("0x", "x") == b""
    assert hex_bytes("0xABcd", "x") == b"\xab\xcd"
    assert hex_quantity("0x0", "x") == 0
    assert hex_quantity("0x1F", "x") == 31
