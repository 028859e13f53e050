"""The key file (``consultory.key``) beside an encrypted database.

It holds the random data key wrapped twice with AES-256-GCM — once by a key derived from
the passphrase with argon2id, once by a key derived from the recovery key — plus the salts,
the argon2id parameters and a key id (an HMAC fingerprint of the data key that identifies
which database a header belongs to and reveals nothing about it). Nothing secret is stored
in the clear. Each wrap's associated data covers the parameters and the key id, so an
altered header fails to unwrap instead of weakening anything.

Changing the passphrase writes a new passphrase wrap only; the database is not re-encrypted
and the recovery key keeps working. Writes are atomic (temporary file, fsync, rename).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.store.crypto import (
    KdfParams,
    WrongSecretError,
    creation_kdf,
    derive_passphrase_key,
    derive_recovery_key,
    looks_like_recovery_key,
    new_data_key,
    new_recovery_key,
    new_salt,
    parse_recovery_key,
    unwrap,
    wrap,
)

FORMAT = "consultory-key"
VERSION = 1
KEYFILE_SUFFIX = ".key"


class KeyFileError(Exception):
    """The key file is missing, unreadable or not a Consultory key file."""


def keyfile_path(db_path: Path) -> Path:
    return db_path.with_suffix(KEYFILE_SUFFIX)


def key_id(data_key: bytes | bytearray) -> str:
    return hmac.new(bytes(data_key), b"consultory key id", hashlib.sha256).hexdigest()[:16]


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: Any) -> bytes:
    if not isinstance(s, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(s.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Wrapped:
    nonce: bytes
    ciphertext: bytes
    salt: bytes = b""


@dataclass(frozen=True)
class KeyFile:
    kdf: KdfParams
    kdf_salt: bytes
    key_id: str
    passphrase_wrap: Wrapped
    recovery_wrap: Wrapped

    # --- creating and unlocking -------------------------------------------------------

    @classmethod
    def create(
        cls, passphrase: str, params: KdfParams | None = None
    ) -> tuple[KeyFile, bytearray, str]:
        """A new data key, wrapped by ``passphrase`` and by a new recovery key.

        Returns (key file, data key, recovery key text to show the user once)."""
        params = params or creation_kdf()
        data_key = new_data_key()
        recovery = new_recovery_key()
        kid = key_id(data_key)
        salt = new_salt()
        shell = cls(params, salt, kid, Wrapped(b"", b""), Wrapped(b"", b""))
        kf = shell.with_passphrase(data_key, passphrase, params)
        kf = kf.with_recovery_key(data_key, recovery)
        return kf, data_key, recovery

    def _passphrase_aad(self) -> bytes:
        meta = {"kdf": self.kdf.as_dict(), "salt": _b64(self.kdf_salt), "key_id": self.key_id}
        return f"{FORMAT} v{VERSION} passphrase|".encode() + json.dumps(
            meta, sort_keys=True
        ).encode("utf-8")

    def _recovery_aad(self) -> bytes:
        salt = _b64(self.recovery_wrap.salt)
        return f"{FORMAT} v{VERSION} recovery|{salt}|{self.key_id}".encode()

    def unlock_with_passphrase(self, passphrase: str) -> bytearray:
        kek = derive_passphrase_key(passphrase, self.kdf_salt, self.kdf)
        key = unwrap(
            kek, self.passphrase_wrap.nonce, self.passphrase_wrap.ciphertext, self._passphrase_aad()
        )
        return self._checked(key)

    def unlock_with_recovery_key(self, recovery: str) -> bytearray:
        raw = parse_recovery_key(recovery)
        kek = derive_recovery_key(raw, self.recovery_wrap.salt)
        key = unwrap(
            kek, self.recovery_wrap.nonce, self.recovery_wrap.ciphertext, self._recovery_aad()
        )
        return self._checked(key)

    def unlock(self, secret: str) -> bytearray:
        """Either secret works: text shaped like a recovery key is tried as one first."""
        if looks_like_recovery_key(secret):
            try:
                return self.unlock_with_recovery_key(secret)
            except WrongSecretError:
                pass
        return self.unlock_with_passphrase(secret)

    def _checked(self, key: bytearray) -> bytearray:
        if not hmac.compare_digest(key_id(key), self.key_id):
            raise WrongSecretError()
        return key

    # --- re-wrapping ------------------------------------------------------------------

    def with_passphrase(
        self, data_key: bytes | bytearray, passphrase: str, params: KdfParams | None = None
    ) -> KeyFile:
        """A copy whose passphrase wrap uses ``passphrase`` (new salt); nothing else changes."""
        params = params or self.kdf
        shell = replace(self, kdf=params, kdf_salt=new_salt())
        kek = derive_passphrase_key(passphrase, shell.kdf_salt, params)
        nonce, ct = wrap(kek, data_key, shell._passphrase_aad())
        return replace(shell, passphrase_wrap=Wrapped(nonce, ct))

    def with_recovery_key(self, data_key: bytes | bytearray, recovery: str) -> KeyFile:
        shell = replace(self, recovery_wrap=Wrapped(b"", b"", new_salt()))
        kek = derive_recovery_key(parse_recovery_key(recovery), shell.recovery_wrap.salt)
        nonce, ct = wrap(kek, data_key, shell._recovery_aad())
        return replace(shell, recovery_wrap=Wrapped(nonce, ct, shell.recovery_wrap.salt))

    # --- serialisation ----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "cipher": "sqlcipher4 raw key",
            "key_id": self.key_id,
            "kdf": {"name": "argon2id", **self.kdf.as_dict(), "salt": _b64(self.kdf_salt)},
            "passphrase": {
                "nonce": _b64(self.passphrase_wrap.nonce),
                "wrapped": _b64(self.passphrase_wrap.ciphertext),
            },
            "recovery": {
                "salt": _b64(self.recovery_wrap.salt),
                "nonce": _b64(self.recovery_wrap.nonce),
                "wrapped": _b64(self.recovery_wrap.ciphertext),
            },
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_dict(cls, d: Any) -> KeyFile:
        try:
            if not isinstance(d, dict) or d.get("format") != FORMAT:
                raise ValueError("not a key file")
            if d.get("version") != VERSION:
                raise ValueError("unknown key file version")
            kdf = d["kdf"]
            if kdf.get("name") != "argon2id":
                raise ValueError("unknown KDF")
            p, r = d["passphrase"], d["recovery"]
            kid = d["key_id"]
            if not isinstance(kid, str) or len(kid) != 16:
                raise ValueError("bad key id")
            return cls(
                kdf=KdfParams.from_dict(kdf),
                kdf_salt=_unb64(kdf["salt"]),
                key_id=kid,
                passphrase_wrap=Wrapped(_unb64(p["nonce"]), _unb64(p["wrapped"])),
                recovery_wrap=Wrapped(_unb64(r["nonce"]), _unb64(r["wrapped"]), _unb64(r["salt"])),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise KeyFileError("not a readable Consultory key file") from None

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise KeyFileError("not a readable Consultory key file") from None
        return cls.from_dict(parsed)

    @classmethod
    def read(cls, path: Path) -> KeyFile:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyFileError(f"cannot read the key file {path.name}: {exc.strerror}") from None
        return cls.from_bytes(data)

    def write(self, path: Path) -> None:
        atomic_write(path, self.to_bytes())


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600) so that a crash leaves the old or the new file."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    try:
        dfd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
