"""The fetch layer: block receipts or the per-transaction fallback, and answers it cannot trust."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_hash.auto import keccak

from provenance.chain import Chain
from provenance.errors import ChainError, InputError
from provenance.evidence.proofs import (
    EMPTY_TRIE_ROOT,
    BlockEvidence,
    RpcCall,
    RpcError,
    decode_header,
    fetch_block_evidence,
    provider_rpc,
)
from provenance.node import LocalNode, free_port
from tests.integration.evidence.evidence_support import DevChain

Flaky = Callable[..., RpcCall]


def test_fetched_block_is_consistent(mixed_block: BlockEvidence, chain: DevChain) -> None:
    block = chain.block_json(mixed_block.number)
    assert mixed_block.block_hash == keccak(mixed_block.header) == bytes.fromhex(block["hash"][2:])
    assert ["0x" + h.hex() for h in mixed_block.tx_hashes] == block["transactions"]
    assert len(mixed_block.receipts) == len(mixed_block.tx_hashes) == 5
    assert decode_header(mixed_block.header).number == mixed_block.number


def test_by_hash_by_hex_and_over_http_agree(mixed_block: BlockEvidence, evidence_node: LocalNode) -> None:
    over_http = Chain(evidence_node.url)
    assert fetch_block_evidence(over_http, mixed_block.block_hash) == mixed_block
    assert fetch_block_evidence(over_http, "0x" + mixed_block.block_hash.hex()) == mixed_block


def test_by_tag(mixed_block: BlockEvidence, rpc: RpcCall, chain: DevChain) -> None:
    latest = fetch_block_evidence(rpc, "latest")
    assert latest.number == chain.block_number() >= mixed_block.number
    assert fetch_block_evidence(rpc, "earliest").number == 0
    with pytest.raises(InputError, match="block: expected 0x-prefixed hex"):
        fetch_block_evidence(rpc, "pending")


def test_falls_back_to_one_receipt_per_transaction(mixed_block: BlockEvidence, flaky_rpc: Flaky) -> None:
    for error in (
        RpcError("eth_getBlockReceipts", -32601, "Method not found"),
        RpcError("eth_getBlockReceipts", -32000, "the method eth_getBlockReceipts does not exist"),
    ):
        calls: list[str] = []
        rpc = flaky_rpc(fail={"eth_getBlockReceipts": error}, calls=calls)
        assert fetch_block_evidence(rpc, mixed_block.number) == mixed_block
        assert calls.count("eth_getTransactionReceipt") == 5


def test_other_receipt_errors_are_not_swallowed(mixed_block: BlockEvidence, flaky_rpc: Flaky) -> None:
    rpc = flaky_rpc(fail={"eth_getBlockReceipts": RpcError("eth_getBlockReceipts", -32000, "internal error")})
    with pytest.raises(ChainError, match="internal error"):
        fetch_block_evidence(rpc, mixed_block.number)


def test_an_empty_block(chain: DevChain, rpc: RpcCall) -> None:
    chain.rpc("evm_mine", [])
    evidence = fetch_block_evidence(rpc, chain.block_number())
    assert evidence.receipts == evidence.tx_hashes == ()
    assert decode_header(evidence.header).receipts_root == EMPTY_TRIE_ROOT


def _edit(key: str, value: Any) -> Callable[[Any], Any]:
    return lambda answer: {**answer, key: value}


def _edit_first_log(receipts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = [dict(r) for r in receipts]
    first = next(r for r in out if r["logs"])
    first["logs"] = [{**first["logs"][0], "data": "0x00"}, *first["logs"][1:]]
    return out


@pytest.mark.parametrize(
    ("method", "rewrite", "message"),
    [
        ("eth_getBlockByNumber", _edit("gasUsed", "0x1"), "header encodes to hash"),
        ("eth_getBlockByNumber", _edit("requestsHash", None), "header encodes to hash"),
        ("eth_getBlockByNumber", _edit("timestamp", "soon"), "unusable answer: block.timestamp"),
        ("eth_getBlockByNumber", lambda _: None, "not found"),
        ("eth_getBlockByNumber", lambda _: [], "not an object"),
        ("eth_getBlockReceipts", _edit_first_log, "do not rebuild receiptsRoot"),
        ("eth_getBlockReceipts", lambda rs: rs[:-1], "5 transactions but receipts: 4"),
        ("eth_getBlockReceipts", lambda rs: rs[::-1], "is not for transaction"),
        ("eth_getBlockReceipts", lambda rs: [{**rs[0], "type": "0x7e"}, *rs[1:]], "unsupported receipt type"),
    ],
)
def test_answers_that_do_not_reproduce_are_chain_errors(
    mixed_block: BlockEvidence, flaky_rpc: Flaky, method: str, rewrite: Callable[[Any], Any], message: str
) -> None:
    rpc = flaky_rpc(rewrite={method: rewrite})
    with pytest.raises(ChainError, match=message):
        fetch_block_evidence(rpc, mixed_block.number)


def test_bad_block_arguments(rpc: RpcCall) -> None:
    with pytest.raises(InputError, match="non-negative"):
        fetch_block_evidence(rpc, -1)
    with pytest.raises(InputError, match="32 bytes"):
        fetch_block_evidence(rpc, b"\x01")
    with pytest.raises(ChainError, match="not found"):
        fetch_block_evidence(rpc, 10**9)


def test_rpc_adapters_map_errors(rpc: RpcCall) -> None:
    with pytest.raises(RpcError) as caught:
        rpc("eth_noSuchMethod", [])
    assert caught.value.code == -32601 and caught.value.method_not_found
    with pytest.raises(ChainError, match="cannot reach"):
        fetch_block_evidence(Chain(f"http://127.0.0.1:{free_port()}", timeout=2, retries=0), 0)
    with pytest.raises(InputError, match="not a URL"):
        fetch_block_evidence(f"http://127.0.0.1:{free_port()}", 0)  # type: ignore[arg-type]

    class Broken:
        def make_request(self, method: Any, params: Any) -> Any:
            return {"jsonrpc": "2.0", "id": 1}

    with pytest.raises(ChainError, match="neither result nor error"):
        provider_rpc(Broken())("eth_chainId", [])
