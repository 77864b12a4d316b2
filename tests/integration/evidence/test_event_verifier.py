"""Events end to end: every anvil log verifies offline; each tampered field fails by name; speed."""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any

import pytest
from eth_hash.auto import keccak

from provenance.errors import VerificationError
from provenance.evidence.proofs import (
    BlockEvidence,
    EventEvidence,
    EventVerifier,
    Log,
    LogOffsets,
    Receipt,
    ReceiptTrie,
    block_log_index,
    decode_header,
    decode_receipt,
    event_evidence,
    locate_log,
    log_in_receipt,
    verify_block_receipts,
    verify_event,
    verify_events,
)
from tests.integration.evidence.evidence_support import DevChain


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


@pytest.mark.parametrize("block", ["mixed_block", "big_block"])
def test_every_log_of_the_block_verifies_offline(block: str, request: pytest.FixtureRequest, chain: DevChain) -> None:
    evidence: BlockEvidence = request.getfixturevalue(block)
    trie = evidence.receipt_trie()
    verifier = EventVerifier()
    offsets = LogOffsets.of(evidence.receipts)
    seen = 0
    for receipt in chain.block_receipts(evidence.number):
        tx_index = int(receipt["transactionIndex"], 16)
        for in_receipt, rpc_log in enumerate(receipt["logs"]):
            proven = verifier.verify(event_evidence(evidence, tx_index, in_receipt, trie))
            assert (_hex(proven.log.address), [_hex(t) for t in proven.log.topics], _hex(proven.log.data)) == (
                rpc_log["address"],
                rpc_log["topics"],
                rpc_log["data"],
            )
            assert proven.block_number == evidence.number and proven.block_hash == evidence.block_hash
            assert proven.block_timestamp == decode_header(evidence.header).timestamp
            # the block-level logIndex, derived from receipt bytes, agrees with the node's
            assert offsets.block_index(tx_index, in_receipt) == int(rpc_log["logIndex"], 16)
            assert offsets.locate(int(rpc_log["logIndex"], 16)) == (tx_index, in_receipt)
            if seen % 50 == 0:
                assert block_log_index(evidence.receipts, tx_index, in_receipt) == int(rpc_log["logIndex"], 16)
                assert locate_log(evidence.receipts, int(rpc_log["logIndex"], 16)) == (tx_index, in_receipt)
            seen += 1
    assert seen == (9 if block == "mixed_block" else 420)


@pytest.fixture(scope="module")
def one_event(mixed_block: BlockEvidence) -> EventEvidence:
    tx_index = next(i for i, raw in enumerate(mixed_block.receipts) if raw[0] == 1)  # the EIP-2930 call
    return event_evidence(mixed_block, tx_index, 2)


def _flip(raw: bytes, at: int) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :]


@pytest.mark.parametrize(
    ("change", "check", "field"),
    [
        (lambda e: {"block_hash": _flip(e.block_hash, 0)}, "header-hash", "header"),
        (lambda e: {"header": _flip(e.header, 100)}, "header-hash", "header"),
        (lambda e: {"tx_index": e.tx_index + 1}, "receipt-proof", r"receipt_proof\[\d\]"),
        (
            lambda e: {"receipt_proof": (_flip(e.receipt_proof[0], 5), *e.receipt_proof[1:])},
            "receipt-proof",
            r"receipt_proof\[0\]",
        ),
        (lambda e: {"receipt_proof": (*e.receipt_proof[:-1], _flip(e.receipt_proof[-1], 40))}, "receipt-proof", None),
        (lambda e: {"log_index": 3}, "log-in-receipt", "log_index"),
        (lambda e: {"log_index": -1}, "log-in-receipt", "log_index"),
    ],
)
def test_each_tampered_field_fails_by_name(
    one_event: EventEvidence, change: Any, check: str, field: str | None
) -> None:
    assert verify_event(one_event).log.topics[0] == (7).to_bytes(32, "big")  # LOG2 topic0 = callvalue
    tampered = dataclasses.replace(one_event, **change(one_event))
    with pytest.raises(VerificationError) as caught:
        verify_event(tampered)
    assert caught.value.check == check
    assert re.fullmatch(field or rf"receipt_proof\[{len(one_event.receipt_proof) - 1}\]", caught.value.field)


def test_caches_never_change_an_outcome(one_event: EventEvidence) -> None:
    verifier = EventVerifier()
    verifier.verify(one_event)
    with pytest.raises(VerificationError, match="header-hash"):
        verifier.verify(dataclasses.replace(one_event, block_hash=bytes(32)))
    with pytest.raises(VerificationError, match="receipt-proof"):
        verifier.verify(dataclasses.replace(one_event, tx_index=one_event.tx_index + 1))
    with pytest.raises(VerificationError, match="log-in-receipt"):
        verifier.verify(dataclasses.replace(one_event, log_index=9))
    assert verify_events([one_event, one_event], verifier) == [verify_event(one_event)] * 2
    with pytest.raises(VerificationError, match="proof nodes must be bytes"):
        verifier.verify(dataclasses.replace(one_event, receipt_proof=([b"\x80"],)))  # type: ignore[arg-type]
    verifier.clear()
    assert verifier.verify(one_event) == verify_event(one_event)


def test_log_position_errors(mixed_block: BlockEvidence) -> None:
    receipts = mixed_block.receipts
    with pytest.raises(VerificationError, match="log index 9 but the block holds 9 log"):
        locate_log(receipts, 9)
    with pytest.raises(VerificationError, match="log-position failed at log_index"):
        locate_log(receipts, -1)
    with pytest.raises(VerificationError, match=r"log-position failed at receipts\[1\]"):
        locate_log([receipts[0], b"\x02\xc0", *receipts[2:]], 8)
    with pytest.raises(VerificationError, match="log-in-receipt failed at receipt"):
        log_in_receipt(b"\x09", 0)
    with pytest.raises(VerificationError, match="log-position failed at tx_index"):
        block_log_index(receipts, 5, 0)
    empty = next(i for i, raw in enumerate(receipts) if not decode_receipt(raw).logs)  # the reverted call
    with pytest.raises(VerificationError, match="log-position failed at log_index"):
        block_log_index(receipts, empty, 0)


def test_verify_block_receipts(mixed_block: BlockEvidence) -> None:
    header = verify_block_receipts(mixed_block.header, mixed_block.block_hash, mixed_block.receipts)
    assert header.number == mixed_block.number
    with pytest.raises(VerificationError, match="receipts-root failed at receipts"):
        verify_block_receipts(mixed_block.header, mixed_block.block_hash, mixed_block.receipts[::-1])


# -- speed -----------------------------------------------------------------------------


def _synthetic_events(template: bytes, blocks: int, txs: int, logs: int) -> list[EventEvidence]:
    """``blocks`` blocks of ``txs`` receipts with ``logs`` logs each, and one evidence per log."""
    events = []
    for number in range(blocks):
        receipts = [
            Receipt(
                2,
                1,
                50_000 * (t + 1),
                bytes(256),
                tuple(
                    Log(keccak(b"registry")[:20], (keccak(b"Sig()"), (number * txs + t).to_bytes(32, "big")), bytes(96))
                    for _ in range(logs)
                ),
            ).encode()
            for t in range(txs)
        ]
        trie = ReceiptTrie(receipts)
        header = dataclasses.replace(decode_header(template), number=number, receipts_root=trie.root).encode()
        block_hash = keccak(header)
        for t in range(txs):
            proof = trie.proof(t)
            events += [EventEvidence(block_hash, header, t, proof, i) for i in range(logs)]
    return events


@pytest.mark.parametrize(("blocks", "txs", "logs"), [(20, 50, 5), (2, 500, 1)])
def test_many_events_sharing_blocks_verify_well_under_half_a_millisecond(
    mixed_block: BlockEvidence, blocks: int, txs: int, logs: int
) -> None:
    events = _synthetic_events(mixed_block.header, blocks, txs, logs)
    started = time.process_time()  # CPU time: other processes on the machine do not count
    proven = verify_events(events)
    per_event = (time.process_time() - started) / len(events)
    assert len(proven) == blocks * txs * logs
    assert proven[-1].log.topics[1] == (blocks * txs - 1).to_bytes(32, "big")
    print(f"\n{per_event * 1e6:.1f} us per event amortized ({blocks} blocks x {txs} receipts x {logs} logs)")
    assert per_event < 0.5e-3, f"{per_event * 1e6:.0f} us per event"
