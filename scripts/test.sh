#!/usr/bin/env bash
# The project's checks, then the whole test suite against real components: anvil (started by
# the fixtures on free loopback ports) and the PostgreSQL server on 127.0.0.1:5432 (started here
# if it is down). The checks run first and the first finding stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> ruff check"
.venv/bin/ruff check .
echo "==> ruff format --check"
.venv/bin/ruff format --check .
echo "==> mypy --strict (provenance, tests, scripts)"
.venv/bin/mypy
echo "==> import cycles (scripts/check_imports.py)"
.venv/bin/python scripts/check_imports.py
echo "==> forge fmt --check (contracts, test contracts)"
node_modules/.bin/forge fmt --check contracts tests
echo "==> docs build (mkdocs build --strict)"
# (the variable silences a banner that a plugin prints about a future MkDocs 2)
DISABLE_MKDOCS_2_WARNING=true .venv/bin/mkdocs build --strict --quiet --site-dir build/site

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "error: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

export PROVENANCE_REQUIRE_ALL=1
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
