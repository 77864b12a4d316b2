"""Evidence bundles: export the proven history of an asset, trade, party or anchored record.

A bundle is one JSON document, written as RFC 8785 canonical JSON (UTF-8, keys sorted, no
whitespace). It holds everything :mod:`provenance.evidence.verify` needs offline. Format
``provenance/evidence-bundle@1``; every key below is required and no other key is allowed.
Hex values are lowercase ``0x`` strings; integers are JSON numbers below 2**53.

``format``      ``"provenance/evidence-bundle@1"``
``tool``        ``{"name": "provenance", "version": "0.1.0"}``: the exporting tool (attested
                by the signature only).
``createdAt``   export time, Unix seconds (attested by the signature only).
``query``       what produced the bundle: ``{"kind": "asset"|"trade"|"party"|"record",
                "id": hex (32 bytes; 20 for a party), "lineage": "none"|"up"|"down"|"both",
                "source": "index"|"logs"|"proof", "toBlock": int}``; ``source`` says how the
                events were selected (the indexer's history, eth_getLogs, or a record's Merkle
                proof); events up to block ``toBlock`` were considered (the checkpoint, or the
                index's last block when the index is behind it).
``chain``       ``{"chainId": int, "genesisHash": hex32}``; the chain id is checked against the
                signed transactions, the genesis hash only with ``--rpc``.
``checkpoint``  ``{"number": int, "hash": hex32}``: the newest block; ``headers`` end at it.
``headers``     ``[hex, ...]``: the RLP block headers of every block from the oldest block in
                ``transactions`` to the checkpoint, oldest first, contiguous
                (``headers[i]`` is block ``headers[0].number + i``). Each header's hash is
                ``keccak(header)``; each names the previous one as ``parentHash``.
``transactions`` ``[{"blockNumber": int, "txIndex": int, "transaction": hex, "transactionProof":
                [hex, ...], "receipt": hex, "receiptProof": [hex, ...]}, ...]``, sorted by
                (blockNumber, txIndex), each referenced by an event or a contract:
                ``transaction`` is the signed EIP-2718 transaction (its keccak is the tx hash;
                its signature gives the sender), ``transactionProof`` the Merkle-Patricia proof
                nodes (root first) of key ``rlp(txIndex)`` under the header's
                transactionsRoot; ``receipt`` the EIP-2718 receipt and ``receiptProof`` its
                proof under the header's receiptsRoot.
``contracts``   ``[{"name": str, "address": hex20, "deployment": int, "bytecodeHash": hex32,
                "constructorArgs": hex, "inputHash": hex32, "events": [abi, ...]}, ...]``,
                sorted by name: the contracts that emitted the events. ``deployment`` indexes
                ``transactions``: the transaction that created the contract (``to`` empty,
                status 1); ``address`` must be ``keccak(rlp([sender, nonce]))[12:]`` of it, its
                input must end with ``constructorArgs`` and the code before them hash (SHA-256)
                to ``bytecodeHash``. ``inputHash`` is the SHA-256 of the compiler input (from
                the deployment manifest, attested by the signature). ``events`` are the ABI
                entries of the events used, reduced to ``name``, ``type``, ``anonymous`` and
                ``inputs`` (each ``name``, ``type``, ``indexed``, and ``components`` for tuples,
                whose items keep only ``type`` and ``components``).
``events``      ``[{"transaction": int, "logIndex": int, "log": {"address": hex20, "topics":
                [hex32, ...], "data": hex}}, ...]`` in chain order (strictly increasing
                blockNumber, txIndex, logIndex): ``transaction`` indexes ``transactions``;
                ``logIndex`` is the log's position inside that receipt (not the block-level
                logIndex); ``log`` must equal that log of the decoded receipt.
``timeline``    one entry per event, same order: ``{"contract": name, "event": name, "address":
                hex20, "blockNumber": int, "blockHash": hex32, "timestamp": int (header),
                "txHash": hex32, "txIndex": int, "from": hex20 (recovered sender), "logIndex":
                int (in the receipt), "args": {name: value}}``. Argument values: integers as
                JSON numbers, or decimal strings when the ABI type is wider than 64 bits or the
                value is 2**53 or more; addresses, bytesN and bytes as lowercase hex; strings as
                strings; arrays as lists. Everything here is re-derived by the verifier.
``records``     for ``kind == "record"``: ``[{"record": {...}, "recordHash": hex32, "proof":
                [hex32, ...], "event": int}, ...]`` (else ``[]``): the off-chain record,
                ``keccak(RFC 8785 JSON of record)``, its StandardMerkleTree proof (leaf
                ``keccak(keccak(recordHash))``, sorted-pair hashing) and the index in ``events``
                of the ``BatchAnchored`` event whose ``root`` topic the proof reaches.
``exporter``    the exporter's address (EIP-55 checksummed).
``signature``   ``0x`` + 65 bytes ``r || s || v`` (v 27/28, low s): secp256k1 over
                ``keccak("\\x19Ethereum Signed Message:\\n32" || keccak(C))`` where C is the RFC
                8785 JSON of the bundle without ``signature`` (EIP-191, so a wallet can sign).

Why a log is from "our" contract: the deployment transaction is in a block (transaction
proof) that links to the checkpoint, it succeeded (receipt proof, status 1), it is a
creation, and CREATE puts the contract at ``keccak(rlp([sender, nonce]))[12:]``, which the
verifier recomputes from the sender recovered from the signed transaction's signature and
the nonce inside it; the log's address must be that address.

The bundle hash (:func:`bundle_hash`, for QR codes) is keccak of the canonical JSON of the
whole bundle, signature included.

API: :func:`export_bundle` (node, deployment, :class:`Query`, signer) -> the bundle (a dict);
:func:`write_bundle` / :func:`load_bundle`; :func:`bundle_hash`. Verification:
:func:`provenance.evidence.verify.verify_bundle` -> ``VerificationReport`` whose ``checks``
are ``CheckResult(name, status, message, field)`` with ``passed`` (``to_json()`` for a
report). For a report, ``timeline[i]`` describes ``events[i]``; the certificate number and
code are the ``AssetCertified`` entry's ``serial``/``year``/``code`` arguments.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import orjson
from eth_hash.auto import keccak

from provenance import __version__
from provenance._internal.files import atomic_write
from provenance._internal.jcs import canonical_json
from provenance._internal.keccak import keccak256
from provenance.chain import Signer
from provenance.deployment import DeployedContract, Deployment
from provenance.errors import ChainError, InputError
from provenance.evidence._collect import BatchRpc, EventRef, FetchedBlock, fetch_blocks, fetch_header_chain
from provenance.evidence._select import Query, anchored_events, select_from_index, select_from_logs
from provenance.evidence._transactions import decode_transaction
from provenance.evidence.proofs import Receipt, decode_header, decode_receipt
from provenance.indexer.decode import ABI, EventDecoder

__all__ = [
    "FORMAT",
    "AnchoredRecord",
    "Query",
    "abi_event_entry",
    "bundle_hash",
    "canonical_forms",
    "canonical_json",
    "digest_of_body",
    "export_bundle",
    "hash_of",
    "json_args",
    "load_bundle",
    "sign_bundle",
    "signing_digest",
    "timeline_entry",
    "write_bundle",
]

FORMAT = "provenance/evidence-bundle@1"
_EIP191 = b"\x19Ethereum Signed Message:\n32"
_SAFE = 1 << 53


@dataclass(frozen=True, slots=True)
class AnchoredRecord:
    """An off-chain record and its StandardMerkleTree proof (a line of the anchor's proofs file)."""

    record: Mapping[str, Any]
    proof: tuple[str, ...]


# -- canonical form, hashing, signing -------------------------------------------------


def canonical_forms(doc: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """(canonical JSON of the bundle, of the bundle without ``signature``), each value once."""
    keys = sorted(doc)
    if not all(isinstance(k, str) and k.isascii() for k in keys):  # UTF-16 key order: the slow way
        return canonical_json(doc, what="bundle"), canonical_json(
            {k: v for k, v in doc.items() if k != "signature"}, what="bundle"
        )
    members = {k: orjson.dumps(k) + b":" + canonical_json({"": doc[k]}, what="bundle")[4:-1] for k in keys}
    full = b"{" + b",".join(members[k] for k in keys) + b"}"
    body = b"{" + b",".join(members[k] for k in keys if k != "signature") + b"}"
    return full, body


def hash_of(data: bytes) -> str:
    """0x-hex keccak of canonical bundle bytes (what :func:`bundle_hash` returns)."""
    return "0x" + keccak256(data).hex()


def digest_of_body(body: bytes) -> bytes:
    """The EIP-191 digest the exporter signs, from the canonical bundle without ``signature``."""
    return keccak256(_EIP191 + keccak256(body))


def signing_digest(doc: Mapping[str, Any]) -> bytes:
    """What the exporter signs: EIP-191 over keccak of the canonical bundle minus ``signature``."""
    return digest_of_body(canonical_forms(doc)[1])


def bundle_hash(doc: Mapping[str, Any]) -> str:
    """keccak of the canonical JSON of the whole bundle, signature included (0x hex)."""
    return "0x" + keccak256(canonical_forms(doc)[0]).hex()


def sign_bundle(doc: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The bundle with ``exporter`` set to the signer and a fresh ``signature``."""
    out = {key: value for key, value in doc.items() if key != "signature"}
    out["exporter"] = signer.address
    v, r, s = signer.sign_hash(signing_digest(out))
    out["signature"] = "0x" + (r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes((27 + v,))).hex()
    return out


def write_bundle(doc: Mapping[str, Any], path: Path | str) -> bytes:
    """Write the canonical JSON atomically; returns the bytes written."""
    data = canonical_json(doc, what="bundle")
    target = Path(path)
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise InputError(f"cannot write the bundle to {target}: {exc.strerror}") from None
    return data


def load_bundle(source: PurePath | str | bytes) -> tuple[Any, bytes]:
    """(parsed JSON, raw bytes) of a bundle file or its bytes; InputError if it is not JSON."""
    if isinstance(source, bytes):
        raw = source
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the bundle {source}: {exc.strerror}") from None
    try:
        return orjson.loads(raw), raw
    except orjson.JSONDecodeError as exc:
        raise InputError(f"the bundle is not JSON: {exc}") from None


# -- the parts shared with the verifier ------------------------------------------------


def abi_event_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """An ABI event entry reduced to what decoding needs."""

    def param(p: Mapping[str, Any], top: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": str(p["type"])}
        if top:  # names inside tuples do not change decoding: left out
            out["name"] = str(p.get("name", ""))
            out["indexed"] = bool(p.get("indexed", False))
        if "components" in p:
            out["components"] = [param(c, False) for c in p["components"]]
        return out

    return {
        "name": str(item["name"]),
        "type": "event",
        "anonymous": bool(item.get("anonymous", False)),
        "inputs": [param(p, True) for p in item.get("inputs", ())],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if -_SAFE < value < _SAFE else str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def json_args(decoder: EventDecoder, args: Mapping[str, Any]) -> dict[str, Any]:
    """Decoded arguments in their bundle form (see ``timeline`` in the module docstring)."""
    loaded: dict[str, Any] = orjson.loads(decoder.args_to_json(args))
    for value in loaded.values():  # the common case: flat values, none of them a wide integer
        kind = type(value)
        if kind is list or kind is dict or (kind is int and not -_SAFE < value < _SAFE):
            return {str(k): _jsonable(v) for k, v in loaded.items()}
    return loaded


def timeline_entry(
    *,
    contract: str,
    decoder: EventDecoder,
    args: Mapping[str, Any],
    address: bytes,
    block_number: int,
    block_hash: bytes,
    timestamp: int,
    tx_hash: bytes,
    tx_index: int,
    sender: bytes,
    log_index: int,
) -> dict[str, Any]:
    """One ``timeline`` entry, built the same way by the exporter and the verifier."""
    return {
        "contract": contract,
        "event": decoder.name,
        "address": "0x" + address.hex(),
        "blockNumber": block_number,
        "blockHash": "0x" + block_hash.hex(),
        "timestamp": timestamp,
        "txHash": "0x" + tx_hash.hex(),
        "txIndex": tx_index,
        "from": "0x" + sender.hex(),
        "logIndex": log_index,
        "args": json_args(decoder, args),
    }


# -- export ----------------------------------------------------------------------------


def _checkpoint(node: BatchRpc, checkpoint: int | str) -> tuple[int, bytes]:
    if isinstance(checkpoint, int) and not isinstance(checkpoint, bool):
        block = node.rpc("eth_getBlockByNumber", [hex(checkpoint), False])
    elif isinstance(checkpoint, str) and checkpoint.startswith("0x") and len(checkpoint) == 66:
        block = node.rpc("eth_getBlockByHash", [checkpoint.lower(), False])
    elif checkpoint in ("latest", "safe", "finalized"):
        block = node.rpc("eth_getBlockByNumber", [checkpoint, False])
    else:
        raise InputError(
            f"checkpoint must be a block number, a block hash or latest/safe/finalized, got {checkpoint!r}"
        )
    if not isinstance(block, Mapping):
        raise ChainError(f"checkpoint block {checkpoint!r} not found on the node")
    return int(block["number"], 16), bytes.fromhex(str(block["hash"])[2:])


def _abis(deployment: Deployment, abis: Mapping[str, ABI] | None) -> dict[str, ABI]:
    if abis is not None:
        return dict(abis)
    from provenance.compiler import load_artifact

    return {name: load_artifact(name).abi for name in deployment.contracts}


def export_bundle(
    node: BatchRpc,
    deployment: Deployment,
    query: Query,
    signer: Signer,
    *,
    store: Any = None,
    records: Sequence[AnchoredRecord] = (),
    checkpoint: int | str = "latest",
    abis: Mapping[str, ABI] | None = None,
    created_at: int | None = None,
    batch_size: int = 100,
) -> dict[str, Any]:
    """Build and sign the bundle of ``query`` (see the module docstring for the format).

    ``node`` is a :class:`provenance.chain.Chain` (or anything with ``rpc`` and ``batch``);
    ``store`` an index store to select events from (else eth_getLogs); ``records`` the
    anchored records of a ``record`` query; ``checkpoint`` the newest block (number, hash or
    tag). Raises InputError (nothing to export, bad input) or ChainError (the node).
    """
    # (1) the chain and the checkpoint
    chain_id = int(node.rpc("eth_chainId", []), 16)
    if chain_id != deployment.chain_id:
        raise InputError(f"the node is chain {chain_id}, the deployment is on chain {deployment.chain_id}")
    top, top_hash = _checkpoint(node, checkpoint)
    contract_abis = _abis(deployment, abis)
    # (2) the events of the query, as their source saw them
    source, refs, record_events = _select(node, deployment, contract_abis, query, store, records, top)
    if not refs:
        raise InputError(f"no events for {query.kind} {query.id} up to block {top}")
    # (3) the blocks holding them, fetched once; then the deployments of the contracts used
    blocks = fetch_blocks(node, {bn for bn, _li, _bh, _ref in refs}, batch_size=batch_size)
    receipts = _Receipts(blocks)
    located = _locate(refs, blocks, receipts)
    by_address = {bytes.fromhex(c.address[2:].lower()): c for c in deployment.contracts.values()}
    used: dict[str, DeployedContract] = {}
    for _bn, _ti, _li, log_address in located:
        contract = by_address.get(log_address)
        if contract is None:
            raise InputError(f"a selected event was emitted by 0x{log_address.hex()}, not by the deployment")
        used[contract.name] = contract
    blocks.update(fetch_blocks(node, {c.block_number for c in used.values()} - set(blocks), batch_size=batch_size))
    deployments = {name: _deployment_tx(c, blocks[c.block_number]) for name, c in used.items()}
    # (4) the header chain from the oldest block to the checkpoint
    first = min(blocks)
    if max(blocks) > top:
        raise InputError(f"an event is in block {max(blocks)}, after the checkpoint {top}")
    headers = fetch_header_chain(node, first, top, blocks, batch_size=batch_size * 2)
    if keccak(headers[-1]) != top_hash:
        raise ChainError(f"block {top} changed while exporting (a reorganization?): retry")
    # (5) transactions: one entry per (block, tx) used, proofs cut from tries built once
    keys = sorted({(bn, ti) for bn, ti, _li, _a in located} | set(deployments.values()))
    tx_index = {key: k for k, key in enumerate(keys)}
    transactions = [_tx_entry(blocks[bn], bn, ti) for bn, ti in keys]
    senders = {key: decode_transaction(blocks[key[0]].transactions[key[1]]) for key in keys}
    # (6) events and the decoded timeline
    decoders = {
        (bytes.fromhex(c.address[2:].lower()), dec.topic0): (name, dec, item)
        for name, c in used.items()
        for item in contract_abis.get(name, ())
        if item.get("type") == "event" and not item.get("anonymous")
        for dec in (EventDecoder(name, item),)
    }
    events: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    used_items: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in used}
    for bn, ti, li, address in located:
        block = blocks[bn]
        log = receipts.get(bn, ti).logs[li]
        found = decoders.get((address, log.topics[0])) if log.topics else None
        if found is None:
            raise InputError(f"block {bn} tx {ti} log {li}: an event that is not in the {by_address[address].name} ABI")
        name, dec, item = found
        try:
            args = dec.decode(log.topics, log.data)
        except ValueError as exc:
            raise InputError(f"block {bn} tx {ti} log {li}: does not decode: {exc}") from None
        used_items[name][dec.signature] = abi_event_entry(item)
        events.append(
            {
                "transaction": tx_index[(bn, ti)],
                "logIndex": li,
                "log": {
                    "address": "0x" + address.hex(),
                    "topics": ["0x" + t.hex() for t in log.topics],
                    "data": "0x" + log.data.hex(),
                },
            }
        )
        timeline.append(
            timeline_entry(
                contract=name,
                decoder=dec,
                args=args,
                address=address,
                block_number=bn,
                block_hash=block.evidence.block_hash,
                timestamp=receipts.timestamp(bn),
                tx_hash=senders[(bn, ti)].tx_hash,
                tx_index=ti,
                sender=senders[(bn, ti)].sender,
                log_index=li,
            )
        )
    # (7) the contracts, their deployments and the ABI entries used
    contracts = [
        {
            "name": name,
            "address": c.address.lower(),
            "deployment": tx_index[deployments[name]],
            "bytecodeHash": c.bytecode_hash,
            "constructorArgs": c.constructor_args.lower(),
            "inputHash": c.input_hash,
            "events": [used_items[name][sig] for sig in sorted(used_items[name])],
        }
        for name, c in sorted(used.items())
    ]
    position = {(bn, li): i for i, (bn, li, _bh, _ref) in enumerate(refs)}
    record_entries = [
        {
            "record": dict(rec.record),
            "recordHash": rh,
            "proof": [p.lower() for p in rec.proof],
            "event": position[where],
        }
        for rec, rh, where in record_events
    ]
    doc: dict[str, Any] = {
        "format": FORMAT,
        "tool": {"name": "provenance", "version": __version__},
        "createdAt": int(time.time()) if created_at is None else created_at,
        "query": {
            "kind": query.kind,
            "id": query.id,
            "lineage": query.lineage,
            "source": source,
            "toBlock": min(top, int(store.cursor()[0])) if source == "index" else top,
        },
        "chain": {"chainId": chain_id, "genesisHash": deployment.genesis_hash.lower()},
        "checkpoint": {"number": top, "hash": "0x" + top_hash.hex()},
        "headers": ["0x" + h.hex() for h in headers],
        "transactions": transactions,
        "contracts": contracts,
        "events": events,
        "timeline": timeline,
        "records": record_entries,
    }
    return sign_bundle(doc, signer)


_Ref = tuple[int, int, bytes, EventRef | None]


def _select(
    node: BatchRpc,
    deployment: Deployment,
    abis: Mapping[str, ABI],
    query: Query,
    store: Any,
    records: Sequence[AnchoredRecord],
    top: int,
) -> tuple[str, list[_Ref], list[tuple[AnchoredRecord, str, tuple[int, int]]]]:
    if query.kind == "record":
        return _select_records(node, deployment, records, top)
    if records:
        raise InputError("records are only exported with a record query")
    if store is not None:
        cursor = store.cursor()
        if cursor is None:
            raise InputError("the index is empty: run the indexer first (or export without an index)")
        reach = min(top, int(cursor[0]))
        return "index", [(bn, li, bh, None) for bn, li, bh in select_from_index(store, query, reach)], []
    found = select_from_logs(node, deployment, abis, query, top)
    return "logs", [(r.block_number, r.log_index, r.block_hash, r) for r in found], []


def _select_records(
    node: BatchRpc,
    deployment: Deployment,
    records: Sequence[AnchoredRecord],
    top: int,
) -> tuple[str, list[_Ref], list[tuple[AnchoredRecord, str, tuple[int, int]]]]:
    from provenance.anchor_records import record_hash
    from provenance.merkle import process_proof

    if not records:
        raise InputError("a record bundle needs at least one record and its proof")
    refs: dict[tuple[int, int], _Ref] = {}
    picked: list[tuple[AnchoredRecord, str, tuple[int, int]]] = []
    for rec in records:
        digest = record_hash(rec.record)
        root = bytes.fromhex(process_proof(keccak(keccak(digest)), list(rec.proof))[2:])
        found = anchored_events(node, deployment, root, top)
        if not found:
            raise InputError(
                f"no BatchAnchored event with root 0x{root.hex()} up to block {top}: "
                "is the batch anchored, and is this its proof?"
            )
        ev = found[0]
        refs[(ev.block_number, ev.log_index)] = (ev.block_number, ev.log_index, ev.block_hash, ev)
        picked.append((rec, "0x" + digest.hex(), (ev.block_number, ev.log_index)))
    return "proof", sorted(refs.values(), key=lambda r: (r[0], r[1])), picked


def _locate(
    refs: Sequence[_Ref], blocks: Mapping[int, FetchedBlock], receipts: _Receipts
) -> list[tuple[int, int, int, bytes]]:
    """(block, txIndex, index in receipt, log address) of each event, from receipt bytes."""
    out = []
    for bn, li, bh, ref in refs:
        block = blocks[bn]
        if block.evidence.block_hash != bh:
            raise ChainError(
                f"the event source has block {bn} as 0x{bh.hex()}, the node as "
                f"0x{block.evidence.block_hash.hex()}: re-run the indexer"
            )
        ti, index = block.offsets.locate(li)
        log = receipts.get(bn, ti).logs[index]
        if ref is not None and (ref.address, ref.topics, ref.data) != (log.address, log.topics, log.data):
            raise ChainError(f"block {bn} log {li}: eth_getLogs and the receipt disagree")
        out.append((bn, ti, index, log.address))
    return out


class _Receipts:
    """Decoded receipts and header timestamps, each decoded once."""

    def __init__(self, blocks: Mapping[int, FetchedBlock]) -> None:
        self._blocks = blocks
        self._receipts: dict[tuple[int, int], Receipt] = {}
        self._times: dict[int, int] = {}

    def get(self, number: int, tx_index: int) -> Receipt:
        key = (number, tx_index)
        found = self._receipts.get(key)
        if found is None:
            found = self._receipts[key] = decode_receipt(self._blocks[number].evidence.receipts[tx_index])
        return found

    def timestamp(self, number: int) -> int:
        if number not in self._times:
            self._times[number] = decode_header(self._blocks[number].evidence.header).timestamp
        return self._times[number]


def _deployment_tx(contract: DeployedContract, block: FetchedBlock) -> tuple[int, int]:
    wanted = bytes.fromhex(contract.tx_hash[2:])
    if block.evidence.block_hash != bytes.fromhex(contract.block_hash[2:]):
        raise ChainError(
            f"{contract.name} was deployed in block {contract.block_number} "
            f"{contract.block_hash}, which is no longer on the node's chain"
        )
    try:
        index = block.evidence.tx_hashes.index(wanted)
    except ValueError:
        raise ChainError(
            f"{contract.name}'s deployment tx {contract.tx_hash} is not in block {contract.block_number}"
        ) from None
    created = decode_transaction(block.transactions[index]).created_address
    if created is None or "0x" + created.hex() != contract.address.lower():
        raise InputError(f"{contract.name}: tx {contract.tx_hash} did not create {contract.address}")
    return contract.block_number, index


def _tx_entry(block: FetchedBlock, number: int, index: int) -> dict[str, Any]:
    return {
        "blockNumber": number,
        "txIndex": index,
        "transaction": "0x" + block.transactions[index].hex(),
        "transactionProof": ["0x" + n.hex() for n in block.transaction_trie.proof(index)],
        "receipt": "0x" + block.evidence.receipts[index].hex(),
        "receiptProof": ["0x" + n.hex() for n in block.receipt_trie.proof(index)],
    }
