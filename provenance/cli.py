"""The ``provenance`` command line.

User errors print one line (``error: ...``) on stderr and exit 1; usage errors exit 2.
Global options choose the data directory (manifest, chain state, index), the node and the
account; keys come from encrypted keystores, or the well-known dev keys on a local chain.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from provenance import __version__
from provenance.errors import InputError, KeystoreError, ProvenanceError

__all__ = ["cli", "main"]

DEFAULT_RPC = "http://127.0.0.1:8545"


@dataclass
class Context:
    data_dir: Path
    rpc_url: str
    keystore: Path | None
    dev_account: int | None
    _cache: dict[str, Any] = field(default_factory=dict)
    index_store: str | None = None

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "deployment.json"

    def chain(self) -> Any:
        if "chain" not in self._cache:
            from provenance.chain import Chain

            chain = Chain(self.rpc_url)
            chain.chain_id  # noqa: B018 - fail now, with a clear error, if the node is down
            self._cache["chain"] = chain
        return self._cache["chain"]

    def deployment(self) -> Any:
        if "deployment" not in self._cache:
            from provenance.deployment import Deployment
            from provenance.errors import DeploymentError

            dep = Deployment.load(self.manifest_path)
            chain = self.chain()
            if chain.chain_id != dep.chain_id:
                raise DeploymentError(
                    f"node {self.rpc_url} is chain {chain.chain_id}, manifest is chain {dep.chain_id}"
                )
            if chain.genesis_hash() != dep.genesis_hash:
                raise DeploymentError(
                    f"node {self.rpc_url} has another genesis than the manifest: the chain was reset; deploy again"
                )
            self._cache["deployment"] = dep
        return self._cache["deployment"]

    def signer(self) -> Any:
        if "signer" not in self._cache:
            from provenance.accounts import DevKeyWarning, dev_signer, load_keystore, read_password

            if self.keystore is not None:
                signer = load_keystore(self.keystore, read_password())
            elif self.dev_account is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DevKeyWarning)
                    signer = dev_signer(self.dev_account, self.chain().chain_id)
                click.echo(
                    f"warning: using well-known dev key #{self.dev_account} ({signer.address}); local chain only",
                    err=True,
                )
            else:
                raise KeystoreError(
                    "no account: pass --keystore FILE (or PROVENANCE_KEYSTORE) or --dev N on a local chain"
                )
            self._cache["signer"] = signer
        return self._cache["signer"]

    def sender(self) -> Any:
        from provenance.chain import Sender

        return Sender(self.chain(), self.signer())

    def registry(self, write: bool = True) -> Any:
        from provenance.registry import Registry

        return Registry.from_deployment(self.deployment(), self.chain(), self.sender() if write else None)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("PROVENANCE_HOME", ".provenance"),
    show_default=".provenance",
    help="Where the manifest, chain state and index live (env PROVENANCE_HOME).",
)
@click.option(
    "--rpc",
    "rpc_url",
    default=lambda: os.environ.get("PROVENANCE_RPC", DEFAULT_RPC),
    show_default=DEFAULT_RPC,
    help="JSON-RPC URL of the node (env PROVENANCE_RPC).",
)
@click.option(
    "--keystore",
    type=click.Path(dir_okay=False, path_type=Path),
    default=lambda: os.environ.get("PROVENANCE_KEYSTORE"),
    help="Encrypted keystore of the sending account (env PROVENANCE_KEYSTORE); password from "
    "PROVENANCE_PASSWORD or a prompt.",
)
@click.option(
    "--dev",
    "dev_account",
    type=click.IntRange(0, 99),
    default=None,
    help="Use anvil's well-known dev key N (local chains only).",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path, rpc_url: str, keystore: Path | None, dev_account: int | None) -> None:
    """Data property rights and data trades on an EVM chain, indexed and provable."""
    ctx.obj = Context(Path(data_dir), rpc_url, Path(keystore) if keystore else None, dev_account)


def _asset_arg(value: str) -> bytes:
    from provenance.models import to_bytes32

    return to_bytes32(value, "asset id")


def _hash_opt(value: str | None, what: str) -> bytes:
    """A 32-byte hex hash, or the SHA-256 of a text when it is not hex."""
    import hashlib

    from provenance.models import to_bytes32

    if value is None:
        raise InputError(f"{what} is required")
    if value.startswith("0x"):
        return to_bytes32(value, what)
    return hashlib.sha256(value.encode()).digest()


# ---------------------------------------------------------------------------- setup commands


@cli.command()
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the sample data and the manifest go (default DATA_DIR/demo).",
)
@pass_ctx
def demo(c: Context, workdir: Path | None) -> None:
    """Local chain, deploy, register, certify, license and transfer a sample dataset."""
    from provenance.demo import run_demo

    result = run_demo(workdir or c.data_dir / "demo", click.echo)
    click.echo(f"certificate number: {result.certificate_number}")
    click.echo(f"certificate code:   {result.certificate_code}")
    click.echo("transactions:")
    for what, tx in result.steps:
        click.echo(f"  {what:<32} {tx}")


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8545, show_default=True)
@click.option("--chain-id", type=click.IntRange(1), default=31337, show_default=True)
@pass_ctx
def node(c: Context, port: int, chain_id: int) -> None:
    """Run a local chain (anvil on 127.0.0.1) whose state persists in the data directory."""
    from provenance.node import LocalNode

    state = c.data_dir / "chain-state.json"
    local = LocalNode(port=port, chain_id=chain_id, state_file=state, log_file=c.data_dir / "anvil.log")
    local.start()
    click.echo(f"anvil listening on {local.url} (chain id {chain_id}); state in {state}; Ctrl-C stops it")
    stop = {"now": False}

    def _stop(*_: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        while not stop["now"] and local.running:
            time.sleep(0.2)
    finally:
        local.stop()
    click.echo("anvil stopped; state saved")


@cli.command()
@click.option("--prefix", default="DR", show_default=True, help="Certificate number prefix.")
@click.option(
    "--notice-period", type=click.IntRange(0), default=0, show_default=True, help="Public notice window in seconds."
)
@click.option("--force", is_flag=True, help="Overwrite an existing manifest.")
@pass_ctx
def deploy(c: Context, prefix: str, notice_period: int, force: bool) -> None:
    """Deploy the contracts and write the deployment manifest."""
    from provenance.deployment import deploy as do_deploy

    if c.manifest_path.exists() and not force:
        raise InputError(f"a manifest already exists at {c.manifest_path}; pass --force to replace it")
    dep = do_deploy(c.chain(), c.sender(), certificate_prefix=prefix, notice_period=notice_period)
    dep.save(c.manifest_path)
    for name, contract in sorted(dep.contracts.items()):
        click.echo(f"{name}: {contract.address} (block {contract.block_number}, tx {contract.tx_hash})")
    click.echo(f"manifest: {c.manifest_path}")


@cli.group()
def account() -> None:
    """Encrypted keystore accounts."""


@account.command("new")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def account_new(path: Path) -> None:
    """Create a new account in an encrypted keystore file."""
    from provenance.accounts import create_keystore, read_password

    address = create_keystore(path, read_password("New keystore password: ", confirm=True))
    click.echo(f"{address} -> {path}")


# ---------------------------------------------------------------------------- registration


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--metadata",
    "metadata_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Metadata document (hashed with SHA-256).",
)
@click.option("--metadata-hash", help="Metadata hash (0x + 64 hex) if no --metadata file.")
@click.option("--uri", "metadata_uri", default="", help="Where the metadata can be fetched.")
@click.option(
    "--category", type=click.Choice(["public", "enterprise", "personal"]), default="enterprise", show_default=True
)
@click.option("--level", type=click.Choice(["general", "important", "core"]), default="general", show_default=True)
@click.option("--kind", type=click.Choice(["resource", "product"]), default="resource", show_default=True)
@click.option("--consent", help="Consent or legal-basis reference (personal data): 0x hash or text to hash.")
@click.option(
    "--parent",
    "parents",
    multiple=True,
    metavar="ASSET[:LICENCE]",
    help="Parent asset of derived data, with the licence permitting derivatives (omit: own right).",
)
@pass_ctx
def register(
    c: Context,
    file: Path,
    metadata_file: Path | None,
    metadata_hash: str | None,
    metadata_uri: str,
    category: str,
    level: str,
    kind: str,
    consent: str | None,
    parents: tuple[str, ...],
) -> None:
    """Register the data FILE (hashed with SHA-256, streamed)."""
    from provenance.hashing import file_sha256
    from provenance.models import Category, Kind, Level, Registration

    if not file.is_file():
        raise InputError(f"no such file: {file}")
    size = file.stat().st_size
    if size > 64 << 20:
        with click.progressbar(length=size, label=f"hashing {file.name}", file=sys.stderr) as bar:
            last = [0]

            def tick(done: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            content = file_sha256(file, tick)
    else:
        content = file_sha256(file)
    if metadata_file is not None:
        meta = file_sha256(metadata_file)
    elif metadata_hash is not None:
        meta = _hash_opt(metadata_hash, "metadata hash")
    else:
        raise InputError("give --metadata FILE or --metadata-hash 0x...")
    parent_ids: list[bytes] = []
    licences: list[int] = []
    for spec in parents:
        pid, _, lic = spec.partition(":")
        parent_ids.append(_asset_arg(pid))
        try:
            licences.append(int(lic) if lic else 0)
        except ValueError:
            raise InputError(f"parent licence must be a number in {spec!r}") from None
    reg = Registration(
        content_hash=content,
        metadata_hash=meta,
        metadata_uri=metadata_uri,
        category=Category[category.upper()],
        level=Level[level.upper()],
        kind=Kind[kind.upper()],
        consent_ref=_hash_opt(consent, "consent") if consent else b"\x00" * 32,
        parents=tuple(parent_ids),
        parent_licences=tuple(licences),
    )
    applied = c.registry().register(reg)
    click.echo(f"asset 0x{applied.asset_id.hex()} applied; notice ends at {applied.notice_ends_at}")
    click.echo(f"tx {applied.tx.tx_hash} (block {applied.tx.block_number}, gas {applied.tx.gas_used})")


@cli.command()
@click.argument("asset")
@pass_ctx
def certify(c: Context, asset: str) -> None:
    """Issue the certificate of ASSET (registrar)."""
    done = c.registry().certify(_asset_arg(asset))
    click.echo(f"certificate {done.certificate.number}  code {done.certificate.code}  tx {done.tx.tx_hash}")


@cli.command()
@click.argument("asset")
@click.argument("reason")
@pass_ctx
def reject(c: Context, asset: str, reason: str) -> None:
    """Reject the application of ASSET (registrar)."""
    click.echo(f"rejected; tx {c.registry().reject(_asset_arg(asset), reason).tx_hash}")


@cli.command()
@click.argument("asset")
@click.argument("reason")
@pass_ctx
def revoke(c: Context, asset: str, reason: str) -> None:
    """Revoke the certificate of ASSET (registrar)."""
    click.echo(f"revoked; tx {c.registry().revoke_certificate(_asset_arg(asset), reason).tx_hash}")


@cli.command()
@click.argument("code")
@pass_ctx
def certificate(c: Context, code: str) -> None:
    """Check a certificate verification CODE and print its status and holders."""
    from provenance.models import parse_code

    raw = parse_code(code)
    reg = c.registry(write=False)
    cert = reg.certificate_by_code(raw)
    asset = reg.asset(cert.asset_id)
    click.echo(
        f"certificate {cert.number}  code {cert.code}  genuine (registry {cert.registry}, chain {cert.chain_id})"
    )
    click.echo(
        f"asset 0x{cert.asset_id.hex()}  status {asset.status.name.lower()}"
        f"{'  FROZEN' if asset.frozen else ''}  certified at {cert.certified_at}"
    )
    for right, holders in cert.holders.items():
        text = ", ".join(f"{a} {s / 10_000:g}%" for a, s in holders) or "-"
        click.echo(f"  {right:<10} {text}")


@cli.command("asset")
@click.argument("asset")
@pass_ctx
def show_asset(c: Context, asset: str) -> None:
    """Show an asset: status, classification, rights, lineage."""
    reg = c.registry(write=False)
    a = reg.asset(_asset_arg(asset))
    click.echo(
        f"asset 0x{a.asset_id.hex()}: {a.status.name.lower()}, {a.category.name.lower()} data, "
        f"level {a.level.name.lower()}, {a.kind.name.lower()}, applicant {a.applicant}"
    )
    for right, holders in reg.rights(a.asset_id).items():
        text = ", ".join(f"{h} {s / 10_000:g}%" for h, s in holders.items()) or "-"
        click.echo(f"  {right.name.lower():<10} {text}")
    for p, bps in reg.parents(a.asset_id):
        click.echo(f"  parent 0x{p.hex()} revenue share {bps / 100:g}%")
    for ch in reg.children(a.asset_id):
        click.echo(f"  child  0x{ch.hex()}")


@cli.command()
@click.argument("asset")
@click.argument("right", type=click.Choice(["holding", "processing", "operation"]))
@click.argument("to")
@click.argument("shares", type=click.IntRange(1, 1_000_000))
@click.option("--from", "from_", help="Holder key whose shares move (default: the sender).")
@pass_ctx
def transfer(c: Context, asset: str, right: str, to: str, shares: int, from_: str | None) -> None:
    """Transfer SHARES (of 1,000,000) of RIGHT of ASSET to TO."""
    out = c.registry().transfer_right(_asset_arg(asset), right, to, shares, from_)
    click.echo(f"transferred; tx {out.tx_hash}")


# ---------------------------------------------------------------------------- licences


@cli.group()
def licence() -> None:
    """Grant, revoke and check licences."""


@licence.command("grant")
@click.argument("asset")
@click.argument("licensee")
@click.option("--purpose", required=True, help="Purpose or scope: 0x hash, or text hashed with SHA-256.")
@click.option("--terms", required=True, help="Licence contract text: 0x hash, or text hashed.")
@click.option("--days", type=click.IntRange(1), default=365, show_default=True, help="Term from now.")
@click.option(
    "--share-bps",
    type=click.IntRange(0, 10_000),
    default=0,
    show_default=True,
    help="Revenue share owed on derivatives, basis points.",
)
@click.option("--derivatives/--no-derivatives", default=False, show_default=True)
@pass_ctx
def licence_grant(
    c: Context, asset: str, licensee: str, purpose: str, terms: str, days: int, share_bps: int, derivatives: bool
) -> None:
    """Grant LICENSEE a licence on ASSET."""
    from provenance.models import LicenceTerms

    now = int(c.chain().get_block()["timestamp"], 16)
    t = LicenceTerms(
        _asset_arg(asset),
        licensee,
        _hash_opt(purpose, "purpose"),
        now,
        now + days * 86400,
        _hash_opt(terms, "terms"),
        share_bps,
        derivatives,
    )
    issued = c.registry().grant_licence(t)
    click.echo(f"licence #{issued.id}; tx {issued.tx.tx_hash}")


@licence.command("revoke")
@click.argument("licence_id", type=click.IntRange(1))
@click.argument("reason")
@pass_ctx
def licence_revoke(c: Context, licence_id: int, reason: str) -> None:
    """Revoke licence LICENCE_ID."""
    click.echo(f"revoked; tx {c.registry().revoke_licence(licence_id, reason).tx_hash}")


@licence.command("check")
@click.argument("asset")
@click.argument("party")
@click.argument("purpose")
@pass_ctx
def licence_check(c: Context, asset: str, party: str, purpose: str) -> None:
    """May PARTY use ASSET for PURPOSE now? Exit 0 if yes, 3 if not."""
    ok = c.registry(write=False).may_use(_asset_arg(asset), party, _hash_opt(purpose, "purpose"))
    click.echo("yes" if ok else "no")
    if not ok:
        raise click.exceptions.Exit(3)


# ---------------------------------------------------------------------------- pledges, disputes, supervision


@cli.group()
def pledge() -> None:
    """Pledge shares of a right, release or enforce a pledge."""


@pledge.command("create")
@click.argument("asset")
@click.argument("right", type=click.Choice(["holding", "processing", "operation"]))
@click.argument("pledgee")
@click.argument("shares", type=click.IntRange(1, 1_000_000))
@click.option("--terms", required=True, help="Pledge contract: 0x hash or text hashed.")
@pass_ctx
def pledge_create(c: Context, asset: str, right: str, pledgee: str, shares: int, terms: str) -> None:
    issued = c.registry().pledge(_asset_arg(asset), right, pledgee, shares, _hash_opt(terms, "terms"))
    click.echo(f"pledge #{issued.id}; tx {issued.tx.tx_hash}")


@pledge.command("release")
@click.argument("pledge_id", type=click.IntRange(1))
@pass_ctx
def pledge_release(c: Context, pledge_id: int) -> None:
    click.echo(f"released; tx {c.registry().release_pledge(pledge_id).tx_hash}")


@pledge.command("enforce")
@click.argument("pledge_id", type=click.IntRange(1))
@pass_ctx
def pledge_enforce(c: Context, pledge_id: int) -> None:
    click.echo(f"enforced; tx {c.registry().enforce_pledge(pledge_id).tx_hash}")


@cli.group()
def dispute() -> None:
    """File and resolve disputes (objections during notice)."""


@dispute.command("file")
@click.argument("asset")
@click.option("--evidence", required=True, help="Evidence: 0x hash or text hashed.")
@pass_ctx
def dispute_file(c: Context, asset: str, evidence: str) -> None:
    issued = c.registry().file_dispute(_asset_arg(asset), _hash_opt(evidence, "evidence"))
    click.echo(f"dispute #{issued.id}; asset frozen; tx {issued.tx.tx_hash}")


@dispute.command("resolve")
@click.argument("dispute_id", type=click.IntRange(1))
@click.argument("ruling", type=click.Choice(["dismissed", "rights_transferred", "certificate_revoked"]))
@click.option("--ruling-doc", required=True, help="Ruling document: 0x hash or text hashed.")
@click.option(
    "--transfer",
    "transfers",
    multiple=True,
    metavar="RIGHT:FROM:TO:SHARES",
    help="A share transfer ordered by the ruling.",
)
@pass_ctx
def dispute_resolve(c: Context, dispute_id: int, ruling: str, ruling_doc: str, transfers: tuple[str, ...]) -> None:
    from provenance.models import Right, RightTransfer

    moves = []
    for spec in transfers:
        parts = spec.split(":")
        if len(parts) != 4:
            raise InputError(f"transfer must be RIGHT:FROM:TO:SHARES, got {spec!r}")
        try:
            moves.append(RightTransfer(Right[parts[0].upper()], parts[1], parts[2], int(parts[3])))
        except (KeyError, ValueError):
            raise InputError(f"bad transfer {spec!r}") from None
    out = c.registry().resolve_dispute(dispute_id, ruling, _hash_opt(ruling_doc, "ruling"), moves)
    click.echo(f"resolved; tx {out.tx_hash}")


@cli.command()
@click.argument("asset")
@click.option("--reason", required=True, help="Order: 0x hash or text hashed.")
@pass_ctx
def freeze(c: Context, asset: str, reason: str) -> None:
    """Freeze ASSET (regulator)."""
    click.echo(f"frozen; tx {c.registry().freeze(_asset_arg(asset), _hash_opt(reason, 'reason')).tx_hash}")


@cli.command()
@click.argument("asset")
@click.option("--reason", required=True, help="Order: 0x hash or text hashed.")
@pass_ctx
def unfreeze(c: Context, asset: str, reason: str) -> None:
    """Lift a regulator's freeze of ASSET."""
    click.echo(f"unfrozen; tx {c.registry().unfreeze(_asset_arg(asset), _hash_opt(reason, 'reason')).tx_hash}")


@cli.command()
@click.argument("predecessor")
@click.argument("successor")
@click.argument("kind", type=click.Choice(["merger", "split", "dissolution", "bankruptcy", "death"]))
@click.option("--basis", required=True, help="Legal basis document: 0x hash or text hashed.")
@pass_ctx
def succession(c: Context, predecessor: str, successor: str, kind: str, basis: str) -> None:
    """Record that SUCCESSOR succeeds PREDECESSOR in all its rights (registrar)."""
    out = c.registry().record_succession(predecessor, successor, kind, _hash_opt(basis, "basis"))
    click.echo(f"recorded; tx {out.tx_hash}")


@cli.command()
@click.argument("chain_id", type=click.IntRange(1))
@click.argument("registry_address")
@click.option("--revoke", is_flag=True, help="Stop recognizing it.")
@pass_ctx
def recognize(c: Context, chain_id: int, registry_address: str, revoke: bool) -> None:
    """Recognize another registry's certificates (admin)."""
    out = c.registry().set_recognized_registry(chain_id, registry_address, not revoke)
    click.echo(f"{'unrecognized' if revoke else 'recognized'}; tx {out.tx_hash}")


@cli.command()
@click.argument("action", type=click.Choice(["grant", "revoke"]))
@click.argument("role", type=click.Choice(["registrar", "arbitrator", "regulator", "exchange", "admin"]))
@click.argument("account_address")
@pass_ctx
def role(c: Context, action: str, role: str, account_address: str) -> None:
    """Grant or revoke a registry role (admin)."""
    name = "DEFAULT_ADMIN_ROLE" if role == "admin" else f"{role.upper()}_ROLE"
    reg = c.registry()
    out = reg.grant_role(name, account_address) if action == "grant" else reg.revoke_role(name, account_address)
    click.echo(f"{action}ed {name}; tx {out.tx_hash}")


# ---------------------------------------------------------------------------- batch anchoring


@cli.command("anchor")
@click.argument("records", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--batch-id", help="Batch id (0x + 64 hex); default: derived from the root and the file's hash.")
@pass_ctx
def anchor_cmd(c: Context, records: Path, batch_id: str | None) -> None:
    """Anchor a JSON Lines file of trade RECORDS in one transaction; write the proofs beside it."""
    from provenance.anchor import Anchor, anchor_file, batch_path_for
    from provenance.models import to_bytes32

    client = Anchor.from_deployment(c.deployment(), c.chain(), c.sender())
    started = time.perf_counter()
    batch = anchor_file(client, records, batch_id=to_bytes32(batch_id, "batch id") if batch_id else None)
    click.echo(f"anchored {batch.record_count} records in {time.perf_counter() - started:.1f}s: batch {batch.batch_id}")
    click.echo(f"root {batch.root}; tx {batch.tx_hash} (block {batch.block_number})")
    click.echo(f"proofs: {records.with_name(batch.proofs_file)}; batch: {batch_path_for(records)}")


@cli.command("anchor-verify")
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


# ---------------------------------------------------------------------------- indexing and tracing


def _store_location(c: Context, store: str | None) -> str:
    return store or os.environ.get("PROVENANCE_INDEX") or str(c.data_dir / "index.sqlite")


@cli.group("index", invoke_without_command=True)
@click.option("--store", help="SQLite file or postgresql:// URL (env PROVENANCE_INDEX; default DATA_DIR/index.sqlite).")
@click.option("--follow", is_flag=True, help="Keep polling for new blocks until interrupted.")
@click.option(
    "--confirmations",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Index only blocks at least this deep.",
)
@click.pass_context
def index_cmd(ctx: click.Context, store: str | None, follow: bool, confirmations: int) -> None:
    """Index every event of the deployment: catch up with the head (progress bar) and exit."""
    if ctx.invoked_subcommand is not None:
        ctx.obj.index_store = store
        return
    import threading

    from provenance.indexer import Indexer, IndexerConfig

    c: Context = ctx.obj
    location = _store_location(c, store)
    config = IndexerConfig(confirmations=confirmations)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with (
        Indexer.from_deployment(c.deployment(), store=location, rpc=c.rpc_url, config=config) as ix,
        click.progressbar(length=1000, label="indexing", file=sys.stderr, show_eta=True) as bar,
    ):
        done = [0]

        def progress(p: Any) -> None:
            step = int(p.fraction * 1000)
            if step > done[0]:
                bar.update(step - done[0])
                done[0] = step

        try:
            result = ix.run(follow=follow, progress=progress, stop=stop)
        except KeyboardInterrupt:
            stop.set()
            raise
    click.echo(
        f"indexed to block {result.indexed_block}: {result.events} new events in {result.elapsed:.1f}s"
        f"{f', {result.rollbacks} reorg rollbacks' if result.rollbacks else ''} -> {location}"
    )


@index_cmd.command("status")
@pass_ctx
def index_status_cmd(c: Context) -> None:
    """Head, indexed block, lag and event counts of the index."""
    from provenance.indexer import RpcClient, index_status, open_store

    location = _store_location(c, getattr(c, "index_store", None))
    if "://" not in location and not Path(location).exists():
        raise InputError(f"no index at {location}: run `provenance index` first")
    store = open_store(location)
    try:
        st = index_status(store, RpcClient(c.rpc_url))
    finally:
        store.close()
    click.echo(f"store {st.store} (schema v{st.schema_version}); chain {st.chain_id}")
    click.echo(
        f"head {st.head if st.head is not None else '?'}  indexed {st.indexed_block}  "
        f"lag {st.lag if st.lag is not None else '?'}  events {st.events}"
    )
    if st.node_error:
        click.echo(f"node: {st.node_error}")
    for contract, event, count in st.counts:
        click.echo(f"  {contract:<14} {event:<24} {count}")


@cli.command()
@click.argument("kind", type=click.Choice(["asset", "party", "trade"]))
@click.argument("ref")
@click.option("--store", help="SQLite file or postgresql:// URL (default DATA_DIR/index.sqlite).")
@click.option(
    "--lineage",
    type=click.Choice(["none", "up", "down", "both"]),
    default="both",
    show_default=True,
    help="For assets: include ancestors' and/or descendants' events.",
)
@click.option("--from-block", type=click.IntRange(0))
@click.option("--to-block", type=click.IntRange(0))
@click.option("--since", type=click.IntRange(0), help="Unix time, inclusive.")
@click.option("--until", type=click.IntRange(0), help="Unix time, inclusive.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event.")
@pass_ctx
def trace(
    c: Context,
    kind: str,
    ref: str,
    store: str | None,
    lineage: str,
    from_block: int | None,
    to_block: int | None,
    since: int | None,
    until: int | None,
    limit: int,
    as_json: bool,
) -> None:
    """The indexed history of an asset, a party or a trade, oldest first."""
    import json as _json

    from provenance.indexer import asset_history, open_store, party_history, trade_history

    location = _store_location(c, store)
    if "://" not in location and not Path(location).exists():
        raise InputError(f"no index at {location}: run `provenance index` first")
    st = open_store(location)
    filters: dict[str, Any] = {"from_block": from_block, "to_block": to_block, "since": since, "until": until}
    try:
        if kind == "asset":
            first = asset_history(st, ref, lineage=lineage, limit=min(limit, 1000), **filters)  # type: ignore[arg-type]
        elif kind == "party":
            first = party_history(st, ref, limit=min(limit, 1000), **filters)
        else:
            first = trade_history(st, int(ref) if ref.isdigit() else ref, limit=min(limit, 1000), **filters)
        page, shown = first, 0
        while True:
            for ev in page.items:
                if shown >= limit:
                    break
                shown += 1
                if as_json:
                    click.echo(_json.dumps(ev.to_json(), default=str))
                else:
                    args = ", ".join(f"{k}={_short(v)}" for k, v in (ev.args or {}).items())
                    click.echo(
                        f"{ev.block_number:>8}:{ev.log_index:<4} {ev.contract:<12} {ev.name:<20} {args}  "
                        f"tx {ev.tx_hash}"
                    )
            if shown >= limit or page.next_cursor is None:
                break
            if kind == "asset":
                page = asset_history(
                    st,
                    ref,
                    lineage=lineage,  # type: ignore[arg-type]
                    limit=1000,
                    cursor=page.next_cursor,
                    **filters,
                )
            elif kind == "party":
                page = party_history(st, ref, limit=1000, cursor=page.next_cursor, **filters)
            else:
                page = trade_history(
                    st, int(ref) if ref.isdigit() else ref, limit=1000, cursor=page.next_cursor, **filters
                )
    finally:
        st.close()
    if not as_json:
        click.echo(f"{shown} event(s)")


def _short(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


# ---------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors become one line on stderr and exit status 1."""
    try:
        rv = cli.main(args=argv, prog_name="provenance", standalone_mode=False)
    except ProvenanceError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except OSError as exc:
        click.echo(f"error: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), err=True)
        return 1
    return rv if isinstance(rv, int) else 0


def entry() -> None:
    sys.exit(main())


def _register_subcommands() -> None:
    """Commands that live in their own modules (imported lazily by click at call time)."""
    from provenance.cli_evidence import evidence, report, verify
    from provenance.cli_exchange import exchange

    cli.add_command(evidence)
    cli.add_command(verify)
    cli.add_command(report)
    cli.add_command(exchange)


_register_subcommands()
