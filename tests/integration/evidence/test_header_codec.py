"""Headers: every anvil block's RLP header hashes to its block hash; codec properties per fork."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from eth_hash.auto import keccak
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import InputError
from provenance.evidence.proofs import BlockEvidence, Header, decode_header, encode_header, header_from_json
from tests.integration.evidence.evidence_support import DevChain

BASE = [
    "parentHash",
    "sha3Uncles",
    "miner",
    "stateRoot",
    "transactionsRoot",
    "receiptsRoot",
    "logsBloom",
    "difficulty",
    "number",
    "gasLimit",
    "gasUsed",
    "timestamp",
    "extraData",
    "mixHash",
    "nonce",
]
OPTIONAL = ["baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash"]
SIZES = {
    "parentHash": 32,
    "sha3Uncles": 32,
    "miner": 20,
    "stateRoot": 32,
    "transactionsRoot": 32,
    "receiptsRoot": 32,
    "logsBloom": 256,
    "mixHash": 32,
    "nonce": 8,
    "withdrawalsRoot": 32,
    "parentBeaconBlockRoot": 32,
    "requestsHash": 32,
}
FORK_COUNTS = {"frontier": 0, "london": 1, "shanghai": 2, "cancun": 5, "prague": 6}


# -- against anvil ---------------------------------------------------------------------


def test_every_block_header_hashes_to_its_block_hash(
    chain: DevChain, mixed_block: BlockEvidence, set_code_block: BlockEvidence
) -> None:
    for number in range(chain.block_number() + 1):
        block = chain.block_json(number)
        header = encode_header(block)
        assert "0x" + keccak(header).hex() == block["hash"], f"block {number}"
        decoded = decode_header(header)
        assert decoded.fork == "prague"
        assert decoded.number == number
        assert "0x" + decoded.receipts_root.hex() == block["receiptsRoot"]
        assert "0x" + decoded.parent_hash.hex() == block["parentHash"]
        assert decoded.timestamp == int(block["timestamp"], 16)
        assert decoded.requests_hash is not None and "0x" + decoded.requests_hash.hex() == block["requestsHash"]
        assert decoded.encode() == header


# -- properties ------------------------------------------------------------------------


def _field(name: str) -> st.SearchStrategy[str]:
    if name == "extraData":
        return st.binary(max_size=40).map(lambda b: "0x" + b.hex())
    if name in SIZES:
        return st.binary(min_size=SIZES[name], max_size=SIZES[name]).map(lambda b: "0x" + b.hex())
    return st.integers(min_value=0, max_value=2**256 - 1).map(hex)


@st.composite
def blocks(draw: st.DrawFn, fork: str | None = None) -> dict[str, Any]:
    fork = fork or draw(st.sampled_from(sorted(FORK_COUNTS)))
    names = BASE + OPTIONAL[: FORK_COUNTS[fork]]
    block: dict[str, Any] = {name: draw(_field(name)) for name in names}
    block["hash"] = "0x" + bytes(32).hex()  # ignored: not a header field
    block["transactions"] = []
    return block


def _reference_rlp(block: dict[str, Any]) -> bytes:
    values = []
    for name in BASE + OPTIONAL:
        if name not in block:
            break
        raw = block[name]
        values.append(bytes.fromhex(raw[2:]) if name in SIZES or name == "extraData" else int(raw, 16))
    return bytes(rlp.encode(values))


@given(blocks())
def test_header_round_trips_and_matches_the_rlp_package(block: dict[str, Any]) -> None:
    header = encode_header(block)
    assert header == _reference_rlp(block)
    decoded = decode_header(header)
    assert decoded == header_from_json(block)
    assert decoded.encode() == header
    assert len(rlp.decode(header)) == 15 + FORK_COUNTS[decoded.fork]


def _block(fork: str) -> dict[str, Any]:
    """A fixed block of ``fork`` (no hypothesis: for the example-based tests)."""
    block: dict[str, Any] = {"hash": "0x" + "00" * 32, "transactions": []}
    for i, name in enumerate(BASE + OPTIONAL[: FORK_COUNTS[fork]]):
        size = SIZES.get(name, 4 if name == "extraData" else 0)
        block[name] = "0x" + bytes([i + 1] * size).hex() if size else hex(1000 + i)
    return block


@pytest.mark.parametrize("fork", sorted(FORK_COUNTS))
def test_fork_is_detected_from_the_fields_present(fork: str) -> None:
    block = _block(fork)
    assert header_from_json(block).fork == fork
    assert decode_header(encode_header(block)).fork == fork


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        (["baseFeePerGas"], "withdrawalsRoot"),
        (["excessBlobGas"], "do not form a known fork"),
        (["parentBeaconBlockRoot", "requestsHash"], "do not form a known fork"),
        (["timestamp"], "block.timestamp: missing"),
    ],
)
def test_inconsistent_fork_fields_are_rejected(drop: list[str], message: str) -> None:
    block = _block("prague")
    for name in drop:
        del block[name]
    with pytest.raises(InputError, match=message):
        encode_header(block)


def test_null_optional_fields_count_as_absent() -> None:
    block = _block("london")
    block["withdrawalsRoot"] = None
    assert header_from_json(block).fork == "london"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f[:18], "18 fields match no known fork"),
        (lambda f: f + [b""], "22 fields match no known fork"),
        (lambda f: [f[0][:31]] + f[1:], "header.parentHash: expected 32 bytes"),
        (lambda f: f[:2] + [f[2] + b"\x00"] + f[3:], "header.miner: expected 20 bytes"),
        (lambda f: f[:8] + [b"\x00\x01"] + f[9:], "header.number: non-canonical integer"),
        (lambda f: f[:12] + [[b""]] + f[13:], "header.extraData: expected an RLP byte string"),
    ],
)
def test_malformed_header_bytes_are_rejected(mutate: Any, message: str) -> None:
    fields = rlp.decode(encode_header(_block("prague")))
    with pytest.raises(InputError, match=message):
        decode_header(rlp.encode(mutate(fields)))


def test_header_record_is_frozen_and_slotted() -> None:
    header = header_from_json(_block("prague"))
    assert isinstance(header, Header)
    with pytest.raises(AttributeError):
        header.number = 1  # type: ignore[misc]
    assert not hasattr(header, "__dict__")
