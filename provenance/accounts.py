"""Accounts: encrypted keystore files, and the well-known dev keys on a local chain only.

Private keys live in :class:`~provenance.chain.Signer` objects and never reach output, logs
or error messages. Keystores are Web3 Secret Storage (scrypt) files made by eth-account.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import warnings
from pathlib import Path

from eth_account import Account

from provenance._internal.files import atomic_write
from provenance.chain import Signer
from provenance.errors import InputError, KeystoreError

__all__ = [
    "DEV_MNEMONIC",
    "LOCAL_CHAIN_IDS",
    "PASSWORD_ENV",
    "DevKeyWarning",
    "create_keystore",
    "dev_signer",
    "load_keystore",
    "read_password",
]

# anvil's default mnemonic: public knowledge, funds nothing outside a local chain.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
LOCAL_CHAIN_IDS = frozenset({31337, 1337})
PASSWORD_ENV = "PROVENANCE_PASSWORD"


class DevKeyWarning(UserWarning):
    """A well-known development key is in use."""


def dev_signer(index: int, chain_id: int) -> Signer:
    """The ``index``-th anvil dev account; refused unless ``chain_id`` is a local chain's."""
    if chain_id not in LOCAL_CHAIN_IDS:
        raise KeystoreError(f"dev keys are only allowed on a local chain (chain id 31337 or 1337), not {chain_id}")
    if not 0 <= index < 100:
        raise InputError(f"dev account index must be 0..99, got {index}")
    Account.enable_unaudited_hdwallet_features()
    acct = Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    warnings.warn(f"using well-known dev key #{index} ({acct.address}); local chain only", DevKeyWarning, stacklevel=2)
    return Signer(bytes(acct.key))


def read_password(prompt: str = "Keystore password: ", *, confirm: bool = False) -> str:
    """The password from ``PROVENANCE_PASSWORD``, else from a prompt (never echoed)."""
    env = os.environ.get(PASSWORD_ENV)
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise KeystoreError(f"no password: set {PASSWORD_ENV} or run in a terminal")
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat password: ") != password:
        raise KeystoreError("passwords do not match")
    return password


def create_keystore(path: Path | str, password: str, private_key: bytes | None = None) -> str:
    """Write a new encrypted keystore (a fresh key unless one is given); returns its address."""
    if not password:
        raise KeystoreError("refusing to write a keystore with an empty password")
    path = Path(path)
    if path.exists():
        raise KeystoreError(f"keystore {path} already exists; not overwriting it")
    acct = Account.from_key(private_key) if private_key is not None else Account.create()
    doc = Account.encrypt(acct.key, password)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(doc).encode(), mode=0o600)
    except OSError as exc:
        raise KeystoreError(f"cannot write keystore {path}: {exc.strerror}") from None
    return str(acct.address)


def load_keystore(path: Path | str, password: str) -> Signer:
    """Decrypt a keystore; a wrong password or a damaged file is a :class:`KeystoreError`."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeystoreError(f"no keystore at {path}") from None
    except (OSError, json.JSONDecodeError):
        raise KeystoreError(f"keystore {path} is unreadable or not JSON") from None
    try:
        key = Account.decrypt(doc, password)
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise KeystoreError(f"wrong password for keystore {path}") from None
        raise KeystoreError(f"keystore {path} is malformed") from None
    except (KeyError, TypeError):
        raise KeystoreError(f"keystore {path} is malformed") from None
    return Signer(bytes(key))
