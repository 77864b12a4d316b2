"""Offline verification of an evidence bundle (format: :mod:`provenance.evidence.bundle`).

:func:`verify_bundle` runs every check below and returns a :class:`VerificationReport`
(each check's name, status and message, and the JSON path of the failing field); nothing
touches the network unless ``rpc`` is given. The checks, in order::

    bundle-format        every key present, of its type, nothing else; hex is lowercase
    canonical-json       the file is byte for byte RFC 8785 canonical JSON (bytes input only)
    header-chain         headers decode (every field of their fork), link by parentHash and
                         number, and the last one is the checkpoint (number and hash)
    trusted-checkpoint   the checkpoint is the hash the analyst pinned (--trust-checkpoint)
    checkpoint-canonical a node has the checkpoint at its height, the chain id and the
                         genesis hash (--rpc, the only network use)
    transaction-proof    each signed transaction is under its block's transactionsRoot, decodes,
                         its sender recovers, its chain id is the bundle's
    receipt-proof        each receipt is under its block's receiptsRoot and decodes
    log-in-receipt       each event's log is the log at its index in the decoded receipt
    event-order          events in chain order, no duplicates; transactions sorted
    contract-address     each contract was created by its deployment transaction (successful
                         creation; keccak(rlp([sender, nonce]))[12:]; bytecode and constructor
                         arguments match), every log comes from one of them, and every
                         transaction is used by an event or a contract
    event-decoding       each log decodes with its contract's ABI entry to its timeline entry
    query-match          each event refers to the queried asset / trade / party / record
    record-proof         each anchored record hashes to its recordHash and its Merkle proof
                         reaches the root of its BatchAnchored event
    exporter-signature   the signature recovers to the bundle's exporter
    trusted-exporter     the exporter is the address the analyst pinned (--exporter)

A check whose prerequisites failed is skipped; a check not asked for is skipped too. A
bundle verifies when no check failed (:attr:`VerificationReport.ok`);
:meth:`VerificationReport.raise_for_failure` raises the first failure as a
:class:`~provenance.errors.VerificationError` (check, message, field).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import orjson
from eth_hash.auto import keccak

from provenance._internal.hexbytes import parse_bytes32
from provenance.errors import InputError, ProvenanceError, VerificationError
from provenance.evidence._schema import ParsedBundle, parse_bundle
from provenance.evidence._transactions import Transaction, decode_transaction, recover_signer
from provenance.evidence.bundle import FORMAT, canonical_forms, digest_of_body, hash_of, load_bundle, timeline_entry
from provenance.evidence.proofs import (
    Header,
    NodeCache,
    Receipt,
    RpcCall,
    as_rpc_call,
    decode_header,
    decode_receipt,
    log_in_receipt,
    receipt_key,
    verify_header_chain,
    verify_trie_proof,
)
from provenance.indexer.decode import EventDecoder, ref_kind

if TYPE_CHECKING:
    from provenance.chain import Chain

__all__ = ["CHECKS", "CheckResult", "VerificationReport", "verify_bundle"]

CHECKS = (
    "bundle-format",
    "canonical-json",
    "header-chain",
    "trusted-checkpoint",
    "checkpoint-canonical",
    "transaction-proof",
    "receipt-proof",
    "log-in-receipt",
    "event-order",
    "contract-address",
    "event-decoding",
    "query-match",
    "record-proof",
    "exporter-signature",
    "trusted-exporter",
)
_NEEDS: dict[str, tuple[str, ...]] = {
    "header-chain": ("bundle-format",),
    "trusted-checkpoint": ("bundle-format",),
    "checkpoint-canonical": ("bundle-format",),
    "transaction-proof": ("header-chain",),
    "receipt-proof": ("header-chain",),
    "log-in-receipt": ("receipt-proof",),
    "event-order": ("bundle-format",),
    "contract-address": ("transaction-proof", "receipt-proof"),
    "event-decoding": ("transaction-proof", "log-in-receipt"),
    "query-match": ("event-decoding",),
    "record-proof": ("event-decoding",),
    "exporter-signature": ("bundle-format",),
    "trusted-exporter": ("bundle-format",),
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check."""

    name: str
    status: str
    """``passed``, ``failed`` or ``skipped``."""
    message: str
    field: str = ""
    """The JSON path of the failing field (e.g. ``events[3].log.data``), when it failed."""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "passed": self.passed,
            "message": self.message,
            "field": self.field,
        }


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """Every check of one bundle, in order, and the facts a report prints beside them."""

    checks: tuple[CheckResult, ...]
    bundle_hash: str | None
    """keccak of the canonical bundle (None if it is not even JSON)."""
    exporter: str | None
    checkpoint: tuple[int, str] | None
    """(number, hash) of the checkpoint block."""
    events: int

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not any(c.status == "failed" for c in self.checks)

    @property
    def failure(self) -> CheckResult | None:
        return next((c for c in self.checks if c.status == "failed"), None)

    def raise_for_failure(self) -> None:
        """Raise the first failure as a VerificationError naming the check and the field."""
        failed = self.failure
        if failed is not None:
            raise VerificationError(failed.name, failed.message, failed.field)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "bundleHash": self.bundle_hash,
            "exporter": self.exporter,
            "events": self.events,
            "checkpoint": None
            if self.checkpoint is None
            else {"number": self.checkpoint[0], "hash": self.checkpoint[1]},
            "checks": [c.to_json() for c in self.checks],
        }


# -- the checks ------------------------------------------------------------------------


class _Run:
    """State shared by the checks of one bundle."""

    def __init__(
        self,
        bundle: ParsedBundle,
        raw: bytes | None,
        trust_checkpoint: bytes | None,
        exporter: str | None,
        rpc: RpcCall | None,
    ) -> None:
        self.b = bundle
        self.raw = raw
        self.trust_checkpoint = trust_checkpoint
        self.pinned_exporter = exporter
        self.rpc = rpc
        self.first = 0
        self.header_cache: dict[int, tuple[bytes, Header]] = {}
        self.txs: list[Transaction] = []
        self.receipts: list[Receipt] = []
        self.decoded: list[tuple[EventDecoder, dict[str, Any]]] = []
        self.nodes: NodeCache = {}
        self._forms: tuple[bytes, bytes] | None = None

    def forms(self) -> tuple[bytes, bytes]:
        """The canonical JSON of the bundle and of the bundle without its signature, made once."""
        if self._forms is None:
            self._forms = canonical_forms(self.b.doc)
        return self._forms

    def header(self, k: int) -> tuple[bytes, Header]:
        """(hash, decoded) of the header of transactions[k]'s block."""
        number = self.b.txs[k].block_number
        cached = self.header_cache.get(number)
        if cached is None:
            position = number - self.first
            if not 0 <= position < len(self.b.headers):
                raise VerificationError(
                    "header-chain",
                    f"block {number} is outside the header chain {self.first}..{self.first + len(self.b.headers) - 1}",
                    f"transactions[{k}].blockNumber",
                )
            raw = self.b.headers[position]
            cached = self.header_cache[number] = (bytes(keccak(raw)), decode_header(raw))
        return cached

    # header-chain
    def check_header_chain(self) -> str:
        b = self.b
        try:
            verify_header_chain(b.headers)
        except VerificationError as exc:
            where, _, sub = exc.field.partition(".")
            raise VerificationError("header-chain", f"{sub + ': ' if sub else ''}{_reason(exc)}", where) from None
        last = len(b.headers) - 1
        decoded = decode_header(b.headers[last])
        self.first = decoded.number - last
        number, digest = b.checkpoint
        if decoded.number != number:
            raise VerificationError(
                "header-chain", f"the last header, headers[{last}], is block {decoded.number}", "checkpoint.number"
            )
        if keccak(b.headers[last]) != digest:
            raise VerificationError(
                "header-chain",
                f"the last header, headers[{last}], hashes to 0x{keccak(b.headers[last]).hex()}",
                "checkpoint.hash",
            )
        return f"{len(b.headers)} headers link block {self.first} to checkpoint {number} (0x{digest.hex()})"

    def check_trusted_checkpoint(self) -> str:
        if self.trust_checkpoint != self.b.checkpoint[1]:
            raise VerificationError(
                "trusted-checkpoint",
                f"the bundle's checkpoint is 0x{self.b.checkpoint[1].hex()}, "
                f"the trusted one 0x{(self.trust_checkpoint or b'').hex()}",
                "checkpoint.hash",
            )
        return "the checkpoint is the pinned block hash"

    def check_checkpoint_canonical(self) -> str:
        assert self.rpc is not None
        number, digest = self.b.checkpoint
        try:
            chain_id = int(str(self.rpc("eth_chainId", [])), 16)
            block = self.rpc("eth_getBlockByNumber", [hex(number), False])
            genesis = self.rpc("eth_getBlockByNumber", ["0x0", False])
        except (ProvenanceError, ValueError) as exc:
            raise VerificationError("checkpoint-canonical", f"the node did not answer: {exc}", "checkpoint") from None
        if chain_id != self.b.chain_id:
            raise VerificationError("checkpoint-canonical", f"the node is chain {chain_id}", "chain.chainId")
        if not isinstance(block, Mapping) or str(block.get("hash", "")).lower() != "0x" + digest.hex():
            have = block.get("hash") if isinstance(block, Mapping) else None
            raise VerificationError(
                "checkpoint-canonical", f"the node's block {number} is {have}, not the checkpoint", "checkpoint.hash"
            )
        if not isinstance(genesis, Mapping) or str(genesis.get("hash", "")).lower() != "0x" + self.b.genesis.hex():
            raise VerificationError("checkpoint-canonical", "the node has another genesis block", "chain.genesisHash")
        return f"the node's block {number} is the checkpoint"

    # transaction-proof, receipt-proof
    def _proof(self, check: str, k: int, root: bytes, proof: tuple[bytes, ...], part: str, value: bytes) -> bytes:
        tx = self.b.txs[k]
        w = f"transactions[{k}]"
        try:
            found = verify_trie_proof(
                root, receipt_key(tx.tx_index), proof, check=check, field=f"{w}.{part}Proof", node_cache=self.nodes
            )
        except VerificationError as exc:
            raise VerificationError(
                check,
                f"{_reason(exc)} (key rlp({w}.txIndex = {tx.tx_index}) under the "
                f"{part}sRoot of block {tx.block_number}, {w}.blockNumber)",
                exc.field,
            ) from None
        if found != value:
            raise VerificationError(check, f"the proof holds other bytes than {w}.{part}", f"{w}.{part}")
        return found

    def check_transaction_proof(self) -> str:
        for k, tx in enumerate(self.b.txs):
            _, header = self.header(k)
            raw = self._proof(
                "transaction-proof", k, header.transactions_root, tx.transaction_proof, "transaction", tx.transaction
            )
            try:
                decoded = decode_transaction(raw)
            except InputError as exc:
                raise VerificationError("transaction-proof", str(exc), f"transactions[{k}].transaction") from None
            if decoded.chain_id is not None and decoded.chain_id != self.b.chain_id:
                raise VerificationError(
                    "transaction-proof", f"transactions[{k}] is signed for chain {decoded.chain_id}", "chain.chainId"
                )
            self.txs.append(decoded)
        return f"{len(self.txs)} transactions are in their blocks; senders recovered"

    def check_receipt_proof(self) -> str:
        for k, tx in enumerate(self.b.txs):
            _, header = self.header(k)
            raw = self._proof("receipt-proof", k, header.receipts_root, tx.receipt_proof, "receipt", tx.receipt)
            try:
                self.receipts.append(decode_receipt(raw))
            except InputError as exc:
                raise VerificationError("receipt-proof", str(exc), f"transactions[{k}].receipt") from None
        return f"{len(self.receipts)} receipts are in their blocks"

    def check_log_in_receipt(self) -> str:
        for i, ev in enumerate(self.b.events):
            w = f"events[{i}]"
            if not ev.tx < len(self.receipts):
                raise VerificationError(
                    "log-in-receipt", f"there are {len(self.receipts)} transactions", f"{w}.transaction"
                )
            try:
                log = log_in_receipt(self.receipts[ev.tx], ev.log_index)
            except VerificationError as exc:
                raise VerificationError(
                    "log-in-receipt",
                    f"{_reason(exc)} (receipt of transactions[{ev.tx}], {w}.transaction)",
                    f"{w}.logIndex",
                ) from None
            where = f"log {ev.log_index} of the receipt of transactions[{ev.tx}] ({w}.transaction, {w}.logIndex)"
            if log.address != ev.address:
                raise VerificationError("log-in-receipt", f"differs from {where}", f"{w}.log.address")
            if len(log.topics) != len(ev.topics):
                raise VerificationError(
                    "log-in-receipt", f"{len(ev.topics)} topics, {where} has {len(log.topics)}", f"{w}.log.topics"
                )
            for j, (have, want) in enumerate(zip(ev.topics, log.topics, strict=True)):
                if have != want:
                    raise VerificationError("log-in-receipt", f"differs from {where}", f"{w}.log.topics[{j}]")
            if log.data != ev.data:
                raise VerificationError("log-in-receipt", f"differs from {where}", f"{w}.log.data")
        return f"{len(self.b.events)} logs are in their receipts"

    def check_event_order(self) -> str:
        b = self.b
        for k in range(1, len(b.txs)):
            here, before = b.txs[k], b.txs[k - 1]
            if (here.block_number, here.tx_index) <= (before.block_number, before.tx_index):
                raise VerificationError(
                    "event-order", f"not after transactions[{k - 1}] (blockNumber, txIndex)", f"transactions[{k}]"
                )
        previous: tuple[int, int, int] | None = None
        for i, ev in enumerate(b.events):
            if ev.tx >= len(b.txs):
                raise VerificationError(
                    "event-order", f"there are {len(b.txs)} transactions", f"events[{i}].transaction"
                )
            key = (b.txs[ev.tx].block_number, b.txs[ev.tx].tx_index, ev.log_index)
            if previous is not None and key <= previous:
                what = "the same log as" if key == previous else "before"
                raise VerificationError(
                    "event-order", f"{what} events[{i - 1}] (block, txIndex, logIndex {key})", f"events[{i}]"
                )
            previous = key
        return f"{len(b.events)} events in chain order, no duplicates"

    def check_contract_address(self) -> str:
        b = self.b
        names: dict[str, int] = {}
        addresses: dict[bytes, int] = {}
        for c, contract in enumerate(b.contracts):
            w = f"contracts[{c}]"
            if contract.name in names or contract.address in addresses:
                raise VerificationError("contract-address", "the same contract twice", w)
            names[contract.name], addresses[contract.address] = c, c
            if not contract.deployment < len(self.txs):
                raise VerificationError(
                    "contract-address", f"there are {len(self.txs)} transactions", f"{w}.deployment"
                )
            tx, receipt = self.txs[contract.deployment], self.receipts[contract.deployment]
            dep = f"transactions[{contract.deployment}] ({w}.deployment)"
            created = tx.created_address
            if created is None:
                raise VerificationError("contract-address", f"{dep} is not a contract creation", f"{w}.deployment")
            if receipt.status != 1:
                raise VerificationError("contract-address", f"{dep} failed (status 0)", f"{w}.deployment")
            if created != contract.address:
                raise VerificationError(
                    "contract-address",
                    f"{dep} by 0x{tx.sender.hex()} with nonce {tx.nonce} created 0x{created.hex()}",
                    f"{w}.address",
                )
            args = contract.constructor_args
            if not tx.data.endswith(args) or len(args) > len(tx.data):
                raise VerificationError(
                    "contract-address", f"the input of {dep} does not end with them", f"{w}.constructorArgs"
                )
            code = tx.data[: len(tx.data) - len(args)]
            if hashlib.sha256(code).digest() != contract.bytecode_hash:
                raise VerificationError(
                    "contract-address",
                    f"the creation code of {dep} hashes to 0x{hashlib.sha256(code).hexdigest()}",
                    f"{w}.bytecodeHash",
                )
        used = {ev.tx for ev in b.events} | {c.deployment for c in b.contracts}
        for k in range(len(b.txs)):
            if k not in used:
                raise VerificationError(
                    "contract-address", "referenced by no event and no contract", f"transactions[{k}]"
                )
        for i, ev in enumerate(b.events):
            if ev.address not in addresses:
                raise VerificationError(
                    "contract-address", "not the address of any of contracts[*]", f"events[{i}].log.address"
                )
        return f"{len(b.contracts)} contracts created by their deployment transactions; every log is theirs"

    def check_event_decoding(self) -> str:
        b = self.b
        if len(b.timeline) != len(b.events):
            raise VerificationError(
                "event-decoding", f"{len(b.timeline)} entries for {len(b.events)} events", "timeline"
            )
        decoders: dict[tuple[bytes, bytes], tuple[int, int, EventDecoder]] = {}
        for c, contract in enumerate(b.contracts):
            for j, item in enumerate(contract.events):
                w = f"contracts[{c}].events[{j}]"
                dec = _event_decoder(contract.name, item, w)
                if (contract.address, dec.topic0) in decoders:
                    raise VerificationError("event-decoding", "the same event twice", w)
                decoders[(contract.address, dec.topic0)] = (c, j, dec)
        used: set[tuple[int, int]] = set()
        for i, ev in enumerate(b.events):
            w = f"events[{i}]"
            found = decoders.get((ev.address, ev.topics[0])) if ev.topics else None
            if found is None:
                raise VerificationError(
                    "event-decoding",
                    "topic 0 is no event of its contract's contracts[*].events",
                    f"{w}.log.topics[0]" if ev.topics else f"{w}.log.topics",
                )
            c, j, dec = found
            used.add((c, j))
            try:
                args = dec.decode(ev.topics, ev.data)
            except (ValueError, TypeError, OverflowError) as exc:
                raise VerificationError(
                    "event-decoding",
                    f"does not decode as contracts[{c}].events[{j}] ({dec.signature}): {exc}",
                    f"{w}.log.data",
                ) from None
            self.decoded.append((dec, args))
            tx, digest_header = self.txs[ev.tx], self.header(ev.tx)
            expected = timeline_entry(
                contract=b.contracts[c].name,
                decoder=dec,
                args=args,
                address=ev.address,
                block_number=b.txs[ev.tx].block_number,
                block_hash=digest_header[0],
                timestamp=digest_header[1].timestamp,
                tx_hash=tx.tx_hash,
                tx_index=b.txs[ev.tx].tx_index,
                sender=tx.sender,
                log_index=ev.log_index,
            )
            _compare(b.timeline[i], expected, f"timeline[{i}]", f"{w} decoded with contracts[{c}] (its events[{j}])")
        for c, contract in enumerate(b.contracts):
            for j in range(len(contract.events)):
                if (c, j) not in used:
                    raise VerificationError("event-decoding", "used by no event", f"contracts[{c}].events[{j}]")
        return f"{len(b.events)} events decode to their timeline entries"

    def check_query_match(self) -> str:
        q = self.b.query
        kind, ident = str(q["kind"]), str(q["id"])
        mentioned = not (kind == "asset" and q["lineage"] != "none")
        for i, ((dec, args), ev) in enumerate(zip(self.decoded, self.b.events, strict=True)):
            number = self.b.txs[ev.tx].block_number
            if number > int(q["toBlock"]) or int(q["toBlock"]) > self.b.checkpoint[0]:
                raise VerificationError(
                    "query-match",
                    f"events[{i}] is in block {number}, the checkpoint is {self.b.checkpoint[0]}",
                    "query.toBlock",
                )
            if kind == "record":
                if dec.name != "BatchAnchored" or not any(r.event == i for r in self.b.records):
                    raise VerificationError(
                        "query-match", "a record bundle holds only the anchoring events of its records", f"events[{i}]"
                    )
                continue
            refs = _refs(dec, args)
            if kind == "asset" and q["lineage"] != "none":
                ok = any(k == "asset" for k, _ in refs)
                mentioned = mentioned or (kind, ident) in refs
            else:
                ok = (kind, ident) in refs
            if not ok:
                raise VerificationError(
                    "query-match",
                    f"events[{i}] ({dec.name}) does not refer to {kind} {ident} (query.id)",
                    f"events[{i}]",
                )
        if not mentioned:
            raise VerificationError("query-match", f"no event refers to asset {ident} itself", "query.id")
        if kind == "record" and not self.b.records:
            raise VerificationError("query-match", "a record bundle without records", "records")
        if kind == "record" and ident not in {"0x" + r.record_hash.hex() for r in self.b.records}:
            raise VerificationError("query-match", "no record has this hash", "query.id")
        return f"every event refers to {kind} {ident}"

    def check_record_proof(self) -> str:
        from provenance.anchor_records import record_hash
        from provenance.merkle import process_proof

        for r, rec in enumerate(self.b.records):
            w = f"records[{r}]"
            try:
                digest = record_hash(rec.record)
            except InputError as exc:
                raise VerificationError("record-proof", str(exc), f"{w}.record") from None
            if digest != rec.record_hash:
                raise VerificationError("record-proof", f"{w}.record hashes to 0x{digest.hex()}", f"{w}.recordHash")
            root = bytes.fromhex(process_proof(keccak(keccak(digest)), list(rec.proof))[2:])
            if not rec.event < len(self.decoded):
                raise VerificationError("record-proof", f"there are {len(self.decoded)} events", f"{w}.event")
            dec, _ = self.decoded[rec.event]
            topics = self.b.events[rec.event].topics
            if dec.name != "BatchAnchored" or len(topics) < 3:
                raise VerificationError(
                    "record-proof", f"events[{rec.event}] is {dec.name}, not BatchAnchored", f"{w}.event"
                )
            if topics[2] != root:
                raise VerificationError(
                    "record-proof",
                    f"the proof reaches 0x{root.hex()}, events[{rec.event}] ({w}.event) anchored 0x{topics[2].hex()}",
                    f"{w}.proof",
                )
        return f"{len(self.b.records)} records are in their anchored batches"

    def check_canonical_json(self) -> str:
        if self.forms()[0] != self.raw:
            raise VerificationError(
                "canonical-json", "the file is not RFC 8785 canonical JSON (re-formatted, or keys repeated?)", ""
            )
        return f"RFC 8785 canonical, {len(self.forms()[0])} bytes"

    def check_exporter_signature(self) -> str:
        try:
            signer = recover_signer(digest_of_body(self.forms()[1]), self.b.signature)
        except InputError as exc:
            raise VerificationError("exporter-signature", str(exc), "signature") from None
        if "0x" + signer.hex() != self.b.exporter.lower():
            raise VerificationError(
                "exporter-signature",
                f"the signature recovers 0x{signer.hex()}, but the bundle's "
                f"exporter is {self.b.exporter} (the signed content or exporter changed)",
                "signature",
            )
        return f"signed by {self.b.exporter}"

    def check_trusted_exporter(self) -> str:
        if (self.pinned_exporter or "").lower() != self.b.exporter.lower():
            raise VerificationError(
                "trusted-exporter", f"the exporter is {self.b.exporter}, expected {self.pinned_exporter}", "exporter"
            )
        return "the exporter is the pinned address"


def _reason(exc: VerificationError) -> str:
    text = str(exc)
    marker = ": "
    return text.split(marker, 1)[1] if marker in text else text


def _event_decoder(contract: str, item: Any, where: str) -> EventDecoder:
    def params(value: Any, top: bool) -> bool:
        keys = {"name", "type", "indexed"} if top else {"type"}
        return isinstance(value, list) and all(
            isinstance(p, Mapping)
            and keys <= set(p) <= keys | {"components"}
            and isinstance(p["type"], str)
            and (not top or (isinstance(p["indexed"], bool) and isinstance(p["name"], str)))
            and ("components" not in p or params(p["components"], False))
            for p in value
        )

    if not (
        isinstance(item, Mapping)
        and set(item) == {"name", "type", "anonymous", "inputs"}
        and item["type"] == "event"
        and item["anonymous"] is False
        and isinstance(item["name"], str)
        and params(item["inputs"], True)
    ):
        raise VerificationError("event-decoding", "not a non-anonymous ABI event entry of this format", where)
    try:
        return EventDecoder(contract, item)
    except (ValueError, KeyError, TypeError) as exc:
        raise VerificationError("event-decoding", f"not a usable ABI event entry: {exc}", where) from None


def _compare(have: Any, want: Any, where: str, context: str) -> None:
    if orjson.dumps(have, option=orjson.OPT_SORT_KEYS) == orjson.dumps(want, option=orjson.OPT_SORT_KEYS):
        return  # the same JSON (true is not 1 here), the fast path; else find the field
    if isinstance(want, Mapping):
        if not isinstance(have, Mapping):
            raise VerificationError("event-decoding", f"expected an object ({context})", where)
        for key in sorted(set(want) | set(have)):
            if key not in have or key not in want:
                raise VerificationError(
                    "event-decoding", f"{'missing' if key not in have else 'unexpected'} ({context})", f"{where}.{key}"
                )
            _compare(have[key], want[key], f"{where}.{key}", context)
        return
    if have != want or type(have) is not type(want):
        raise VerificationError("event-decoding", f"is {have!r:.80}, but {context} gives {want!r:.80}", where)


def _refs(dec: EventDecoder, args: Mapping[str, Any]) -> set[tuple[str, str]]:
    refs: set[tuple[str, str]] = set()
    for name, typ in zip(dec.names, dec.types, strict=True):
        kind = ref_kind(name, typ)
        value = args.get(name)
        if kind is not None and value is not None:
            refs.add((kind, "0x" + value.to_bytes(32, "big").hex() if isinstance(value, int) else str(value).lower()))
    return refs


def verify_bundle(
    bundle: bytes | str | PurePath | Mapping[str, Any] | Any,
    *,
    trust_checkpoint: str | bytes | None = None,
    exporter: str | None = None,
    rpc: Chain | RpcCall | None = None,
) -> VerificationReport:
    """Run every check on a bundle (a path, its bytes, or the parsed JSON); see the module doc.

    ``trust_checkpoint`` pins the checkpoint hash; ``exporter`` pins the exporter address;
    ``rpc`` (a :class:`~provenance.chain.Chain` or an ``rpc_call``) confirms the checkpoint on a node.
    """
    call = None if rpc is None else as_rpc_call(rpc)
    results: list[CheckResult] = []
    status: dict[str, str] = {}

    def record(name: str, outcome: str, message: str, where: str = "") -> None:
        status[name] = outcome
        results.append(CheckResult(name, outcome, message, where))

    # (1) read and parse: a bundle that is not even JSON fails bundle-format alone
    raw: bytes | None = None
    doc: Any = bundle
    if isinstance(bundle, (bytes, str, PurePath)):
        try:
            doc, raw = load_bundle(bundle)
        except InputError as exc:
            record("bundle-format", "failed", str(exc))
            for name in CHECKS[1:]:
                record(name, "skipped", "the bundle could not be read")
            return VerificationReport(tuple(results), None, None, None, 0)
    pinned = _pinned_hash(trust_checkpoint)
    try:
        parsed = parse_bundle(doc)
        record("bundle-format", "passed", f"format {FORMAT}")
    except VerificationError as exc:
        record("bundle-format", "failed", _reason(exc), exc.field)
        parsed = ParsedBundle(doc if isinstance(doc, Mapping) else {})
    run = _Run(parsed, raw, pinned, exporter, call)
    # (2) every other check in order, skipping those whose prerequisites failed
    wanted: dict[str, Callable[[], str] | str] = {
        "canonical-json": "given parsed JSON, not bytes" if raw is None else run.check_canonical_json,
        "header-chain": run.check_header_chain,
        "trusted-checkpoint": run.check_trusted_checkpoint if pinned is not None else "not asked (--trust-checkpoint)",
        "checkpoint-canonical": run.check_checkpoint_canonical if call is not None else "not asked (--rpc)",
        "transaction-proof": run.check_transaction_proof,
        "receipt-proof": run.check_receipt_proof,
        "log-in-receipt": run.check_log_in_receipt,
        "event-order": run.check_event_order,
        "contract-address": run.check_contract_address,
        "event-decoding": run.check_event_decoding,
        "query-match": run.check_query_match,
        "record-proof": run.check_record_proof if parsed.records else "the bundle holds no anchored record",
        "exporter-signature": run.check_exporter_signature,
        "trusted-exporter": run.check_trusted_exporter if exporter is not None else "not asked (--exporter)",
    }
    for name in CHECKS[1:]:
        action = wanted[name]
        blocked = [need for need in _NEEDS.get(name, ()) if status.get(need) != "passed"]
        if isinstance(action, str):
            record(name, "skipped", action)
        elif blocked:
            record(name, "skipped", f"needs {', '.join(blocked)}")
        else:
            try:
                record(name, "passed", action())
            except VerificationError as exc:
                record(name, "failed", _reason(exc), exc.field)
            except (InputError, ValueError, TypeError, KeyError, IndexError) as exc:  # a malformed value we missed
                record(name, "failed", f"malformed bundle: {exc!r:.200}")
    ok_doc = status.get("bundle-format") == "passed"
    try:
        digest: str | None = hash_of(run.forms()[0]) if isinstance(doc, Mapping) else None
    except InputError:
        digest = None
    return VerificationReport(
        tuple(results),
        digest,
        parsed.exporter if ok_doc else None,
        (parsed.checkpoint[0], "0x" + parsed.checkpoint[1].hex()) if ok_doc else None,
        len(parsed.events),
    )


def _pinned_hash(value: str | bytes | None) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    return parse_bytes32(value.strip(), what="trusted checkpoint (a block hash)")
