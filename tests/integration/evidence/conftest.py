"""Fixtures for the evidence tests: raw JSON-RPC on an anvil of their own, tiny contracts, blocks.

The evidence tests mine blocks with automine off and send from the default accounts, so
they run on their own anvil (one per session and xdist worker): other suites' snapshots,
reverts and cached nonces on the shared ``node`` neither disturb them nor are disturbed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from web3 import Web3

from provenance.evidence.proofs import BlockEvidence, RpcCall, fetch_block_evidence, provider_rpc
from provenance.node import LocalNode
from tests.integration.evidence.evidence_support import DEV_KEY, EMITTER_RUNTIME, GWEI, REVERTER_RUNTIME, DevChain


@pytest.fixture(scope="session")
def evidence_node() -> Iterator[LocalNode]:
    with LocalNode() as running:
        yield running


@pytest.fixture(scope="session")
def rpc(evidence_node: LocalNode) -> RpcCall:
    """Raw JSON-RPC through a web3 provider (no result formatting)."""
    return provider_rpc(Web3.HTTPProvider(evidence_node.url, request_kwargs={"timeout": 60}))


@pytest.fixture(scope="session")
def chain(rpc: RpcCall) -> DevChain:
    return DevChain(rpc, list(rpc("eth_accounts", [])))


@pytest.fixture(scope="session")
def emitter(chain: DevChain) -> str:
    return chain.deploy(EMITTER_RUNTIME)


@pytest.fixture(scope="session")
def reverter(chain: DevChain) -> str:
    return chain.deploy(REVERTER_RUNTIME)


def _mixed_txs(chain: DevChain, emitter: str, reverter: str) -> list[dict[str, Any]]:
    a = chain.accounts
    return [
        {"from": a[1], "to": a[2], "value": "0x1", "type": "0x0", "gasPrice": hex(100 * GWEI)},
        {
            "from": a[2],
            "to": emitter,
            "data": "0xaabbcc",
            "value": "0x7",
            "type": "0x1",
            "gasPrice": hex(100 * GWEI),
            "accessList": [{"address": emitter, "storageKeys": ["0x" + "00" * 32]}],
        },
        {
            "from": a[3],
            "to": emitter,
            "data": "0x" + "ee" * 70,
            "type": "0x2",
            "maxFeePerGas": hex(100 * GWEI),
            "maxPriorityFeePerGas": hex(GWEI),
        },
        {
            "from": a[4],
            "to": reverter,
            "data": "0x01",
            "gas": hex(100_000),
            "type": "0x2",
            "maxFeePerGas": hex(100 * GWEI),
            "maxPriorityFeePerGas": hex(GWEI),
        },
        {"from": a[5], "to": emitter, "type": "0x0", "gasPrice": hex(100 * GWEI)},
    ]


@pytest.fixture(scope="session")
def mixed_block(chain: DevChain, emitter: str, reverter: str, rpc: RpcCall) -> BlockEvidence:
    """One block: legacy, EIP-2930 and EIP-1559 txs, three that log, one that reverts."""
    number, _ = chain.mine_block(_mixed_txs(chain, emitter, reverter))
    return fetch_block_evidence(rpc, number)


@pytest.fixture(scope="session")
def big_block(chain: DevChain, emitter: str, rpc: RpcCall) -> BlockEvidence:
    """One block of 140 logging transactions: trie keys past rlp(127), extension nodes."""
    a = chain.accounts
    txs = [
        {
            "from": a[6 + i % 4],
            "to": emitter,
            "data": "0x" + i.to_bytes(2, "big").hex(),
            "maxFeePerGas": hex(100 * GWEI),
            "maxPriorityFeePerGas": hex(GWEI),
        }
        for i in range(140)
    ]
    number, _ = chain.mine_block(txs)
    return fetch_block_evidence(rpc, number)


@pytest.fixture(scope="session")
def set_code_block(chain: DevChain, emitter: str, rpc: RpcCall) -> BlockEvidence:
    """One block holding an EIP-7702 set-code transaction (type 4), signed locally.

    No EIP-4844 blob transaction (type 3) here: anvil loads the KZG trusted setup on the
    first one, 3-9 s on these machines; type 3 shares the type 1/2/4 receipt layout and is
    covered by the codec's property tests.
    """
    from eth_account import Account

    account = Account.from_key(DEV_KEY)
    nonce = int(rpc("eth_getTransactionCount", [account.address, "pending"]), 16)
    auth = account.sign_authorization(
        {"chainId": 31337, "address": Web3.to_checksum_address(emitter), "nonce": nonce + 1}
    )
    set_code_tx = {
        "type": 4,
        "chainId": 31337,
        "nonce": nonce,
        "to": account.address,
        "value": 0,
        "data": b"\x42",
        "gas": 200_000,
        "maxFeePerGas": 100 * GWEI,
        "maxPriorityFeePerGas": GWEI,
        "authorizationList": [auth],
    }
    plain = {"from": chain.accounts[1], "to": chain.accounts[2], "value": "0x1"}
    number, _ = chain.mine_block([plain], raw=[account.sign_transaction(set_code_tx).raw_transaction])
    return fetch_block_evidence(rpc, number)


@pytest.fixture()
def flaky_rpc(rpc: RpcCall) -> Iterator[Callable[..., RpcCall]]:
    """A factory: wrap ``rpc`` so chosen methods answer an error or a rewritten result."""

    def make(
        fail: dict[str, Exception] | None = None,
        rewrite: dict[str, Callable[[Any], Any]] | None = None,
        calls: list[str] | None = None,
    ) -> RpcCall:
        def call(method: str, params: Sequence[Any]) -> Any:
            if calls is not None:
                calls.append(method)
            if fail and method in fail:
                raise fail[method]
            result = rpc(method, params)
            if rewrite and method in rewrite:
                result = rewrite[method](result)
            return result

        return call

    yield make
