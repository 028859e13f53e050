"""Backups: one self-contained file per backup, verified before anything is replaced.

A backup file is::

    MAGIC (b"CONSULTORY-BACKUP\\n") | 8-byte big-endian header length | header JSON | database

The database part is a consistent snapshot made with ``VACUUM INTO`` — still encrypted with
the data key when the store is encrypted — and the header carries the key file (wrapped keys
only, nothing secret in clear), the schema revision and a SHA-256 of the database part. So a
backup can be restored on a new computer with the passphrase it had or with the recovery key.

Restore verifies size, checksum, the key, SQLCipher's page HMACs, SQLite's quick_check and
the schema revision, and only then moves the current database (with its -wal/-shm and key
file) into ``backups/replaced-<time>/`` and puts the restored one in its place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app.clock import Clock, utcnow
from app.errors import BackupError, WrongPassphraseError
from app.store.crypto import KeyHolder, WrongSecretError, cipher_check, cipher_connect
from app.store.keyfile import KeyFile, KeyFileError, fsync_dir, keyfile_path
from app.store.migrate import HEAD_REVISION, KNOWN_REVISIONS

MAGIC = b"CONSULTORY-BACKUP\n"
FORMAT = "consultory-backup"
VERSION = 1
SUFFIX = ".consultory-backup"
AUTO_DIR = "auto"
STAMP = "%Y%m%dT%H%M%SZ"
CHUNK = 1 << 20
MAX_HEADER = 1 << 20


@dataclass(frozen=True)
class BackupHeader:
    created_at: datetime
    encrypted: bool
    schema: str | None
    db_size: int
    db_sha256: str
    keyfile: KeyFile | None

    def to_bytes(self) -> bytes:
        d: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at.astimezone(UTC).strftime(STAMP),
            "encrypted": self.encrypted,
            "schema": self.schema,
            "db_size": self.db_size,
            "db_sha256": self.db_sha256,
            "keyfile": self.keyfile.to_dict() if self.keyfile else None,
        }
        return json.dumps(d, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> BackupHeader:
        try:
            d = json.loads(data.decode("utf-8"))
            if d.get("format") != FORMAT or d.get("version") != VERSION:
                raise ValueError("format")
            encrypted = bool(d["encrypted"])
            kf = KeyFile.from_dict(d["keyfile"]) if encrypted else None
            return cls(
                created_at=datetime.strptime(d["created_at"], STAMP).replace(tzinfo=UTC),
                encrypted=encrypted,
                schema=d.get("schema"),
                db_size=int(d["db_size"]),
                db_sha256=str(d["db_sha256"]),
                keyfile=kf,
            )
        except (KeyError, TypeError, ValueError, AttributeError, KeyFileError):
            raise BackupError(
                "This file is not a Consultory backup, or its header is damaged."
            ) from None


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    size: int
    encrypted: bool
    automatic: bool


@dataclass(frozen=True)
class RestoreResult:
    replaced_dir: Path | None
    created_at: datetime
    kept_keyfile: bool


# --- writing ------------------------------------------------------------------------------


@contextmanager
def _private_umask() -> Iterator[None]:
    prev = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(prev)


def _schema_of(conn: Any) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception:  # noqa: BLE001 - any driver's "no such table"
        return None
    return None if row is None else str(row[0])


def _open_snapshot(path: Path, holder: KeyHolder | None) -> Any:
    if holder is not None:
        return cipher_connect(path, holder)
    return sqlite3.connect(str(path))


def _verify_snapshot(path: Path, holder: KeyHolder | None) -> str | None:
    """Raises BackupError unless ``path`` decrypts and checks clean; returns its schema."""
    try:
        conn = _open_snapshot(path, holder)
        try:
            if holder is not None:
                problems = cipher_check(conn)
            else:
                problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
                problems = [] if problems == ["ok"] else problems
            schema = _schema_of(conn)
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - sqlite3 and sqlcipher3 raise unrelated classes
        raise BackupError(
            "The backup's database cannot be read with this key (damaged or from another "
            "database). Nothing was replaced."
        ) from None
    if problems:
        raise BackupError(
            f"The backup's database failed its integrity check ({len(problems)} problem(s)). "
            "Nothing was replaced; try an older backup."
        )
    if schema is not None and schema not in KNOWN_REVISIONS:
        raise BackupError(
            f"The backup uses schema {schema}, newer than this Consultory understands (up to "
            f"{HEAD_REVISION}). Update Consultory to restore it. Nothing was replaced."
        )
    return schema


def write_backup(
    engine: Any,
    db_path: Path,
    dest: Path,
    *,
    holder: KeyHolder | None,
    clock: Clock | None = None,
) -> BackupInfo:
    """Snapshot the open database into the backup file ``dest`` (atomically, 0600)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = utcnow(clock)
    snap = dest.with_name(f".{dest.name}.snapshot-{os.getpid()}")
    part = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    snap.unlink(missing_ok=True)
    try:
        # VACUUM cannot run inside the transaction SQLAlchemy opens: use the raw connection.
        raw = engine.raw_connection()
        try:
            with _private_umask():
                raw.driver_connection.execute("VACUUM INTO ?", (str(snap),))
        finally:
            raw.close()
        schema = _verify_snapshot(snap, holder)
        digest = hashlib.sha256()
        size = 0
        with snap.open("rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
        keyfile = KeyFile.read(keyfile_path(db_path)) if holder is not None else None
        header = BackupHeader(now, holder is not None, schema, size, digest.hexdigest(), keyfile)
        hbytes = header.to_bytes()
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, snap.open("rb") as src:
            out.write(MAGIC + struct.pack(">Q", len(hbytes)) + hbytes)
            shutil.copyfileobj(src, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, dest)
        fsync_dir(dest.parent)
    except OSError as exc:
        raise BackupError(
            f"The backup could not be written to {dest.parent}: {exc.strerror or exc}. "
            "Check the space and permissions there."
        ) from None
    finally:
        snap.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    return BackupInfo(dest, now, dest.stat().st_size, holder is not None, False)


# --- reading ------------------------------------------------------------------------------


def _read_header(fh: BinaryIO) -> BackupHeader:
    if fh.read(len(MAGIC)) != MAGIC:
        raise BackupError("This file is not a Consultory backup.")
    raw_len = fh.read(8)
    if len(raw_len) != 8:
        raise BackupError("This backup is truncated.")
    (hlen,) = struct.unpack(">Q", raw_len)
    if not 0 < hlen <= MAX_HEADER:
        raise BackupError("This file is not a Consultory backup, or its header is damaged.")
    data = fh.read(hlen)
    if len(data) != hlen:
        raise BackupError("This backup is truncated.")
    return BackupHeader.from_bytes(data)


def read_header(path: Path) -> BackupHeader:
    try:
        with Path(path).open("rb") as fh:
            return _read_header(fh)
    except OSError as exc:
        raise BackupError(f"Cannot read {Path(path).name}: {exc.strerror or exc}.") from None


def _extract(path: Path, target: Path) -> BackupHeader:
    """Copy the database part to ``target`` checking its size and SHA-256."""
    try:
        with Path(path).open("rb") as fh:
            header = _read_header(fh)
            digest = hashlib.sha256()
            size = 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: fh.read(CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise BackupError(f"Cannot read {Path(path).name}: {exc.strerror or exc}.") from None
    if size != header.db_size or digest.hexdigest() != header.db_sha256:
        target.unlink(missing_ok=True)
        raise BackupError(
            "This backup is damaged or truncated (its checksum does not match). Nothing was "
            "replaced; try another backup."
        )
    return header


def backup_key(
    header: BackupHeader,
    current: KeyFile | None,
    *,
    data_key: bytes | bytearray | None = None,
    secret: str | None = None,
) -> bytearray:
    """The data key that opens an encrypted backup: the unlocked key if it is the same
    database's, else whatever ``secret`` (passphrase or recovery key) unwraps from the
    current key file or from the backup's own. Raises WrongPassphraseError."""
    from app.store.keyfile import key_id

    assert header.keyfile is not None
    want = header.keyfile.key_id
    if data_key is not None and key_id(data_key) == want:
        return bytearray(data_key)
    if secret is not None:
        for kf in (current, header.keyfile):
            if kf is None or kf.key_id != want:
                continue
            try:
                return kf.unlock(secret)
            except WrongSecretError:
                continue
    raise WrongPassphraseError()


def verify_backup(
    path: Path,
    current: KeyFile | None = None,
    *,
    data_key: bytes | bytearray | None = None,
    secret: str | None = None,
    scratch_dir: Path | None = None,
) -> BackupHeader:
    """Full check of a backup file without changing anything but a scratch file."""
    scratch_dir = Path(scratch_dir) if scratch_dir else Path(path).parent
    tmp = scratch_dir / f".verify-{os.getpid()}.db"
    try:
        header = _extract(path, tmp)
        holder = None
        if header.encrypted:
            holder = KeyHolder(backup_key(header, current, data_key=data_key, secret=secret))
        try:
            _verify_snapshot(tmp, holder)
        finally:
            if holder is not None:
                holder.drop()
        return header
    finally:
        tmp.unlink(missing_ok=True)


def restore_backup(
    path: Path,
    db_path: Path,
    *,
    data_key: bytes | bytearray | None = None,
    secret: str | None = None,
    clock: Clock | None = None,
) -> tuple[RestoreResult, bytearray | None]:
    """Replace the database at ``db_path`` by the backup ``path`` after verifying it.

    The caller must have disposed its engine. Returns the result and the data key of the
    restored database (None for a plain one), so the caller can reopen without asking again.
    """
    kpath = keyfile_path(db_path)
    current: KeyFile | None = None
    if kpath.exists():
        try:
            current = KeyFile.read(kpath)
        except KeyFileError:
            current = None
    tmp = db_path.with_name(f".restore-{os.getpid()}{db_path.suffix}")
    header = _extract(path, tmp)
    key: bytearray | None = None
    try:
        if header.encrypted:
            key = backup_key(header, current, data_key=data_key, secret=secret)
            holder = KeyHolder(key)
            try:
                _verify_snapshot(tmp, holder)
            finally:
                holder.drop()
        else:
            if current is not None:
                raise BackupError(
                    "This backup is unencrypted (a demo or test database) and cannot replace "
                    "an encrypted database. Nothing was replaced."
                )
            _verify_snapshot(tmp, None)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    replaced = _move_aside(db_path, clock)
    os.replace(tmp, db_path)
    kept = (
        current is not None
        and header.keyfile is not None
        and (current.key_id == header.keyfile.key_id)
    )
    if header.keyfile is not None and not kept:
        header.keyfile.write(kpath)
    fsync_dir(db_path.parent)
    return RestoreResult(replaced, header.created_at, kept), key


def _move_aside(db_path: Path, clock: Clock | None) -> Path | None:
    """Keep the database being replaced (with its -wal/-shm and key file)."""
    present = [
        p
        for p in (
            db_path,
            db_path.with_name(db_path.name + "-wal"),
            db_path.with_name(db_path.name + "-shm"),
            keyfile_path(db_path),
        )
        if p.exists()
    ]
    if not present:
        return None
    base = db_path.parent / "backups" / f"replaced-{utcnow(clock).strftime(STAMP)}"
    dest, n = base, 1
    while dest.exists():
        n += 1
        dest = base.with_name(f"{base.name}-{n}")
    dest.mkdir(parents=True, mode=0o700)
    for p in present:
        if p == keyfile_path(db_path):
            shutil.copy2(p, dest / p.name)  # the key file stays: it may be kept
        else:
            os.replace(p, dest / p.name)
    fsync_dir(dest)
    return dest


# --- automatic backups --------------------------------------------------------------------


def auto_dir(data_dir: Path) -> Path:
    return data_dir / "backups" / AUTO_DIR


def auto_backup_path(data_dir: Path, when: datetime) -> Path:
    return auto_dir(data_dir) / f"consultory-{when.astimezone(UTC).strftime(STAMP)}{SUFFIX}"


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """Automatic backups, newest first (times from the file names; headers unread)."""
    out: list[BackupInfo] = []
    d = auto_dir(data_dir)
    if not d.is_dir():
        return out
    for p in d.glob(f"consultory-*{SUFFIX}"):
        stamp = p.name[len("consultory-") : -len(SUFFIX)]
        try:
            when = datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        try:
            encrypted = read_header(p).encrypted
        except BackupError:
            encrypted = False
        out.append(BackupInfo(p, when, p.stat().st_size, encrypted, True))
    out.sort(key=lambda b: b.created_at, reverse=True)
    return out


def prune(data_dir: Path, keep: int) -> list[Path]:
    removed = []
    for info in list_backups(data_dir)[max(keep, 1) :]:
        info.path.unlink(missing_ok=True)
        removed.append(info.path)
    return removed
