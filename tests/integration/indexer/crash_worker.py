"""Run by test_crash in a subprocess: index until caught up, then exit 0 (or be killed on the way)."""

from __future__ import annotations

import json
import sys

from provenance.chain import Chain
from provenance.indexer import Indexer, IndexerConfig


def main() -> None:
    spec = json.loads(sys.argv[1])
    with Indexer(
        spec["store"],
        Chain(spec["url"]),
        {"Emitter": (spec["address"], spec["start"])},
        abis={"Emitter": spec["abi"]},
        config=IndexerConfig(
            initial_range=2,
            max_range=4,
            commit_events=300,
            commit_seconds=0.05,
            concurrency=2,
            reorg_depth=spec["reorg_depth"],
        ),
    ) as ix:
        ix.run()


if __name__ == "__main__":
    main()
