"""Trade records -> leaves: canonical JSON (RFC 8785), batches and streamed proofs files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance._internal.jcs import canonical_json
from provenance._internal.keccak import keccak256
from provenance.anchor_records import (
    RECORD_LEAF_ENCODING,
    build_batch,
    proofs_path_for,
    read_proofs,
    record_hash,
    record_leaf,
    write_proofs,
)
from provenance.errors import InputError
from provenance.merkle import StandardMerkleTree, process_proof, verify

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)  # beyond 2**53: rfc8785 refuses, and so do we
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(st.characters(exclude_categories=["Cs"]), max_size=8), json_values, max_size=8)


def trade(i: int) -> dict[str, Any]:
    return {
        "tradeId": f"T-{i:06d}",
        "assetId": "0x" + keccak256(i.to_bytes(8, "big")).hex(),
        "seller": "0x" + keccak256(b"s" + i.to_bytes(8, "big")).hex()[:40],
        "buyer": "0x" + keccak256(b"b" + i.to_bytes(8, "big")).hex()[:40],
        "price": {"amount": 1000 + i, "currency": "CNY"},
        "settledAt": 1_767_225_600 + i,
        "note": "数据产品经营权 licence" if i % 3 == 0 else None,
    }


@settings(max_examples=300, deadline=None)
@given(record=json_objects)
def test_canonical_json_is_rfc8785(record: dict[str, Any]) -> None:
    try:
        expected = rfc8785.dumps(record)
    except Exception:  # noqa: BLE001 - whatever rfc8785 refuses, we refuse as an InputError
        with pytest.raises(InputError, match="not canonical-JSON"):
            canonical_json(record)
        return
    assert canonical_json(record) == expected


def test_key_order_beyond_the_bmp_follows_utf16() -> None:
    # U+FF61 sorts after U+1F600 in UTF-16 code units (0xD83D < 0xFF61), before it in code points
    record = {"\uff61": 1, "\U0001f600": 2}
    assert canonical_json(record) == rfc8785.dumps(record)
    assert canonical_json(record).index("😀".encode()) < canonical_json(record).index("\uff61".encode())


def test_record_value_and_leaf_mapping() -> None:
    record = trade(7)
    digest = keccak256(rfc8785.dumps(record))
    assert record_hash(record) == digest
    assert record_leaf(record) == "0x" + digest.hex()
    # the same record, keys in another order, is the same value
    assert record_leaf(dict(reversed(list(record.items())))) == record_leaf(record)
    with pytest.raises(InputError, match="must be a JSON object"):
        record_leaf(["not", "a", "mapping"])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not canonical-JSON"):
        record_leaf({"big": 2**64})


def test_batch_tree_is_a_generic_bytes32_tree() -> None:
    records = [trade(i) for i in range(37)]
    tree, values = build_batch(records)
    assert values == [[record_leaf(r)] for r in records]
    generic = StandardMerkleTree.of(values, ["bytes32"])
    assert tree.root == generic.root and tree.dump() == generic.dump()
    assert tree.leaf_encoding == RECORD_LEAF_ENCODING
    for i in range(len(records)):
        assert verify(tree.root, ["bytes32"], values[i], tree.get_proof(i))
    with pytest.raises(InputError, match="at least one record"):
        build_batch([])
    with pytest.raises(InputError, match=r"records\[1\]: record is not canonical-JSON"):
        build_batch([trade(0), {"x": float("nan")}])


@pytest.mark.parametrize("count", [1, 2, 3, 4, 17, 64, 100, 257, 2049])
def test_proofs_file_streams_every_proof(tmp_path: Path, count: int) -> None:
    records = [trade(i) for i in range(count)]
    tree, values = build_batch(records)
    path = proofs_path_for(tmp_path / "batch-0001.jsonl")
    assert path.name == "batch-0001.proofs.jsonl"
    assert write_proofs(path, tree) == count
    lines = path.read_bytes().splitlines()
    assert len(lines) == count
    for i, (raw, proof) in enumerate(zip(lines, read_proofs(path), strict=True)):
        doc = orjson.loads(raw)
        assert list(doc) == ["index", "value", "leaf", "proof"]
        assert proof.index == i and list(proof.value) == values[i]
        assert proof.leaf == tree.leaf_hash(values[i])
        assert list(proof.proof) == tree.get_proof(i)
        assert process_proof(proof.leaf, proof.proof) == tree.root
    assert not list(tmp_path.glob("*.tmp-*"))


def test_proofs_file_for_a_generic_tree(tmp_path: Path) -> None:
    values = [["0x" + "00" * 19 + f"{i:02x}", i, f'交易{i}\n"😀'] for i in range(9)]
    tree = StandardMerkleTree.of(values, ["address", "uint256", "string"])
    write_proofs(tmp_path / "p.jsonl", tree)
    for i, line in enumerate(read_proofs(tmp_path / "p.jsonl")):
        assert list(line.value) == [values[i][0], str(i), values[i][2]]
        assert verify(tree.root, tree.leaf_encoding, line.value, line.proof)


def test_unreadable_proofs_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"index":0}\n')
    with pytest.raises(InputError, match="bad.jsonl:1: not a proof line"):
        list(read_proofs(bad))
    with pytest.raises(InputError, match="cannot read proofs file"):
        list(read_proofs(tmp_path / "missing.jsonl"))


def test_a_bad_record_is_named_and_nothing_is_left_behind(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [trade(i) for i in range(10)]
    records[8] = {"price": 1.5e300 * 1e10}  # inf: not JSON
    with pytest.raises(InputError, match=r"records\[8\]: record is not canonical-JSON"):
        build_batch(iter(records))
    tree, _ = build_batch(records[:8])
    with pytest.raises(InputError, match="cannot write proofs"):
        write_proofs(tmp_path / "missing-dir" / "p.jsonl", tree)
    assert list(tmp_path.iterdir()) == []
