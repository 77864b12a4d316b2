"""provenance: data property rights and data trades on an EVM chain, indexed and provable.

Importing this package touches no network and starts no process. Start with
:mod:`provenance.node` (a local chain), :mod:`provenance.deployment` (deploy and read a
manifest) and :mod:`provenance.registry` (the rights registry client).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
