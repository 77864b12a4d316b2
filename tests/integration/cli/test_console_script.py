"""The one test through a real process: the installed ``provenance`` console script, end to end."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from provenance.node import LocalNode


def _script() -> list[str]:
    found = shutil.which("provenance", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "provenance"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PROVENANCE_PASSWORD"}
    # this checkout first: the venv's editable install may point at another one
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[3]), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [*_script(), *args], capture_output=True, text=True, check=False, timeout=120, env=env, stdin=subprocess.DEVNULL
    )


def test_console_script_end_to_end(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    with LocalNode() as node:
        common = ["--data-dir", home, "--rpc", node.url]
        deployed = _run(*common, "--dev", "0", "deploy")
        assert deployed.returncode == 0, deployed.stderr
        assert "manifest:" in deployed.stdout and "well-known dev key" in deployed.stderr
        data = tmp_path / "data.csv"
        data.write_text("a,b\n1,2\n")
        applied = _run(*common, "--dev", "4", "register", str(data), "--metadata-hash", "catalogue entry")
        assert applied.returncode == 0, applied.stderr
        asset = re.search(r"asset (0x[0-9a-f]{64})", applied.stdout)
        assert asset is not None
        shown = _run(*common, "asset", asset.group(1))
        assert shown.returncode == 0 and "applied" in shown.stdout, shown.stderr
        # a user error: one line, exit 1; a usage error: one line, exit 2; no traceback
        refused = _run(*common, "--dev", "0", "deploy")
        assert refused.returncode == 1 and refused.stderr.strip().splitlines() == [
            f"error: a manifest already exists at {Path(home) / 'deployment.json'}; pass --force to replace it"
        ]
        usage = _run(*common, "certify", "0x12")
        assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1
        assert usage.stderr.startswith("error: Invalid value for 'ASSET'")
    # python -m provenance is the same program
    module = subprocess.run(
        [sys.executable, "-m", "provenance", "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert module.returncode == 0 and module.stdout.startswith("provenance, version ")
