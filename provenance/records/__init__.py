"""The records of each concept: what the contracts take and return, validated on construction.

- :mod:`provenance.records.registry`: the rights registry (assets, the three rights, licences,
  pledges, disputes, certificates and their codes);
- :mod:`provenance.records.exchange`: the data exchange (listing terms, listings, trades,
  offers, signed orders, and the results of each step).

The anchor's records (record encoding, batches) are in :mod:`provenance.anchor_records`.
"""

__all__: list[str] = []
