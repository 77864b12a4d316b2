"""``provenance evidence`` and ``provenance verify`` from the command line (exit codes, output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from provenance.anchor_records import proofs_path_for
from provenance.cli import main
from provenance.evidence.bundle import canonical_json
from tests.integration.cli_support import run_cli
from tests.integration.evidence.bundle.conftest import World


@pytest.fixture()
def run(world: World, tmp_path: Path) -> Any:
    """``run(*args)`` -> the exit code of provenance.cli.main (output in capsys)."""
    world.deployment.save(tmp_path / "deployment.json")

    def call(*args: str) -> int:
        return main(["--data-dir", str(tmp_path), "--rpc", world.node.url, "--dev", "7", *args])

    return call


def test_export_and_verify_from_the_cli(
    world: World, run: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "asset.json"
    assert (
        run(
            "evidence",
            "asset",
            "0x" + world.asset.hex(),
            "-o",
            str(out),
            "--index",
            str(world.index_path),
            "--lineage",
            "up",
        )
        == 0
    )
    assert "bundle hash: 0x" in capsys.readouterr().out
    data = out.read_bytes()
    assert canonical_json(orjson.loads(data)) == data
    assert run("verify", str(out), "--exporter", world.signers["exporter"].address) == 0
    printed = capsys.readouterr().out
    assert "PASS  header-chain" in printed and "verified: all checks passed" in printed
    # (1) a changed field: exit 1, the failed check and the field on one line
    doc = orjson.loads(data)
    data = doc["events"][1]["log"]["data"]
    # Always a different digit: replacing it with "0" changed nothing when it already was "0".
    doc["events"][1]["log"]["data"] = data[:-1] + ("1" if data[-1] == "0" else "0")
    assert doc["events"][1]["log"]["data"] != data
    bad = tmp_path / "bad.json"
    bad.write_bytes(canonical_json(doc))
    assert run("verify", str(bad)) == 1
    captured = capsys.readouterr()
    assert "FAIL  log-in-receipt" in captured.out
    assert captured.err.strip().splitlines()[-1].startswith("error: log-in-receipt failed at events[1].log.data")
    # (2) a checkpoint pin that does not match; --rpc that confirms
    assert run("verify", str(out), "--trust-checkpoint", "0x" + "00" * 32) == 1
    assert "trusted-checkpoint failed at checkpoint.hash" in capsys.readouterr().err
    assert run("verify", str(out), "--rpc", world.node.url, "--json") == 0
    assert orjson.loads(capsys.readouterr().out)["ok"] is True


def test_party_trade_and_record_from_the_cli(
    world: World, run: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = [
        ("party", world.signers["owner"].address, "--no-index"),
        ("trade", str(world.trade_id), "--index", str(world.index_path)),
        ("record", str(world.records_path), "--line", "5"),
    ]
    for kind, ident, *extra in jobs:
        out = tmp_path / f"{kind}.json"
        assert run("evidence", kind, ident, "-o", str(out), *extra) == 0, capsys.readouterr().err
        assert run("verify", str(out)) == 0, capsys.readouterr().out
    # a single record with the line of its proofs file
    line = proofs_path_for(world.records_path).read_text().splitlines()[2]
    (tmp_path / "record.json").write_text(orjson.dumps(world.records[2]).decode())
    (tmp_path / "proof.json").write_text(line)
    assert (
        run(
            "evidence",
            "record",
            str(tmp_path / "record.json"),
            "--proof",
            str(tmp_path / "proof.json"),
            "-o",
            str(tmp_path / "one.json"),
        )
        == 0
    )
    assert run("verify", str(tmp_path / "one.json")) == 0
    capsys.readouterr()
    # a record that was never anchored
    (tmp_path / "stray.json").write_text('{"tradeId": "nope"}')
    assert (
        run(
            "evidence",
            "record",
            str(tmp_path / "stray.json"),
            "--proof",
            str(tmp_path / "proof.json"),
            "-o",
            str(tmp_path / "stray-bundle.json"),
        )
        == 1
    )
    assert "no BatchAnchored event" in capsys.readouterr().err


def test_verify_rejects_what_is_not_a_bundle(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    result = run_cli("verify", str(junk))
    assert result.returncode == 1 and "FAIL  bundle-format" in result.stdout
    assert result.stderr.splitlines()[-1].startswith("error: bundle-format failed")
