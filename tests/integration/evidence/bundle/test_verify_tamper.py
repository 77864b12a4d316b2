"""Every single-field change of a sample bundle fails verification, naming the field or the check.

The sample is asset A's history with its lineage (13 events of registry and exchange, from
legacy, EIP-2930 and EIP-1559 transactions). Each leaf of the JSON tree is changed in a
type-appropriate way (a hex string: its first and its last nibble flipped, one at a time; a
number: +1; a boolean: negated; any other string: altered), each object loses each key in
turn and gains an unknown one, and events are dropped, swapped and duplicated (alone and
together with their timeline entries). The verdict of every case is recorded; the counts are
printed (``-s``) and written to ``tamper-counts.json`` in the test's temporary directory.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provenance.evidence.bundle import canonical_json
from provenance.evidence.verify import verify_bundle

Path_ = tuple[str | int, ...]

# Fields only the exporter's signature vouches for: changing them must fail that check.
SIGNED_ONLY = re.compile(
    r"^(tool\b|createdAt$|query\.(source|lineage)$|chain\.genesisHash$|"
    r"contracts\[\d+\]\.inputHash$|records\[\d+\]\.record\b)"
)
_TOKEN = re.compile(r"[A-Za-z]+(?:\[\d+\]|\.[A-Za-z0-9]+)+|\b[A-Za-z]+\b")


def render(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def leaves(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path, node


def objects(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from objects(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from objects(value, (*path, index))


def variants(value: Any) -> list[Any]:
    """Type-appropriate changes of one leaf."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1]
    if value is None:
        return [0]
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]*", value):
        if len(value) == 2:
            return ["0x00"]
        flip = {c: f"{(int(c, 16) ^ 0x1):x}" for c in "0123456789abcdefABCDEF"}
        first = value[:2] + flip[value[2]] + value[3:]
        last = value[:-1] + flip[value[-1]]
        return [first] if len(value) == 3 else [first, last]
    return [str(value) + "x"]


def setting(doc: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


def names(path: str, field: str, message: str) -> bool:
    """Whether the failure names ``path``: its field or a path in its message is it or its parent."""
    for token in [field, *_TOKEN.findall(message)]:
        if token and (
            path == token or path.startswith((token + ".", token + "[")) or token.startswith((path + ".", path + "["))
        ):
            return True
    return False


def cases(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, path, mutated bundle) for every case."""
    for path, value in leaves(doc):
        for changed in variants(value):
            yield "leaf", render(path), setting(doc, path, changed)
    for path, obj in objects(doc):
        where = render(path)
        for key in obj:
            smaller = {k: v for k, v in obj.items() if k != key}
            yield "drop-key", (f"{where}.{key}" if where else key), (setting(doc, path, smaller) if path else smaller)
        bigger = {**obj, "zz": 1}
        yield "add-key", (f"{where}.zz" if where else "zz"), (setting(doc, path, bigger) if path else bigger)
    count = len(doc["events"])
    for i in range(count):
        for with_timeline in (False, True):
            keys = ("events", "timeline") if with_timeline else ("events",)
            dropped = copy.deepcopy(doc)
            duplicated = copy.deepcopy(doc)
            for key in keys:
                del dropped[key][i]
                duplicated[key].insert(i, copy.deepcopy(doc[key][i]))
            yield "drop-event", f"events[{i}]", dropped
            yield "duplicate-event", f"events[{i}]", duplicated
            if i + 1 < count:
                swapped = copy.deepcopy(doc)
                for key in keys:
                    swapped[key][i], swapped[key][i + 1] = swapped[key][i + 1], swapped[key][i]
                yield "swap-events", f"events[{i}]", swapped


@pytest.mark.slow
def test_every_mutation_is_detected_and_named(asset_bundle: dict[str, Any], tmp_path: Path) -> None:
    assert verify_bundle(canonical_json(asset_bundle)).ok
    tried = named = signed_only = 0
    by_check: dict[str, int] = {}
    unnamed: list[str] = []
    for kind, path, mutated in cases(asset_bundle):
        tried += 1
        report = verify_bundle(canonical_json(mutated))
        failure = report.failure
        assert failure is not None, f"{kind} {path}: not detected"
        by_check[failure.name] = by_check.get(failure.name, 0) + 1
        if failure.name == "exporter-signature":
            signed_only += 1
            if kind == "leaf" and path not in ("signature", "exporter") and not SIGNED_ONLY.match(path):
                unnamed.append(f"{kind} {path}: only the signature caught it")
        elif names(path, failure.field, failure.message) or kind in ("drop-event", "duplicate-event", "swap-events"):
            named += 1
        else:
            unnamed.append(f"{kind} {path}: {failure.name} at {failure.field!r}: {failure.message}")
    counts = {
        "tried": tried,
        "caught": tried,
        "namedByField": named,
        "bySignatureOnly": signed_only,
        "byCheck": dict(sorted(by_check.items())),
    }
    (tmp_path / "tamper-counts.json").write_text(json.dumps(counts, indent=2))
    print("tamper cases:", json.dumps(counts))
    assert not unnamed, "\n".join(unnamed[:40])
    assert tried > 1500
