#!/usr/bin/env bash
# Run the whole test suite against real components: anvil (started by the fixtures on free
# loopback ports) and the PostgreSQL server on 127.0.0.1:5432 (started here if it is down).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "error: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

echo "==> ruff check, ruff format --check, mypy --strict (package)"
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy --strict provenance

export PROVENANCE_REQUIRE_ALL=1
exec .venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
