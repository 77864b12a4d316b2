"""The thin fetch layer: the only part of the evidence code that talks to a node.

JSON-RPC calls used, per block:

- ``eth_getBlockByNumber(number, false)`` or ``eth_getBlockByHash(hash, false)``: the
  header fields and the list of transaction hashes;
- ``eth_getBlockReceipts(blockHash)``: every receipt of the block in one call; when the
  node answers method-not-found (JSON-RPC -32601, or a "not supported/does not exist"
  message), ``eth_getTransactionReceipt(txHash)`` once per transaction instead.

Nothing fetched is trusted: the header must hash to the block hash the node reported and
the receipts must rebuild the header's receiptsRoot, else :class:`ChainError` (the node
sent data we cannot reproduce, e.g. a fork or a receipt type we do not know).

The node is a :class:`~provenance.chain.Chain` (or its :class:`~provenance.rpc.RpcClient`), or
any ``rpc_call(method, params) -> result`` that raises :class:`RpcError` on a JSON-RPC error
(:func:`provider_rpc` adapts a web3 provider).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from eth_hash.auto import keccak

from provenance._internal.hexbytes import parse_hex
from provenance.errors import ChainError, InputError, RpcError
from provenance.evidence._headers import decode_header, encode_header
from provenance.evidence._receipts import encode_receipt
from provenance.evidence._trie import ReceiptTrie, receipts_root
from provenance.rpc import RpcClient

if TYPE_CHECKING:
    from provenance.chain import Chain

__all__ = [
    "BlockEvidence",
    "RpcCall",
    "RpcError",
    "as_rpc_call",
    "fetch_block_evidence",
    "provider_rpc",
]

RpcCall = Callable[[str, Sequence[Any]], Any]
"""``rpc_call(method, params) -> result``; raises (ideally :class:`RpcError`) on an error."""

_TAGS = ("latest", "safe", "finalized", "earliest")


@dataclass(frozen=True, slots=True)
class BlockEvidence:
    """What a verifier needs of one block, as consensus bytes."""

    number: int
    block_hash: bytes
    """keccak(header), checked at fetch."""
    header: bytes
    """The RLP header (every field of the block's fork)."""
    receipts: tuple[bytes, ...]
    """The EIP-2718 receipts in transaction order; they rebuild the header's receiptsRoot."""
    tx_hashes: tuple[bytes, ...]
    """The block's transaction hashes in order (tx_hashes[i] is the tx of receipts[i])."""

    def receipt_trie(self) -> ReceiptTrie:
        """The block's receipts trie, to cut proofs from (build once per block)."""
        return ReceiptTrie(self.receipts)


def fetch_block_evidence(node: Chain | RpcClient | RpcCall, block: int | bytes | str) -> BlockEvidence:
    """Fetch a block's header and receipts as consensus bytes, checked against each other.

    ``block`` is a block number, a 32-byte hash, a 0x-hex hash string, or one of the tags
    ``latest``, ``safe``, ``finalized``, ``earliest``.
    """
    rpc_call = as_rpc_call(node)
    # (1) the block, by number, tag or hash, without transaction bodies
    if isinstance(block, int) and not isinstance(block, bool):
        if block < 0:
            raise InputError(f"block: a block number must be non-negative, got {block}")
        answer = rpc_call("eth_getBlockByNumber", [hex(block), False])
    elif block in _TAGS:
        answer = rpc_call("eth_getBlockByNumber", [block, False])
    else:
        wanted = block if isinstance(block, bytes) else parse_hex(block, what="block", length=32)
        if len(wanted) != 32:
            raise InputError(f"block: a block hash has 32 bytes, got {len(wanted)}")
        answer = rpc_call("eth_getBlockByHash", ["0x" + wanted.hex(), False])
    if answer is None:
        raise ChainError(f"block {block!r} not found")
    if not isinstance(answer, Mapping):
        raise ChainError(f"block {block!r}: the node answered {type(answer).__name__}, not an object")
    # (2) the header we encode must hash to the hash the node reports
    try:
        header = encode_header(answer)
        reported = parse_hex(answer.get("hash"), what="block.hash", length=32)
        tx_hashes = tuple(
            parse_hex(h, what=f"block.transactions[{i}]", length=32) for i, h in enumerate(_tx_list(answer))
        )
    except InputError as exc:
        raise ChainError(f"block {block!r}: unusable answer: {exc}") from None
    block_hash = keccak(header)
    if block_hash != reported:
        raise ChainError(
            f"block {block!r}: the header encodes to hash {block_hash.hex()} but the node reports "
            f"{reported.hex()} (a header field of an unknown fork?)"
        )
    # (3) the receipts, in one call when the node can, one per transaction otherwise
    raw_receipts = _fetch_receipts(rpc_call, block_hash, tx_hashes)
    # (4) in transaction order, one per transaction, encoding to the header's receiptsRoot
    receipts = []
    for index, (receipt, tx_hash) in enumerate(zip(raw_receipts, tx_hashes, strict=True)):
        if not isinstance(receipt, Mapping):
            raise ChainError(f"block {block_hash.hex()}: receipt {index} missing")
        if str(receipt.get("transactionHash")).lower() != "0x" + tx_hash.hex():
            raise ChainError(f"block {block_hash.hex()}: receipt {index} is not for transaction {tx_hash.hex()}")
        try:
            receipts.append(encode_receipt(receipt))
        except InputError as exc:
            raise ChainError(f"block {block_hash.hex()}: receipt {index}: {exc}") from None
    decoded = decode_header(header)
    if receipts_root(receipts) != decoded.receipts_root:
        raise ChainError(
            f"block {block_hash.hex()}: the receipts do not rebuild receiptsRoot {decoded.receipts_root.hex()}"
        )
    return BlockEvidence(decoded.number, block_hash, header, tuple(receipts), tx_hashes)


def _tx_list(block: Mapping[str, Any]) -> list[Any]:
    txs = block.get("transactions")
    if not isinstance(txs, list):
        raise InputError("block.transactions: expected a JSON array")
    return [tx.get("hash") if isinstance(tx, Mapping) else tx for tx in txs]


def _fetch_receipts(rpc_call: RpcCall, block_hash: bytes, tx_hashes: tuple[bytes, ...]) -> list[Any]:
    try:
        answer = rpc_call("eth_getBlockReceipts", ["0x" + block_hash.hex()])
    except RpcError as exc:
        if not exc.method_not_found:
            raise
        answer = [rpc_call("eth_getTransactionReceipt", ["0x" + h.hex()]) for h in tx_hashes]
    if not isinstance(answer, list) or len(answer) != len(tx_hashes):
        got = len(answer) if isinstance(answer, list) else type(answer).__name__
        raise ChainError(f"block {block_hash.hex()}: {len(tx_hashes)} transactions but receipts: {got}")
    return answer


def as_rpc_call(node: Chain | RpcClient | RpcCall) -> RpcCall:
    """The ``rpc_call`` of a :class:`~provenance.chain.Chain`, an :class:`~provenance.rpc.RpcClient`
    or an ``rpc_call`` itself; a bare URL is refused (build ``Chain(url)``: one client, one timeout)."""
    client = getattr(node, "client", None)
    if isinstance(client, RpcClient):
        return client.call
    if isinstance(node, RpcClient):
        return node.call
    if isinstance(node, str | bytes):
        raise InputError(f"rpc: pass a Chain (Chain({node!r})) or an RpcClient, not a URL")
    if callable(node):
        return node
    raise InputError(f"rpc: pass a Chain or an RpcClient, not {type(node).__name__}")


class _Provider(Protocol):
    def make_request(self, method: Any, params: Any) -> Any: ...


def provider_rpc(provider: _Provider) -> RpcCall:
    """An ``rpc_call`` over a web3 provider's raw ``make_request`` (no result formatting)."""

    def call(method: str, params: Sequence[Any]) -> Any:
        try:
            answer = provider.make_request(method, list(params))
        except Exception as exc:  # noqa: BLE001 - transport errors of any provider
            raise ChainError(f"{method}: {exc}") from None
        return _result(method, answer)

    return call


def _result(method: str, answer: Any) -> Any:
    if not isinstance(answer, Mapping):
        raise ChainError(f"{method}: not a JSON-RPC answer: {answer!r:.120}")
    error = answer.get("error")
    if error is not None:
        if isinstance(error, Mapping):
            code = error.get("code")
            raise RpcError(method, code if isinstance(code, int) else None, str(error.get("message", "")))
        raise RpcError(method, None, str(error))
    if "result" not in answer:
        raise ChainError(f"{method}: the answer has neither result nor error")
    return answer["result"]
