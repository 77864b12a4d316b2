#!/usr/bin/env bash
# Install everything provenance needs on a fresh machine, then run the main job (the demo)
# on the embedded defaults: a local anvil chain and SQLite.
#   - npm packages (solc-js compiler, anvil local chain, forge for `forge fmt`, OpenZeppelin contracts)
#     from package-lock.json
#   - a virtualenv in .venv with the package and its dev extras, pinned in pyproject.toml
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null || { echo "error: node (>= 18) is required for solc-js and anvil" >&2; exit 1; }
command -v python3 >/dev/null || { echo "error: python3 (>= 3.11) is required" >&2; exit 1; }

echo "==> npm packages (solc-js, anvil, forge, OpenZeppelin)"
# `npm ci` refuses this lock file: the anvil wrapper lists optional binaries for other platforms
# that the registry does not serve here; `npm install` follows the lock for everything it resolves.
npm install --no-audit --no-fund --loglevel=error

echo "==> Python environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

# The compiled contracts ship in provenance/artifacts (made by `python -m provenance.compiler`);
# tests/unit/test_compiler.py recompiles the sources and proves the shipped artifacts match.

echo "==> demo: local chain + deploy + register + certify + licence + transfer"
.venv/bin/provenance --data-dir .provenance demo
