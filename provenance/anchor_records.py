"""Trade records as Merkle leaves, batches of them, and their proofs files.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from provenance._internal.files import atomic_writer
from provenance._internal.hexbytes import to_hex
from provenance._internal.jcs import canonical_json
from provenance._internal.keccak import keccak256
from provenance.errors import InputError
from provenance.merkle import StandardMerkleTree, gc_paused

__all__ = [
    "RECORD_LEAF_ENCODING",
    "RecordProof",
    "build_batch",
    "proofs_path_for",
    "read_proofs",
    "record_hash",
    "record_leaf",
    "write_proofs",
]

RECORD_LEAF_ENCODING: tuple[str, ...] = ("bytes32",)


@dataclass(frozen=True, slots=True)
class RecordProof:
    """One line of a proofs file: the record's index, its value, its leaf and its proof."""

    index: int
    value: tuple[Any, ...]
    leaf: str
    proof: tuple[str, ...]


def record_hash(record: Mapping[str, Any]) -> bytes:
    """``keccak256`` of the record's RFC 8785 canonical JSON: the record's leaf value."""
    return keccak256(canonical_json(record, what="record"))


def record_leaf(record: Mapping[str, Any]) -> str:
    """The record's value for a ``["bytes32"]`` StandardMerkleTree: ``0x``-hex of :func:`record_hash`."""
    return to_hex(record_hash(record))


def build_batch(records: Iterable[Mapping[str, Any]]) -> tuple[StandardMerkleTree, list[list[str]]]:
    """The tree of a batch of records and its values ``[[recordHash], ...]`` in record order."""
    keccak = keccak256
    values: list[list[str]] = []
    leaves: list[bytes] = []
    with gc_paused():
        # (1): canonical JSON, record hash (the value) and leaf, record by record
        for i, record in enumerate(records):
            try:
                digest = keccak(canonical_json(record, what="record"))
            except InputError as exc:
                raise InputError(f"records[{i}]: {exc}") from None
            values.append(["0x" + digest.hex()])
            leaves.append(keccak(keccak(digest)))
        if not values:
            raise InputError("a batch needs at least one record")
        # (2): the tree
        return StandardMerkleTree.from_leaves(values, leaves, RECORD_LEAF_ENCODING), values


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
    count = 0
    try:
        with gc_paused(), atomic_writer(path) as out:
            batch: list[str] = []
            for line in tree.iter_proof_lines():
                batch.append(line)
                if len(batch) >= chunk_lines:
                    out.write("".join(batch).encode())
                    count += len(batch)
                    batch.clear()
            out.write("".join(batch).encode())
            count += len(batch)
    except OSError as exc:
        raise InputError(f"cannot write proofs to {path}: {exc.strerror}") from None
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
