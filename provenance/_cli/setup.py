"""Setup commands: ``demo``, ``node``, ``deploy``, ``account new``."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import click

from provenance._cli._context import Context, pass_ctx
from provenance.errors import InputError

__all__ = ["account", "demo", "deploy", "node"]


@click.command()
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


@click.command()
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


@click.command()
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


@click.group()
def account() -> None:
    """Encrypted keystore accounts."""


@account.command("new")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def account_new(path: Path) -> None:
    """Create a new account in an encrypted keystore file."""
    from provenance.accounts import create_keystore, read_password

    address = create_keystore(path, read_password("New keystore password: ", confirm=True))
    click.echo(f"{address} -> {path}")
