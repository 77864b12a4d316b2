"""Evidence proofs: offline checks that an event log is in the chain, from bytes alone.

For one event a verifier holds the raw RLP header, the claimed block hash, the receipt's
index in the block, a Merkle-Patricia proof and the log's index in the receipt, and checks
(DESIGN.md, "Evidence: what verifiable means here")::

    (1) header-hash      keccak(header) == block hash; fields are read from these bytes
    (2) receipt-proof    the proof puts receipt bytes at key rlp(txIndex) under the
                         header's receiptsRoot
    (3) log-in-receipt   the log at that index of the decoded EIP-2718 receipt
    (4) header-chain     headers link by parentHash up to a checkpoint the analyst trusts

The block-level logIndex is derived from receipt bytes too (:class:`LogOffsets`, check
``log-position``), and a complete receipt list can be checked against the header
(:func:`verify_block_receipts`, check ``receipts-root``). :class:`EventVerifier` checks many
events and does each distinct header and receipt proof once (about 25 us per event when
events share blocks, measured by ``tests/evidence/test_event_verifier.py``).

Every failure raises :class:`~provenance.errors.VerificationError` naming the check and the
field; malformed input to the codecs raises :class:`~provenance.errors.InputError`; only
:func:`fetch_block_evidence` touches a node (:class:`~provenance.errors.ChainError`).

Where things live: receipt codec ``_receipts.py``, header codec ``_headers.py``, receipts
trie and proofs ``_trie.py``, fetch layer ``_fetch.py`` (lists the JSON-RPC calls); RLP and
hex come from the package toolkit (``provenance._internal.rlp`` and ``.hexbytes``). This
module is the public surface and holds the verifiers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eth_hash.auto import keccak

from provenance.errors import InputError, VerificationError
from provenance.evidence._fetch import BlockEvidence, RpcCall, RpcError, as_rpc_call, fetch_block_evidence, provider_rpc
from provenance.evidence._headers import FORKS, Header, decode_header, encode_header, header_from_json
from provenance.evidence._receipts import RECEIPT_TYPES, Log, Receipt, decode_receipt, encode_receipt, receipt_from_json
from provenance.evidence._trie import (
    EMPTY_TRIE_ROOT,
    NodeCache,
    ReceiptTrie,
    receipt_key,
    receipts_root,
    verify_receipt_proof,
    verify_trie_proof,
)

__all__ = [
    "EMPTY_TRIE_ROOT",
    "FORKS",
    "RECEIPT_TYPES",
    "BlockEvidence",
    "EventEvidence",
    "EventVerifier",
    "Header",
    "Log",
    "LogOffsets",
    "NodeCache",
    "ProvenLog",
    "Receipt",
    "ReceiptTrie",
    "RpcCall",
    "RpcError",
    "as_rpc_call",
    "block_log_index",
    "decode_header",
    "decode_receipt",
    "encode_header",
    "encode_receipt",
    "event_evidence",
    "fetch_block_evidence",
    "header_from_json",
    "locate_log",
    "log_in_receipt",
    "provider_rpc",
    "receipt_from_json",
    "receipt_key",
    "receipts_root",
    "verify_block_receipts",
    "verify_event",
    "verify_events",
    "verify_header",
    "verify_header_chain",
    "verify_receipt_proof",
    "verify_trie_proof",
]


# -- log position, from receipt bytes only ---------------------------------------------


def log_in_receipt(receipt: bytes | Receipt, log_index: int) -> Log:
    """The log at ``log_index`` (0-based, within the receipt) of raw receipt bytes.

    Raises VerificationError(check='log-in-receipt') naming 'receipt' or 'log_index'.
    """
    # (1) decode the EIP-2718 receipt (the bytes the receipt proof returned)
    if isinstance(receipt, bytes):
        try:
            receipt = decode_receipt(receipt)
        except InputError as exc:
            raise VerificationError("log-in-receipt", str(exc), "receipt") from None
    # (2) the index must name one of its logs
    if not isinstance(log_index, int) or isinstance(log_index, bool) or not 0 <= log_index < len(receipt.logs):
        raise VerificationError(
            "log-in-receipt", f"log index {log_index!r} but the receipt holds {len(receipt.logs)} log(s)", "log_index"
        )
    return receipt.logs[log_index]


@dataclass(frozen=True, slots=True)
class LogOffsets:
    """Where each receipt's logs start in the block's log numbering (block-level logIndex).

    Counted in the receipt bytes; build it once per block to place many logs.
    """

    starts: tuple[int, ...]
    """``starts[i]`` is the block logIndex of receipt i's first log; ``starts[-1]`` the total."""

    @classmethod
    def of(cls, receipts: Sequence[bytes]) -> LogOffsets:
        """Count the logs of a block's receipts, in order (raises check 'log-position')."""
        starts = [0]
        for index, raw in enumerate(receipts):
            try:
                starts.append(starts[-1] + len(decode_receipt(raw).logs))
            except InputError as exc:
                raise VerificationError("log-position", str(exc), f"receipts[{index}]") from None
        return cls(tuple(starts))

    def locate(self, block_log_index: int) -> tuple[int, int]:
        """(txIndex, index in receipt) of a block-level logIndex."""
        # (1) the index must fall inside the block's logs
        total = self.starts[-1]
        if not 0 <= block_log_index < total:
            raise VerificationError(
                "log-position", f"log index {block_log_index} but the block holds {total} log(s)", "log_index"
            )
        # (2) the last receipt whose first log is at or before it holds it
        tx_index = bisect_right(self.starts, block_log_index) - 1
        return tx_index, block_log_index - self.starts[tx_index]

    def block_index(self, tx_index: int, log_index: int) -> int:
        """The block-level logIndex of the log at ``log_index`` in receipt ``tx_index``."""
        if not 0 <= tx_index < len(self.starts) - 1:
            raise VerificationError(
                "log-position", f"tx index {tx_index} but the block has {len(self.starts) - 1}", "tx_index"
            )
        held = self.starts[tx_index + 1] - self.starts[tx_index]
        if not 0 <= log_index < held:
            raise VerificationError("log-position", f"log index {log_index} but the receipt holds {held}", "log_index")
        return self.starts[tx_index] + log_index


def locate_log(receipts: Sequence[bytes], block_log_index: int) -> tuple[int, int]:
    """Map a block-level logIndex to (txIndex, index in receipt) by counting logs in bytes.

    ``receipts`` are all the block's receipts in order (check them first with
    :func:`verify_block_receipts`); RPC's own logIndex is never consulted. Raises
    VerificationError(check='log-position'). For many logs of a block use :class:`LogOffsets`.
    """
    return LogOffsets.of(receipts).locate(block_log_index)


def block_log_index(receipts: Sequence[bytes], tx_index: int, log_index: int) -> int:
    """The inverse of :func:`locate_log`: the block-level logIndex of a log."""
    return LogOffsets.of(receipts).block_index(tx_index, log_index)


# -- headers ---------------------------------------------------------------------------


def verify_header(header: bytes, block_hash: bytes) -> Header:
    """Check ``keccak(header) == block_hash``; return the fields decoded from the bytes."""
    # (1) the hash commits to every byte of the header
    digest = keccak(header) if isinstance(header, bytes) else b""
    if digest != block_hash:
        raise VerificationError(
            "header-hash", f"header hashes to 0x{digest.hex()}, the block hash is 0x{bytes(block_hash).hex()}", "header"
        )
    # (2) only then read fields, from the bytes
    try:
        return decode_header(header)
    except InputError as exc:
        raise VerificationError(
            "header-hash", f"the header hashes correctly but does not decode: {exc}", "header"
        ) from None


def verify_header_chain(
    headers: Sequence[bytes], *, start_hash: bytes | None = None, checkpoint_hash: bytes | None = None
) -> bytes:
    """Check raw headers link by parentHash, oldest first; return the checkpoint's hash.

    Direction: ``headers[0]`` is the block to anchor, ``headers[-1]`` the checkpoint (the
    newest); for every i > 0, ``headers[i].parent_hash == keccak(headers[i-1])`` and
    ``headers[i].number == headers[i-1].number + 1``. With ``start_hash`` the first header
    must hash to it; with ``checkpoint_hash`` the last one must. Errors name
    ``headers[i].<field>`` (check 'header-chain').
    """
    # (1) a chain has at least one header, each a byte string that decodes
    if not headers:
        raise VerificationError("header-chain", "no headers", "headers")
    decoded: list[Header] = []
    hashes: list[bytes] = []
    for index, raw in enumerate(headers):
        if not isinstance(raw, bytes):
            raise VerificationError("header-chain", "a header must be bytes", f"headers[{index}]")
        try:
            decoded.append(decode_header(raw))
        except InputError as exc:
            raise VerificationError("header-chain", str(exc), f"headers[{index}]") from None
        hashes.append(keccak(raw))
    # (2) the first header is the block being anchored
    if start_hash is not None and hashes[0] != start_hash:
        raise VerificationError(
            "header-chain", f"hashes to 0x{hashes[0].hex()}, expected 0x{start_hash.hex()}", "headers[0]"
        )
    # (3) each header names the previous one as parent, at the next height
    for index in range(1, len(headers)):
        here, previous = decoded[index], decoded[index - 1]
        if here.parent_hash != hashes[index - 1]:
            raise VerificationError(
                "header-chain",
                f"parentHash 0x{here.parent_hash.hex()} but headers[{index - 1}] hashes to 0x{hashes[index - 1].hex()}",
                f"headers[{index}].parent_hash",
            )
        if here.number != previous.number + 1:
            raise VerificationError(
                "header-chain", f"number {here.number} does not follow {previous.number}", f"headers[{index}].number"
            )
    # (4) the last header is the checkpoint
    last = len(headers) - 1
    if checkpoint_hash is not None and hashes[last] != checkpoint_hash:
        raise VerificationError(
            "header-chain",
            f"hashes to 0x{hashes[last].hex()}, the checkpoint is 0x{checkpoint_hash.hex()}",
            f"headers[{last}]",
        )
    return hashes[last]


def verify_block_receipts(header: bytes, block_hash: bytes, receipts: Sequence[bytes]) -> Header:
    """Check a block's complete receipt list against its header (check 'receipts-root')."""
    decoded = verify_header(header, block_hash)
    try:
        root = receipts_root(receipts)
    except InputError as exc:
        raise VerificationError("receipts-root", str(exc), "receipts") from None
    if root != decoded.receipts_root:
        raise VerificationError(
            "receipts-root",
            f"receipts rebuild 0x{root.hex()}, the header holds 0x{decoded.receipts_root.hex()}",
            "receipts",
        )
    return decoded


# -- events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventEvidence:
    """What proves one log: its block header, a receipt proof and its place in the receipt."""

    block_hash: bytes
    """The claimed block hash (to be linked to a checkpoint separately)."""
    header: bytes
    """The block's RLP header."""
    tx_index: int
    """The transaction's index in the block: the receipt's trie key is rlp(tx_index)."""
    receipt_proof: tuple[bytes, ...]
    """Merkle-Patricia proof nodes, root first."""
    log_index: int
    """The log's index within its receipt (not the block-level logIndex)."""


@dataclass(frozen=True, slots=True)
class ProvenLog:
    """A log that passed checks (1)-(3), with the block facts read from header bytes."""

    block_hash: bytes
    block_number: int
    block_timestamp: int
    tx_index: int
    log_index: int
    """Index within the receipt."""
    log: Log


def event_evidence(
    block: BlockEvidence, tx_index: int, log_index: int, trie: ReceiptTrie | None = None
) -> EventEvidence:
    """Cut the evidence of one log out of a fetched block (pass ``trie`` to reuse it)."""
    if trie is None:
        trie = block.receipt_trie()
    log_in_receipt(block.receipts[tx_index], log_index)
    return EventEvidence(block.block_hash, block.header, tx_index, trie.proof(tx_index), log_index)


class EventVerifier:
    """Verifies many events, doing each distinct piece of work once.

    A header's keccak and decoding are cached per distinct header bytes, a receipt proof's
    walk and the receipt's decoding per distinct (receiptsRoot, tx_index, proof), and trie
    nodes per hash (proofs of one block share their upper nodes); cache hits compare the
    full input bytes, so they change no outcome. Memory grows with the
    distinct headers and receipts seen; :meth:`clear` drops it.
    """

    def __init__(self) -> None:
        self._headers: dict[bytes, tuple[bytes, Header]] = {}
        self._receipts: dict[tuple[bytes, int, tuple[bytes, ...]], Receipt] = {}
        self._nodes: NodeCache = {}

    def clear(self) -> None:
        self._headers.clear()
        self._receipts.clear()
        self._nodes.clear()

    def header(self, header: bytes, block_hash: bytes) -> Header:
        """Check (1), header-hash, cached per header bytes."""
        cached = self._headers.get(header) if isinstance(header, bytes) else None
        if cached is None:
            decoded = verify_header(header, block_hash)
            self._headers[header] = (block_hash, decoded)
            return decoded
        digest, decoded = cached
        if digest != block_hash:
            raise VerificationError(
                "header-hash",
                f"header hashes to 0x{digest.hex()}, the block hash is 0x{bytes(block_hash).hex()}",
                "header",
            )
        return decoded

    def receipt(self, root: bytes, tx_index: int, proof: Sequence[bytes]) -> Receipt:
        """Check (2), receipt-proof, and decode the receipt; cached per (root, index, proof)."""
        key = (root, tx_index, tuple(proof))
        try:
            cached = self._receipts.get(key)
        except TypeError:  # an unhashable proof node: not bytes
            raise VerificationError("receipt-proof", "proof nodes must be bytes", "receipt_proof") from None
        if cached is None:
            raw = verify_receipt_proof(root, tx_index, key[2], node_cache=self._nodes)
            try:
                cached = decode_receipt(raw)
            except InputError as exc:
                raise VerificationError(
                    "receipt-proof", f"the proven value is not a receipt: {exc}", "receipt_proof"
                ) from None
            self._receipts[key] = cached
        return cached

    def verify(self, evidence: EventEvidence) -> ProvenLog:
        """Checks (1)-(3) for one event; linking the block hash to a checkpoint is separate."""
        # (1) header-hash: the header bytes are the block's
        header = self.header(evidence.header, evidence.block_hash)
        # (2) receipt-proof: under the receiptsRoot read from those bytes
        receipt = self.receipt(header.receipts_root, evidence.tx_index, evidence.receipt_proof)
        # (3) log-in-receipt: the log's position comes from the receipt bytes
        log = log_in_receipt(receipt, evidence.log_index)
        return ProvenLog(
            evidence.block_hash, header.number, header.timestamp, evidence.tx_index, evidence.log_index, log
        )

    def verify_many(self, evidence: Iterable[EventEvidence]) -> list[ProvenLog]:
        """:meth:`verify` for each; the first failure raises."""
        return [self.verify(item) for item in evidence]


def verify_event(evidence: EventEvidence) -> ProvenLog:
    """Checks (1)-(3) for a single event."""
    return EventVerifier().verify(evidence)


def verify_events(evidence: Iterable[EventEvidence], verifier: EventVerifier | None = None) -> list[ProvenLog]:
    """Checks (1)-(3) for many events, sharing work between events of one block."""
    return (verifier or EventVerifier()).verify_many(evidence)
