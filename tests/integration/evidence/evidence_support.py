"""Helpers for the evidence tests (imported by conftest.py and the test modules).

The test contracts are hand-assembled EVM bytecode, so no compiler is needed:

``EMITTER_RUNTIME`` (17 bytes) emits three logs per call::

    36 5f 5f 37      CALLDATACOPY(0, 0, CALLDATASIZE)
    33 36 5f a1      LOG1(0, CALLDATASIZE, topic0=CALLER)          calldata as data
    5f 5f a0         LOG0(0, 0)                                    no topics, no data
    36 34 5f 5f a2   LOG2(0, 0, topic0=CALLVALUE, topic1=CALLDATASIZE)
    00               STOP

``REVERTER_RUNTIME`` is ``5f 5f fd`` (REVERT(0, 0)): every call to it fails (status 0).
``_initcode`` wraps a runtime: CODECOPY it to memory 0 and RETURN it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from provenance.evidence.proofs import RpcCall

__all__ = ["DEV_KEY", "EMITTER_RUNTIME", "GWEI", "REVERTER_RUNTIME", "DevChain"]

EMITTER_RUNTIME = bytes.fromhex("365f5f3733365fa15f5fa036345f5fa200")
REVERTER_RUNTIME = bytes.fromhex("5f5ffd")
# anvil's first default account (public test mnemonic), for transactions that must be
# signed locally (EIP-7702 authorizations)
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
GWEI = 10**9


def _initcode(runtime: bytes) -> str:
    size = len(runtime)
    assert size < 256
    prefix = bytes([0x60, size, 0x60, 10, 0x5F, 0x39, 0x60, size, 0x5F, 0xF3])
    return "0x" + (prefix + runtime).hex()


@dataclass
class DevChain:
    """Raw JSON-RPC helpers on one anvil: send, mine blocks of several txs, deploy."""

    rpc: RpcCall
    accounts: list[str]

    def send(self, tx: dict[str, Any]) -> str:
        return str(self.rpc("eth_sendTransaction", [tx]))

    def receipt(self, tx_hash: str, timeout: float = 10.0) -> dict[str, Any]:
        """The receipt, waiting for it: anvil may answer eth_sendTransaction before it mines."""
        deadline = time.monotonic() + timeout
        while (answer := self.rpc("eth_getTransactionReceipt", [tx_hash])) is None:
            assert time.monotonic() < deadline, f"no receipt for {tx_hash}"
            time.sleep(0.01)
        assert isinstance(answer, dict)
        return answer

    def block_number(self) -> int:
        return int(self.rpc("eth_blockNumber", []), 16)

    def deploy(self, runtime: bytes) -> str:
        receipt = self.receipt(self.send({"from": self.accounts[0], "data": _initcode(runtime)}))
        assert receipt["status"] == "0x1"
        return str(receipt["contractAddress"])

    def mine_block(self, txs: Sequence[dict[str, Any]], raw: Sequence[bytes] = ()) -> tuple[int, list[str]]:
        """Put ``txs`` (eth_sendTransaction) and ``raw`` (signed) into one new block."""
        self.rpc("evm_setAutomine", [False])
        try:
            hashes = [self.send(tx) for tx in txs]
            hashes += [str(self.rpc("eth_sendRawTransaction", ["0x" + r.hex()])) for r in raw]
            self.rpc("evm_mine", [])
        finally:
            self.rpc("evm_setAutomine", [True])
        number = int(self.receipt(hashes[0])["blockNumber"], 16) if hashes else self.block_number()
        for tx_hash in hashes:
            assert int(self.receipt(tx_hash)["blockNumber"], 16) == number, "a transaction missed the block"
        return number, hashes

    def block_json(self, number: int) -> dict[str, Any]:
        answer = self.rpc("eth_getBlockByNumber", [hex(number), False])
        assert isinstance(answer, dict)
        return answer

    def block_receipts(self, number: int) -> list[dict[str, Any]]:
        answer = self.rpc("eth_getBlockReceipts", [hex(number)])
        assert isinstance(answer, list)
        return answer
