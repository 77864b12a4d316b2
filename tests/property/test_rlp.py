"""The strict RLP codec, differentially against the ``rlp`` package: round trips, and every
non-canonical form refused."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from hypothesis import given
from hypothesis import strategies as st

from provenance._internal.rlp import RlpItem, bytes_to_int, int_to_bytes, rlp_decode, rlp_encode, split_envelope
from provenance.errors import InputError

items: st.SearchStrategy[Any] = st.recursive(
    st.binary(max_size=80), lambda children: st.lists(children, max_size=6), max_leaves=30
)
# payloads long enough to need the long forms (>= 56 bytes) as well as short ones
long_items: st.SearchStrategy[Any] = st.recursive(
    st.binary(min_size=50, max_size=300), lambda children: st.lists(children, min_size=1, max_size=4), max_leaves=8
)


@given(items | long_items)
def test_encode_matches_the_rlp_package_and_round_trips(item: RlpItem) -> None:
    encoded = rlp_encode(item)
    assert encoded == rlp.encode(item)
    assert rlp_decode(encoded) == item == rlp.decode(encoded, strict=True)


@given(st.integers(min_value=0, max_value=2**256))
def test_integers_are_minimal_big_endian(value: int) -> None:
    encoded = int_to_bytes(value)
    assert rlp_encode(value) == rlp_encode(encoded) == rlp.encode(value)
    assert bytes_to_int(encoded, "x") == value


def test_transaction_fields_encode_as_the_rlp_package() -> None:
    fields: list[Any] = [31337, 0, 10**9, 2 * 10**9, 21000, b"\x11" * 20, 10**18, b"", []]
    assert rlp_encode(fields) == rlp.encode(fields)


@pytest.mark.parametrize("bad", [-1, "text", 1.5, None, True])
def test_encode_refuses_what_rlp_cannot_hold(bad: object) -> None:
    with pytest.raises(InputError, match="RLP cannot encode"):
        rlp_encode(bad)  # type: ignore[arg-type]


@given(items | long_items, st.data())
def test_truncated_or_extended_encodings_are_refused(item: RlpItem, data: st.DataObject) -> None:
    encoded = rlp_encode(item)
    cut = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    with pytest.raises(InputError):
        rlp_decode(encoded[:cut])
    with pytest.raises(rlp.DecodingError):
        rlp.decode(encoded[:cut], strict=True)
    with pytest.raises(InputError, match="trailing"):
        rlp_decode(encoded + b"\x00")


def _single_byte_as_string(b: int) -> bytes:
    return bytes((0x81, b))


def _long_form(payload: bytes, offset: int) -> bytes:
    return bytes((offset + 56, len(payload))) + payload  # long form (1 length byte) for < 56 bytes


def _leading_zero_length(payload: bytes, offset: int) -> bytes:
    return bytes((offset + 57, 0, len(payload))) + payload  # two length bytes, the first zero


@given(st.integers(min_value=0, max_value=0x7F))
def test_a_single_small_byte_wrapped_as_a_string_is_refused(b: int) -> None:
    raw = _single_byte_as_string(b)
    with pytest.raises(InputError, match="single byte as string"):
        rlp_decode(raw)
    with pytest.raises(rlp.DecodingError):
        rlp.decode(raw)


@given(st.binary(min_size=1, max_size=55), st.booleans())
def test_the_long_form_for_a_short_payload_is_refused(payload: bytes, as_list: bool) -> None:
    if as_list:
        payload = b"".join(rlp_encode(bytes((b,))) for b in payload[:27])  # at most 54 bytes
    raw = _long_form(payload, 0xC0 if as_list else 0x80)
    with pytest.raises(InputError, match="long form"):
        rlp_decode(raw)
    with pytest.raises(rlp.DecodingError):
        rlp.decode(raw)


@given(st.binary(min_size=56, max_size=255), st.booleans())
def test_a_length_with_leading_zeros_is_refused(payload: bytes, as_list: bool) -> None:
    if as_list:
        payload = b"".join(rlp_encode(bytes((b & 0x7F,))) for b in payload)
    raw = _leading_zero_length(payload, 0xC0 if as_list else 0x80)
    with pytest.raises(InputError, match="leading zero"):
        rlp_decode(raw)
    with pytest.raises(rlp.DecodingError):
        rlp.decode(raw)


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
        (b"\x80\x80", "1 trailing bytes"),
    ],
)
def test_non_canonical_rlp_is_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        rlp_decode(raw, "header")
    with pytest.raises(rlp.DecodingError):
        rlp.decode(raw, strict=True)


def test_errors_name_the_field() -> None:
    with pytest.raises(InputError, match=r"^receipt: "):
        rlp_decode(b"\x81\x05", "receipt")
    with pytest.raises(InputError, match="header.number: non-canonical integer"):
        bytes_to_int(b"\x00\x01", "header.number")


def test_envelopes() -> None:
    assert split_envelope(b"\xc0", {1, 2}, "receipt") == (0, b"\xc0")
    assert split_envelope(b"\x02\xc0", {1, 2}, "receipt") == (2, b"\xc0")
    with pytest.raises(InputError, match="unsupported receipt type 0x5"):
        split_envelope(b"\x05\xc0", {1, 2}, "receipt")
    with pytest.raises(InputError, match="non-empty"):
        split_envelope(b"", {1, 2}, "receipt")
