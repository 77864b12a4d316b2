"""Prepared decoders: the generated fast path equals the general one; malformed logs stay raw."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import IndexerError
from provenance.indexer.decode import EventDecoder, LogDecoder, event_signature
from provenance.indexer.fetch import RangeSizer, bloom_bits, bloom_may_contain

STATIC_EVENT = {
    "type": "event",
    "name": "Moved",
    "anonymous": False,
    "inputs": [
        {"name": "assetId", "type": "bytes32", "indexed": True},
        {"name": "from", "type": "address", "indexed": True},
        {"name": "licenceId", "type": "uint256", "indexed": True},
        {"name": "shares", "type": "uint64", "indexed": False},
        {"name": "nonce", "type": "uint256", "indexed": False},
        {"name": "ok", "type": "bool", "indexed": False},
        {"name": "code", "type": "bytes10", "indexed": False},
        {"name": "to", "type": "address", "indexed": False},
        {"name": "right", "type": "uint8", "indexed": False},
    ],
}
word = st.binary(min_size=32, max_size=32)


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


@settings(max_examples=200, deadline=None)
@given(
    asset=word,
    sender=st.binary(min_size=20, max_size=20),
    licence=st.integers(0, 2**256 - 1),
    shares=st.integers(0, 2**64 - 1),
    nonce=st.integers(0, 2**256 - 1),
    ok=st.booleans(),
    code=st.binary(min_size=10, max_size=10),
    to=st.binary(min_size=20, max_size=20),
    right=st.integers(0, 255),
)
def test_fast_path_equals_general_path(
    asset: bytes, sender: bytes, licence: int, shares: int, nonce: int, ok: bool, code: bytes, to: bytes, right: int
) -> None:
    dec = EventDecoder("C", STATIC_EVENT)
    assert dec.fast_json is not None
    topics = [dec.topic0, asset, bytes(12) + sender, licence.to_bytes(32, "big")]
    data = (
        shares.to_bytes(32, "big")
        + nonce.to_bytes(32, "big")
        + int(ok).to_bytes(32, "big")
        + code
        + bytes(22)
        + bytes(12)
        + to
        + right.to_bytes(32, "big")
    )
    fast_json, topics_hex = dec.fast_json([_hex(t) for t in topics], _hex(data))
    general = dec.decode(topics, data)
    assert fast_json == dec.args_to_json(general).decode()
    assert bytes.fromhex(topics_hex) == b"".join(topics)
    assert dec.args_from_json(orjson.loads(fast_json)) == general
    assert general["licenceId"] == licence and general["to"] == _hex(to) and general["ok"] is ok


def test_fast_path_rejects_what_the_general_path_rejects() -> None:
    dec = EventDecoder("C", STATIC_EVENT)
    assert dec.fast_json is not None
    topics = [_hex(dec.topic0), _hex(bytes(32)), _hex(b"\1" * 32), _hex(bytes(32))]  # dirty address topic
    data = _hex(bytes(32 * 6))
    with pytest.raises(ValueError):
        dec.fast_json(topics, data)
    with pytest.raises(ValueError):
        dec.decode([bytes.fromhex(t[2:]) for t in topics], bytes.fromhex(data[2:]))
    with pytest.raises(ValueError):
        dec.fast_json(topics[:3], data)


def test_dynamic_and_fallback_types_decode() -> None:
    item = {
        "type": "event",
        "name": "Mixed",
        "inputs": [
            {"name": "note", "type": "string", "indexed": True},
            {"name": "xs", "type": "int16[]", "indexed": False},
            {
                "name": "pair",
                "type": "tuple",
                "indexed": False,
                "components": [{"name": "a", "type": "address"}, {"name": "b", "type": "uint256"}],
            },
            {"name": "s", "type": "string", "indexed": False},
        ],
    }
    assert event_signature(item) == "Mixed(string,int16[],(address,uint256),string)"
    dec = EventDecoder("C", item)
    assert dec.fast_json is None
    import eth_abi

    data = eth_abi.encode(["int16[]", "(address,uint256)", "string"], [[-1, 2], ("0x" + "AB" * 20, 2**255), "zhè"])
    args = dec.decode([dec.topic0, b"\x05" * 32], data)
    assert args == {"note": "0x" + "05" * 32, "xs": [-1, 2], "pair": ["0x" + "ab" * 20, 2**255], "s": "zhè"}
    assert orjson.loads(dec.args_to_json(args))["pair"][1] == str(2**255)


def _log(**over: Any) -> dict[str, Any]:
    log = {
        "address": "0x" + "11" * 20,
        "topics": ["0x" + "22" * 32],
        "data": "0x",
        "blockNumber": "0x5",
        "logIndex": "0x0",
        "blockHash": "0x" + "33" * 32,
        "transactionHash": "0x" + "44" * 32,
        "transactionIndex": "0x0",
    }
    log.update(over)
    return log


def test_unknown_and_undecodable_logs_are_kept_raw() -> None:
    decoder = LogDecoder({"0x" + "11" * 20: "C"}, {"C": [STATIC_EVENT]})
    unknown = decoder.decode(_log())
    assert unknown.name == "" and unknown.args is None and unknown.topics == (b"\x22" * 32,)
    topic0 = "0x" + EventDecoder("C", STATIC_EVENT).topic0.hex()
    short = decoder.decode(_log(topics=[topic0, "0x" + "00" * 32, "0x" + "00" * 32, "0x" + "00" * 32]))
    assert short.name == "Moved" and short.args is None
    with pytest.raises(IndexerError, match="not one of our contracts"):
        decoder.decode(_log(address="0x" + "99" * 20))
    with pytest.raises(IndexerError, match="malformed"):
        decoder.decode(_log(blockNumber=None))


def test_range_sizer_shrinks_fast_and_grows_slowly() -> None:
    sizer = RangeSizer(1000, maximum=10_000, target_logs=1000)
    sizer.answered(1000, 8000)
    assert sizer.size == 125
    sizer.refused(125, timeout=True)
    assert sizer.size == 31
    for _ in range(3):
        sizer.answered(sizer.size, 300)
    assert 31 < sizer.size < 70


def test_bloom_bits_match_a_real_bloom() -> None:
    bloom = bytearray(256)
    addr = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")
    for i, m in bloom_bits(addr):
        bloom[i] |= m
    assert bloom_may_contain(bytes(bloom), bloom_bits(addr))
    assert not bloom_may_contain(bytes(256), bloom_bits(addr))


def test_ref_slots_follow_the_abi_head_layout() -> None:
    item = {
        "type": "event",
        "name": "Listed",
        "inputs": [
            {"name": "listingId", "type": "uint256", "indexed": True},
            {"name": "seller", "type": "address", "indexed": True},
            {
                "name": "terms",
                "type": "tuple",
                "indexed": False,
                "components": [{"name": "price", "type": "uint256"}, {"name": "currency", "type": "address"}],
            },
            {"name": "note", "type": "string", "indexed": False},
            {"name": "sourceAsset", "type": "bytes32", "indexed": False},
            {"name": "chainId", "type": "uint256", "indexed": False},
        ],
    }
    slots = [(s.kind, s.source, s.offset, s.length) for s in EventDecoder("X", item).ref_slots]
    assert slots == [("listing", "topics", 32, 32), ("party", "topics", 76, 20), ("asset", "data", 96, 32)]
