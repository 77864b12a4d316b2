"""Signed transactions: JSON-RPC transaction -> EIP-2718 bytes, and bytes -> fields + sender.

The consensus encoding (the value stored in a block's transactions trie, key ``rlp(index)``,
and the preimage of the transaction hash)::

    legacy (0):  rlp([nonce, gasPrice, gas, to, value, data, v, r, s])
    1 (2930):    0x01 || rlp([chainId, nonce, gasPrice, gas, to, value, data, accessList, yParity, r, s])
    2 (1559):    0x02 || rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value, data, accessList,
                              yParity, r, s])
    3 (4844):    0x03 || rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value, data, accessList,
                              maxFeePerBlobGas, blobVersionedHashes, yParity, r, s])
    4 (7702):    0x04 || rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value, data, accessList,
                              authorizationList, yParity, r, s])

The sender is recovered from the signature over ``keccak(type || rlp(fields before the
signature))`` (legacy: ``rlp([nonce, gasPrice, gas, to, value, data])``, or with EIP-155
``[..., chainId, 0, 0]``). A contract created by a transaction (``to`` empty, types 0-2)
lives at ``keccak(rlp([sender, nonce]))[12:]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coincurve import PublicKey
from eth_hash.auto import keccak

from provenance._internal.hexbytes import parse_hex, parse_quantity
from provenance._internal.rlp import (
    RlpItem,
    as_bytes,
    as_list,
    bytes_to_int,
    int_to_bytes,
    rlp_decode,
    rlp_encode,
    split_envelope,
)
from provenance.errors import InputError

__all__ = ["Transaction", "contract_address", "decode_transaction", "encode_transaction", "recover_signer"]

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# Field layout per type: (JSON name, kind) before the signature; kind "q" quantity, "a"
# address or empty, "d" data, "l" access list, "h" list of 32-byte hashes, "u" authorizations.
_LAYOUTS: dict[int, tuple[tuple[str, str], ...]] = {
    0: (("nonce", "q"), ("gasPrice", "q"), ("gas", "q"), ("to", "a"), ("value", "q"), ("input", "d")),
    1: (
        ("chainId", "q"),
        ("nonce", "q"),
        ("gasPrice", "q"),
        ("gas", "q"),
        ("to", "a"),
        ("value", "q"),
        ("input", "d"),
        ("accessList", "l"),
    ),
    2: (
        ("chainId", "q"),
        ("nonce", "q"),
        ("maxPriorityFeePerGas", "q"),
        ("maxFeePerGas", "q"),
        ("gas", "q"),
        ("to", "a"),
        ("value", "q"),
        ("input", "d"),
        ("accessList", "l"),
    ),
    3: (
        ("chainId", "q"),
        ("nonce", "q"),
        ("maxPriorityFeePerGas", "q"),
        ("maxFeePerGas", "q"),
        ("gas", "q"),
        ("to", "a"),
        ("value", "q"),
        ("input", "d"),
        ("accessList", "l"),
        ("maxFeePerBlobGas", "q"),
        ("blobVersionedHashes", "h"),
    ),
    4: (
        ("chainId", "q"),
        ("nonce", "q"),
        ("maxPriorityFeePerGas", "q"),
        ("maxFeePerGas", "q"),
        ("gas", "q"),
        ("to", "a"),
        ("value", "q"),
        ("input", "d"),
        ("accessList", "l"),
        ("authorizationList", "u"),
    ),
}


@dataclass(frozen=True, slots=True)
class Transaction:
    """The fields of a signed transaction a verifier needs, read from its bytes."""

    tx_type: int
    chain_id: int | None
    """None for a legacy transaction signed without EIP-155."""
    nonce: int
    to: bytes | None
    """None for a contract creation."""
    value: int
    data: bytes
    sender: bytes
    """Recovered from the signature (20 bytes)."""
    tx_hash: bytes
    """keccak of the encoded bytes."""

    @property
    def created_address(self) -> bytes | None:
        """The address of the contract this transaction creates, if it creates one."""
        return contract_address(self.sender, self.nonce) if self.to is None else None


def contract_address(sender: bytes, nonce: int) -> bytes:
    """``keccak(rlp([sender, nonce]))[12:]``: the address CREATE gives."""
    return keccak(rlp_encode([sender, int_to_bytes(nonce)]))[12:]


# -- JSON-RPC -> bytes -----------------------------------------------------------------


def encode_transaction(tx: Mapping[str, Any]) -> bytes:
    """The EIP-2718 encoding of a JSON-RPC transaction object (as in a full block)."""
    if not isinstance(tx, Mapping):
        raise InputError(f"transaction: expected a JSON object, got {type(tx).__name__}")
    tx_type = parse_quantity(tx["type"], what="transaction.type") if tx.get("type") is not None else 0
    layout = _LAYOUTS.get(tx_type)
    if layout is None:
        raise InputError(f"transaction.type: unsupported transaction type {tx_type:#x}")
    items: list[RlpItem] = [_json_field(tx, name, kind) for name, kind in layout]
    r = int_to_bytes(parse_quantity(tx.get("r"), what="transaction.r"))
    s = int_to_bytes(parse_quantity(tx.get("s"), what="transaction.s"))
    if tx_type == 0:
        items += [int_to_bytes(parse_quantity(tx.get("v"), what="transaction.v")), r, s]
        return rlp_encode(items)
    parity = tx.get("yParity", tx.get("v"))
    items += [int_to_bytes(parse_quantity(parity, what="transaction.yParity")), r, s]
    return bytes((tx_type,)) + rlp_encode(items)


def _json_field(tx: Mapping[str, Any], name: str, kind: str) -> RlpItem:
    what = f"transaction.{name}"
    value = tx.get(name)
    if name == "input" and value is None:
        value = tx.get("data")
    if kind == "q":
        return int_to_bytes(parse_quantity(value, what=what))
    if kind == "a":
        return b"" if value is None else parse_hex(value, what=what, length=20)
    if kind == "d":
        return parse_hex(value, what=what)
    if kind == "h":
        return [parse_hex(h, what=f"{what}[{i}]", length=32) for i, h in enumerate(_array(value, what))]
    if kind == "l":
        out: list[RlpItem] = []
        for i, entry in enumerate(_array(value or [], what)):
            if not isinstance(entry, Mapping):
                raise InputError(f"{what}[{i}]: expected a JSON object")
            keys = [
                parse_hex(k, what=f"{what}[{i}].storageKeys[{j}]", length=32)
                for j, k in enumerate(_array(entry.get("storageKeys"), f"{what}[{i}].storageKeys"))
            ]
            out.append([parse_hex(entry.get("address"), what=f"{what}[{i}].address", length=20), list(keys)])
        return out
    auths: list[RlpItem] = []
    for i, auth in enumerate(_array(value, what)):
        where = f"{what}[{i}]"
        if not isinstance(auth, Mapping):
            raise InputError(f"{where}: expected a JSON object")
        parity = auth.get("yParity", auth.get("v"))
        auths.append(
            [
                int_to_bytes(parse_quantity(auth.get("chainId"), what=f"{where}.chainId")),
                parse_hex(auth.get("address"), what=f"{where}.address", length=20),
                int_to_bytes(parse_quantity(auth.get("nonce"), what=f"{where}.nonce")),
                int_to_bytes(parse_quantity(parity, what=f"{where}.yParity")),
                int_to_bytes(parse_quantity(auth.get("r"), what=f"{where}.r")),
                int_to_bytes(parse_quantity(auth.get("s"), what=f"{where}.s")),
            ]
        )
    return auths


def _array(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{what}: expected a JSON array")
    return value


# -- bytes -> fields and sender --------------------------------------------------------


def decode_transaction(raw: bytes) -> Transaction:
    """Decode EIP-2718 transaction bytes and recover the sender; InputError names the part."""
    # (1) the first byte tells legacy (an RLP list) from typed
    tx_type, payload = split_envelope(raw, _LAYOUTS, "transaction")
    # (2) the fields of the type, then three signature values
    layout = _LAYOUTS[tx_type]
    items = as_list(rlp_decode(payload, "transaction"), "transaction", len(layout) + 3)
    unsigned, (v_item, r_item, s_item) = items[: len(layout)], items[len(layout) :]
    values: dict[str, Any] = {}
    for (name, kind), item in zip(layout, unsigned, strict=True):
        what = f"transaction.{name}"
        if kind == "q":
            values[name] = bytes_to_int(item, what)
        elif kind in ("a", "d"):
            values[name] = as_bytes(item, what)
            if kind == "a" and len(values[name]) not in (0, 20):
                raise InputError(f"{what}: expected 20 bytes or empty, got {len(values[name])}")
        else:
            as_list(item, what)
    if tx_type in (3, 4) and not values["to"]:
        raise InputError(f"transaction.to: a type {tx_type} transaction cannot create a contract")
    v = bytes_to_int(v_item, "transaction.v")
    r = bytes_to_int(r_item, "transaction.r")
    s = bytes_to_int(s_item, "transaction.s")
    # (3) the signing hash and the recovery id
    chain_id: int | None
    if tx_type == 0:
        if v in (27, 28):
            chain_id, recovery = None, v - 27
            preimage = rlp_encode(unsigned)
        elif v >= 35:
            chain_id, recovery = (v - 35) // 2, (v - 35) % 2
            preimage = rlp_encode([*unsigned, int_to_bytes(chain_id), b"", b""])
        else:
            raise InputError(f"transaction.v: {v} is neither 27/28 nor an EIP-155 value")
    else:
        chain_id, recovery = values["chainId"], v
        preimage = bytes((tx_type,)) + rlp_encode(unsigned)
        if v not in (0, 1):
            raise InputError(f"transaction.yParity: expected 0 or 1, got {v}")
    sender = _recover(keccak(preimage), recovery, r, s)
    to = values["to"] or None
    return Transaction(tx_type, chain_id, values["nonce"], to, values["value"], values["input"], sender, keccak(raw))


def _recover(digest: bytes, recovery: int, r: int, s: int, what: str = "transaction signature") -> bytes:
    # (4) a canonical signature (EIP-2: s in the lower half) recovers exactly one key
    if not (0 < r < SECP256K1_N and 0 < s <= SECP256K1_N // 2):
        raise InputError(f"{what}: r or s out of range (or a high s)")
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes((recovery,))
    try:
        key = PublicKey.from_signature_and_message(signature, digest, hasher=None)
    except Exception:  # noqa: BLE001 - coincurve raises ValueError or its own errors
        raise InputError(f"{what}: no public key recovers from it") from None
    return keccak(key.format(compressed=False)[1:])[12:]


def recover_signer(digest: bytes, signature: bytes) -> bytes:
    """The address that made a 65-byte ``r || s || v`` signature (v 27/28 or 0/1) of ``digest``."""
    if not isinstance(signature, bytes) or len(signature) != 65:
        raise InputError("signature: expected 65 bytes (r, s, v)")
    v = signature[64]
    recovery = v - 27 if v >= 27 else v
    if recovery not in (0, 1):
        raise InputError(f"signature: v is {v}, expected 27 or 28")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    return _recover(digest, recovery, r, s, "signature")
