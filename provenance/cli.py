"""The ``provenance`` command line: the console script's entry point.

The commands live in the private package ``provenance._cli`` (one module per command group);
this module keeps the public names. ``main(argv)`` runs the CLI in-process and returns the
exit status (user errors: one line on stderr, exit 1; usage errors: exit 2).
"""

from __future__ import annotations

from provenance._cli import cli, entry, main

__all__ = ["cli", "entry", "main"]
