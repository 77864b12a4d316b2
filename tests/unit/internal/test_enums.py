"""The one enum helper: every member round-trips by member, number and name; anything else is an InputError."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance._internal.enums import enum_name, parse_enum
from provenance.errors import InputError, ProvenanceError
from provenance.records.exchange import ListingStatus, OfferStatus, TradeOrigin, TradeRuling, TradeStatus
from provenance.records.registry import Category, Kind, Level, Right, Ruling, Status, SuccessionKind

ENUMS: list[type[IntEnum]] = [
    Category,
    Kind,
    Level,
    Right,
    Ruling,
    Status,
    SuccessionKind,
    ListingStatus,
    OfferStatus,
    TradeOrigin,
    TradeRuling,
    TradeStatus,
]


@given(st.sampled_from([(cls, m) for cls in ENUMS for m in cls]))
def test_every_member_round_trips(pair: tuple[type[IntEnum], IntEnum]) -> None:
    cls, member = pair
    for spelling in (
        member,
        int(member),
        member.name,
        member.name.lower(),
        enum_name(member).replace("_", "-"),
        str(int(member)),
    ):
        assert parse_enum(cls, spelling, "x") is member


@given(
    st.sampled_from(ENUMS),
    st.one_of(
        st.none(),
        st.booleans(),
        st.floats(),
        st.integers().filter(lambda n: n < 0 or n > 16),
        st.text().filter(lambda s: s.strip().upper().replace("-", "_").replace(" ", "_") != "NONE"),
        st.binary(),
        st.lists(st.integers()),
    ),
)
def test_anything_else_is_an_input_error_naming_the_choices(cls: type[IntEnum], value: Any) -> None:
    names = {m.name.upper() for m in cls}
    if isinstance(value, str) and value.strip().upper().replace("-", "_").replace(" ", "_") in names:
        return
    if isinstance(value, str) and value.strip().isdigit() and int(value.strip()) in {int(m) for m in cls}:
        return
    with pytest.raises(InputError) as err:
        parse_enum(cls, value, "the thing")
    assert isinstance(err.value, ProvenanceError)
    message = str(err.value)
    assert message.startswith("the thing must be one of ") and "\n" not in message
    assert len(message) < 400


def test_bool_is_not_a_member_number() -> None:
    with pytest.raises(InputError):
        parse_enum(Right, True, "right")
