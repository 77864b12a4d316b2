"""Merkle trees of trade records, byte-for-byte those of ``@openzeppelin/merkle-tree``.

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
hold a ``uint256``); strings, booleans and lists stay as they are.

Trade records (the exchange's batches) use one fixed mapping, record -> value:

1. ``canonical = RFC 8785 canonical JSON of the record`` (a JSON object);
2. ``recordHash = keccak256(canonical)``;
3. the value is ``[recordHash]`` under leaf encoding ``["bytes32"]``, so the leaf is
   ``keccak256(keccak256(recordHash))`` (``abi.encode(bytes32)`` is the 32 bytes themselves).

Any ``StandardMerkleTree`` (Python or npm) built on ``[[recordHash], ...]`` with
``["bytes32"]`` has the same root, and ``TradeAnchor.verifyRecord(batchId, recordHash, proof)``
checks a record on chain (it takes the value, ``recordHash``, and derives the leaf itself).
:func:`build_batch` builds that tree from records; :func:`write_proofs` streams every proof
to a JSON-lines file, one line per record in record order:
``{"index": 0, "value": ["0x<recordHash>"], "leaf": "0x<leaf>", "proof": ["0x..", ...]}``.

Keccak comes from ``safe-pysha3`` when installed (a C extension, about 6x faster per call
than pycryptodome's), else pycryptodome, else ``eth_hash``; :data:`KECCAK_BACKEND` names it.
"""

from __future__ import annotations

import gc
import importlib
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from provenance._internal.abi import split_tuple
from provenance.errors import InputError

__all__ = [
    "KECCAK_BACKEND",
    "RECORD_LEAF_ENCODING",
    "MultiProof",
    "RecordProof",
    "StandardMerkleTree",
    "build_batch",
    "canonical_json",
    "keccak256",
    "process_multi_proof",
    "process_proof",
    "proofs_path_for",
    "read_proofs",
    "record_hash",
    "record_leaf",
    "standard_leaf_hash",
    "verify",
    "verify_multi_proof",
    "write_proofs",
]

FORMAT = "standard-v1"
RECORD_LEAF_ENCODING: tuple[str, ...] = ("bytes32",)


# ---------------------------------------------------------------------------- keccak


def _select_keccak() -> tuple[Callable[[bytes], bytes], str]:
    try:
        ctor = importlib.import_module("sha3").keccak_256

        def _pysha3(data: bytes) -> bytes:
            return ctor(data).digest()  # type: ignore[no-any-return]

        return _pysha3, "safe-pysha3"
    except ImportError:
        pass
    try:
        crypto_keccak = importlib.import_module("Crypto.Hash.keccak")

        def _cryptodome(data: bytes) -> bytes:
            return crypto_keccak.new(digest_bits=256, data=data).digest()  # type: ignore[no-any-return]

        return _cryptodome, "pycryptodome"
    except ImportError:
        pass
    from eth_hash.auto import keccak as eth_keccak

    def _eth_hash(data: bytes) -> bytes:
        return eth_keccak(data)

    return _eth_hash, "eth-hash"


_keccak, KECCAK_BACKEND = _select_keccak()


def keccak256(data: bytes) -> bytes:
    """Keccak-256 of ``data`` with the fastest backend installed."""
    return _keccak(data)


# ---------------------------------------------------------------------------- bytes32


def _b32(node: str | bytes, what: str) -> bytes:
    """A 32-byte node from bytes or a ``0x``-hex string; InputError naming ``what`` if not."""
    if isinstance(node, (bytes, bytearray)):
        if len(node) == 32:
            return bytes(node)
    elif isinstance(node, str) and len(node) == 66 and node[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(node[2:])
        except ValueError:
            pass
    raise InputError(f"{what} must be 32 bytes (bytes or 0x-hex), got {node!r:.80}")


def _hex(node: bytes) -> str:
    return "0x" + node.hex()


def _node_hash(a: bytes, b: bytes) -> bytes:
    return _keccak(a + b if a < b else b + a)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building millions of acyclic objects (it would rescan them all)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------------- ABI types


@dataclass(frozen=True, slots=True)
class _AbiType:
    """A parsed Solidity ABI type; ``size`` is bits (ints), N (bytesN) or length (T[k], -1: T[])."""

    kind: str
    size: int
    items: tuple[_AbiType, ...]
    canonical: str

    @property
    def dynamic(self) -> bool:
        if self.kind in ("bytes", "string"):
            return True
        if self.kind == "array":
            return self.size < 0 or self.items[0].dynamic
        if self.kind == "tuple":
            return any(item.dynamic for item in self.items)
        return False


_BASE_RE = re.compile(r"^(uint|int)(\d*)$|^bytes(\d+)$")
_ARRAY_RE = re.compile(r"^(.*)\[(\d*)\]$")


def _parse_type(text: str) -> _AbiType:
    if not isinstance(text, str):
        raise InputError(f"leaf encoding entries must be strings, got {text!r}")
    t = text.replace(" ", "")
    array = _ARRAY_RE.match(t)
    if array:
        item = _parse_type(array.group(1))
        length = int(array.group(2)) if array.group(2) else -1
        if length == 0:
            raise InputError(f"unsupported ABI type {text!r}: zero-length array")
        suffix = f"[{array.group(2)}]"
        return _AbiType("array", length, (item,), item.canonical + suffix)
    if t.startswith("(") and t.endswith(")"):
        items = tuple(_parse_type(part) for part in split_tuple(t[1:-1])) if t != "()" else ()
        if not items:
            raise InputError(f"unsupported ABI type {text!r}: empty tuple")
        return _AbiType("tuple", len(items), items, "(" + ",".join(i.canonical for i in items) + ")")
    if t in ("address", "bool", "string", "bytes"):
        return _AbiType(t, 0, (), t)
    base = _BASE_RE.match(t)
    if base and base.group(1):
        bits = int(base.group(2)) if base.group(2) else 256
        if 8 <= bits <= 256 and bits % 8 == 0:
            return _AbiType(base.group(1), bits, (), f"{base.group(1)}{bits}")
    elif base and 1 <= int(base.group(3)) <= 32:
        return _AbiType("fixedbytes", int(base.group(3)), (), t)
    raise InputError(f"unsupported ABI type {text!r}")


def _hexbytes(value: Any, where: str, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) % 2 == 0:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise InputError(f"{where}: {what} must be bytes or an even-length 0x-hex string, got {value!r:.80}")


def _normalize(t: _AbiType, value: Any, where: str) -> Any:
    """``value`` as eth_abi takes it for type ``t``; InputError naming ``where`` if it does not fit."""
    kind = t.kind
    if kind in ("uint", "int"):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise InputError(f"{where}: {t.canonical} needs an integer, got {value!r:.80}")
        if isinstance(value, str):
            try:
                number = int(value, 16) if value[:2] in ("0x", "0X") else int(value, 10)
            except ValueError:
                raise InputError(f"{where}: {t.canonical} needs an integer, got {value!r:.80}") from None
        else:
            number = value
        low, high = (0, (1 << t.size) - 1) if kind == "uint" else (-(1 << (t.size - 1)), (1 << (t.size - 1)) - 1)
        if not low <= number <= high:
            raise InputError(f"{where}: {number} is out of range for {t.canonical}")
        return number
    if kind == "address":
        raw = _hexbytes(value, where, "address")
        if len(raw) != 20:
            raise InputError(f"{where}: address must be 20 bytes, got {len(raw)}")
        return raw
    if kind == "bool":
        if not isinstance(value, bool):
            raise InputError(f"{where}: bool needs true or false, got {value!r:.80}")
        return value
    if kind == "fixedbytes":
        raw = _hexbytes(value, where, t.canonical)
        if len(raw) != t.size:
            raise InputError(f"{where}: {t.canonical} must be {t.size} bytes, got {len(raw)}")
        return raw
    if kind == "bytes":
        return _hexbytes(value, where, "bytes")
    if kind == "string":
        if not isinstance(value, str):
            raise InputError(f"{where}: string needs a str, got {value!r:.80}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"{where}: string is not valid Unicode (lone surrogate)") from None
        return value
    if not isinstance(value, (list, tuple)):
        raise InputError(f"{where}: {t.canonical} needs a list, got {value!r:.80}")
    if kind == "array":
        if t.size >= 0 and len(value) != t.size:
            raise InputError(f"{where}: {t.canonical} needs {t.size} items, got {len(value)}")
        return [_normalize(t.items[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if len(value) != len(t.items):
        raise InputError(f"{where}: {t.canonical} needs {len(t.items)} items, got {len(value)}")
    return tuple(_normalize(item, v, f"{where}[{i}]") for i, (item, v) in enumerate(zip(t.items, value)))


def _word(t: _AbiType, value: Any) -> bytes:
    """The 32-byte ABI word of a normalized static base value."""
    if t.kind == "uint":
        return int(value).to_bytes(32, "big")
    if t.kind == "int":
        return int(value).to_bytes(32, "big", signed=True)
    if t.kind == "address":
        return b"\0" * 12 + value  # type: ignore[no-any-return]
    if t.kind == "bool":
        return b"\0" * 31 + (b"\1" if value else b"\0")
    return value + b"\0" * (32 - len(value))  # type: ignore[no-any-return]


class _LeafEncoder:
    """Encodes and hashes values of one leaf encoding; plain static types skip eth_abi."""

    __slots__ = ("_fast", "encoding", "types")

    def __init__(self, leaf_encoding: Sequence[str]) -> None:
        if isinstance(leaf_encoding, str) or not isinstance(leaf_encoding, Sequence) or not leaf_encoding:
            raise InputError(f"leaf encoding must be a non-empty list of ABI types, got {leaf_encoding!r:.80}")
        self.encoding = tuple(leaf_encoding)
        self.types = tuple(_parse_type(t) for t in leaf_encoding)
        self._fast = all(t.kind not in ("array", "tuple") and not t.dynamic for t in self.types)

    def encode(self, value: Any, where: str) -> bytes:
        if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Sequence):
            raise InputError(f"{where}: a value must be a list matching the leaf encoding, got {value!r:.80}")
        if len(value) != len(self.types):
            raise InputError(f"{where}: expected {len(self.types)} items for {list(self.encoding)}, got {len(value)}")
        normal = [_normalize(t, v, f"{where}[{i}]") for i, (t, v) in enumerate(zip(self.types, value))]
        if self._fast:
            return b"".join(_word(t, v) for t, v in zip(self.types, normal))
        from eth_abi.abi import encode as abi_encode  # dynamic types only: eth_abi is slower

        return abi_encode([t.canonical for t in self.types], normal)

    def leaf(self, value: Any, where: str = "value") -> bytes:
        return _keccak(_keccak(self.encode(value, where)))


def standard_leaf_hash(leaf_encoding: Sequence[str], value: Sequence[Any]) -> str:
    """The StandardMerkleTree leaf of ``value``: ``keccak256(keccak256(abi.encode(value)))``."""
    return _hex(_LeafEncoder(leaf_encoding).leaf(value))


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


@dataclass(frozen=True, slots=True)
class RecordProof:
    """One line of a proofs file: the record's index, its value, its leaf and its proof."""

    index: int
    value: tuple[Any, ...]
    leaf: str
    proof: tuple[str, ...]


def process_proof(leaf: str | bytes, proof: Sequence[str | bytes]) -> str:
    """The root that ``proof`` leads to from the leaf hash ``leaf`` (``MerkleProof.processProof``)."""
    node = _b32(leaf, "leaf")
    for i, sibling in enumerate(proof):
        node = _node_hash(node, _b32(sibling, f"proof[{i}]"))
    return _hex(node)


def verify(root: str | bytes, leaf_encoding: Sequence[str], value: Sequence[Any], proof: Sequence[str | bytes]) -> bool:
    """Whether ``proof`` proves ``value`` under ``root`` (the npm ``StandardMerkleTree.verify``)."""
    expected = _b32(root, "root")
    leaf = _LeafEncoder(leaf_encoding).leaf(value)
    return _b32(process_proof(leaf, proof), "root") == expected


def process_multi_proof(
    leaves: Sequence[str | bytes], proof: Sequence[str | bytes], proof_flags: Sequence[bool]
) -> str:
    """The root a multiproof leads to from leaf hashes (``MerkleProof.processMultiProof``)."""
    stack = [_b32(leaf, f"leaves[{i}]") for i, leaf in enumerate(leaves)]
    siblings = [_b32(node, f"proof[{i}]") for i, node in enumerate(proof)]
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
    return _hex(stack[-1] if head < len(stack) else siblings[tail])


def verify_multi_proof(root: str | bytes, leaf_encoding: Sequence[str], multiproof: MultiProof) -> bool:
    """Whether ``multiproof`` proves all its values under ``root``."""
    encoder = _LeafEncoder(leaf_encoding)
    leaves = [encoder.leaf(v, f"leaves[{i}]") for i, v in enumerate(multiproof.leaves)]
    computed = process_multi_proof(leaves, multiproof.proof, multiproof.proof_flags)
    return _b32(computed, "root") == _b32(root, "root")


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
        with _gc_paused():
            leaves = [encoder.leaf(v, f"values[{i}]") for i, v in enumerate(values)]
            return cls._build(encoder, list(values), leaves)

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
        keccak = _keccak
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
        nodes = [_b32(node, f"tree[{i}]") for i, node in enumerate(raw_tree)]
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
        return _hex(self._nodes[0])

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
        return _hex(self._encoder.leaf(value))

    def dump(self) -> dict[str, Any]:
        """The ``"standard-v1"`` document, as the npm library's ``dump()``."""
        return {
            "format": FORMAT,
            "leafEncoding": list(self.leaf_encoding),
            "tree": [_hex(node) for node in self._nodes],
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
        return [_hex(p) for p in proof]

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
        result = MultiProof(leaves, tuple(_hex(p) for p in proof), tuple(flags))
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


# ---------------------------------------------------------------------------- records

_SAFE_INT = (1 << 53) - 1


def _orjson_is_canonical(obj: Any) -> bool:
    """Whether orjson with sorted keys prints ``obj`` exactly as RFC 8785 does.

    True for dicts with ``str`` keys, lists, strings, booleans, null and integers within
    +-(2**53 - 1). Floats (formatting differs), other types and big integers are left to
    the ``rfc8785`` package. Keys beyond the BMP are caught after printing (sort order).
    """
    kind = type(obj)
    if kind is str or kind is bool or obj is None:
        return True
    if kind is int:
        return -_SAFE_INT <= obj <= _SAFE_INT  # type: ignore[no-any-return]
    if kind is dict:
        for key, item in obj.items():
            if type(key) is not str or not _orjson_is_canonical(item):
                return False
        return True
    if kind is list or kind is tuple:
        for item in obj:
            if not _orjson_is_canonical(item):
                return False
        return True
    return False


_ASTRAL_RE = re.compile(rb"[\xf0-\xf4]")


def _orjson_is_canonical_object(obj: dict[Any, Any]) -> bool:
    """:func:`_orjson_is_canonical` for a dict, with the first level inlined (the hot path)."""
    for key, item in obj.items():
        if type(key) is not str:
            return False
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_SAFE_INT <= item <= _SAFE_INT:
                return False
        elif not _orjson_is_canonical(item):
            return False
    return True


def canonical_json(record: Mapping[str, Any]) -> bytes:
    """RFC 8785 canonical JSON of a record (a JSON object); InputError if it is not JSON."""
    if type(record) is dict:
        obj = record
    elif isinstance(record, Mapping):
        obj = dict(record)
    else:
        raise InputError(f"a record must be a JSON object (mapping), got {type(record).__name__}")
    if _orjson_is_canonical_object(obj):
        try:
            out = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            out = b""  # e.g. a lone surrogate: let rfc8785 say what is wrong
        # UTF-16 and code point order differ only for characters beyond the BMP
        if out and (out.isascii() or _ASTRAL_RE.search(out) is None):
            return out
    import rfc8785

    try:
        return rfc8785.dumps(obj)
    except Exception as exc:  # noqa: BLE001 - rfc8785 raises several types; one message out
        raise InputError(f"record is not canonical-JSON serializable: {exc}") from None


def record_hash(record: Mapping[str, Any]) -> bytes:
    """``keccak256`` of the record's RFC 8785 canonical JSON: the record's leaf value."""
    return _keccak(canonical_json(record))


def record_leaf(record: Mapping[str, Any]) -> str:
    """The record's value for a ``["bytes32"]`` StandardMerkleTree: ``0x``-hex of :func:`record_hash`."""
    return _hex(record_hash(record))


def build_batch(records: Iterable[Mapping[str, Any]]) -> tuple[StandardMerkleTree, list[list[str]]]:
    """The tree of a batch of records and its values ``[[recordHash], ...]`` in record order."""
    keccak = _keccak
    values: list[list[str]] = []
    leaves: list[bytes] = []
    with _gc_paused():
        # (1): canonical JSON, record hash (the value) and leaf, record by record
        for i, record in enumerate(records):
            try:
                digest = keccak(canonical_json(record))
            except InputError as exc:
                raise InputError(f"records[{i}]: {exc}") from None
            values.append(["0x" + digest.hex()])
            leaves.append(keccak(keccak(digest)))
        if not values:
            raise InputError("a batch needs at least one record")
        # (2): the tree
        return StandardMerkleTree._build(_LeafEncoder(RECORD_LEAF_ENCODING), values, leaves), values


def proofs_path_for(records_path: Path) -> Path:
    """Where the proofs of a records file go: beside it, ``<name>.proofs.jsonl``."""
    name = records_path.name
    stem = name.removesuffix(".jsonl")
    return records_path.with_name(stem + ".proofs.jsonl")


def write_proofs(path: Path, tree: StandardMerkleTree, *, chunk_lines: int = 48) -> int:
    """Write one JSON line per value of ``tree`` (index, value, leaf, proof) to ``path``.

    Streams in small chunks (kept under malloc's mmap threshold, so memory is reused rather
    than faulted in afresh) through a temporary file renamed into place: a crash never
    leaves a half-written proofs file under ``path``. Returns the number of lines.
    """
    path = Path(path)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    count = 0
    try:
        with _gc_paused(), open(tmp, "wb") as out:
            batch: list[str] = []
            for line in tree.iter_proof_lines():
                batch.append(line)
                if len(batch) >= chunk_lines:
                    out.write("".join(batch).encode())
                    count += len(batch)
                    batch.clear()
            out.write("".join(batch).encode())
            count += len(batch)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write proofs to {path}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return count


def read_proofs(path: Path) -> Iterator[RecordProof]:
    """The lines of a proofs file written by :func:`write_proofs`, checked for shape."""
    try:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, start=1):
                try:
                    doc = orjson.loads(line)
                    proof = RecordProof(
                        index=int(doc["index"]),
                        value=tuple(doc["value"]),
                        leaf=str(doc["leaf"]),
                        proof=tuple(str(p) for p in doc["proof"]),
                    )
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                    raise InputError(f"{path}:{number}: not a proof line") from None
                yield proof
    except OSError as exc:
        raise InputError(f"cannot read proofs file {path}: {exc.strerror}") from None
