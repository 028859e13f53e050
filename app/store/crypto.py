"""Key material for the encrypted store: argon2id, AES-GCM key wrapping, recovery keys and
the SQLCipher connector.

The database is keyed with a random 256-bit *data key*. It never touches the disk in the
clear: ``app.store.keyfile`` keeps it wrapped (AES-256-GCM) by a key derived from the
passphrase with argon2id and, separately, by a key derived from the recovery key. Opening a
connection uses the raw key (``PRAGMA key = "x'…'"``), so connections cost no derivation.

Python cannot reliably wipe immutable ``bytes``/``str``; the data key lives in a
``KeyHolder`` (a ``bytearray`` that is zeroed on lock) and the per-connection hex string is
built, used and dropped inside the connector.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
RECOVERY_KEY_BYTES = 20  # 160 bits -> 32 base32 characters, shown in 8 groups of 4
WRONG_SECRET = "Wrong passphrase or damaged file."


class WrongSecretError(Exception):
    """An unwrap failed: wrong passphrase/recovery key, or the header was altered.

    Deliberately says nothing about which (and never carries the secret)."""

    def __init__(self) -> None:
        super().__init__(WRONG_SECRET)


@dataclass(frozen=True)
class KdfParams:
    """argon2id cost. Stored in the key file, so tuning never locks anyone out."""

    time_cost: int = 7  # ~0.4 s here (tests/bench/bench_unlock.py)
    memory_kib: int = 128 * 1024
    parallelism: int = 2

    def as_dict(self) -> dict[str, int]:
        return {
            "time_cost": self.time_cost,
            "memory_kib": self.memory_kib,
            "parallelism": self.parallelism,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KdfParams:
        params = cls(int(d["time_cost"]), int(d["memory_kib"]), int(d["parallelism"]))
        if not (1 <= params.time_cost <= 64 and 8 <= params.memory_kib <= 4 * 1024 * 1024):
            raise ValueError("implausible argon2id parameters")
        if not 1 <= params.parallelism <= 64:
            raise ValueError("implausible argon2id parameters")
        return params


# Tuned on a 2-core machine: unlock (derive + unwrap + open) takes about 0.4 s.
# tests/bench/bench_unlock.py prints the figures.
DEFAULT_KDF = KdfParams()
# Only for test suites (set CONSULTORY_TEST_FAST_KDF=1): the parameters are written into the
# key file, so a store created this way stays cheap to unlock. Never use for real data.
FAST_TEST_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)


def creation_kdf() -> KdfParams:
    return FAST_TEST_KDF if os.environ.get("CONSULTORY_TEST_FAST_KDF") == "1" else DEFAULT_KDF


def new_data_key() -> bytearray:
    return bytearray(secrets.token_bytes(DATA_KEY_BYTES))


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def derive_passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return bytes(
        hash_secret_raw(
            passphrase.encode("utf-8"),
            salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=32,
            type=Type.ID,
        )
    )


def derive_recovery_key(recovery: bytes, salt: bytes) -> bytes:
    """The recovery key already has 160 random bits: HKDF is enough, and it is instant."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"consultory recovery key"
    ).derive(recovery)


def wrap(kek: bytes, data_key: bytes | bytearray, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM: returns (nonce, ciphertext+tag)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(kek).encrypt(nonce, bytes(data_key), aad)


def unwrap(kek: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytearray:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        plain = AESGCM(kek).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError):
        raise WrongSecretError() from None
    if len(plain) != DATA_KEY_BYTES:
        raise WrongSecretError()
    return bytearray(plain)


# --- recovery keys ------------------------------------------------------------------------

_B32_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_recovery_key() -> str:
    """A fresh recovery key, formatted for people: ``ABCD-EFGH-…`` (8 groups of 4)."""
    raw = secrets.token_bytes(RECOVERY_KEY_BYTES)
    text = base64.b32encode(raw).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """Accepts any case, spaces or dashes, and 0/1/8 typed for O/I/B. Raises
    WrongSecretError for anything that is not a recovery key."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_B32_FIXES)
    if len(cleaned) != RECOVERY_KEY_BYTES * 8 // 5:
        raise WrongSecretError()
    try:
        raw = base64.b32decode(cleaned)
    except ValueError:  # binascii.Error is a ValueError
        raise WrongSecretError() from None
    return raw


def looks_like_recovery_key(text: str) -> bool:
    try:
        parse_recovery_key(text)
    except WrongSecretError:
        return False
    return True


def same_secret(a: bytes | bytearray, b: bytes | bytearray) -> bool:
    return hmac.compare_digest(bytes(a), bytes(b))


# --- the unlocked key ---------------------------------------------------------------------


class KeyHolder:
    """Holds the data key while the store is unlocked; ``drop()`` zeroes it."""

    def __init__(self, key: bytes | bytearray) -> None:
        if len(key) != DATA_KEY_BYTES:
            raise ValueError("a data key is 32 bytes")
        self._key: bytearray | None = bytearray(key)

    @property
    def available(self) -> bool:
        return self._key is not None

    def key(self) -> bytearray:
        if self._key is None:
            from app.errors import StoreLockedError

            raise StoreLockedError("Consultory is locked: unlock it to continue.")
        return self._key

    def pragma(self) -> str:
        return f"PRAGMA key = \"x'{self.key().hex()}'\""

    def drop(self) -> None:
        if self._key is not None:
            for i in range(len(self._key)):
                self._key[i] = 0
        self._key = None

    def __repr__(self) -> str:  # never show key material
        return f"KeyHolder(available={self.available})"


# --- SQLCipher ----------------------------------------------------------------------------


def sqlcipher_module() -> Any:
    import sqlcipher3

    return sqlcipher3


def cipher_connect(
    db_path: Path, holder: KeyHolder, *, read_only: bool = False, timeout_s: float = 5.0
) -> Any:
    """A new sqlcipher3 connection on ``db_path``, keyed before anything else runs."""
    sqlcipher3 = sqlcipher_module()
    prev = os.umask(0o077)  # -wal and -shm are private too
    try:
        if read_only:
            conn = sqlcipher3.connect(
                f"file:{db_path}?mode=ro", uri=True, timeout=timeout_s, check_same_thread=False
            )
        else:
            conn = sqlcipher3.connect(str(db_path), timeout=timeout_s, check_same_thread=False)
    finally:
        os.umask(prev)
    # SQLCipher logs decryption failures to stderr by default: nothing may go there.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(holder.pragma())
    # Sorts and temporary indices stay in memory: no plaintext temporary files.
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def sqlcipher_connector(
    db_path: Path, holder: KeyHolder, *, read_only: bool = False
) -> Callable[[], Any]:
    def _connect() -> Any:
        return cipher_connect(db_path, holder, read_only=read_only)

    return _connect


def cipher_check(conn: Any) -> list[str]:
    """Problems found by SQLCipher's page HMAC check and SQLite's quick_check ([] = fine)."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # page 1: raises if unreadable
    dbapi = sqlcipher_module()
    problems: list[str] = []
    try:
        problems += [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
    except dbapi.DatabaseError as exc:
        problems.append(f"cipher check stopped: {exc}")
    try:
        quick = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    except dbapi.DatabaseError as exc:
        quick = [f"quick_check stopped: {exc}"]
    if quick != ["ok"]:
        problems.extend(quick)
    return problems
