from __future__ import annotations

import json
from pathlib import Path

import pytest

import provenance.compiler as compiler_module
from provenance.compiler import (
    CONTRACT_NAMES,
    SOLC_VERSION,
    build_input,
    compile_contracts,
    find_project_root,
    load_artifact,
)
from provenance.errors import CompileError


def test_shipped_artifacts_match_a_fresh_compile() -> None:
    """The artifacts inside the package are exactly what the sources compile to."""
    fresh = compile_contracts()
    # Read the files in the package itself: other test modules may point ARTIFACTS_DIR at a
    # build of their own for their session.
    package_dir = Path(compiler_module.__file__).parent / "artifacts"
    for name in CONTRACT_NAMES:
        doc = json.loads((package_dir / f"{name}.json").read_text())
        assert fresh[name].input_hash == doc["inputHash"], f"{name}: sources changed since the artifacts were built"
        assert "0x" + fresh[name].bytecode.hex() == doc["bytecode"], name
        assert "0x" + fresh[name].deployed_bytecode.hex() == doc["deployedBytecode"], name
        assert fresh[name].abi == doc["abi"], name
        assert SOLC_VERSION in doc["compiler"]
        assert "do not edit" in doc["_generated"] and doc["settings"]["evmVersion"] == "prague"
        assert len(fresh[name].deployed_bytecode) <= 24_576, f"{name} exceeds EIP-170"


def test_input_covers_every_imported_source() -> None:
    data = build_input(find_project_root(), ["contracts/DataRegistry.sol"])
    units = set(data["sources"])
    assert "contracts/IDataRegistry.sol" in units
    assert any(u.startswith("@openzeppelin/contracts/access/") for u in units)


def test_compile_error_is_typed(tmp_path: Path) -> None:
    root = tmp_path
    (root / "contracts").mkdir()
    (root / "package.json").write_text("{}")
    (root / "node_modules").symlink_to(find_project_root() / "node_modules")
    (root / "contracts" / "Broken.sol").write_text("pragma solidity 0.8.30; contract Broken { function f( }")
    with pytest.raises(CompileError, match="compilation failed"):
        compile_contracts(root, ["contracts/Broken.sol"])
    with pytest.raises(CompileError, match="cannot read"):
        compile_contracts(root, ["contracts/Missing.sol"])


def test_missing_artifact_is_typed() -> None:
    with pytest.raises(CompileError, match="no shipped artifact"):
        load_artifact("NoSuchContract")
