"""Chain access: the node's JSON-RPC endpoint, and a transaction sender.

:class:`Chain` speaks JSON-RPC to any EVM node through the one client,
:class:`~provenance.rpc.RpcClient`. :class:`Sender` signs EIP-1559 transactions locally
with coincurve, manages the nonce for many transactions in flight, pre-flights every call with ``eth_estimateGas`` so
that a revert costs nothing and changes nothing, and decodes Solidity custom errors into
:class:`~provenance.errors.ContractRevert` carrying the error's name and arguments.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coincurve import PrivateKey
from eth_abi.abi import decode as abi_decode
from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

from provenance._internal.abi import abi_type
from provenance._internal.rlp import rlp_encode
from provenance.errors import ChainError, ContractRevert, InputError, RpcError, RpcFateUnknown, TransactionError
from provenance.rpc import RpcClient

__all__ = ["Call", "Chain", "ErrorDecoder", "Receipt", "RpcError", "Sender", "Signer"]


class Chain:
    """A JSON-RPC endpoint: the :class:`~provenance.rpc.RpcClient` and the reads built on it.

    ``Chain(url)`` builds its own client; ``Chain(client)`` shares one. Thread-safe.
    """

    def __init__(
        self,
        node: str | RpcClient,
        *,
        timeout: float = 30.0,
        retries: int = 6,
        retry_timeouts: bool = True,
    ) -> None:
        if isinstance(node, RpcClient):
            self.client = node
        elif isinstance(node, str):
            self.client = RpcClient(node, timeout=timeout, retries=retries, retry_timeouts=retry_timeouts)
        else:
            raise InputError(f"a Chain needs an http(s):// URL or an RpcClient, got {type(node).__name__}")
        self._chain_id: int | None = None

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def timeout(self) -> float:
        return self.client.timeout

    def __repr__(self) -> str:
        return f"Chain({self.url!r})"

    def close(self) -> None:
        """Close the client's connections (they reopen on the next call)."""
        self.client.close()

    def rpc(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One JSON-RPC call; an error object raises :class:`RpcError`."""
        return self.client.call(method, params)

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]], *, max_bytes: int = 1 << 20) -> list[Any]:
        """Many calls in as few HTTP requests as fit ``max_bytes`` each; results in order.

        An error object in the reply becomes an :class:`RpcError` value in its place.
        """
        return self.client.batch(calls, max_bytes=max_bytes, errors_in_place=True)

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.rpc("eth_chainId"), 16)
        return self._chain_id

    def genesis_hash(self) -> str:
        block = self.rpc("eth_getBlockByNumber", ["0x0", False])
        if not block:
            raise ChainError("the node has no genesis block")
        return str(block["hash"])

    def block_number(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def get_block(self, number: int | str = "latest", full: bool = False) -> dict[str, Any]:
        tag = hex(number) if isinstance(number, int) else number
        block = self.rpc("eth_getBlockByNumber", [tag, full])
        if block is None:
            raise ChainError(f"block {number} not found")
        return dict(block)

    def balance(self, address: str) -> int:
        return int(self.rpc("eth_getBalance", [address, "latest"]), 16)

    def call(self, to: str, data: bytes, *, sender: str | None = None, block: str = "latest") -> bytes:
        tx: dict[str, Any] = {"to": to, "data": "0x" + data.hex()}
        if sender:
            tx["from"] = sender
        return bytes.fromhex(str(self.rpc("eth_call", [tx, block]))[2:])

    def code_at(self, address: str) -> bytes:
        return bytes.fromhex(str(self.rpc("eth_getCode", [address, "latest"]))[2:])


@dataclass(frozen=True, slots=True)
class Log:
    """A log as found in a receipt."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes
    log_index: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """The parts of a transaction receipt that callers use."""

    tx_hash: str
    block_number: int
    block_hash: str
    tx_index: int
    status: int
    gas_used: int
    effective_gas_price: int
    contract_address: str | None
    logs: tuple[Log, ...]

    @classmethod
    def from_rpc(cls, raw: Mapping[str, Any]) -> Receipt:
        logs = tuple(
            Log(
                address=to_checksum_address(lg["address"]),
                topics=tuple(bytes.fromhex(t[2:]) for t in lg["topics"]),
                data=bytes.fromhex(lg["data"][2:]),
                log_index=int(lg["logIndex"], 16),
            )
            for lg in raw.get("logs", [])
        )
        return cls(
            tx_hash=str(raw["transactionHash"]),
            block_number=int(raw["blockNumber"], 16),
            block_hash=str(raw["blockHash"]),
            tx_index=int(raw["transactionIndex"], 16),
            status=int(raw.get("status", "0x1"), 16),
            gas_used=int(raw["gasUsed"], 16),
            effective_gas_price=int(raw.get("effectiveGasPrice", "0x0"), 16),
            contract_address=to_checksum_address(raw["contractAddress"]) if raw.get("contractAddress") else None,
            logs=logs,
        )


@dataclass(frozen=True, slots=True)
class Call:
    """One transaction to send: target (None deploys), calldata, value, optional gas limit."""

    to: str | None
    data: bytes
    value: int = 0
    gas: int | None = None


class ErrorDecoder:
    """Decodes revert data by selector against the errors of the given ABIs."""

    def __init__(self, abis: Iterable[Sequence[Mapping[str, Any]]] = ()) -> None:
        self._errors: dict[bytes, tuple[str, list[str], list[str]]] = {
            bytes.fromhex("08c379a0"): ("Error", ["string"], ["message"]),
            bytes.fromhex("4e487b71"): ("Panic", ["uint256"], ["code"]),
        }
        for abi in abis:
            self.add_abi(abi)

    def add_abi(self, abi: Sequence[Mapping[str, Any]]) -> None:
        for item in abi:
            if item.get("type") != "error":
                continue
            types = [abi_type(i) for i in item.get("inputs", [])]
            names = [i.get("name") or f"arg{n}" for n, i in enumerate(item.get("inputs", []))]
            selector = keccak(f"{item['name']}({','.join(types)})".encode())[:4]
            self._errors[selector] = (str(item["name"]), types, names)

    def decode(self, data: bytes) -> ContractRevert:
        if len(data) < 4:
            return ContractRevert("Unknown", {"data": data}, raw=data)
        selector, body = data[:4], data[4:]
        entry = self._errors.get(selector)
        if entry is None:
            return ContractRevert("Unknown", {"data": data}, selector="0x" + selector.hex(), raw=data)
        name, types, names = entry
        try:
            values = abi_decode(types, body)
        except Exception:  # noqa: BLE001 - malformed revert data is reported as such
            return ContractRevert(name, {"data": body}, selector="0x" + selector.hex(), raw=data)
        return ContractRevert(name, dict(zip(names, values, strict=True)), selector="0x" + selector.hex(), raw=data)

    def from_rpc_error(self, err: RpcError) -> ContractRevert | None:
        """The revert carried by an RPC error, if it carries one."""
        data = err.data
        if isinstance(data, dict):
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x"):
            try:
                return self.decode(bytes.fromhex(data[2:]))
            except ValueError:
                return None
        if "revert" in err.rpc_message.lower():
            return ContractRevert("Unknown", {"message": err.rpc_message})
        return None


class Signer:
    """A private key held in memory only; its repr and str never show it."""

    __slots__ = ("_key", "address")

    def __init__(self, private_key: bytes) -> None:
        if not isinstance(private_key, bytes | bytearray) or len(private_key) != 32:
            raise InputError("a private key must be 32 bytes")
        try:
            self._key = PrivateKey(bytes(private_key))
        except ValueError:
            raise InputError("the private key is not a valid secp256k1 scalar") from None
        pub = self._key.public_key.format(compressed=False)[1:]
        self.address = to_checksum_address(keccak(pub)[-20:])

    def __repr__(self) -> str:
        return f"Signer({self.address})"

    __str__ = __repr__

    def sign_hash(self, digest: bytes) -> tuple[int, int, int]:
        """(v in {0,1}, r, s) over a 32-byte digest."""
        sig = self._key.sign_recoverable(digest, hasher=None)
        return sig[64], int.from_bytes(sig[0:32], "big"), int.from_bytes(sig[32:64], "big")

    def sign_eip1559(
        self,
        *,
        chain_id: int,
        nonce: int,
        max_priority_fee: int,
        max_fee: int,
        gas: int,
        to: str | None,
        value: int,
        data: bytes,
    ) -> tuple[bytes, str]:
        """The raw signed type-2 transaction and its hash."""
        to_bytes = bytes.fromhex(to[2:]) if to else b""
        fields: list[Any] = [chain_id, nonce, max_priority_fee, max_fee, gas, to_bytes, value, data, []]
        digest = keccak(b"\x02" + rlp_encode(fields))
        v, r, s = self.sign_hash(digest)
        raw = b"\x02" + rlp_encode([*fields, v, r, s])
        return raw, "0x" + keccak(raw).hex()


class Sender:
    """Sends transactions from one signer: local nonces, EIP-1559 fees, pre-flight, receipts.

    Thread-safe: nonces are taken under a lock, so many transactions can be in flight.
    """

    def __init__(
        self,
        chain: Chain,
        signer: Signer,
        *,
        decoder: ErrorDecoder | None = None,
        gas_margin: float = 1.2,
        receipt_timeout: float = 120.0,
        base_fee_headroom: int = 4,
        stall_nudge: float = 1.0,
    ) -> None:
        self.chain = chain
        self.signer = signer
        self.decoder = decoder or ErrorDecoder()
        self.gas_margin = gas_margin
        self.receipt_timeout = receipt_timeout
        if base_fee_headroom < 1:
            raise InputError("base_fee_headroom must be at least 1")
        self.base_fee_headroom = base_fee_headroom
        self.stall_nudge = stall_nudge
        self._anvil: bool | None = None  # whether the node is anvil (asked once)
        self._lock = threading.Lock()
        self._nonce: int | None = None
        self._fees: tuple[float, int, int] | None = None  # (fetched at, tip, max fee)
        self._simulate = True  # use eth_simulateV1 until the node says it has none

    @property
    def address(self) -> str:
        return self.signer.address

    # -- nonces and fees
    def _take_nonces(self, count: int) -> int:
        with self._lock:
            if self._nonce is None:
                self._nonce = int(self.chain.rpc("eth_getTransactionCount", [self.address, "pending"]), 16)
            first = self._nonce
            self._nonce += count
            return first

    def resync_nonce(self) -> None:
        """Forget the local nonce; the next send reads the node's pending count again."""
        with self._lock:
            self._nonce = None

    def fees(self) -> tuple[int, int]:
        """(max priority fee, max fee per gas), refreshed at most every 2 seconds."""
        now = time.monotonic()
        cached = self._fees
        if cached and now - cached[0] < 2.0:
            return cached[1], cached[2]
        tip_raw, block = self.chain.batch(
            [("eth_maxPriorityFeePerGas", []), ("eth_getBlockByNumber", ["latest", False])]
        )
        tip = int(tip_raw, 16) if isinstance(tip_raw, str) else 1_000_000_000
        base = int(block.get("baseFeePerGas", "0x0"), 16) if isinstance(block, dict) else 0
        # Head room for the base fee rising 12.5% per full block while many transactions of ours
        # are in flight (4x covers about a dozen full blocks in a row).
        max_fee = self.base_fee_headroom * base + tip
        self._fees = (now, tip, max_fee)
        return tip, max_fee

    # -- pre-flight
    def _tx_obj(self, call: Call) -> dict[str, Any]:
        obj: dict[str, Any] = {"from": self.address, "data": "0x" + call.data.hex(), "value": hex(call.value)}
        if call.to is not None:
            obj["to"] = call.to
        return obj

    def estimate(self, calls: Sequence[Call]) -> list[int]:
        """Gas limits for ``calls`` run in order (given ones kept); a revert raises the decoded ContractRevert.

        Uses ``eth_simulateV1`` where the node has it (one execution per call, in sequence, so
        later calls see the effects of earlier ones) and ``eth_estimateGas`` per call otherwise.
        """
        if self._simulate:
            try:
                return self._simulate_gas(calls)
            except RpcError as err:
                if err.code not in (-32601, -32602) and "not" not in err.rpc_message.lower():
                    raise
                self._simulate = False  # the node has no eth_simulateV1: estimate per call
        need = [i for i, c in enumerate(calls) if c.gas is None]
        results = self.chain.batch([("eth_estimateGas", [self._tx_obj(calls[i])]) for i in need])
        gas = [c.gas or 0 for c in calls]
        for i, res in zip(need, results, strict=True):
            if isinstance(res, RpcError):
                revert = self.decoder.from_rpc_error(res)
                if revert is not None:
                    raise revert
                raise TransactionError(f"cannot estimate gas: {res.rpc_message}")
            gas[i] = int(int(res, 16) * self.gas_margin) + 10_000
        return gas

    def _simulate_gas(self, calls: Sequence[Call]) -> list[int]:
        # Calls run in order, in simulated blocks of at most 100 calls or 64 KiB of calldata
        # (so a block stays under the gas limit), at most 1 MiB of calldata per request.
        requests: list[list[list[dict[str, Any]]]] = [[[]]]
        block_bytes = request_bytes = 0
        for call in calls:
            size = len(call.data) + 200
            if request_bytes + size > (1 << 20) and requests[-1][-1]:
                requests.append([[]])
                block_bytes = request_bytes = 0
            elif block_bytes + size > (64 << 10) and requests[-1][-1] or len(requests[-1][-1]) >= 100:
                requests[-1].append([])
                block_bytes = 0
            requests[-1][-1].append(self._tx_obj(call))
            block_bytes += size
            request_bytes += size
        sims: list[dict[str, Any]] = []
        for blocks in requests:
            payload = {"blockStateCalls": [{"calls": b} for b in blocks], "validation": False}
            result = self.chain.rpc("eth_simulateV1", [payload, "latest"])
            sims.extend(call for block in result for call in block["calls"])
        if len(sims) != len(calls):
            raise ChainError("eth_simulateV1 returned a result per call that does not match the request")
        gas: list[int] = []
        for call, sim in zip(calls, sims, strict=True):
            if int(sim.get("status", "0x0"), 16) != 1:
                data = bytes.fromhex(str(sim.get("returnData", "0x"))[2:])
                if data:
                    raise self.decoder.decode(data)
                message = (sim.get("error") or {}).get("message", "execution failed")
                raise TransactionError(f"the call would fail: {message}")
            used = int(sim["gasUsed"], 16)
            # Head room for refunds counted in gasUsed and the 63/64 rule of nested calls.
            gas.append(call.gas or int(used * self.gas_margin * 1.1) + 20_000)
        return gas

    # -- sending
    def send_many(self, calls: Sequence[Call], *, preflight: bool = True) -> list[str]:
        """Sign and send ``calls`` in order with consecutive nonces; returns transaction hashes.

        With ``preflight`` every call is estimated first, so a call that would revert raises
        before anything is sent.
        """
        if not calls:
            return []
        gas = self.estimate(calls) if preflight else [c.gas or 0 for c in calls]
        if any(g <= 0 for g in gas):
            raise InputError("a call without pre-flight needs an explicit gas limit")
        for attempt in (1, 2):
            hashes, results = self._sign_and_send(calls, gas)
            errors = [(i, r) for i, r in enumerate(results) if isinstance(r, RpcError)]
            if not errors:
                return hashes
            # Later nonces of this batch may be gapped: let the node tell us where we are.
            self.resync_nonce()
            stale = len(errors) == len(calls) and all("nonce too low" in r.rpc_message.lower() for _, r in errors)
            if not (stale and attempt == 1):
                idx, err = errors[0]
                raise TransactionError(f"transaction {idx} of {len(calls)} rejected by the node: {err.rpc_message}")
            # Another sender used this account's nonces; none of ours went through: sign again.
        raise AssertionError("unreachable")

    def _sign_and_send(self, calls: Sequence[Call], gas: Sequence[int]) -> tuple[list[str], list[Any]]:
        tip, max_fee = self.fees()
        chain_id = self.chain.chain_id
        first = self._take_nonces(len(calls))
        raws: list[bytes] = []
        hashes: list[str] = []
        for i, (call, limit) in enumerate(zip(calls, gas, strict=True)):
            raw, tx_hash = self.signer.sign_eip1559(
                chain_id=chain_id,
                nonce=first + i,
                max_priority_fee=tip,
                max_fee=max_fee,
                gas=limit,
                to=call.to,
                value=call.value,
                data=call.data,
            )
            raws.append(raw)
            hashes.append(tx_hash)
        try:
            results = self.chain.batch([("eth_sendRawTransaction", ["0x" + r.hex()]) for r in raws])
        except RpcFateUnknown as exc:
            results = self._reconcile(raws, hashes, exc)
        return hashes, results

    def _reconcile(self, raws: Sequence[bytes], hashes: Sequence[str], fault: RpcFateUnknown) -> list[Any]:
        """After a send whose fate is unknown: ask the node which transactions it has, resend the same
        signed bytes for the others only (a transaction is never signed twice with one nonce)."""
        results: list[Any] = list(hashes)
        missing = list(range(len(raws)))
        for _round in range(3):
            found = self.chain.batch([("eth_getTransactionByHash", [hashes[i]]) for i in missing])
            missing = [i for i, tx in zip(missing, found, strict=True) if tx is None or isinstance(tx, RpcError)]
            if not missing:
                return results
            try:
                again = self.chain.batch([("eth_sendRawTransaction", ["0x" + raws[i].hex()]) for i in missing])
            except RpcFateUnknown:
                continue  # look again
            for i, res in zip(missing, again, strict=True):
                known = isinstance(res, RpcError) and "already known" in res.rpc_message.lower()
                results[i] = hashes[i] if known else res
            return results
        raise TransactionError(
            f"{len(missing)} of {len(raws)} transaction(s) may not have reached the node ({fault}); "
            "their nonces are reserved: call resync_nonce() once the node is reachable"
        )

    def wait(self, hashes: Sequence[str], *, check: bool = True) -> list[Receipt]:
        """Receipts of ``hashes`` in order; with ``check`` a failed one raises its decoded revert.

        Waits at most ``receipt_timeout`` seconds, then raises :class:`TransactionError` saying
        whether the node still holds the missing transactions. On an anvil node in automine mode,
        ready transactions left unmined for a second are mined with ``evm_mine``: anvil's
        automine can leave ready transactions in its pool with nothing to wake its miner
        (foundry-rs/foundry#10122; seen here with a few hundred transactions in flight).
        """
        pending = {h: i for i, h in enumerate(hashes)}
        out: list[Receipt | None] = [None] * len(hashes)
        started = time.monotonic()
        deadline = started + self.receipt_timeout
        progress = started
        delay = 0.0
        while pending:
            keys = list(pending)
            for start in range(0, len(keys), 1000):
                chunk = keys[start : start + 1000]
                results = self.chain.batch([("eth_getTransactionReceipt", [h]) for h in chunk])
                for h, res in zip(chunk, results, strict=True):
                    if isinstance(res, RpcError):
                        raise res
                    if res is not None:
                        out[pending.pop(h)] = Receipt.from_rpc(res)
            if not pending:
                break
            now = time.monotonic()
            if len(pending) < len(keys):
                progress = now
            elif now - progress > self.stall_nudge and self._automining_anvil():
                self.chain.rpc("evm_mine")
                progress = now
                continue
            if now > deadline:
                raise self._not_mined(list(pending))
            delay = min(0.5, delay + 0.01)
            time.sleep(delay)
        receipts = [r for r in out if r is not None]
        if check:
            for receipt in receipts:
                if receipt.status != 1:
                    raise self.explain_failure(receipt)
        return receipts

    def _automining_anvil(self) -> bool:
        """Whether the node is anvil with automine on (and has transactions in its pool)."""
        if self._anvil is None:
            try:
                self._anvil = str(self.chain.rpc("web3_clientVersion")).lower().startswith("anvil/")
            except RpcError:
                self._anvil = False
        if not self._anvil:
            return False
        try:
            if self.chain.rpc("anvil_getAutomine") is not True:
                return False
            return int(self.chain.rpc("txpool_status").get("pending", "0x0"), 16) > 0
        except (RpcError, AttributeError, TypeError, ValueError):
            return False

    def _not_mined(self, missing: Sequence[str]) -> TransactionError:
        known = self.chain.batch([("eth_getTransactionByHash", [h]) for h in missing])
        held = sum(1 for tx in known if isinstance(tx, dict))
        where = (
            f"the node holds {held} in its pool (is it mining? is the fee enough?)"
            if held
            else "the node does not know them (dropped: resend with resync_nonce())"
        )
        if 0 < held < len(missing):
            where += f"; {len(missing) - held} it does not know"
        return TransactionError(f"{len(missing)} transaction(s) not mined within {self.receipt_timeout:.0f}s: {where}")

    def explain_failure(self, receipt: Receipt) -> TransactionError:
        """Replay a failed transaction at its block to recover the revert reason."""
        tx = self.chain.rpc("eth_getTransactionByHash", [receipt.tx_hash])
        obj = {"from": tx["from"], "to": tx.get("to"), "data": tx["input"], "value": tx["value"], "gas": tx["gas"]}
        try:
            self.chain.rpc("eth_call", [obj, hex(receipt.block_number - 1)])
        except RpcError as err:
            revert = self.decoder.from_rpc_error(err)
            if revert is not None:
                return revert
        return TransactionError(f"transaction {receipt.tx_hash} failed (status 0, out of gas or reverted)")

    def transact(self, call: Call) -> Receipt:
        """Pre-flight, send and wait for one transaction."""
        return self.wait(self.send_many([call]))[0]

    def transact_many(self, calls: Sequence[Call], *, chunk: int = 500) -> list[Receipt]:
        """Send ``calls`` in chunks and wait for all receipts, keeping at most two chunks in flight."""
        receipts: list[Receipt] = []
        in_flight: list[list[str]] = []
        for start in range(0, len(calls), chunk):
            in_flight.append(self.send_many(calls[start : start + chunk]))
            if len(in_flight) == 2:
                receipts.extend(self.wait(in_flight.pop(0)))
        for hashes in in_flight:
            receipts.extend(self.wait(hashes))
        return receipts
