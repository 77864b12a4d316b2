"""Registry commands: register, certify, reject, revoke, certificate, asset, transfer, licences,
pledges, disputes, freezes, succession, recognition and roles."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from provenance._cli._context import Context, pass_ctx
from provenance._cli._params import ADDRESS, ASSET, AddressType, HashOrTextType
from provenance.errors import InputError

__all__ = [
    "certificate",
    "certify",
    "dispute",
    "freeze",
    "licence",
    "pledge",
    "recognize",
    "register",
    "reject",
    "revoke",
    "role",
    "show_asset",
    "succession",
    "transfer",
    "unfreeze",
]

RIGHTS = click.Choice(["holding", "processing", "operation"])


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--metadata",
    "metadata_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Metadata document (hashed with SHA-256).",
)
@click.option(
    "--metadata-hash", type=HashOrTextType("metadata hash"), help="Metadata hash (0x + 64 hex) if no --metadata file."
)
@click.option("--uri", "metadata_uri", default="", help="Where the metadata can be fetched.")
@click.option(
    "--category", type=click.Choice(["public", "enterprise", "personal"]), default="enterprise", show_default=True
)
@click.option("--level", type=click.Choice(["general", "important", "core"]), default="general", show_default=True)
@click.option("--kind", type=click.Choice(["resource", "product"]), default="resource", show_default=True)
@click.option(
    "--consent",
    type=HashOrTextType("consent"),
    help="Consent or legal-basis reference (personal data): 0x hash or text to hash.",
)
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
    metadata_hash: bytes | None,
    metadata_uri: str,
    category: str,
    level: str,
    kind: str,
    consent: bytes | None,
    parents: tuple[str, ...],
) -> None:
    """Register the data FILE (hashed with SHA-256, streamed)."""
    from provenance.hashing import file_sha256
    from provenance.records.registry import Category, Kind, Level, Registration, to_bytes32

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
        meta = metadata_hash
    else:
        raise InputError("give --metadata FILE or --metadata-hash 0x...")
    parent_ids: list[bytes] = []
    licences: list[int] = []
    for spec in parents:
        pid, _, lic = spec.partition(":")
        parent_ids.append(to_bytes32(pid, "parent asset id"))
        if lic and not (lic.isascii() and lic.isdigit() and len(lic) <= 20):
            raise InputError(f"parent licence must be a number in {spec!r:.80}")
        licences.append(int(lic) if lic else 0)
    reg = Registration(
        content_hash=content,
        metadata_hash=meta,
        metadata_uri=metadata_uri,
        category=Category[category.upper()],
        level=Level[level.upper()],
        kind=Kind[kind.upper()],
        consent_ref=consent if consent is not None else b"\x00" * 32,
        parents=tuple(parent_ids),
        parent_licences=tuple(licences),
    )
    applied = c.registry().register(reg)
    click.echo(f"asset 0x{applied.asset_id.hex()} applied; notice ends at {applied.notice_ends_at}")
    click.echo(f"tx {applied.tx.tx_hash} (block {applied.tx.block_number}, gas {applied.tx.gas_used})")


@click.command()
@click.argument("asset", type=ASSET)
@pass_ctx
def certify(c: Context, asset: bytes) -> None:
    """Issue the certificate of ASSET (registrar)."""
    done = c.registry().certify(asset)
    click.echo(f"certificate {done.certificate.number}  code {done.certificate.code}  tx {done.tx.tx_hash}")


@click.command()
@click.argument("asset", type=ASSET)
@click.argument("reason")
@pass_ctx
def reject(c: Context, asset: bytes, reason: str) -> None:
    """Reject the application of ASSET (registrar)."""
    click.echo(f"rejected; tx {c.registry().reject(asset, reason).tx_hash}")


@click.command()
@click.argument("asset", type=ASSET)
@click.argument("reason")
@pass_ctx
def revoke(c: Context, asset: bytes, reason: str) -> None:
    """Revoke the certificate of ASSET (registrar)."""
    click.echo(f"revoked; tx {c.registry().revoke_certificate(asset, reason).tx_hash}")


@click.command()
@click.argument("code")
@pass_ctx
def certificate(c: Context, code: str) -> None:
    """Check a certificate verification CODE and print its status and holders."""
    from provenance.records.registry import parse_code

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


@click.command("asset")
@click.argument("asset", type=ASSET)
@pass_ctx
def show_asset(c: Context, asset: bytes) -> None:
    """Show an asset: status, classification, rights, lineage."""
    reg = c.registry(write=False)
    a = reg.asset(asset)
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


@click.command()
@click.argument("asset", type=ASSET)
@click.argument("right", type=RIGHTS)
@click.argument("to", type=AddressType("to"))
@click.argument("shares", type=click.IntRange(1, 1_000_000))
@click.option("--from", "from_", help="Holder key whose shares move (default: the sender).")
@pass_ctx
def transfer(c: Context, asset: bytes, right: str, to: str, shares: int, from_: str | None) -> None:
    """Transfer SHARES (of 1,000,000) of RIGHT of ASSET to TO."""
    out = c.registry().transfer_right(asset, right, to, shares, from_)
    click.echo(f"transferred; tx {out.tx_hash}")


# ---------------------------------------------------------------------------- licences


@click.group()
def licence() -> None:
    """Grant, revoke and check licences."""


@licence.command("grant")
@click.argument("asset", type=ASSET)
@click.argument("licensee", type=AddressType("licensee"))
@click.option(
    "--purpose",
    type=HashOrTextType("purpose"),
    required=True,
    help="Purpose or scope: 0x hash, or text hashed with SHA-256.",
)
@click.option(
    "--terms", type=HashOrTextType("terms"), required=True, help="Licence contract text: 0x hash, or text hashed."
)
@click.option("--days", type=click.IntRange(1, 36_500), default=365, show_default=True, help="Term from now.")
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
    c: Context,
    asset: bytes,
    licensee: str,
    purpose: bytes,
    terms: bytes,
    days: int,
    share_bps: int,
    derivatives: bool,
) -> None:
    """Grant LICENSEE a licence on ASSET."""
    from provenance.records.registry import LicenceTerms

    now = int(c.chain().get_block()["timestamp"], 16)
    t = LicenceTerms(asset, licensee, purpose, now, now + days * 86400, terms, share_bps, derivatives)
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
@click.argument("asset", type=ASSET)
@click.argument("party", type=AddressType("party"))
@click.argument("purpose", type=HashOrTextType("purpose"))
@pass_ctx
def licence_check(c: Context, asset: bytes, party: str, purpose: bytes) -> None:
    """May PARTY use ASSET for PURPOSE now? Exit 0 if yes, 3 if not."""
    ok = c.registry(write=False).may_use(asset, party, purpose)
    click.echo("yes" if ok else "no")
    if not ok:
        raise click.exceptions.Exit(3)


# ---------------------------------------------------------------------------- pledges, disputes, supervision


@click.group()
def pledge() -> None:
    """Pledge shares of a right, release or enforce a pledge."""


@pledge.command("create")
@click.argument("asset", type=ASSET)
@click.argument("right", type=RIGHTS)
@click.argument("pledgee", type=AddressType("pledgee"))
@click.argument("shares", type=click.IntRange(1, 1_000_000))
@click.option("--terms", type=HashOrTextType("terms"), required=True, help="Pledge contract: 0x hash or text hashed.")
@pass_ctx
def pledge_create(c: Context, asset: bytes, right: str, pledgee: str, shares: int, terms: bytes) -> None:
    """Pledge SHARES of RIGHT of ASSET to PLEDGEE."""
    issued = c.registry().create_pledge(asset, right, pledgee, shares, terms)
    click.echo(f"pledge #{issued.id}; tx {issued.tx.tx_hash}")


@pledge.command("release")
@click.argument("pledge_id", type=click.IntRange(1))
@pass_ctx
def pledge_release(c: Context, pledge_id: int) -> None:
    """Release pledge PLEDGE_ID (pledgee)."""
    click.echo(f"released; tx {c.registry().release_pledge(pledge_id).tx_hash}")


@pledge.command("enforce")
@click.argument("pledge_id", type=click.IntRange(1))
@pass_ctx
def pledge_enforce(c: Context, pledge_id: int) -> None:
    """Enforce pledge PLEDGE_ID: the pledged shares move to the pledgee."""
    click.echo(f"enforced; tx {c.registry().enforce_pledge(pledge_id).tx_hash}")


@click.group()
def dispute() -> None:
    """File and resolve disputes (objections during notice)."""


@dispute.command("file")
@click.argument("asset", type=ASSET)
@click.option("--evidence", type=HashOrTextType("evidence"), required=True, help="Evidence: 0x hash or text hashed.")
@pass_ctx
def dispute_file(c: Context, asset: bytes, evidence: bytes) -> None:
    """File a dispute (objection) over ASSET; the asset freezes."""
    issued = c.registry().file_dispute(asset, evidence)
    click.echo(f"dispute #{issued.id}; asset frozen; tx {issued.tx.tx_hash}")


@dispute.command("resolve")
@click.argument("dispute_id", type=click.IntRange(1))
@click.argument("ruling", type=click.Choice(["dismissed", "rights_transferred", "certificate_revoked"]))
@click.option(
    "--ruling-doc", type=HashOrTextType("ruling"), required=True, help="Ruling document: 0x hash or text hashed."
)
@click.option(
    "--transfer",
    "transfers",
    multiple=True,
    metavar="RIGHT:FROM:TO:SHARES",
    help="A share transfer ordered by the ruling.",
)
@pass_ctx
def dispute_resolve(c: Context, dispute_id: int, ruling: str, ruling_doc: bytes, transfers: tuple[str, ...]) -> None:
    """Rule on dispute DISPUTE_ID (arbitrator)."""
    from provenance.records.registry import Right, RightTransfer

    moves = []
    for spec in transfers:
        parts = spec.split(":")
        if len(parts) != 4:
            raise InputError(f"transfer must be RIGHT:FROM:TO:SHARES, got {spec!r:.80}")
        if not (parts[3].isascii() and parts[3].isdigit() and len(parts[3]) <= 7):
            raise InputError(f"bad transfer {spec!r:.80}: SHARES must be a number up to 1000000")
        try:
            moves.append(RightTransfer(Right[parts[0].upper()], parts[1], parts[2], int(parts[3])))
        except (KeyError, ValueError):
            raise InputError(f"bad transfer {spec!r:.80}") from None
    out = c.registry().resolve_dispute(dispute_id, ruling, ruling_doc, moves)
    click.echo(f"resolved; tx {out.tx_hash}")


@click.command()
@click.argument("asset", type=ASSET)
@click.option("--reason", type=HashOrTextType("reason"), required=True, help="Order: 0x hash or text hashed.")
@pass_ctx
def freeze(c: Context, asset: bytes, reason: bytes) -> None:
    """Freeze ASSET (regulator)."""
    click.echo(f"frozen; tx {c.registry().freeze(asset, reason).tx_hash}")


@click.command()
@click.argument("asset", type=ASSET)
@click.option("--reason", type=HashOrTextType("reason"), required=True, help="Order: 0x hash or text hashed.")
@pass_ctx
def unfreeze(c: Context, asset: bytes, reason: bytes) -> None:
    """Lift a regulator's freeze of ASSET."""
    click.echo(f"unfrozen; tx {c.registry().unfreeze(asset, reason).tx_hash}")


@click.command()
@click.argument("predecessor", type=AddressType("predecessor"))
@click.argument("successor", type=AddressType("successor"))
@click.argument("kind", type=click.Choice(["merger", "split", "dissolution", "bankruptcy", "death"]))
@click.option(
    "--basis", type=HashOrTextType("basis"), required=True, help="Legal basis document: 0x hash or text hashed."
)
@pass_ctx
def succession(c: Context, predecessor: str, successor: str, kind: str, basis: bytes) -> None:
    """Record that SUCCESSOR succeeds PREDECESSOR in all its rights (registrar)."""
    out = c.registry().record_succession(predecessor, successor, kind, basis)
    click.echo(f"recorded; tx {out.tx_hash}")


@click.command()
@click.argument("chain_id", type=click.IntRange(1))
@click.argument("registry_address", type=AddressType("registry address"))
@click.option("--revoke", is_flag=True, help="Stop recognizing it.")
@pass_ctx
def recognize(c: Context, chain_id: int, registry_address: str, revoke: bool) -> None:
    """Recognize another registry's certificates (admin)."""
    out = c.registry().set_recognized_registry(chain_id, registry_address, not revoke)
    click.echo(f"{'unrecognized' if revoke else 'recognized'}; tx {out.tx_hash}")


@click.command()
@click.argument("action", type=click.Choice(["grant", "revoke"]))
@click.argument("role", type=click.Choice(["registrar", "arbitrator", "regulator", "exchange", "admin"]))
@click.argument("account_address", type=ADDRESS)
@pass_ctx
def role(c: Context, action: str, role: str, account_address: str) -> None:
    """Grant or revoke a registry role (admin)."""
    name = "DEFAULT_ADMIN_ROLE" if role == "admin" else f"{role.upper()}_ROLE"
    reg = c.registry()
    out = reg.grant_role(name, account_address) if action == "grant" else reg.revoke_role(name, account_address)
    click.echo(f"{action}ed {name}; tx {out.tx_hash}")
