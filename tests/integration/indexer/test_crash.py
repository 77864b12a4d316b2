"""SIGKILL at random points, restart, repeat: the index equals an uninterrupted one."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from provenance.chain import Chain
from provenance.compiler import Artifact
from provenance.indexer import Indexer, IndexerConfig, PostgresStore, SqliteStore, Store
from tests.integration.indexer.conftest import StoreFactory
from tests.integration.indexer.support import dump_index, emit_bulk

ROOT = Path(__file__).resolve().parents[3]
KILLS = 5


def _spawn(spec: dict[str, Any]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.indexer.crash_worker", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _group(pgid: int) -> list[int]:
    """Live processes of a process group (zombies excluded)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def _location(store: Store) -> str:
    if isinstance(store, SqliteStore):
        return store.path
    assert isinstance(store, PostgresStore)
    return f"{store.url}#{store.schema}"


@pytest.mark.parametrize("backend,reorg_depth", [("sqlite", 3), ("postgresql", 64)])
def test_sigkill_at_random_points_then_restart_equals_an_uninterrupted_run(
    backend: str,
    reorg_depth: int,
    w3: Web3,
    node: Any,
    emitter: Any,
    emitter_artifact: Artifact,
    make_store: StoreFactory,
) -> None:
    emit_bulk(w3, emitter, 0, 24_000, per_tx=400, assets=97, pings=True)  # 48,000 events in 60 blocks
    reference = make_store("sqlite")
    with Indexer(
        reference,
        Chain(node.url),
        {"Emitter": (emitter.address, emitter.deploy_block)},
        abis={"Emitter": emitter_artifact.abi},
        config=IndexerConfig(reorg_depth=reorg_depth),
    ) as ix:
        ix.run()
    store = make_store(backend)
    location = _location(store)
    spec = {
        "store": location,
        "url": node.url,
        "address": emitter.address,
        "start": emitter.deploy_block,
        "abi": emitter_artifact.abi,
        "reorg_depth": reorg_depth,
    }
    rng = random.Random(f"{backend}-{reorg_depth}")
    kills = progress_seen = 0
    # (1) kill -9 at random points, KILLS times, checking each time that the index sits at a checkpoint.
    while kills < KILLS:
        proc = _spawn(spec)
        before = store.cursor()
        deadline = time.monotonic() + 60
        while proc.poll() is None and store.cursor() == before and time.monotonic() < deadline:
            time.sleep(0.01)  # wait for the run's first commit, then kill at a random point after it
        time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is not None:
            break  # finished before the kill
        os.killpg(proc.pid, signal.SIGKILL)  # the indexer and its worker processes, if any
        proc.wait()
        kills += 1
        cur = store.cursor()
        if cur is not None:
            progress_seen += 1
            n = store.event_count()
            assert n == int(store.execute("SELECT COUNT(*) FROM events WHERE block_number <= ?", (cur[0],))[0][0])
    # (2) a last run to the end.
    proc = _spawn(spec)
    _out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    assert kills >= 3 and progress_seen >= 2
    assert dump_index(store) == dump_index(reference)


def test_worker_processes_die_with_a_killed_indexer(
    w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    emit_bulk(w3, emitter, 0, 20_000, per_tx=400, assets=97, pings=True)
    store = make_store("sqlite")
    spec = {
        "store": _location(store),
        "url": node.url,
        "address": emitter.address,
        "start": emitter.deploy_block,
        "abi": emitter_artifact.abi,
        "reorg_depth": 3,
    }
    proc = _spawn(spec)
    deadline = time.monotonic() + 60
    while proc.poll() is None and store.cursor() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be killed"
    assert len(_group(proc.pid)) >= 3  # the indexer and its two workers
    os.kill(proc.pid, signal.SIGKILL)  # the indexer only, not its group
    proc.wait()
    for _ in range(100):
        if not _group(proc.pid):
            break  # every worker is gone
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("worker processes outlived the killed indexer")
