"""The one ABI type parser: canonical forms, nested tuples and arrays, dynamic-ness, head words;
and the event decoder's typed errors."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode

from provenance._internal.abi import abi_type, checksummed, parse_type, split_tuple
from provenance.errors import DecodeError, InputError, ProvenanceError
from provenance.indexer.decode import EventDecoder


@pytest.mark.parametrize(
    ("text", "canonical", "dynamic", "head_words"),
    [
        ("uint", "uint256", False, 1),
        ("int8", "int8", False, 1),
        ("bytes32", "bytes32", False, 1),
        ("address", "address", False, 1),
        ("bytes", "bytes", True, 1),
        ("string", "string", True, 1),
        ("uint256[3]", "uint256[3]", False, 3),
        ("uint[2][3]", "uint256[2][3]", False, 6),
        ("uint256[]", "uint256[]", True, 1),
        ("string[2]", "string[2]", True, 1),
        ("(uint256,address)", "(uint256,address)", False, 2),
        ("(uint256, (bool,bytes4)[2])", "(uint256,(bool,bytes4)[2])", False, 5),
        ("(uint256,(bool,string))[]", "(uint256,(bool,string))[]", True, 1),
        ("((uint8,(bytes)))", "((uint8,(bytes)))", True, 1),
    ],
)
def test_parse(text: str, canonical: str, dynamic: bool, head_words: int) -> None:
    t = parse_type(text)
    assert (t.canonical, t.dynamic, t.head_words) == (canonical, dynamic, head_words)
    assert parse_type(t.canonical) == t


def test_nested_structure() -> None:
    t = parse_type("(uint256,(bool,bytes4)[2])[]")
    assert (t.kind, t.size) == ("array", -1)
    inner = t.items[0]
    assert (inner.kind, inner.size, [i.kind for i in inner.items]) == ("tuple", 2, ["uint", "array"])
    pair = inner.items[1]
    assert (pair.size, pair.items[0].canonical, pair.element.canonical) == (2, "(bool,bytes4)", "(bool,bytes4)")
    assert parse_type("uint64[2][]").element.canonical == "uint64"
    assert [parse_type(x).is_word for x in ("uint8", "bytes1", "bool", "address", "bytes", "uint8[1]", "(uint8)")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize("bad", ["uint7", "uint264", "bytes0", "bytes33", "uint256[0]", "()", "tuple", "fixed", ""])
def test_unsupported_types_are_input_errors(bad: str) -> None:
    with pytest.raises(InputError, match="unsupported ABI type"):
        parse_type(bad)


def test_a_non_string_type_is_an_input_error() -> None:
    with pytest.raises(InputError, match="must be a string"):
        parse_type(["uint256"])  # type: ignore[arg-type]


def test_split_tuple_and_abi_json_params() -> None:
    assert split_tuple("a,(b,c),d[2]") == ["a", "(b,c)", "d[2]"]
    assert split_tuple("") == []
    param = {
        "type": "tuple[2]",
        "components": [{"type": "uint256"}, {"type": "tuple", "components": [{"type": "address"}, {"type": "bytes"}]}],
    }
    assert abi_type(param) == "(uint256,(address,bytes))[2]"


def test_checksummed_walks_arrays_and_tuples() -> None:
    low = "0x" + "ab" * 20
    out = checksummed("(address,address[])", (low, (low,)))
    assert out[0] == out[1][0] != low and out[0].lower() == low


EVENT = {
    "type": "event",
    "name": "Moved",
    "inputs": [
        {"name": "asset", "type": "bytes32", "indexed": True},
        {"name": "to", "type": "address", "indexed": False},
        {"name": "note", "type": "string", "indexed": False},
    ],
}


def test_decode_errors_are_provenance_errors_and_value_errors() -> None:
    dec = EventDecoder("Registry", EVENT)
    data = encode(["address", "string"], ["0x" + "11" * 20, "hi"])
    assert dec.decode([dec.topic0, b"\1" * 32], data) == {
        "asset": "0x" + "01" * 32,
        "to": "0x" + "11" * 20,
        "note": "hi",
    }
    cases = [
        ([dec.topic0], data, "expected 2 topics, got 1"),
        ([dec.topic0, b"\1" * 32], data[:40], "data too short"),
        ([dec.topic0, b"\1" * 32], b"\xff" * 32 + data[32:], "address with dirty upper bytes"),
        ([dec.topic0, b"\1" * 32], data[:32] + (10**6).to_bytes(32, "big") + data[64:], "offset of note out of range"),
    ]
    for topics, raw, message in cases:
        with pytest.raises(DecodeError, match=rf"^Moved\(bytes32,address,string\): {message}") as caught:
            dec.decode(topics, raw)
        assert isinstance(caught.value, ProvenanceError) and isinstance(caught.value, ValueError)


def test_the_eth_abi_fallback_raises_decode_errors_too() -> None:
    item = {"type": "event", "name": "Pairs", "inputs": [{"name": "p", "type": "(uint8,bool)[]", "indexed": False}]}
    dec = EventDecoder("X", item)
    assert dec.decode([dec.topic0], encode(["(uint8,bool)[]"], [[(1, True)]])) == {"p": [[1, True]]}
    with pytest.raises(DecodeError, match=r"^Pairs\(\(uint8,bool\)\[\]\): "):
        dec.decode([dec.topic0], b"\x00" * 31)


def test_the_fast_path_refuses_with_decode_errors() -> None:
    item = {"type": "event", "name": "Set", "inputs": [{"name": "account", "type": "address", "indexed": False}]}
    fast = EventDecoder("X", item).fast_json
    assert fast is not None
    word = "00" * 12 + "11" * 20
    assert fast(["0x" + "aa" * 32], "0x" + word)[0] == '{"account":"0x' + "11" * 20 + '"}'
    with pytest.raises(DecodeError):
        fast(["0x" + "aa" * 32], "0x" + "ff" * 32)
    with pytest.raises(DecodeError):
        fast(["0x" + "aa" * 32, "0x" + "aa" * 32], "0x" + word)
