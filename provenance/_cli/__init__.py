"""The ``provenance`` command line (private: the public entry points are in :mod:`provenance.cli`).

The root group holds the global options (data directory, node, timeout, account) and builds
the typed :class:`~provenance._cli._context.Context`; each command group lives in its own
module (``setup``, ``registry``, ``anchor``, ``index``, ``exchange``, ``evidence``).

:func:`main` turns every user error into one line on stderr: ``error: ...`` and exit 1 for a
:class:`~provenance.errors.ProvenanceError`, exit 2 for a usage error (an unknown option, a
missing or malformed argument); ``--help`` prints as usual.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from provenance import __version__
from provenance._cli import anchor, evidence, exchange, index, registry, setup
from provenance._cli._context import DEFAULT_RPC, DEFAULT_TIMEOUT, Context
from provenance.errors import ProvenanceError

__all__ = ["cli", "entry", "main"]


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
    "--timeout",
    type=click.FloatRange(0, 3600, min_open=True),
    envvar="PROVENANCE_TIMEOUT",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up on a node request after this long (env PROVENANCE_TIMEOUT); waiting for a "
    "transaction to be mined has its own, longer bound.",
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
def cli(
    ctx: click.Context,
    data_dir: Path,
    rpc_url: str,
    timeout: float,
    keystore: Path | None,
    dev_account: int | None,
) -> None:
    """Data property rights and data trades on an EVM chain, indexed and provable."""
    ctx.obj = Context(Path(data_dir), rpc_url, Path(keystore) if keystore else None, dev_account, timeout)


for _command in (
    setup.demo,
    setup.node,
    setup.deploy,
    setup.account,
    registry.register,
    registry.certify,
    registry.reject,
    registry.revoke,
    registry.certificate,
    registry.show_asset,
    registry.transfer,
    registry.licence,
    registry.pledge,
    registry.dispute,
    registry.freeze,
    registry.unfreeze,
    registry.succession,
    registry.recognize,
    registry.role,
    anchor.anchor_cmd,
    anchor.anchor_verify_cmd,
    index.index_cmd,
    index.trace,
    evidence.evidence,
    evidence.verify,
    evidence.report,
    exchange.exchange,
):
    cli.add_command(_command)


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status; every user error is one line on stderr.

    A :class:`~provenance.errors.ProvenanceError` exits 1, a usage error 2 (``error: <message>``);
    a group run without a command prints its help and exits 2, as click does.
    """
    try:
        rv = cli.main(args=argv, prog_name="provenance", standalone_mode=False)
    except ProvenanceError as exc:
        click.echo(f"error: {_one_line(str(exc))}", err=True)
        return 1
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()  # the help text, as with --help, but on stderr and exit 2
        return exc.exit_code
    except click.UsageError as exc:
        click.echo(f"error: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"error: {_one_line(exc.format_message())}", err=True)
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
    """The console script ``provenance``."""
    sys.exit(main())
