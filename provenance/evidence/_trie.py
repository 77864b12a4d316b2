"""The receipts trie of a block: root, Merkle-Patricia inclusion proofs, offline verification.

Key ``rlp(txIndex)``, value the EIP-2718 receipt bytes. The trie is built with ``trie``'s
``HexaryTrie``; proofs are extracted and verified by the walk below so that every failure
says which proof node is wrong and why.

A proof is the list of RLP-encoded nodes on the path from the root to the leaf, in order,
holding only nodes referenced by hash (the root always; a node whose encoding is shorter
than 32 bytes sits inline in its parent and is not repeated) -- the same shape as the
``accountProof`` of ``eth_getProof``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eth_hash.auto import keccak
from trie.hexary import HexaryTrie

from provenance._internal.rlp import RlpItem, as_list, int_to_bytes, rlp_decode, rlp_encode
from provenance.errors import InputError, VerificationError

__all__ = [
    "EMPTY_TRIE_ROOT",
    "NodeCache",
    "ReceiptTrie",
    "receipt_key",
    "receipts_root",
    "verify_receipt_proof",
    "verify_trie_proof",
]

EMPTY_TRIE_ROOT = keccak(b"\x80")
"""The root of an empty trie (a block without transactions)."""


def receipt_key(tx_index: int) -> bytes:
    """The trie key of the receipt at ``tx_index``: ``rlp(txIndex)``."""
    if not isinstance(tx_index, int) or isinstance(tx_index, bool) or tx_index < 0:
        raise InputError(f"tx_index: expected a non-negative integer, got {tx_index!r}")
    return rlp_encode(int_to_bytes(tx_index))


class ReceiptTrie:
    """The receipts trie of one block, built once; hands out a proof for any index."""

    def __init__(self, receipts: Sequence[bytes]) -> None:
        self._db: dict[bytes, bytes] = {}
        built = HexaryTrie(self._db)
        with built.squash_changes() as batch:
            for index, receipt in enumerate(receipts):
                if not isinstance(receipt, bytes) or not receipt:
                    raise InputError(f"receipts[{index}]: expected non-empty bytes")
                batch[receipt_key(index)] = receipt
        self._count = len(receipts)
        self.root: bytes = built.root_hash
        """keccak of the root node: the header's receiptsRoot."""

    def __len__(self) -> int:
        return self._count

    def proof(self, tx_index: int) -> tuple[bytes, ...]:
        """The inclusion proof of the receipt at ``tx_index`` (RLP nodes, root first)."""
        if not 0 <= tx_index < self._count:
            raise InputError(f"tx_index: {tx_index} is outside the block's {self._count} receipts")
        nodes: list[bytes] = []

        def load(ref: bytes, position: int) -> list[RlpItem]:
            node = self._db[ref]
            nodes.append(node)
            return _decode_node(node, position)

        try:
            _walk(self.root, receipt_key(tx_index), load)
        except _ProofFailure as exc:  # the trie we just built lacks its own key: a bug
            raise AssertionError(f"receipt trie walk failed: {exc.message}") from None
        return tuple(nodes)


def receipts_root(receipts: Sequence[bytes]) -> bytes:
    """The receiptsRoot of a block whose receipts, in transaction order, are ``receipts``."""
    return ReceiptTrie(receipts).root if receipts else EMPTY_TRIE_ROOT


NodeCache = dict[bytes, tuple[bytes, list[RlpItem]]]
"""Trie nodes already checked: keccak -> (node bytes, decoded node)."""


def verify_receipt_proof(
    root: bytes, tx_index: int, proof: Sequence[bytes], *, node_cache: NodeCache | None = None
) -> bytes:
    """Check ``proof`` puts a receipt at ``tx_index`` under ``root``; return the receipt bytes.

    Raises VerificationError(check='receipt-proof', field='receipt_proof[i]').
    """
    return verify_trie_proof(
        root, receipt_key(tx_index), proof, check="receipt-proof", field="receipt_proof", node_cache=node_cache
    )


def verify_trie_proof(
    root: bytes,
    key: bytes,
    proof: Sequence[bytes],
    *,
    check: str = "trie-proof",
    field: str = "proof",
    node_cache: NodeCache | None = None,
) -> bytes:
    """Walk ``proof`` from ``root`` along ``key``; return the value stored there.

    Every node referenced by hash must be the next proof node and hash to the reference;
    the path must end at a non-empty value exactly where the key ends; no node may be left
    over. Any failure raises VerificationError naming ``check`` and ``field[i]``.

    ``node_cache``, kept by the caller between calls, remembers nodes already checked: a
    node equal to the cached bytes for its reference is neither hashed nor decoded again
    (proofs of one block share their upper nodes).
    """
    if not isinstance(root, bytes) or len(root) != 32:
        raise VerificationError(check, "the trie root must be 32 bytes", "root")
    if not isinstance(proof, Sequence) or isinstance(proof, (bytes, str)):
        raise VerificationError(check, "the proof must be a list of RLP nodes", field)

    def load(ref: bytes, position: int) -> list[RlpItem]:
        # (1) the next node of the proof must hash to the reference its parent holds
        if position >= len(proof):
            raise _ProofFailure(f"the proof ends after {len(proof)} nodes; node {ref.hex()} is missing", position)
        node = proof[position]
        if not isinstance(node, bytes):
            raise _ProofFailure("proof nodes must be bytes", position)
        cached = node_cache.get(ref) if node_cache is not None else None
        if cached is not None and cached[0] == node:  # same bytes as a node that hashed to ref
            return cached[1]
        digest = keccak(node)
        if digest != ref:
            parent = "the root" if position == 0 else f"{field}[{position - 1}]"
            raise _ProofFailure(f"node hashes to {digest.hex()}, {parent} references {ref.hex()}", position)
        decoded = _decode_node(node, position)
        if node_cache is not None:
            node_cache[ref] = (node, decoded)
        return decoded

    try:
        value, used = _walk(root, key, load)
    except _ProofFailure as exc:
        where = f"{field}[{exc.position}]" if exc.position is not None else "key"
        raise VerificationError(check, exc.message, where) from None
    # (5) a proof carries nothing it does not need
    if used != len(proof):
        raise VerificationError(check, f"{len(proof) - used} unused node(s) after the leaf", f"{field}[{used}]")
    return value


class _ProofFailure(Exception):
    def __init__(self, message: str, position: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _decode_node(raw: bytes, position: int) -> list[RlpItem]:
    try:
        return as_list(rlp_decode(raw, "trie node"), "trie node")
    except InputError as exc:
        raise _ProofFailure(str(exc), position) from None


def _walk(root: bytes, key: bytes, load: Callable[[bytes, int], list[RlpItem]]) -> tuple[bytes, int]:
    """Follow ``key`` from ``root``; returns (value, number of hash-referenced nodes loaded)."""
    nibbles = _nibbles(key)
    depth = 0  # nibbles consumed
    loaded = 0  # hash-referenced nodes loaded so far
    ref: RlpItem = root
    position: int | None = None
    while True:
        # (2) resolve the reference: 32 bytes is a hash of the next proof node, a list is
        # a node embedded inline in its parent
        if isinstance(ref, bytes):
            if len(ref) != 32:
                raise _ProofFailure(f"child reference of {len(ref)} bytes, expected a 32-byte hash", position)
            position = loaded
            node = load(ref, loaded)
            loaded += 1
        else:
            node = ref
        # (3) branch: 16 children and a value; the next nibble picks the child
        if len(node) == 17:
            if depth == len(nibbles):
                return _value(node[16], position), loaded
            ref = node[nibbles[depth]]
            depth += 1
            if ref == b"":
                raise _ProofFailure("the key is not in the trie (empty branch slot)", position)
            continue
        # (4) leaf or extension: a hex-prefix path, then the value or the next node
        if len(node) != 2 or not isinstance(node[0], bytes):
            raise _ProofFailure(f"a trie node has 2 or 17 items, this one {len(node)}", position)
        path, is_leaf = _hex_prefix(node[0], position)
        if tuple(nibbles[depth : depth + len(path)]) != path:
            raise _ProofFailure("the key is not in the trie (path diverges)", position)
        depth += len(path)
        if is_leaf:
            if depth != len(nibbles):
                raise _ProofFailure("the key is not in the trie (leaf ends before the key)", position)
            return _value(node[1], position), loaded
        if not path:
            raise _ProofFailure("an extension node with an empty path", position)
        ref = node[1]


def _value(item: RlpItem, position: int | None) -> bytes:
    if not isinstance(item, bytes) or not item:
        raise _ProofFailure("the key is not in the trie (no value at its node)", position)
    return item


def _nibbles(key: bytes) -> tuple[int, ...]:
    return tuple(n for byte in key for n in (byte >> 4, byte & 0x0F))


def _hex_prefix(encoded: bytes, position: int | None) -> tuple[tuple[int, ...], bool]:
    if not encoded:
        raise _ProofFailure("an empty hex-prefix path", position)
    flag = encoded[0] >> 4
    if flag > 3 or (flag in (0, 2) and encoded[0] & 0x0F):
        raise _ProofFailure(f"a bad hex-prefix flag {encoded[0]:#04x}", position)
    nibbles = _nibbles(encoded[1:])
    if flag & 1:
        nibbles = (encoded[0] & 0x0F, *nibbles)
    return nibbles, flag >= 2
