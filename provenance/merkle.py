"""OpenZeppelin ``StandardMerkleTree``s, byte-for-byte those of ``@openzeppelin/merkle-tree``.

:class:`StandardMerkleTree` reproduces the npm library's ``StandardMerkleTree`` (v1.0.8):

- leaf = ``keccak256(keccak256(abi.encode(value)))`` for the tree's ``leaf_encoding``;
- inner node = ``keccak256`` of the two children sorted as bytes (OpenZeppelin
  ``MerkleProof``'s commutative hash), so proofs verify with ``MerkleProof.verify`` and
  multiproofs with ``MerkleProof.multiProofVerify``;
- leaves sorted by hash (stable), laid out reversed at the end of an array-based complete
  binary tree whose node ``i`` has children ``2i+1`` and ``2i+2``; the root is node 0;
- ``dump()`` is the library's ``"standard-v1"`` document and ``load()`` reads the library's.

Values in a dump are rendered as JSON: ``bytes`` become ``0x``-hex strings and integers become
decimal strings (what the npm library is given in practice, since a JavaScript number cannot
hold a ``uint256``); strings, booleans and lists stay as they are. The free functions
(:func:`process_proof`, :func:`verify`, multiproofs) check proofs without a tree.

Trade records and their proofs files are :mod:`provenance.anchor_records`; keccak comes
from the fastest backend installed (``provenance._internal.keccak``).
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from provenance._internal.abi import normalize, parse_type, static_word
from provenance._internal.hexbytes import parse_bytes32, to_hex
from provenance._internal.keccak import keccak256
from provenance.errors import InputError

__all__ = [
    "FORMAT",
    "MultiProof",
    "StandardMerkleTree",
    "gc_paused",
    "process_multi_proof",
    "process_proof",
    "standard_leaf_hash",
    "verify",
    "verify_multi_proof",
]

FORMAT = "standard-v1"


def _node_hash(a: bytes, b: bytes) -> bytes:
    return keccak256(a + b if a < b else b + a)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building millions of acyclic objects (it would rescan them all)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------------- leaves


class _LeafEncoder:
    """Encodes and hashes values of one leaf encoding; word types skip eth_abi."""

    __slots__ = ("_fast", "encoding", "types")

    def __init__(self, leaf_encoding: Sequence[str]) -> None:
        if isinstance(leaf_encoding, str) or not isinstance(leaf_encoding, Sequence) or not leaf_encoding:
            raise InputError(f"leaf encoding must be a non-empty list of ABI types, got {leaf_encoding!r:.80}")
        self.encoding = tuple(leaf_encoding)
        self.types = tuple(parse_type(t) for t in leaf_encoding)
        self._fast = all(t.is_word for t in self.types)

    def encode(self, value: Any, where: str) -> bytes:
        if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Sequence):
            raise InputError(f"{where}: a value must be a list matching the leaf encoding, got {value!r:.80}")
        if len(value) != len(self.types):
            raise InputError(f"{where}: expected {len(self.types)} items for {list(self.encoding)}, got {len(value)}")
        normal = [normalize(t, v, f"{where}[{i}]") for i, (t, v) in enumerate(zip(self.types, value))]
        if self._fast:
            return b"".join(static_word(t, v) for t, v in zip(self.types, normal))
        from eth_abi.abi import encode as abi_encode  # dynamic types only: eth_abi is slower

        return abi_encode([t.canonical for t in self.types], normal)

    def leaf(self, value: Any, where: str = "value") -> bytes:
        return keccak256(keccak256(self.encode(value, where)))


def standard_leaf_hash(leaf_encoding: Sequence[str], value: Sequence[Any]) -> str:
    """The StandardMerkleTree leaf of ``value``: ``keccak256(keccak256(abi.encode(value)))``."""
    return to_hex(_LeafEncoder(leaf_encoding).leaf(value))


def _render(value: Any) -> Any:
    """``value`` as the JSON of a dump: bytes -> 0x-hex, int -> decimal string, tuple -> list."""
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [_render(v) for v in value]
    return value


# ---------------------------------------------------------------------------- proofs


@dataclass(frozen=True, slots=True)
class MultiProof:
    """A multiproof as the npm library returns it: values in proof order, siblings and flags."""

    leaves: tuple[Any, ...]
    proof: tuple[str, ...]
    proof_flags: tuple[bool, ...]


def process_proof(leaf: str | bytes, proof: Sequence[str | bytes]) -> str:
    """The root that ``proof`` leads to from the leaf hash ``leaf`` (``MerkleProof.processProof``)."""
    node = parse_bytes32(leaf, what="leaf")
    for i, sibling in enumerate(proof):
        node = _node_hash(node, parse_bytes32(sibling, what=f"proof[{i}]"))
    return to_hex(node)


def verify(root: str | bytes, leaf_encoding: Sequence[str], value: Sequence[Any], proof: Sequence[str | bytes]) -> bool:
    """Whether ``proof`` proves ``value`` under ``root`` (the npm ``StandardMerkleTree.verify``)."""
    expected = parse_bytes32(root, what="root")
    leaf = _LeafEncoder(leaf_encoding).leaf(value)
    return parse_bytes32(process_proof(leaf, proof), what="root") == expected


def process_multi_proof(
    leaves: Sequence[str | bytes], proof: Sequence[str | bytes], proof_flags: Sequence[bool]
) -> str:
    """The root a multiproof leads to from leaf hashes (``MerkleProof.processMultiProof``)."""
    stack = [parse_bytes32(leaf, what=f"leaves[{i}]") for i, leaf in enumerate(leaves)]
    siblings = [parse_bytes32(node, what=f"proof[{i}]") for i, node in enumerate(proof)]
    if len(siblings) < sum(1 for flag in proof_flags if not flag):
        raise InputError("invalid multiproof: fewer proof nodes than false flags")
    if len(stack) + len(siblings) != len(proof_flags) + 1:
        raise InputError("invalid multiproof: leaves + proof must equal flags + 1")
    head = tail = 0
    try:
        for flag in proof_flags:
            a = stack[head]
            head += 1
            if flag:
                b = stack[head]
                head += 1
            else:
                b = siblings[tail]
                tail += 1
            stack.append(_node_hash(a, b))
    except IndexError:
        raise InputError("invalid multiproof: flags consume more nodes than given") from None
    if len(stack) - head + len(siblings) - tail != 1:
        raise InputError("invalid multiproof: more than one node left at the end")
    return to_hex(stack[-1] if head < len(stack) else siblings[tail])


def verify_multi_proof(root: str | bytes, leaf_encoding: Sequence[str], multiproof: MultiProof) -> bool:
    """Whether ``multiproof`` proves all its values under ``root``."""
    encoder = _LeafEncoder(leaf_encoding)
    leaves = [encoder.leaf(v, f"leaves[{i}]") for i, v in enumerate(multiproof.leaves)]
    computed = process_multi_proof(leaves, multiproof.proof, multiproof.proof_flags)
    return parse_bytes32(computed, what="root") == parse_bytes32(root, what="root")


# ---------------------------------------------------------------------------- tree


class StandardMerkleTree:
    """An OpenZeppelin StandardMerkleTree; build with :meth:`of`, read a dump with :meth:`load`."""

    __slots__ = ("_encoder", "_lookup", "_nodes", "_tree_index", "_values", "leaf_encoding")

    def __init__(self, encoder: _LeafEncoder, values: list[Any], nodes: list[bytes], tree_index: list[int]) -> None:
        self.leaf_encoding: tuple[str, ...] = encoder.encoding
        self._encoder = encoder
        self._values = values
        self._nodes = nodes
        self._tree_index = tree_index
        self._lookup: dict[bytes, int] | None = None

    # -- construction

    @classmethod
    def of(cls, values: Sequence[Sequence[Any]], leaf_encoding: Sequence[str]) -> StandardMerkleTree:
        """Build the tree of ``values`` (each a list matching ``leaf_encoding``), leaves sorted."""
        encoder = _LeafEncoder(leaf_encoding)
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise InputError("values must be a list of values")
        with gc_paused():
            leaves = [encoder.leaf(v, f"values[{i}]") for i, v in enumerate(values)]
            return cls._build(encoder, list(values), leaves)

    @classmethod
    def from_leaves(cls, values: list[Any], leaves: list[bytes], leaf_encoding: Sequence[str]) -> StandardMerkleTree:
        """The tree of ``values`` whose leaf hashes the caller computed (``leaves[i]`` is that of ``values[i]``).

        For builders that hash as they go (:func:`provenance.anchor_records.build_batch`): the
        leaves are not recomputed here; :meth:`validate` checks them against the values.
        """
        if len(values) != len(leaves):
            raise InputError(f"{len(values)} values but {len(leaves)} leaves")
        return cls._build(_LeafEncoder(leaf_encoding), values, leaves)

    @classmethod
    def _build(cls, encoder: _LeafEncoder, values: list[Any], leaves: list[bytes]) -> StandardMerkleTree:
        # (1): sort the leaves by hash, stably (ties keep value order, as Array.prototype.sort)
        n = len(leaves)
        if n == 0:
            raise InputError("a Merkle tree needs at least one value")
        order = sorted(range(n), key=leaves.__getitem__)
        # (2): leaf k of the sorted order sits at tree index 2n-2-k (leaves reversed at the end)
        size = 2 * n - 1
        nodes: list[bytes] = [b""] * (n - 1)
        nodes.extend(leaves[i] for i in reversed(order))
        tree_index = [0] * n
        for k, i in enumerate(order):
            tree_index[i] = size - 1 - k
        # (3): inner nodes from the last to the root; children of i are 2i+1 and 2i+2
        keccak = keccak256
        for i in range(n - 2, -1, -1):
            a = nodes[2 * i + 1]
            b = nodes[2 * i + 2]
            nodes[i] = keccak(a + b if a < b else b + a)
        return cls(encoder, values, nodes, tree_index)

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> StandardMerkleTree:
        """Read a ``"standard-v1"`` dump (ours or the npm library's) and check it entirely."""
        if not isinstance(data, Mapping):
            raise InputError("a tree dump must be a JSON object")
        if data.get("format") != FORMAT:
            raise InputError(f"unknown tree dump format {data.get('format')!r}, expected {FORMAT!r}")
        if "leafEncoding" not in data:
            raise InputError("tree dump has no leafEncoding")
        encoder = _LeafEncoder(data["leafEncoding"])
        raw_tree, raw_values = data.get("tree"), data.get("values")
        if not isinstance(raw_tree, list) or not raw_tree:
            raise InputError("tree dump's tree must be a non-empty list of 32-byte hex nodes")
        if not isinstance(raw_values, list):
            raise InputError("tree dump's values must be a list")
        nodes = [parse_bytes32(node, what=f"tree[{i}]") for i, node in enumerate(raw_tree)]
        values: list[Any] = []
        tree_index: list[int] = []
        for i, entry in enumerate(raw_values):
            if not isinstance(entry, Mapping) or "value" not in entry or "treeIndex" not in entry:
                raise InputError(f"values[{i}] must be an object with value and treeIndex")
            index = entry["treeIndex"]
            if isinstance(index, bool) or not isinstance(index, int):
                raise InputError(f"values[{i}].treeIndex must be an integer")
            values.append(entry["value"])
            tree_index.append(index)
        tree = cls(encoder, values, nodes, tree_index)
        tree.validate()
        return tree

    # -- reading

    @property
    def root(self) -> str:
        """The Merkle root, ``0x``-hex."""
        return to_hex(self._nodes[0])

    def __len__(self) -> int:
        return len(self._values)

    def at(self, index: int) -> Any:
        """The value at ``index`` (in the order given to :meth:`of`)."""
        return self._values[self._check_index(index)]

    def entries(self) -> Iterator[tuple[int, Any]]:
        """``(index, value)`` in value order."""
        return iter(enumerate(self._values))

    def leaf_hash(self, value: Sequence[Any]) -> str:
        """The leaf hash of ``value`` under this tree's encoding (in the tree or not)."""
        return to_hex(self._encoder.leaf(value))

    def dump(self) -> dict[str, Any]:
        """The ``"standard-v1"`` document, as the npm library's ``dump()``."""
        return {
            "format": FORMAT,
            "leafEncoding": list(self.leaf_encoding),
            "tree": [to_hex(node) for node in self._nodes],
            "values": [
                {"value": _render(value), "treeIndex": index} for value, index in zip(self._values, self._tree_index)
            ],
        }

    def validate(self) -> None:
        """Check every value's leaf and every inner node; InputError naming the first bad one."""
        nodes, size = self._nodes, len(self._nodes)
        for i, (value, index) in enumerate(zip(self._values, self._tree_index)):
            if not (0 <= index < size and 2 * index + 1 >= size):
                raise InputError(f"values[{i}].treeIndex {index} is not a leaf of the tree")
            if nodes[index] != self._encoder.leaf(value, f"values[{i}].value"):
                raise InputError(f"values[{i}] does not hash to tree[{index}]")
        for i in range(size):
            left, right = 2 * i + 1, 2 * i + 2
            if right >= size:
                if left < size:
                    raise InputError(f"tree[{i}] has one child: not a complete tree")
            elif nodes[i] != _node_hash(nodes[left], nodes[right]):
                raise InputError(f"tree[{i}] is not the hash of its children")

    # -- proofs

    def _check_index(self, index: int) -> int:
        if not 0 <= index < len(self._values):
            raise InputError(f"value index {index} is out of bounds (tree of {len(self._values)} values)")
        return index

    def _value_index(self, index_or_value: int | Sequence[Any]) -> int:
        if isinstance(index_or_value, int) and not isinstance(index_or_value, bool):
            return self._check_index(index_or_value)
        if self._lookup is None:
            # last value wins among duplicates, as the npm library's Object.fromEntries
            self._lookup = {self._nodes[t]: i for i, t in enumerate(self._tree_index)}
        found = self._lookup.get(self._encoder.leaf(index_or_value))
        if found is None:
            raise InputError("value is not in the tree")
        return found

    def _path(self, tree_index: int) -> list[bytes]:
        nodes, proof = self._nodes, []
        while tree_index > 0:
            proof.append(nodes[tree_index - 1 if tree_index % 2 == 0 else tree_index + 1])
            tree_index = (tree_index - 1) // 2
        return proof

    def get_proof(self, index_or_value: int | Sequence[Any]) -> list[str]:
        """The proof of a value, given by index or by value: sibling hashes from leaf to root."""
        index = self._value_index(index_or_value)
        tree_index = self._tree_index[index]
        leaf = self._nodes[tree_index]
        if leaf != self._encoder.leaf(self._values[index], f"values[{index}]"):
            raise InputError(f"tree does not contain the expected value at index {index}")
        proof = self._path(tree_index)
        node = leaf
        for sibling in proof:
            node = _node_hash(node, sibling)
        if node != self._nodes[0]:
            raise InputError(f"unable to prove value {index}: tree is corrupt")
        return [to_hex(p) for p in proof]

    def get_multi_proof(self, indices_or_values: Sequence[int | Sequence[Any]]) -> MultiProof:
        """One proof for several values (the npm ``getMultiProof``, same order and flags)."""
        value_indices = [self._value_index(v) for v in indices_or_values]
        nodes = self._nodes
        indices = sorted((self._tree_index[i] for i in value_indices), reverse=True)
        if any(a == b for a, b in itertools.pairwise(indices)):
            raise InputError("cannot prove a duplicated index")
        stack = list(indices)
        head = 0
        proof: list[bytes] = []
        flags: list[bool] = []
        while head < len(stack) and stack[head] > 0:
            j = stack[head]
            head += 1
            sibling = j - 1 if j % 2 == 0 else j + 1
            if head < len(stack) and stack[head] == sibling:
                flags.append(True)
                head += 1
            else:
                flags.append(False)
                proof.append(nodes[sibling])
            stack.append((j - 1) // 2)
        if not indices:
            proof.append(nodes[0])
        if self._lookup is None:
            self._lookup = {self._nodes[t]: i for i, t in enumerate(self._tree_index)}
        leaves = tuple(self._values[self._lookup[nodes[i]]] for i in indices)
        result = MultiProof(leaves, tuple(to_hex(p) for p in proof), tuple(flags))
        if not verify_multi_proof(self._nodes[0], self.leaf_encoding, result):
            raise InputError("unable to prove values: tree is corrupt")
        return result

    def verify(self, index_or_value: int | Sequence[Any], proof: Sequence[str | bytes]) -> bool:
        """Whether ``proof`` proves the value (or the value at an index) under this root."""
        if isinstance(index_or_value, Sequence):
            return verify(self._nodes[0], self.leaf_encoding, index_or_value, proof)
        return verify(self._nodes[0], self.leaf_encoding, self._values[self._check_index(index_or_value)], proof)

    def iter_proof_lines(self, start: int = 0, stop: int | None = None) -> Iterator[str]:
        """One JSON line per value in ``[start, stop)``, in value order: ``{"index","value","leaf","proof"}``."""
        return self._lines(self._proof_tables(), start, len(self._values) if stop is None else stop)

    def _proof_tables(self) -> tuple[list[str], list[str], int]:
        """Strings shared by all proof lines: each node's sibling step, and cached upper suffixes."""
        nodes, size = self._nodes, len(self._nodes)
        # (1): step[i] = the sibling of node i, quoted, with a trailing comma; step[0] = the root,
        #      which is the leaf's own string for a one-value tree
        step = ['"0x' + nodes[0].hex() + '",'] + [""] * (size - 1)
        for i in range(1, size):
            step[i] = '"0x' + nodes[i - 1 if i % 2 == 0 else i + 1].hex() + '",'
        # (2): suffix[i] = the proof from node i up to the root (no trailing comma), for the upper
        #      eighth of the tree; cut >= 3, so a walk from a leaf stops at node 1 or 2 at the latest
        cut = min(size, max(3, size >> 3))
        suffix = [""] * cut
        for i in range(1, cut):
            parent = (i - 1) >> 1
            suffix[i] = step[i] + suffix[parent] if parent else step[i][:-1]
        return step, suffix, cut

    def _lines(self, tables: tuple[list[str], list[str], int], start: int, stop: int) -> Iterator[str]:
        step, suffix, cut = tables
        dumps, values, bytes32 = orjson.dumps, self._values, self.leaf_encoding == ("bytes32",)
        tree_index = self._tree_index
        # (3): per value, walk from its leaf up to the first cached ancestor; one join per line
        for index in range(start, stop):
            value, leaf = values[index], tree_index[index]
            if bytes32 and type(value) is list and type(value[0]) is str:
                rendered = '["' + value[0] + '"]'  # validated 0x-hex: nothing to escape
            else:
                rendered = dumps(_render(value)).decode()
            # the leaf, quoted with a trailing comma, is its sibling's step (the root's for a lone leaf)
            parts = [
                f'{{"index":{index},"value":{rendered},"leaf":',
                step[(leaf - 1 if leaf % 2 == 0 else leaf + 1) if leaf else 0],
                '"proof":[',
            ]
            j = leaf
            while j >= cut:
                parts.append(step[j])
                j = (j - 1) >> 1
            parts.append(suffix[j])
            parts.append("]}\n")
            yield "".join(parts)
