"""Canonical JSON against RFC 8785: its test vectors, key order by UTF-16 code units, numbers."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance._internal.jcs import canonical_json
from provenance.errors import InputError


def test_rfc8785_sorting_vector() -> None:
    # RFC 8785 section 3.2.3: keys sorted by their UTF-16 code units
    doc = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\x80": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = [
        "\r",
        "1",
        "\x80",
        "\u00f6",
        "\u20ac",
        "\U0001f600",
        "\ufb33",
    ]
    assert list(json.loads(canonical_json(doc))) == keys
    assert canonical_json(doc) == rfc8785.dumps(doc)


def test_rfc8785_number_and_literal_vector() -> None:
    # RFC 8785 section 3.2.2: numbers in ECMAScript form, literals and escapes
    doc = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "literals": [None, True, False],
    }
    assert canonical_json(doc) == b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}'
    assert canonical_json({"string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/"}) == (
        b'{"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )


def test_integers_beyond_2_53_and_non_json_are_refused() -> None:
    assert canonical_json({"n": 2**53 - 1}) == b'{"n":9007199254740991}'
    with pytest.raises(InputError, match="^record is not canonical-JSON serializable"):
        canonical_json({"n": 2**53}, what="record")
    with pytest.raises(InputError, match="not canonical-JSON"):
        canonical_json({"f": float("nan")})
    with pytest.raises(InputError, match="not canonical-JSON"):
        canonical_json({"s": "\ud800"})
    with pytest.raises(InputError, match="^a bundle must be a JSON object"):
        canonical_json([1], what="bundle")  # type: ignore[arg-type]


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=8))
def test_the_fast_path_prints_what_rfc8785_prints(doc: dict[str, Any]) -> None:
    try:
        expected = rfc8785.dumps(doc)
    except Exception:  # noqa: BLE001 - whatever rfc8785 refuses, we refuse as an InputError
        with pytest.raises(InputError):
            canonical_json(doc)
        return
    assert canonical_json(doc) == expected
