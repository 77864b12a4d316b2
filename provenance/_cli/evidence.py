"""``provenance evidence ...`` exports a signed evidence bundle; ``provenance verify`` checks one.

``evidence asset|trade|party ID -o BUNDLE.json`` selects the events from the index
(``--index``, default ``DATA_DIR/index.sqlite`` when it exists) or, without one, with
eth_getLogs; ``evidence record RECORDS.jsonl --line N -o BUNDLE.json`` (proofs from
``RECORDS.proofs.jsonl`` beside it, or ``--proof``) or ``evidence record RECORD.json --proof
PROOF.json`` proves an anchored off-chain record. The exporter signs with the global account
(``--keystore`` or ``--dev N``).

``verify BUNDLE.json`` needs no network: it prints every check and exits 0 only if none
failed; otherwise the last line (stderr) names the failed check and field.

``report BUNDLE.json -o report.html|report.pdf --lang zh|en`` verifies the bundle offline
and writes a human-readable report (timeline, parties, certificate, verification result,
QR code). The report is written even when a check fails (it says so); the exit code is then
1 and the last line names the failed check, as with ``verify``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from provenance._cli._context import Context, pass_ctx
from provenance.errors import InputError, VerificationError

__all__ = ["evidence", "report", "verify"]


@click.command("evidence")
@click.argument("kind", type=click.Choice(["asset", "trade", "party", "record"]))
@click.argument("ident", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the bundle (canonical JSON).",
)
@click.option(
    "--lineage",
    type=click.Choice(["none", "up", "down", "both"]),
    default="none",
    show_default=True,
    help="For an asset: include its ancestors' and/or descendants' events (needs the index).",
)
@click.option(
    "--checkpoint",
    default="latest",
    show_default=True,
    help="The newest block of the bundle: a number, a block hash, or latest/safe/finalized.",
)
@click.option(
    "--index",
    "index",
    default=None,
    help="Index database (SQLite path or PostgreSQL URL); default DATA_DIR/index.sqlite if present.",
)
@click.option("--no-index", is_flag=True, help="Select events with eth_getLogs even if an index exists.")
@click.option(
    "--line",
    type=click.IntRange(0),
    default=None,
    help="record: the record's line in RECORDS.jsonl (0-based; its index in the proofs file).",
)
@click.option(
    "--proof",
    "proof_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="record: the proof (a line of the anchor's proofs file, or the whole .proofs.jsonl).",
)
@pass_ctx
def evidence(
    c: Context,
    kind: str,
    ident: str,
    output: Path,
    lineage: str,
    checkpoint: str,
    index: str | None,
    no_index: bool,
    line: int | None,
    proof_path: Path | None,
) -> None:
    """Export the signed, proven history of an asset, trade, party or anchored record."""
    from provenance.evidence.bundle import Query, bundle_hash, export_bundle, write_bundle

    point: int | str = int(checkpoint) if checkpoint.isascii() and checkpoint.isdigit() else checkpoint
    records: list[Any] = []
    if kind == "record":
        records = [_record(Path(ident), line, proof_path)]
        from provenance.anchor_records import record_hash

        query = Query("record", "0x" + record_hash(records[0].record).hex())
    else:
        query = Query.of(kind, ident, lineage)
    store = None
    location = index or (str(c.data_dir / "index.sqlite") if (c.data_dir / "index.sqlite").exists() else None)
    if kind != "record" and location is not None and not no_index:
        from provenance.indexer import open_store

        store = open_store(location)
    try:
        doc = export_bundle(
            c.chain(), c.deployment(), query, c.signer(), store=store, records=records, checkpoint=point
        )
    finally:
        if store is not None:
            store.close()
    data = write_bundle(doc, output)
    click.echo(f"bundle: {output} ({len(doc['events'])} events, {len(doc['headers'])} headers, {len(data)} bytes)")
    click.echo(f"checkpoint: block {doc['checkpoint']['number']} {doc['checkpoint']['hash']}")
    click.echo(f"events from: {doc['query']['source']}; exporter {doc['exporter']}")
    click.echo(f"bundle hash: {bundle_hash(doc)}")


def _record(source: Path, line: int | None, proof_path: Path | None) -> Any:
    from provenance.anchor_records import proofs_path_for, read_proofs
    from provenance.evidence.bundle import AnchoredRecord

    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{source} is not UTF-8 text") from None
    if source.name.endswith(".jsonl"):
        if line is None:
            raise InputError("a records file needs --line N (the record's 0-based line)")
        lines = text.splitlines()
        if line >= len(lines):
            raise InputError(f"{source} has {len(lines)} lines, no line {line}")
        record_text = lines[line]
        proofs = proof_path or proofs_path_for(source)
    else:
        record_text = text
        if proof_path is None:
            raise InputError("a single record needs --proof FILE")
        proofs = proof_path
    try:
        record = json.loads(record_text)
    except json.JSONDecodeError as exc:
        raise InputError(f"the record is not JSON: {exc.msg}") from None
    if not isinstance(record, dict):
        raise InputError("a record is a JSON object")
    if proofs.name.endswith(".jsonl"):
        wanted = 0 if line is None else line
        for entry in read_proofs(proofs):
            if entry.index == wanted:
                return AnchoredRecord(record, entry.proof)
        raise InputError(f"{proofs} has no proof with index {wanted}")
    try:
        doc = json.loads(proofs.read_text(encoding="utf-8"))
        proof = tuple(str(p) for p in (doc["proof"] if isinstance(doc, dict) else doc))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{proofs} is not a proof (a proofs-file line or a JSON list): {exc}") from None
    return AnchoredRecord(record, proof)


@click.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rpc", "rpc_url", default=None, help="Also confirm the checkpoint is canonical on this node.")
@click.option("--trust-checkpoint", default=None, help="Require the checkpoint to be this block hash.")
@click.option("--exporter", default=None, help="Require the bundle to be signed by this address.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_ctx
def verify(
    c: Context, bundle: Path, rpc_url: str | None, trust_checkpoint: str | None, exporter: str | None, as_json: bool
) -> None:
    """Verify an evidence bundle offline; exit 0 only if every check passes."""
    from provenance.evidence.verify import verify_bundle

    node = c.node(rpc_url) if rpc_url else None
    report = verify_bundle(bundle, trust_checkpoint=trust_checkpoint, exporter=exporter, rpc=node)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for check in report.checks:
            mark = {"passed": "PASS", "failed": "FAIL", "skipped": "skip"}[check.status]
            where = f" [{check.field}]" if check.field else ""
            click.echo(f"{mark}  {check.name:<21} {check.message}{where}")
        if report.checkpoint is not None:
            click.echo(f"checkpoint: block {report.checkpoint[0]} {report.checkpoint[1]}")
        click.echo(f"events: {report.events}; exporter: {report.exporter}; bundle hash: {report.bundle_hash}")
    failed = report.failure
    if failed is not None:
        raise VerificationError(failed.name, failed.message, failed.field)
    if not as_json:
        click.echo("verified: all checks passed")


@click.command("report")
@click.argument("bundle", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The report to write: a .html or .pdf file.",
)
@click.option("--lang", default="zh", show_default=True, help="Language of the report: zh or en.")
@click.option("--trust-checkpoint", default=None, help="Require the checkpoint to be this block hash.")
@click.option("--exporter", default=None, help="Require the bundle to be signed by this address.")
def report(bundle: Path, output: Path, lang: str, trust_checkpoint: str | None, exporter: str | None) -> None:
    """Verify a bundle offline and write a human-readable report of it (HTML or PDF)."""
    from provenance.evidence.report import write_report

    result = write_report(bundle, output, lang=lang, trust_checkpoint=trust_checkpoint, exporter=exporter)
    certificate = result.facts.certificate
    click.echo(f"report: {output} ({lang}, {len(result.facts.events)} events)")
    if certificate is not None:
        click.echo(f"certificate: {certificate.number} code {certificate.code}")
    click.echo(f"bundle hash: {result.bundle_hash}")
    failed = result.verification.failure
    if failed is not None:
        raise VerificationError(failed.name, failed.message, failed.field)
    click.echo("verified: all checks passed")
