"""Batch anchoring of off-chain trade records: one root on chain, a proof per record.

``anchor_file(records.jsonl)`` builds an OpenZeppelin-compatible StandardMerkleTree of the
records (leaf value: keccak256 of each record's RFC 8785 canonical JSON), sends one
``TradeAnchor.anchor`` transaction, and writes beside the records:

- ``<name>.proofs.jsonl``: one line per record, ``{"index", "value", "leaf", "proof"}``;
- ``<name>.anchor.json``: the batch (id, root, record count, metadata hash), the contract,
  chain id, transaction hash and block.

``verify_record`` checks one record against its proof and the batch root offline, and
optionally against the contract (``TradeAnchor.verifyRecord``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from eth_abi.abi import encode as abi_encode

from provenance._internal.client import ContractClient, TxOutcome
from provenance._internal.files import atomic_write
from provenance._internal.hexbytes import parse_bytes32, to_hex
from provenance._internal.keccak import keccak256
from provenance.anchor_records import RecordProof, build_batch, proofs_path_for, read_proofs, record_hash, write_proofs
from provenance.chain import Chain, Sender
from provenance.deployment import Deployment
from provenance.errors import InputError, VerificationError
from provenance.merkle import process_proof

__all__ = ["Anchor", "AnchoredBatch", "anchor_file", "batch_path_for", "find_proof", "iter_records", "verify_record"]


def batch_path_for(records_path: Path) -> Path:
    """Where the batch description of a records file goes: ``<name>.anchor.json``."""
    return records_path.with_name(records_path.name.removesuffix(".jsonl") + ".anchor.json")


@dataclass(frozen=True, slots=True)
class AnchoredBatch:
    """A batch on chain, as written to ``<name>.anchor.json``."""

    batch_id: str
    root: str
    record_count: int
    metadata_hash: str
    contract: str
    chain_id: int
    tx_hash: str
    block_number: int
    proofs_file: str

    def to_json(self) -> dict[str, Any]:
        return {
            "batchId": self.batch_id,
            "root": self.root,
            "recordCount": self.record_count,
            "metadataHash": self.metadata_hash,
            "contract": self.contract,
            "chainId": self.chain_id,
            "txHash": self.tx_hash,
            "blockNumber": self.block_number,
            "proofsFile": self.proofs_file,
            "leafEncoding": ["bytes32"],
            "leaf": "keccak256(keccak256(abi.encode(keccak256(rfc8785(record)))))",
        }

    @classmethod
    def load(cls, path: Path) -> AnchoredBatch:
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(
                str(doc["batchId"]),
                str(doc["root"]),
                int(doc["recordCount"]),
                str(doc["metadataHash"]),
                str(doc["contract"]),
                int(doc["chainId"]),
                str(doc["txHash"]),
                int(doc["blockNumber"]),
                str(doc["proofsFile"]),
            )
        except FileNotFoundError:
            raise InputError(f"no batch description at {path}: anchor the records first") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"batch description {path} is malformed: {exc}") from None


class Anchor(ContractClient):
    """Client of the ``TradeAnchor`` contract."""

    CONTRACT = "TradeAnchor"

    @classmethod
    def from_deployment(cls, deployment: Deployment, chain: Chain, sender: Sender | None = None) -> Anchor:
        deployment.check(chain)
        return cls(chain, deployment.contract(cls.CONTRACT).address, sender)

    def anchor(
        self, root: bytes | str, record_count: int, batch_id: bytes | str, metadata_hash: bytes | str
    ) -> TxOutcome:
        """Record a batch root (the sender needs ANCHORER_ROLE)."""
        if not isinstance(record_count, int) or not 0 < record_count < 2**64:
            raise InputError(f"record count must be a positive 64-bit integer, got {record_count!r}")
        return self._tx(
            "anchor",
            parse_bytes32(root, what="root"),
            record_count,
            parse_bytes32(batch_id, what="batch id"),
            parse_bytes32(metadata_hash, what="metadata hash"),
        )

    def batch_root(self, batch_id: bytes | str) -> bytes:
        return bytes(self._view1("batchRoot", parse_bytes32(batch_id, what="batch id")))

    def is_anchored(self, batch_id: bytes | str) -> bool:
        return bool(self._view1("isAnchored", parse_bytes32(batch_id, what="batch id")))

    def verify_record(self, batch_id: bytes | str, record_hash_: bytes | str, proof: list[str]) -> bool:
        """The contract's own check of one record hash against an anchored batch."""
        return bool(
            self._view1(
                "verifyRecord",
                parse_bytes32(batch_id, what="batch id"),
                parse_bytes32(record_hash_, what="record hash"),
                [parse_bytes32(p, what=f"proof[{i}]") for i, p in enumerate(proof)],
            )
        )


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, one per non-empty line; errors name the line."""
    try:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: not JSON ({exc})") from None
                if not isinstance(record, dict):
                    raise InputError(f"{path}:{number}: a record must be a JSON object")
                yield record
    except FileNotFoundError:
        raise InputError(f"no such records file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a records file") from None


def _file_sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.digest()


def anchor_file(anchor: Anchor, records_path: Path, *, batch_id: bytes | None = None) -> AnchoredBatch:
    """Anchor every record of ``records_path`` in one transaction and write proofs beside it.

    Nothing is written until the transaction is mined; the proofs and the batch description
    are written through temporary files renamed into place.
    """
    records_path = Path(records_path)
    # (1): the tree, streaming the records
    tree, values = build_batch(iter_records(records_path))
    root = parse_bytes32(tree.root, what="root")
    metadata = _file_sha256(records_path)
    # (2): a batch id derived from the content unless one is given
    bid = batch_id or keccak256(abi_encode(["bytes32", "bytes32", "uint64"], [root, metadata, len(values)]))
    # (3): one transaction (pre-flighted: a duplicate batch id reverts before anything is sent)
    out = anchor.anchor(root, len(values), bid, metadata)
    # (4): the proofs and the batch description
    proofs = proofs_path_for(records_path)
    write_proofs(proofs, tree)
    batch = AnchoredBatch(
        batch_id=to_hex(bid),
        root=tree.root,
        record_count=len(values),
        metadata_hash=to_hex(metadata),
        contract=anchor.address,
        chain_id=anchor.chain.chain_id,
        tx_hash=out.tx_hash,
        block_number=out.block_number,
        proofs_file=proofs.name,
    )
    target = batch_path_for(records_path)
    try:
        atomic_write(target, (json.dumps(batch.to_json(), indent=2) + "\n").encode())
    except OSError as exc:
        raise InputError(f"cannot write the batch description to {target}: {exc.strerror}") from None
    return batch


def find_proof(proofs_path: Path, value: str) -> RecordProof:
    """The line of a proofs file whose value is ``value`` (streamed)."""
    for line in read_proofs(proofs_path):
        if line.value and str(line.value[0]).lower() == value.lower():
            return line
    raise VerificationError("record-in-batch", f"no proof in {proofs_path} for record hash {value}", "record")


def verify_record(
    record: dict[str, Any], proof: RecordProof, batch: AnchoredBatch, anchor: Anchor | None = None
) -> list[tuple[str, bool, str]]:
    """Check one record; returns the checks made, raising VerificationError on the first failure."""
    checks: list[tuple[str, bool, str]] = []
    # (1): the record's hash is the proof's value
    value = to_hex(record_hash(record))
    if not proof.value or str(proof.value[0]).lower() != value:
        raise VerificationError("record-hash", f"record hashes to {value}, the proof is for {proof.value}", "value")
    checks.append(("record-hash", True, value))
    # (2): the proof leads from the leaf to the batch root
    leaf = to_hex(keccak256(keccak256(parse_bytes32(value, what="record hash"))))
    if leaf != proof.leaf.lower():
        raise VerificationError("leaf", f"leaf should be {leaf}, the proof says {proof.leaf}", "leaf")
    computed = process_proof(leaf, list(proof.proof))
    if computed.lower() != batch.root.lower():
        raise VerificationError("merkle-proof", f"proof leads to {computed}, the batch root is {batch.root}", "proof")
    checks.append(("merkle-proof", True, f"root {batch.root}"))
    # (3): optionally, the contract agrees that this batch holds this record
    if anchor is not None:
        on_chain = anchor.batch_root(batch.batch_id)
        if to_hex(on_chain) != batch.root.lower():
            raise VerificationError(
                "anchored-root",
                f"contract {anchor.address} holds root 0x{on_chain.hex()} for batch {batch.batch_id}, not {batch.root}",
                "root",
            )
        if not anchor.verify_record(batch.batch_id, value, list(proof.proof)):
            raise VerificationError("on-chain-proof", "the contract rejects the proof", "proof")
        checks.append(("on-chain", True, f"contract {anchor.address} batch {batch.batch_id}"))
    return checks
