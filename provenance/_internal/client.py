"""Base of the contract clients: a chain, an address, an optional sender and a prepared codec."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from provenance._internal.abi import AbiCodec
from provenance._internal.hexbytes import parse_address
from provenance.chain import Call, Chain, ErrorDecoder, Log, Receipt, RpcError, Sender
from provenance.errors import ChainError, InputError, TransactionError

__all__ = ["ContractClient", "DecodedEvent", "TxOutcome"]


@dataclass(frozen=True, slots=True)
class DecodedEvent:
    """One of our events, decoded from a receipt."""

    name: str
    args: dict[str, Any]
    address: str
    log_index: int


class TxOutcome:
    """A mined transaction and the events our contract emitted in it (decoded on first use)."""

    __slots__ = ("_codec", "_decoded", "_logs", "block_number", "gas_used", "tx_hash")

    def __init__(self, tx_hash: str, block_number: int, gas_used: int, logs: tuple[Log, ...], codec: AbiCodec) -> None:
        self.tx_hash = tx_hash
        self.block_number = block_number
        self.gas_used = gas_used
        self._logs = logs
        self._codec = codec
        self._decoded: tuple[DecodedEvent, ...] | None = None

    def __repr__(self) -> str:
        return f"TxOutcome({self.tx_hash}, block {self.block_number}, gas {self.gas_used})"

    @property
    def events(self) -> tuple[DecodedEvent, ...]:
        if self._decoded is None:
            out: list[DecodedEvent] = []
            for log in self._logs:
                decoded = self._codec.decode_log(log.topics, log.data)
                if decoded is not None:
                    out.append(DecodedEvent(decoded[0], decoded[1], log.address, log.log_index))
            self._decoded = tuple(out)
        return self._decoded

    def raw(self, name: str) -> list[Log]:
        """Undecoded logs of event ``name`` (for hot paths that read one topic or word)."""
        topic0 = self._codec.events_by_name[name].topic0
        return [log for log in self._logs if log.topics and log.topics[0] == topic0]

    def first(self, name: str) -> DecodedEvent:
        for event in self.events:
            if event.name == name:
                return event
        raise TransactionError(f"transaction {self.tx_hash} emitted no {name} event")

    def all(self, name: str) -> list[DecodedEvent]:
        return [e for e in self.events if e.name == name]


class ContractClient:
    """Shared plumbing of :class:`~provenance.registry.Registry` and the other clients."""

    CONTRACT = ""

    def __init__(
        self, chain: Chain, address: str, sender: Sender | None = None, *, abi: Sequence[dict[str, Any]] | None = None
    ) -> None:
        from provenance.compiler import load_artifact

        self.chain = chain
        self.address = parse_address(address, what=f"{self.CONTRACT} address")
        self.codec = AbiCodec(abi if abi is not None else load_artifact(self.CONTRACT).abi)
        self.sender = sender
        if sender is not None:
            sender.decoder.add_abi(self.codec.abi)
        self._decoder = sender.decoder if sender is not None else ErrorDecoder([self.codec.abi])

    # -- reads
    def _view(self, name: str, *args: Any) -> tuple[Any, ...]:
        data = self.codec.encode(name, *args)
        try:
            out = self.chain.call(self.address, data)
        except RpcError as err:
            revert = self._decoder.from_rpc_error(err)
            if revert is not None:
                raise revert from None
            raise
        if not out and self.codec.function(name).outputs:
            raise ChainError(f"{self.CONTRACT} at {self.address} returned nothing for {name}: is it deployed here?")
        return self.codec.decode_output(name, out)

    def _view1(self, name: str, *args: Any) -> Any:
        return self._view(name, *args)[0]

    # -- writes
    def _require_sender(self) -> Sender:
        if self.sender is None:
            raise InputError(f"this {self.CONTRACT} client is read-only: construct it with a sender")
        return self.sender

    def _call(self, name: str, *args: Any, value: int = 0, gas: int | None = None) -> Call:
        return Call(self.address, self.codec.encode(name, *args), value, gas)

    def _outcome(self, receipt: Receipt) -> TxOutcome:
        ours = tuple(log for log in receipt.logs if log.address == self.address)
        return TxOutcome(receipt.tx_hash, receipt.block_number, receipt.gas_used, ours, self.codec)

    def _tx(self, name: str, *args: Any, value: int = 0) -> TxOutcome:
        sender = self._require_sender()
        return self._outcome(sender.transact(self._call(name, *args, value=value)))

    def _txs(self, calls: Sequence[Call]) -> list[TxOutcome]:
        sender = self._require_sender()
        return [self._outcome(r) for r in sender.transact_many(calls)]
