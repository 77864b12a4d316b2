"""Deployment manifests: what was deployed where, written by ``provenance deploy``.

A manifest records the chain id and genesis hash, and per contract its address, deploy
transaction, block and the hashes of the artifact it was built from. Every other command
reads it; a manifest whose chain no longer matches (a restarted dev chain) is an error.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from provenance._internal.abi import AbiCodec
from provenance._internal.files import atomic_write
from provenance._internal.hexbytes import parse_address
from provenance.chain import Call, Chain, Sender
from provenance.compiler import load_artifact
from provenance.errors import DeploymentError, InputError
from provenance.roles import ROLES, role_id

__all__ = ["MANIFEST_VERSION", "DeployedContract", "Deployment", "deploy"]

MANIFEST_VERSION = 1
_ADDR = re.compile(r"^0x[0-9a-fA-F]{40}$")
_H32 = re.compile(r"^0x[0-9a-f]{64}$")

# The identity (chain id, genesis hash) each Chain's node reported, fetched once per Chain,
# and the contract addresses where that node was seen to hold code.
_IDENTITY: weakref.WeakKeyDictionary[Chain, tuple[int, str]] = weakref.WeakKeyDictionary()
_HAS_CODE: weakref.WeakKeyDictionary[Chain, set[str]] = weakref.WeakKeyDictionary()
_IDENTITY_LOCK = threading.Lock()


def _node_identity(chain: Chain) -> tuple[int, str]:
    with _IDENTITY_LOCK:
        known = _IDENTITY.get(chain)
    if known is None:
        known = (chain.chain_id, chain.genesis_hash())
        with _IDENTITY_LOCK:
            _IDENTITY[chain] = known
    return known


def _require_code(chain: Chain, contracts: Mapping[str, DeployedContract]) -> None:
    """DeploymentError unless the node holds code at every address (asked once per Chain and address)."""
    with _IDENTITY_LOCK:
        seen = set(_HAS_CODE.get(chain, ()))
    todo = [c for _, c in sorted(contracts.items()) if c.address not in seen]
    if not todo:
        return
    codes = chain.batch([("eth_getCode", [c.address, "latest"]) for c in todo])
    for contract, code in zip(todo, codes, strict=True):
        if isinstance(code, Exception):
            raise code
        if not isinstance(code, str) or code in ("0x", "0x0", ""):
            raise DeploymentError(
                f"node {chain.url} has no code at the manifest's {contract.name} ({contract.address}): "
                "the chain was reset or the manifest is of another chain; deploy again"
            )
    with _IDENTITY_LOCK:
        _HAS_CODE.setdefault(chain, set()).update(c.address for c in todo)


@dataclass(frozen=True, slots=True)
class DeployedContract:
    """One deployed contract."""

    name: str
    address: str  # checksummed
    tx_hash: str
    block_number: int
    block_hash: str
    bytecode_hash: str  # sha256 of the creation bytecode, 0x-hex
    input_hash: str  # sha256 of the compiler's standard-JSON input, 0x-hex
    constructor_args: str = "0x"  # ABI-encoded constructor arguments

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "txHash": self.tx_hash,
            "blockNumber": self.block_number,
            "blockHash": self.block_hash,
            "bytecodeHash": self.bytecode_hash,
            "inputHash": self.input_hash,
            "constructorArgs": self.constructor_args,
        }

    @classmethod
    def from_json(cls, name: str, doc: Mapping[str, Any]) -> DeployedContract:
        try:
            contract = cls(
                name=name,
                address=str(doc["address"]),
                tx_hash=str(doc["txHash"]),
                block_number=int(doc["blockNumber"]),
                block_hash=str(doc["blockHash"]),
                bytecode_hash=str(doc["bytecodeHash"]),
                input_hash=str(doc["inputHash"]),
                constructor_args=str(doc.get("constructorArgs", "0x")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DeploymentError(f"manifest entry {name!r} is malformed: {exc}") from None
        if not _ADDR.match(contract.address):
            raise DeploymentError(f"manifest entry {name!r} has a bad address {contract.address!r}")
        for label, value in (("txHash", contract.tx_hash), ("blockHash", contract.block_hash)):
            if not _H32.match(value):
                raise DeploymentError(f"manifest entry {name!r} has a bad {label} {value!r}")
        if contract.block_number < 0:
            raise DeploymentError(f"manifest entry {name!r} has a negative blockNumber")
        return contract


@dataclass(frozen=True, slots=True)
class Deployment:
    """A deployment manifest."""

    chain_id: int
    genesis_hash: str
    contracts: Mapping[str, DeployedContract]
    deployer: str
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    version: int = MANIFEST_VERSION

    def contract(self, name: str) -> DeployedContract:
        try:
            return self.contracts[name]
        except KeyError:
            raise DeploymentError(f"the deployment has no {name} contract") from None

    @property
    def start_block(self) -> int:
        """The first block that can hold an event of ours."""
        return min(c.block_number for c in self.contracts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "chainId": self.chain_id,
            "genesisHash": self.genesis_hash,
            "deployer": self.deployer,
            "contracts": {name: c.to_json() for name, c in sorted(self.contracts.items())},
            "roles": {k: list(v) for k, v in sorted(self.roles.items())},
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Deployment:
        if not isinstance(doc, Mapping):
            raise DeploymentError("manifest must be a JSON object")
        version = doc.get("version")
        if version != MANIFEST_VERSION:
            raise DeploymentError(f"manifest version {version!r} is not supported (expected {MANIFEST_VERSION})")
        try:
            chain_id = int(doc["chainId"])
            genesis = str(doc["genesisHash"])
            contracts_doc = doc["contracts"]
            deployer = str(doc["deployer"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DeploymentError(f"manifest is missing or has a bad field: {exc}") from None
        if not isinstance(contracts_doc, Mapping) or not contracts_doc:
            raise DeploymentError("manifest lists no contracts")
        if not _H32.match(genesis):
            raise DeploymentError(f"manifest has a bad genesisHash {genesis!r}")
        contracts = {name: DeployedContract.from_json(name, c) for name, c in contracts_doc.items()}
        roles = {str(k): tuple(str(a) for a in v) for k, v in dict(doc.get("roles", {})).items()}
        return cls(chain_id=chain_id, genesis_hash=genesis, contracts=contracts, deployer=deployer, roles=roles)

    def check(self, chain: Chain) -> None:
        """Raise :class:`DeploymentError` unless ``chain``'s node is the chain of this manifest.

        Both the chain id and the genesis hash must match: a local chain restarted with the same
        chain id has another genesis block, and none of our contracts. The node's identity is
        asked once per :class:`~provenance.chain.Chain` object (one genesis-block read), and
        every contract of the manifest must have code there (one batch of ``eth_getCode``
        per Chain object, for the addresses not seen with code yet).
        """
        chain_id, genesis = _node_identity(chain)
        if chain_id != self.chain_id:
            raise DeploymentError(f"node {chain.url} is chain id {chain_id}, the manifest is chain id {self.chain_id}")
        if genesis != self.genesis_hash:
            raise DeploymentError(
                f"node {chain.url} has another genesis than the manifest: the chain was reset; deploy again"
            )
        _require_code(chain, self.contracts)

    @classmethod
    def load(cls, path: Path | str, *, chain: Chain | None = None) -> Deployment:
        """Read a manifest; a missing or unreadable file is a :class:`DeploymentError`.

        With ``chain``, the manifest must also be of that chain's node (:meth:`check`).
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DeploymentError(f"no deployment manifest at {path}: run `provenance deploy` first") from None
        except OSError as exc:
            raise DeploymentError(f"cannot read deployment manifest {path}: {exc.strerror}") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DeploymentError(f"deployment manifest {path} is not JSON: {exc.msg} at line {exc.lineno}") from None
        deployment = cls.from_json(doc)
        if chain is not None:
            deployment.check(chain)
        return deployment

    def save(self, path: Path | str) -> None:
        """Write atomically (temp file + rename): a crash never leaves half a manifest."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, (json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n").encode())


# ---------------------------------------------------------------------------- deploying

DEFAULT_CERTIFICATE_PREFIX = "DR"


def deploy(
    chain: Chain,
    sender: Sender,
    *,
    certificate_prefix: str = DEFAULT_CERTIFICATE_PREFIX,
    notice_period: int = 0,
    roles: Mapping[str, Sequence[str]] | None = None,
    exchange_fee_bps: int = 0,
    fee_recipient: str | None = None,
    confirmation_window: int = 3 * 86400,
) -> Deployment:
    """Deploy every shipped contract with ``sender`` as admin, grant ``roles``, return the manifest.

    ``roles`` maps a registry role name (``REGISTRAR_ROLE``...) to accounts; the deployer
    gets every registry role but EXCHANGE_ROLE (which only the exchange contract needs) unless
    ``roles`` says otherwise. Every argument is checked before the first transaction. Nothing is written to disk here: the
    caller saves the manifest only once every transaction has been mined.

    The exchange (``DataExchange``) is deployed against the registry with the given fee (basis
    points, credited to ``fee_recipient``, default the deployer) and confirmation window; the
    registry grants it EXCHANGE_ROLE. Its OPERATOR_ROLE goes to ``roles["OPERATOR_ROLE"]`` and its
    ARBITRATOR_ROLE to ``roles["ARBITRATOR_ROLE"]`` (the registry's arbitrators), each defaulting
    to the deployer when not named.
    """
    # (1): check everything before sending anything
    if not isinstance(certificate_prefix, str) or not re.fullmatch(r"[A-Z0-9]{1,12}", certificate_prefix):
        raise InputError(f"certificate prefix must be 1-12 capital letters or digits, got {certificate_prefix!r}")
    if not isinstance(notice_period, int) or not 0 <= notice_period < 2**40:
        raise InputError(f"notice period must be a non-negative number of seconds, got {notice_period!r}")
    if not isinstance(exchange_fee_bps, int) or not 0 <= exchange_fee_bps <= 1_000:
        raise InputError(f"exchange fee must be 0..1000 basis points, got {exchange_fee_bps!r}")
    if not isinstance(confirmation_window, int) or not 0 <= confirmation_window < 2**40:
        raise InputError(f"confirmation window must be a non-negative number of seconds, got {confirmation_window!r}")
    admin = sender.address
    recipient = parse_address(fee_recipient or admin, what="fee recipient")
    wanted: dict[str, tuple[str, ...]] = (
        {name: tuple(parse_address(a, what=f"{name} account") for a in roles.get(name, ())) for name in ROLES}
        if roles is not None
        else {name: (admin,) for name in ROLES if name != "EXCHANGE_ROLE"}
    )
    wanted["DEFAULT_ADMIN_ROLE"] = tuple(dict.fromkeys((admin, *wanted.get("DEFAULT_ADMIN_ROLE", ()))))

    # (2): registry and anchor
    plan: list[tuple[str, list[str], list[Any]]] = [
        ("DataRegistry", ["address", "string", "uint40"], [admin, certificate_prefix, notice_period]),
        ("TradeAnchor", ["address"], [admin]),
    ]
    artifacts = {name: load_artifact(name) for name, _, _ in plan}
    args = {name: abi_encode(types, values) for name, types, values in plan}
    calls = [Call(None, artifacts[name].bytecode + args[name]) for name, _, _ in plan]
    receipts = sender.transact_many(calls)
    contracts: dict[str, DeployedContract] = {}
    for (name, _, _), receipt in zip(plan, receipts, strict=True):
        if receipt.contract_address is None:
            raise DeploymentError(f"deploying {name} created no contract (tx {receipt.tx_hash})")
        contracts[name] = DeployedContract(
            name=name,
            address=receipt.contract_address,
            tx_hash=receipt.tx_hash,
            block_number=receipt.block_number,
            block_hash=receipt.block_hash,
            bytecode_hash=artifacts[name].bytecode_hash,
            input_hash=artifacts[name].input_hash,
            constructor_args="0x" + args[name].hex(),
        )
    registry = contracts["DataRegistry"].address
    registry_codec = AbiCodec(artifacts["DataRegistry"].abi)
    sender.decoder.add_abi(registry_codec.abi)  # decode a refused grant's custom error
    grants = [
        Call(registry, registry_codec.encode("grantRole", role_id(role), account))
        for role, accounts in wanted.items()
        if role != "DEFAULT_ADMIN_ROLE"
        for account in accounts
    ]
    anchor = contracts["TradeAnchor"].address
    anchor_codec = AbiCodec(artifacts["TradeAnchor"].abi)
    grants.append(Call(anchor, anchor_codec.encode("grantRole", keccak(b"ANCHORER_ROLE"), admin)))

    # (3): the exchange needs the registry's address, so it goes out once the registry is mined
    ex_art = load_artifact("DataExchange")
    ex_args = abi_encode(
        ["address", "address", "uint16", "address", "uint40"],
        [admin, contracts["DataRegistry"].address, exchange_fee_bps, recipient, confirmation_window],
    )
    ex_receipt = sender.transact(Call(None, ex_art.bytecode + ex_args))
    if ex_receipt.contract_address is None:
        raise DeploymentError(f"deploying DataExchange created no contract (tx {ex_receipt.tx_hash})")
    contracts["DataExchange"] = DeployedContract(
        name="DataExchange",
        address=ex_receipt.contract_address,
        tx_hash=ex_receipt.tx_hash,
        block_number=ex_receipt.block_number,
        block_hash=ex_receipt.block_hash,
        bytecode_hash=ex_art.bytecode_hash,
        input_hash=ex_art.input_hash,
        constructor_args="0x" + ex_args.hex(),
    )
    exchange = ex_receipt.contract_address
    ex_codec = AbiCodec(ex_art.abi)
    ex_roles = {
        "OPERATOR_ROLE": tuple(roles["OPERATOR_ROLE"]) if roles is not None and "OPERATOR_ROLE" in roles else (admin,),
        "ARBITRATOR_ROLE": tuple(roles["ARBITRATOR_ROLE"])
        if roles is not None and "ARBITRATOR_ROLE" in roles
        else (admin,),
    }
    grants.append(Call(registry, registry_codec.encode("grantRole", role_id("EXCHANGE_ROLE"), exchange)))
    grants.extend(
        Call(exchange, ex_codec.encode("grantRole", keccak(role.encode()), account))
        for role, accounts in ex_roles.items()
        for account in accounts
    )
    wanted["EXCHANGE_ROLE"] = tuple(dict.fromkeys((*wanted.get("EXCHANGE_ROLE", ()), exchange)))
    wanted["OPERATOR_ROLE"] = ex_roles["OPERATOR_ROLE"]
    # (4): roles
    if grants:
        sender.transact_many(grants)
    return Deployment(
        chain_id=chain.chain_id,
        genesis_hash=chain.genesis_hash(),
        contracts=contracts,
        deployer=admin,
        roles={k: v for k, v in wanted.items() if v},
    )
