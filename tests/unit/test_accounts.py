from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.accounts import DevKeyWarning, create_keystore, dev_signer, load_keystore
from provenance.errors import InputError, KeystoreError


def test_keystore_round_trip_and_wrong_password(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    address = create_keystore(path, "correct horse", private_key=b"\x01" * 32)
    assert load_keystore(path, "correct horse").address == address
    with pytest.raises(KeystoreError, match="wrong password"):
        load_keystore(path, "wrong")
    # The file is encrypted: the key is not in it.
    assert ("01" * 32) not in path.read_text()
    assert (path.stat().st_mode & 0o777) == 0o600


def test_keystore_refuses_overwrite_and_empty_password(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    create_keystore(path, "pw")
    with pytest.raises(KeystoreError, match="already exists"):
        create_keystore(path, "pw")
    with pytest.raises(KeystoreError, match="empty password"):
        create_keystore(tmp_path / "other.json", "")


def test_damaged_keystore(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text("{not json")
    with pytest.raises(KeystoreError, match="unreadable"):
        load_keystore(path, "pw")
    path.write_text(json.dumps({"crypto": {}}))
    with pytest.raises(KeystoreError, match="malformed"):
        load_keystore(path, "pw")
    with pytest.raises(KeystoreError, match="no keystore"):
        load_keystore(tmp_path / "missing.json", "pw")


def test_dev_keys_local_only() -> None:
    with pytest.warns(DevKeyWarning):
        signer = dev_signer(0, 31337)
    assert signer.address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    with pytest.raises(KeystoreError, match="local chain"):
        dev_signer(0, 1)
    with pytest.raises(InputError):
        dev_signer(-1, 31337)


def test_signer_never_shows_its_key() -> None:
    with pytest.warns(DevKeyWarning):
        signer = dev_signer(1, 31337)
    key = signer._key.secret.hex()
    assert key not in repr(signer) and key not in str(signer)
