"""The one set of integer validators: bounds exact, bool refused, messages one bounded line."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance._internal.ints import is_int, parse_amount, parse_positive, parse_uint
from provenance.errors import InputError


@given(st.integers(min_value=1, max_value=256), st.integers())
def test_parse_uint_bounds(bits: int, n: int) -> None:
    if 0 <= n < 2**bits:
        assert parse_uint(n, bits, "n") == n
    else:
        with pytest.raises(InputError, match="n must be an integer in"):
            parse_uint(n, bits, "n")


@given(st.integers())
def test_positive_and_amount_bounds(n: int) -> None:
    assert (0 < n < 2**64) == _ok(parse_positive, n)
    assert (0 < n < 2**128) == _ok(parse_amount, n)


def _ok(fn: Any, n: Any) -> bool:
    try:
        fn(n, "v")
    except InputError:
        return False
    return True


@pytest.mark.parametrize(
    "value",
    [True, False, 1.0, "1", None, b"\x01", 10**5000],
    ids=["true", "false", "float", "str", "none", "bytes", "huge"],
)
def test_non_integers_and_huge_ones_are_refused_in_one_short_line(value: Any) -> None:
    for fn in (parse_positive, parse_amount):
        assert not _ok(fn, value)
    with pytest.raises(InputError) as err:
        parse_uint(value, 256, "value")
    assert len(str(err.value)) < 200 and "\n" not in str(err.value)
    assert is_int(value) == (type(value) is int)
