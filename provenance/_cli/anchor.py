"""Batch anchoring: ``anchor`` a JSON Lines file of trade records, ``anchor-verify`` one record."""

from __future__ import annotations

import time
from pathlib import Path

import click

from provenance._cli._context import Context, pass_ctx
from provenance.errors import InputError

__all__ = ["anchor_cmd", "anchor_verify_cmd"]


@click.command("anchor")
@click.argument("records", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--batch-id", help="Batch id (0x + 64 hex); default: derived from the root and the file's hash.")
@pass_ctx
def anchor_cmd(c: Context, records: Path, batch_id: str | None) -> None:
    """Anchor a JSON Lines file of trade RECORDS in one transaction; write the proofs beside it."""
    from provenance.anchor import anchor_file, batch_path_for
    from provenance.records.registry import to_bytes32

    client = c.anchor()
    started = time.perf_counter()
    batch = anchor_file(client, records, batch_id=to_bytes32(batch_id, "batch id") if batch_id else None)
    click.echo(f"anchored {batch.record_count} records in {time.perf_counter() - started:.1f}s: batch {batch.batch_id}")
    click.echo(f"root {batch.root}; tx {batch.tx_hash} (block {batch.block_number})")
    click.echo(f"proofs: {records.with_name(batch.proofs_file)}; batch: {batch_path_for(records)}")


@click.command("anchor-verify")
@click.argument("record", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("proof", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--batch",
    "batch_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The batch description (default: the .anchor.json beside PROOF).",
)
@click.option("--offline", is_flag=True, help="Do not ask the contract; check against the batch root only.")
@pass_ctx
def anchor_verify_cmd(c: Context, record: Path, proof: Path, batch_file: Path | None, offline: bool) -> None:
    """Check one RECORD (a JSON file) against PROOF (a proofs file, or one proof line as JSON)."""
    import json

    from provenance.anchor import Anchor, AnchoredBatch, find_proof, verify_record
    from provenance.anchor_records import record_hash

    try:
        doc = json.loads(record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no such record file: {record}") from None
    except UnicodeDecodeError:
        raise InputError(f"{record} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{record} is not JSON: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{record} must hold one JSON object (the record)")
    if not proof.is_file():
        raise InputError(f"no such proof file: {proof}")
    line = find_proof(proof, "0x" + record_hash(doc).hex())
    name = proof.name.removesuffix(".jsonl").removesuffix(".proofs")
    batch = AnchoredBatch.load(batch_file or proof.with_name(name + ".anchor.json"))
    client = None if offline else Anchor(c.chain(), batch.contract)
    if client is not None and client.chain.chain_id != batch.chain_id:
        raise InputError(f"the batch is on chain {batch.chain_id}, the node is chain {client.chain.chain_id}")
    for check, _, detail in verify_record(doc, line, batch, client):
        click.echo(f"ok  {check:<14} {detail}")
    click.echo(f"record #{line.index} is in batch {batch.batch_id}")
