from __future__ import annotations

import warnings

import pytest

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Call, Chain, ErrorDecoder, Sender
from provenance.errors import ChainError, ContractRevert, InputError
from provenance.node import LocalNode, free_port


def _signer(i: int) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        return dev_signer(i, 31337)


def test_node_down_is_chain_error() -> None:
    chain = Chain(f"http://127.0.0.1:{free_port()}", timeout=2, retries=1)
    with pytest.raises(ChainError, match="cannot reach"):
        chain.rpc("eth_chainId")


def test_bad_url() -> None:
    with pytest.raises(InputError, match="http"):
        Chain("ftp://x")


def test_many_in_flight_keep_nonces(node: LocalNode) -> None:
    chain = Chain(node.url)
    sender = Sender(chain, _signer(7))  # type: ignore[arg-type]
    target = "0x" + "22" * 20
    before = chain.balance(target)
    calls = [Call(target, b"", value=1, gas=21_000) for _ in range(300)]
    hashes = sender.send_many(calls[:150], preflight=False) + sender.send_many(calls[150:], preflight=False)
    receipts = sender.wait(hashes)
    assert all(r.status == 1 for r in receipts)
    assert chain.balance(target) - before == 300
    assert len({h for h in hashes}) == 300


def test_sender_resyncs_after_external_nonce_use(node: LocalNode) -> None:
    chain = Chain(node.url)
    sender = Sender(chain, _signer(8))  # type: ignore[arg-type]
    sender.transact(Call("0x" + "33" * 20, b"", value=1, gas=21_000))
    other = Sender(chain, _signer(8))  # type: ignore[arg-type]
    other.transact(Call("0x" + "33" * 20, b"", value=1, gas=21_000))
    # The stale local nonce is rejected as too low; the sender resyncs and signs again, once.
    assert sender.transact(Call("0x" + "33" * 20, b"", value=1, gas=21_000)).status == 1
    assert sender.transact(Call("0x" + "33" * 20, b"", value=1, gas=21_000)).status == 1


def test_error_decoder_custom_error() -> None:
    abi = [
        {
            "type": "error",
            "name": "Oops",
            "inputs": [{"name": "who", "type": "address"}, {"name": "n", "type": "uint256"}],
        }
    ]
    dec = ErrorDecoder([abi])
    from eth_abi import encode
    from eth_hash.auto import keccak

    data = keccak(b"Oops(address,uint256)")[:4] + encode(["address", "uint256"], ["0x" + "44" * 20, 7])
    revert = dec.decode(data)
    assert isinstance(revert, ContractRevert)
    assert revert.name == "Oops" and revert.args_map["n"] == 7
    assert "Oops(" in str(revert)
    assert dec.decode(b"\x01\x02\x03\x04").name == "Unknown"
    err = dec.decode(keccak(b"Error(string)")[:4] + encode(["string"], ["boom"]))
    assert err.name == "Error" and err.args_map["message"] == "boom"
