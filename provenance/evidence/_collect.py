"""Export plumbing: pick the events of a query, fetch their blocks in batches, once each.

JSON-RPC calls the exporter makes (all standard; batched, ``batch_size`` per request):

- ``eth_getBlockByNumber(n, true)`` for every block holding an event or a deployment
  transaction (the transaction bodies build the transactions trie);
- ``eth_getBlockReceipts(blockHash)`` for those blocks, or, where the node answers
  method-not-found / not-supported (hardhat), ``eth_getTransactionReceipt(txHash)`` per
  transaction of those blocks;
- ``eth_getBlockByNumber(n, false)`` for every other block between the oldest of them and
  the checkpoint (the header chain);
- ``eth_getLogs`` only when events are selected without an index (address filter over the
  deployment's contracts, or the ``BatchAnchored`` root topic for an anchored record).

Every block goes through :func:`provenance.evidence.proofs.fetch_block_evidence` (header
hash and receiptsRoot re-derived) from the prefetched answers, and its transactions must
hash to the reported hashes and rebuild its transactionsRoot; each block's receipts trie,
transactions trie and log offsets are built once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eth_hash.auto import keccak

from provenance._internal.hexbytes import parse_hex
from provenance.errors import ChainError, InputError
from provenance.evidence._transactions import encode_transaction
from provenance.evidence.proofs import (
    BlockEvidence,
    LogOffsets,
    ReceiptTrie,
    decode_header,
    encode_header,
    fetch_block_evidence,
    verify_header_chain,
)

__all__ = ["BatchRpc", "EventRef", "FetchedBlock", "fetch_blocks", "fetch_header_chain", "not_supported"]

_HINTS = ("not found", "does not exist", "not supported", "unsupported", "not available")


class BatchRpc(Protocol):
    """What the exporter needs of a node: :class:`provenance.chain.Chain` has it."""

    def rpc(self, method: str, params: Sequence[Any] = ()) -> Any: ...

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class EventRef:
    """An event picked by a query, as its source (index or eth_getLogs) saw it."""

    block_number: int
    log_index: int
    """Block-level logIndex as the source reported it; re-derived from receipt bytes."""
    block_hash: bytes
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class FetchedBlock:
    """One block's evidence with its tries and log offsets, built once."""

    evidence: BlockEvidence
    transactions: tuple[bytes, ...]
    """EIP-2718 signed transactions in block order."""
    receipt_trie: ReceiptTrie
    transaction_trie: ReceiptTrie
    """Same key scheme as receipts: ``rlp(index)`` -> transaction bytes."""
    offsets: LogOffsets


def not_supported(error: Exception) -> bool:
    """Whether a JSON-RPC error says the method does not exist on this node."""
    code = getattr(error, "code", None)
    text = str(getattr(error, "rpc_message", error)).lower()
    return code == -32601 or any(hint in text for hint in _HINTS)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batch(node: BatchRpc, calls: Sequence[tuple[str, Sequence[Any]]], *, allow_errors: bool = False) -> list[Any]:
    answers = node.batch(calls) if len(calls) > 1 else [_single(node, calls[0])]
    if not allow_errors:
        for (method, params), answer in zip(calls, answers, strict=True):
            if isinstance(answer, Exception):
                raise ChainError(f"{method}{list(params)!r:.80}: {answer}")
    return answers


def _single(node: BatchRpc, call: tuple[str, Sequence[Any]]) -> Any:
    try:
        return node.rpc(call[0], call[1])
    except ChainError as exc:
        return exc


def fetch_blocks(node: BatchRpc, numbers: Iterable[int], *, batch_size: int = 100) -> dict[int, FetchedBlock]:
    """Fetch and check every listed block once (see the module docstring for the calls)."""
    wanted = sorted(set(numbers))
    out: dict[int, FetchedBlock] = {}
    per_tx = False
    for chunk in _chunks(wanted, batch_size):
        # (1) the blocks with their transaction bodies, one batch
        blocks = _batch(node, [("eth_getBlockByNumber", [hex(n), True]) for n in chunk])
        for number, block in zip(chunk, blocks, strict=True):
            if not isinstance(block, Mapping):
                raise ChainError(f"block {number} not found on the node")
        # (2) their receipts: per block where the node can, else per transaction
        receipts: list[Any] = []
        if not per_tx:
            receipts = _batch(node, [("eth_getBlockReceipts", [b["hash"]]) for b in blocks], allow_errors=True)
            errors = [r for r in receipts if isinstance(r, Exception)]
            if errors and all(not_supported(e) for e in errors):
                per_tx = True
            elif errors:
                raise ChainError(f"eth_getBlockReceipts: {errors[0]}")
        if per_tx:
            hashes = [tx["hash"] for b in blocks for tx in b["transactions"]]
            answers: list[Any] = []
            for part in _chunks(hashes, batch_size * 5):
                answers.extend(_batch(node, [("eth_getTransactionReceipt", [h]) for h in part]))
            receipts, cursor = [], 0
            for block in blocks:
                count = len(block["transactions"])
                receipts.append(answers[cursor : cursor + count])
                cursor += count
        # (3) check each block as fetch_block_evidence does, from the answers in hand
        for number, block, block_receipts in zip(chunk, blocks, receipts, strict=True):
            out[number] = _checked_block(number, block, block_receipts)
    return out


def _checked_block(number: int, block: Mapping[str, Any], receipts: Any) -> FetchedBlock:
    def answer(method: str, params: Sequence[Any]) -> Any:
        return block if method == "eth_getBlockByNumber" else receipts

    evidence = fetch_block_evidence(answer, number)
    # (4) transactions: encoded from the JSON, hashing to the reported hashes, rebuilding the root
    try:
        encoded = tuple(encode_transaction(tx) for tx in block["transactions"])
    except InputError as exc:
        raise ChainError(f"block {number}: {exc}") from None
    for index, (raw, tx_hash) in enumerate(zip(encoded, evidence.tx_hashes, strict=True)):
        if keccak(raw) != tx_hash:
            raise ChainError(f"block {number}: transaction {index} does not encode to its hash 0x{tx_hash.hex()}")
    tx_trie = ReceiptTrie(encoded)
    header = decode_header(evidence.header)
    root = tx_trie.root if encoded else header.transactions_root
    if root != header.transactions_root:
        raise ChainError(f"block {number}: the transactions do not rebuild transactionsRoot")
    return FetchedBlock(evidence, encoded, evidence.receipt_trie(), tx_trie, LogOffsets.of(evidence.receipts))


def fetch_header_chain(
    node: BatchRpc, first: int, last: int, known: Mapping[int, FetchedBlock], *, batch_size: int = 200
) -> list[bytes]:
    """The RLP headers ``first..last`` (oldest first), each checked against its hash, linked."""
    missing = [n for n in range(first, last + 1) if n not in known]
    headers: dict[int, bytes] = {n: b.evidence.header for n, b in known.items() if first <= n <= last}
    for chunk in _chunks(missing, batch_size):
        for number, block in zip(
            chunk, _batch(node, [("eth_getBlockByNumber", [hex(n), False]) for n in chunk]), strict=True
        ):
            if not isinstance(block, Mapping):
                raise ChainError(f"block {number} not found on the node")
            try:
                header = encode_header(block)
                reported = parse_hex(block.get("hash"), what="block.hash", length=32)
            except InputError as exc:
                raise ChainError(f"block {number}: {exc}") from None
            if keccak(header) != reported:
                raise ChainError(f"block {number}: the header does not encode to the reported hash")
            headers[number] = header
    chain = [headers[n] for n in range(first, last + 1)]
    try:
        verify_header_chain(chain)
    except Exception as exc:  # noqa: BLE001 - a VerificationError here means the chain moved
        raise ChainError(f"the headers {first}..{last} do not link (did the chain reorganize?): {exc}") from None
    return chain
