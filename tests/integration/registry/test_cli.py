"""The registry commands in-process (CliRunner): the full flow, one-line errors, nothing written on failure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.accounts import create_keystore
from provenance.chain import Chain
from provenance.node import LocalNode, free_port
from tests.integration.cli_support import one_line_error, run


@pytest.fixture()
def cli_node() -> Iterator[LocalNode]:
    with LocalNode() as n:
        yield n


def test_full_flow_and_errors(tmp_path: Path, cli_node: LocalNode) -> None:
    url = cli_node.url
    chain = Chain(url)
    home = tmp_path / "home"
    # No manifest yet.
    one_line_error(run("certificate", "ABCD-EFGH-JKMN-PQRS", data_dir=home, rpc=url), "no deployment manifest")
    # No account.
    one_line_error(run("deploy", data_dir=home, rpc=url), "no account")
    out = run("--dev", "0", "deploy", data_dir=home, rpc=url)
    assert out.returncode == 0, out.stderr
    assert "well-known dev key" in out.stderr
    assert (home / "deployment.json").exists()
    one_line_error(run("--dev", "0", "deploy", data_dir=home, rpc=url), "already exists")

    data = tmp_path / "data.csv"
    data.write_bytes(b"a,b\n1,2\n")
    meta = tmp_path / "meta.json"
    meta.write_text('{"title": "t"}')
    reg = run(
        "--dev",
        "4",
        "register",
        str(data),
        "--metadata",
        str(meta),
        "--uri",
        "https://x/m.json",
        data_dir=home,
        rpc=url,
    )
    assert reg.returncode == 0, reg.stderr
    asset = re.search(r"asset (0x[0-9a-f]{64})", reg.stdout).group(1)  # type: ignore[union-attr]
    # The same file again: a decoded custom error, one line, and no block mined.
    height = chain.block_number()
    one_line_error(
        run("--dev", "5", "register", str(data), "--metadata-hash", "0x" + "11" * 32, data_dir=home, rpc=url),
        r"RegistryAssetExists\(assetId=0x",
    )
    assert chain.block_number() == height
    cert = run("--dev", "0", "certify", asset, data_dir=home, rpc=url)
    assert cert.returncode == 0, cert.stderr
    code = re.search(r"code ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", cert.stdout).group(1)  # type: ignore[union-attr]
    shown = run("certificate", code, data_dir=home, rpc=url)
    assert shown.returncode == 0, shown.stderr
    assert "genuine" in shown.stdout and "certified" in shown.stdout and "100%" in shown.stdout
    lic = run(
        "--dev",
        "4",
        "licence",
        "grant",
        asset,
        "0x" + "12" * 20,
        "--purpose",
        "training",
        "--terms",
        "v1",
        data_dir=home,
        rpc=url,
    )
    assert lic.returncode == 0, lic.stderr
    ok = run("licence", "check", asset, "0x" + "12" * 20, "training", data_dir=home, rpc=url)
    assert ok.returncode == 0 and ok.stdout.strip() == "yes"
    no = run("licence", "check", asset, "0x" + "12" * 20, "resale", data_dir=home, rpc=url)
    assert no.returncode == 3 and no.stdout.strip() == "no"
    moved = run("--dev", "4", "transfer", asset, "operation", "0x" + "34" * 20, "250000", data_dir=home, rpc=url)
    assert moved.returncode == 0, moved.stderr
    # Bad input: bad hex, wrong length, unknown asset, missing file, bad code.
    one_line_error(
        run("--dev", "0", "certify", "0xzz", data_dir=home, rpc=url), "'ASSET': asset id must be a 32-byte hash", 2
    )
    one_line_error(run("--dev", "0", "certify", "0x" + "ab" * 31, data_dir=home, rpc=url), "32-byte", 2)
    one_line_error(run("--dev", "0", "certify", "0x" + "ab" * 32, data_dir=home, rpc=url), "RegistryWrongStatus")
    one_line_error(
        run(
            "--dev",
            "4",
            "register",
            str(tmp_path / "nope.csv"),
            "--metadata-hash",
            "0x" + "11" * 32,
            data_dir=home,
            rpc=url,
        ),
        "no such file",
    )
    one_line_error(run("certificate", "not-a-code", data_dir=home, rpc=url), "16 base-32 digits")
    one_line_error(
        run("--dev", "4", "transfer", asset, "operation", "0x12", "5", data_dir=home, rpc=url),
        "'TO': to is not a 20-byte hex address",
        2,
    )


def test_node_down_and_keystore_errors(tmp_path: Path, cli_node: LocalNode) -> None:
    home = tmp_path / "home"
    down = f"http://127.0.0.1:{free_port()}"
    one_line_error(run("--dev", "0", "deploy", data_dir=home, rpc=down), "cannot reach the node")
    assert not (home / "deployment.json").exists()
    key = tmp_path / "key.json"
    create_keystore(key, "right password")
    one_line_error(
        run("--keystore", str(key), "deploy", data_dir=home, rpc=cli_node.url, env={"PROVENANCE_PASSWORD": "wrong"}),
        "wrong password",
    )
    assert not (home / "deployment.json").exists()
    # Dev keys are refused on a chain that is not local.
    with LocalNode(chain_id=5) as other:
        one_line_error(run("--dev", "0", "deploy", data_dir=home, rpc=other.url), "only allowed on a local chain")
    # A keystore account works (and its key never shows up in output).
    funded = run(
        "--keystore", str(key), "deploy", data_dir=home, rpc=cli_node.url, env={"PROVENANCE_PASSWORD": "right password"}
    )
    # The fresh account has no funds: a clear one-line error, no manifest.
    one_line_error(funded, "insufficient funds|cannot estimate|rejected")
    assert not (home / "deployment.json").exists()
