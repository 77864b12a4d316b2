"""Fixtures for the evidence tests: raw JSON-RPC on the session anvil, tiny contracts, blocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any
from unittest import mock

import pytest
from evidence_support import DEV_KEY, EMITTER_RUNTIME, GWEI, REVERTER_RUNTIME, DevChain
from web3 import Web3

from provenance.evidence.proofs import BlockEvidence, RpcCall, fetch_block_evidence, provider_rpc


@pytest.fixture(scope="session")
def rpc(w3: Web3) -> RpcCall:
    return provider_rpc(w3.provider)


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
        {"from": a[2], "to": emitter, "data": "0xaabbcc", "value": "0x7", "type": "0x1",
         "gasPrice": hex(100 * GWEI), "accessList": [{"address": emitter, "storageKeys": ["0x" + "00" * 32]}]},
        {"from": a[3], "to": emitter, "data": "0x" + "ee" * 70, "type": "0x2",
         "maxFeePerGas": hex(100 * GWEI), "maxPriorityFeePerGas": hex(GWEI)},
        {"from": a[4], "to": reverter, "data": "0x01", "gas": hex(100_000), "type": "0x2",
         "maxFeePerGas": hex(100 * GWEI), "maxPriorityFeePerGas": hex(GWEI)},
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
        {"from": a[6 + i % 4], "to": emitter, "data": "0x" + i.to_bytes(2, "big").hex(),
         "maxFeePerGas": hex(100 * GWEI), "maxPriorityFeePerGas": hex(GWEI)}
        for i in range(140)
    ]
    number, _ = chain.mine_block(txs)
    return fetch_block_evidence(rpc, number)


@pytest.fixture(scope="session")
def typed_block(chain: DevChain, emitter: str, rpc: RpcCall) -> BlockEvidence:
    """One block holding an EIP-4844 blob transaction and an EIP-7702 set-code transaction."""
    from eth_account import Account
    from eth_account.typed_transactions import base as typed_base

    account = Account.from_key(DEV_KEY)
    nonce = int(rpc("eth_getTransactionCount", [account.address, "pending"]), 16)
    fees = {"chainId": 31337, "maxFeePerGas": 100 * GWEI, "maxPriorityFeePerGas": GWEI}
    blob_tx = {**fees, "type": 3, "nonce": nonce, "to": Web3.to_checksum_address(chain.accounts[1]), "value": 1, "data": b"",
               "gas": 100_000, "maxFeePerBlobGas": 100 * GWEI}
    # eth-account loads the KZG trusted setup (3-9 s here) to commit to the blob; the blob
    # is all zeros, whose commitment and (cell) proofs are the G1 identity (0xc0 || 47 zero bytes),
    # so answer those directly (anvil checks the sidecar, so a wrong value fails the test)
    identity = b"\xc0" + bytes(47)
    with mock.patch.multiple(
        typed_base,
        load_trusted_setup=lambda *_: None,
        blob_to_kzg_commitment=lambda blob, _: _zero_blob(blob) and identity,
        compute_blob_kzg_proof=lambda blob, commitment, _: _zero_blob(blob) and identity,
        compute_cells_and_kzg_proofs=lambda blob, _: _zero_blob(blob) and ([bytes(2048)] * 128, [identity] * 128),
    ):
        signed_blob = account.sign_transaction(blob_tx, blobs=[bytes(131072)])
    auth = account.sign_authorization({"chainId": 31337, "address": Web3.to_checksum_address(emitter), "nonce": nonce + 2})
    set_code_tx = {**fees, "type": 4, "nonce": nonce + 1, "to": account.address, "value": 0,
                   "data": b"\x42", "gas": 200_000, "authorizationList": [auth]}
    signed_code = account.sign_transaction(set_code_tx)
    number, _ = chain.mine_block([], raw=[signed_blob.raw_transaction, signed_code.raw_transaction])
    return fetch_block_evidence(rpc, number)


def _zero_blob(blob: bytes) -> bool:
    assert not any(blob), "only the zero blob's commitment is known without the trusted setup"
    return True


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
