"""Header chains: anvil headers link to a checkpoint; a broken link names the header and field."""

from __future__ import annotations

import dataclasses

import pytest
from eth_hash.auto import keccak
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import VerificationError
from provenance.evidence.proofs import (
    BlockEvidence,
    Header,
    decode_header,
    encode_header,
    verify_header,
    verify_header_chain,
)
from tests.integration.evidence.evidence_support import DevChain


@pytest.fixture(scope="module")
def headers(chain: DevChain, mixed_block: BlockEvidence) -> list[bytes]:
    """Raw headers from genesis to the mixed block, oldest first (at least four)."""
    while chain.block_number() < 3:
        chain.rpc("evm_mine", [])
    return [encode_header(chain.block_json(n)) for n in range(mixed_block.number + 1)]


def _relink(headers: list[bytes], index: int, **changes: object) -> list[bytes]:
    """Change fields of headers[index], then repair every later parentHash (a forged fork)."""
    out = list(headers)
    out[index] = dataclasses.replace(decode_header(out[index]), **changes).encode()  # type: ignore[arg-type]
    for later in range(index + 1, len(out)):
        out[later] = dataclasses.replace(decode_header(out[later]), parent_hash=keccak(out[later - 1])).encode()
    return out


def test_anvil_headers_link_to_the_checkpoint(headers: list[bytes], chain: DevChain) -> None:
    checkpoint = bytes.fromhex(chain.block_json(len(headers) - 1)["hash"][2:])
    start = bytes.fromhex(chain.block_json(0)["hash"][2:])
    assert verify_header_chain(headers, start_hash=start, checkpoint_hash=checkpoint) == checkpoint
    assert verify_header_chain(headers[-1:]) == checkpoint


@given(st.data())
def test_a_broken_link_names_the_header_and_field(headers: list[bytes], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=1, max_value=len(headers) - 1))
    broken = _relink(headers, index, parent_hash=bytes(32))
    with pytest.raises(VerificationError, match=rf"header-chain failed at headers\[{index}\].parent_hash"):
        verify_header_chain(broken)


@given(st.data())
def test_a_changed_header_breaks_the_next_link(headers: list[bytes], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(headers) - 2))
    changed = list(headers)
    changed[index] = dataclasses.replace(decode_header(headers[index]), timestamp=1).encode()
    with pytest.raises(VerificationError) as caught:
        verify_header_chain(changed)
    assert caught.value.field == f"headers[{index + 1}].parent_hash"


def test_removed_or_swapped_headers_fail(headers: list[bytes]) -> None:
    with pytest.raises(VerificationError, match=r"headers\[2\].parent_hash"):
        verify_header_chain(headers[:2] + headers[3:])
    with pytest.raises(VerificationError, match=r"headers\[1\].parent_hash"):
        verify_header_chain([headers[1], headers[0], *headers[2:]])


def test_a_forged_fork_is_caught_only_by_the_checkpoint(headers: list[bytes]) -> None:
    checkpoint = keccak(headers[-1])
    forged = _relink(headers, 1, state_root=b"\x11" * 32)
    assert verify_header_chain(forged) != checkpoint
    with pytest.raises(VerificationError, match=rf"at headers\[{len(headers) - 1}\]: hashes to") as caught:
        verify_header_chain(forged, checkpoint_hash=checkpoint)
    assert caught.value.check == "header-chain"


def test_number_gaps_and_the_start_are_checked(headers: list[bytes]) -> None:
    skipped = _relink(headers, 2, number=7)
    with pytest.raises(VerificationError, match=r"headers\[2\].number: number 7 does not follow 1"):
        verify_header_chain(skipped)
    with pytest.raises(VerificationError, match=r"at headers\[0\]: hashes to"):
        verify_header_chain(headers, start_hash=keccak(headers[1]))


def test_malformed_chains_name_the_header(headers: list[bytes]) -> None:
    with pytest.raises(VerificationError, match="no headers"):
        verify_header_chain([])
    with pytest.raises(VerificationError, match=r"headers\[1\]: header"):
        verify_header_chain([headers[0], b"\xc0"])
    with pytest.raises(VerificationError, match=r"headers\[0\]: a header must be bytes"):
        verify_header_chain(["0x00"])  # type: ignore[list-item]


def test_verify_header_reads_fields_from_bytes(headers: list[bytes]) -> None:
    header = verify_header(headers[2], keccak(headers[2]))
    assert isinstance(header, Header) and header.number == 2
    with pytest.raises(VerificationError, match="header-hash failed at header"):
        verify_header(headers[2], keccak(headers[1]))
    with pytest.raises(VerificationError, match="hashes correctly but does not decode"):
        verify_header(b"\xc0", keccak(b"\xc0"))
