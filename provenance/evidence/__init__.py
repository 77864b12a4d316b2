"""Evidence: what makes an exported event verifiable offline.

:mod:`provenance.evidence.proofs` holds the cryptographic core: EIP-2718 receipts, RLP
block headers of every fork up to Prague, receipts-trie inclusion proofs, header-chain
linking, log positions read from receipt bytes, and a thin JSON-RPC fetch layer.
"""

__all__: list[str] = []
