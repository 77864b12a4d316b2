"""Fixtures for batch anchoring: the TradeAnchor artifact, a deployer, the npm reference tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from provenance.compiler import Artifact, compile_contracts, find_project_root

ORACLE = Path(__file__).with_name("oz_merkle.js")
ANCHORER_ROLE = keccak(text="ANCHORER_ROLE")


@pytest.fixture(scope="session")
def anchor_artifact() -> Artifact:
    """TradeAnchor compiled from source (solc-js 0.8.30), once per session."""
    return compile_contracts(units=["contracts/TradeAnchor.sol"])["TradeAnchor"]


@pytest.fixture(scope="session")
def roles(w3: Web3) -> dict[str, str]:
    """anvil's unlocked accounts by part: admin, exchange (anchorer), stranger."""
    accounts = list(w3.eth.accounts)
    return {"admin": accounts[0], "exchange": accounts[1], "stranger": accounts[2]}


@pytest.fixture()
def deploy_anchor(w3: Web3, anchor_artifact: Artifact, roles: dict[str, str]) -> Callable[..., Contract]:
    """Factory: a fresh TradeAnchor whose admin granted ANCHORER_ROLE to the exchange."""

    def deploy(*, grant: bool = True) -> Contract:
        factory = w3.eth.contract(abi=anchor_artifact.abi, bytecode=anchor_artifact.bytecode)
        receipt = w3.eth.wait_for_transaction_receipt(
            factory.constructor(roles["admin"]).transact({"from": roles["admin"]})
        )
        address = receipt["contractAddress"]
        assert address is not None
        contract = w3.eth.contract(address=address, abi=anchor_artifact.abi)
        if grant:
            tx = contract.functions.grantRole(ANCHORER_ROLE, roles["exchange"]).transact({"from": roles["admin"]})
            w3.eth.wait_for_transaction_receipt(tx)
        return contract

    return deploy


@pytest.fixture()
def anchor(deploy_anchor: Callable[..., Contract]) -> Contract:
    return deploy_anchor()


def decode_revert(abi: list[dict[str, Any]], exc: ContractLogicError) -> tuple[str, dict[str, Any]]:
    """The custom error's name and arguments from a web3 revert, by the contract's ABI."""
    data = exc.data if isinstance(exc.data, str) else ""
    raw = bytes.fromhex(data.removeprefix("0x"))
    for item in abi:
        if item["type"] != "error":
            continue
        types = [i["type"] for i in item["inputs"]]
        if keccak(text=f"{item['name']}({','.join(types)})")[:4] == raw[:4]:
            values = abi_decode(types, raw[4:])
            return item["name"], {
                i["name"]: to_checksum_address(v) if i["type"] == "address" else v
                for i, v in zip(item["inputs"], values, strict=True)
            }
    return "Unknown", {"data": data}


@pytest.fixture()
def reverts(anchor_artifact: Artifact) -> Callable[..., dict[str, Any]]:
    """``reverts(call, "ErrorName")``: run ``call``, assert it reverts with that error, return its args."""

    def check(call: Callable[[], Any], name: str) -> dict[str, Any]:
        with pytest.raises(ContractLogicError) as info:
            call()
        got, args = decode_revert(anchor_artifact.abi, info.value)
        assert got == name, f"expected {name}, reverted with {got}{args}"
        return args

    return check


@pytest.fixture(scope="session")
def oz_reference() -> Iterator[Callable[[list[dict[str, Any]]], list[dict[str, Any]]]]:
    """Run jobs through @openzeppelin/merkle-tree in one node process per call."""
    node = shutil.which("node")
    assert node is not None, "node is needed for the @openzeppelin/merkle-tree reference"
    root = find_project_root()
    assert (root / "node_modules" / "@openzeppelin" / "merkle-tree").is_dir()

    def run(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        done = subprocess.run(
            [node, str(ORACLE)],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PROVENANCE_ROOT": str(root)},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        results: list[dict[str, Any]] = json.loads(done.stdout)
        return results

    yield run
