"""Opening a Consultory data directory: the one entry point both the CLI and the UI use."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError

from app.clock import SYSTEM_CLOCK, Clock
from app.errors import (
    DamagedDatabaseError,
    DatabaseLockedError,
    DataDirError,
    NoDatabaseError,
    PassphraseRequiredError,
    WrongPassphraseError,
)
from app.paths import DB_FILENAME, default_data_dir, ensure_private_dir, is_demo_dir
from app.store.engine import private_sidecars, sqlite_engine
from app.store.migrate import ensure_schema

if TYPE_CHECKING:  # crypto loads only for encrypted data (start-up cost)
    from app.store.crypto import KeyHolder

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Database:
    data_dir: Path
    db_path: Path
    engine: Engine
    clock: Clock = field(default=SYSTEM_CLOCK)
    is_demo: bool = False
    migration_backup: Path | None = None
    encrypted: bool = False
    read_only: bool = False  # a damaged file: see ``damage`` and offer a restore
    damage: tuple[str, ...] = ()
    key: KeyHolder | None = field(default=None, repr=False)

    def dispose(self) -> None:
        """Close every pooled connection and drop the key (the store is then locked)."""
        self.engine.dispose()
        if self.key is not None:
            self.key.drop()

    def integrity_check(self) -> str:
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA quick_check").first()
        return "" if row is None else str(row[0])


def open_database(
    data_dir: Path | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    migrate: bool = True,
    encrypted: bool | None = None,
    passphrase: str | None = None,
    data_key: bytes | bytearray | None = None,
) -> Database:
    """Open (creating if needed) the database in ``data_dir`` and migrate it to head.

    A directory with a key file (``consultory.key``) holds an encrypted database: pass the
    ``passphrase`` (a recovery key works too) or the unwrapped ``data_key``. A new encrypted
    database is created by ``app.services.security.create_store``, which writes the key file
    first. Plain SQLite is used for an existing plain file, for demo directories and when
    ``encrypted=False`` is passed explicitly (tests); a new non-demo directory without a key
    file raises NoDatabaseError rather than silently writing unencrypted data.

    Raises DataDirError, SchemaTooNewError, DatabaseLockedError, DamagedDatabaseError,
    PassphraseRequiredError, NoDatabaseError or WrongPassphraseError, each with a message
    that says what to do.
    """
    data_dir = ensure_private_dir(Path(data_dir) if data_dir else default_data_dir())
    db_path = data_dir / DB_FILENAME
    if db_path.exists() and not db_path.is_file():
        raise DataDirError(f"{db_path} is not a file. Choose another data directory.")
    from app.store.keyfile import keyfile_path

    if keyfile_path(db_path).exists() or encrypted:
        return _open_encrypted(data_dir, db_path, clock, migrate, passphrase, data_key)
    size = db_path.stat().st_size if db_path.exists() else 0
    if size and _read_magic(db_path) != SQLITE_MAGIC:
        raise DamagedDatabaseError(
            f"{db_path} is encrypted or damaged, and its key file consultory.key is missing. "
            "Restore the data directory from a backup (backups carry the key file)."
        )
    if not size and encrypted is None and not is_demo_dir(data_dir):
        raise NoDatabaseError(
            f"There is no Consultory database in {data_dir} yet. Start the desktop app to "
            "create one with a passphrase, or set CONSULTORY_PASSPHRASE and run a command."
        )
    engine = sqlite_engine(db_path)
    backup = _ensure_schema_or_raise(engine, db_path, clock) if migrate else None
    private_sidecars(db_path)
    return Database(
        data_dir=data_dir,
        db_path=db_path,
        engine=engine,
        clock=clock,
        is_demo=is_demo_dir(data_dir),
        migration_backup=backup,
    )


def _ensure_schema_or_raise(engine: Engine, db_path: Path, clock: Clock) -> Path | None:
    """Migrate to head; driver errors become typed, user-facing errors (engine disposed)."""
    try:
        return ensure_schema(engine, db_path, clock)
    except SADatabaseError as exc:
        engine.dispose()
        msg = str(exc.orig).lower() if exc.orig else ""
        if "locked" in msg or "busy" in msg:
            raise DatabaseLockedError(
                "The database is locked by another Consultory process. Close it and retry."
            ) from None
        raise DamagedDatabaseError(
            f"{db_path} is not a readable Consultory database (damaged or not a database). "
            "Restore it from a backup or choose another data directory."
        ) from None
    except sqlite3.DatabaseError:
        engine.dispose()
        raise DamagedDatabaseError(
            f"{db_path} is not a readable Consultory database. Restore it from a backup."
        ) from None


def _read_magic(db_path: Path) -> bytes:
    with db_path.open("rb") as fh:
        return fh.read(len(SQLITE_MAGIC))


def _open_encrypted(
    data_dir: Path,
    db_path: Path,
    clock: Clock,
    migrate: bool,
    passphrase: str | None,
    data_key: bytes | bytearray | None,
) -> Database:
    from app.store.crypto import (
        WrongSecretError,
        cipher_check,
        cipher_connect,
        sqlcipher_connector,
        sqlcipher_module,
    )
    from app.store.keyfile import KeyFile, KeyFileError, key_id, keyfile_path

    kpath = keyfile_path(db_path)
    if not kpath.exists():
        if db_path.exists() and db_path.stat().st_size:
            raise DamagedDatabaseError(
                f"The key file {kpath.name} is missing next to the database. Restore the data "
                "directory from a backup (backups carry the key file)."
            )
        raise NoDatabaseError(
            f"There is no encrypted Consultory database in {data_dir} yet: create one first."
        )
    try:
        header = KeyFile.read(kpath)
    except KeyFileError:
        raise DamagedDatabaseError(
            f"The key file {kpath.name} is damaged. Restore the data directory from a backup."
        ) from None
    if data_key is not None:
        if key_id(data_key) != header.key_id:
            raise WrongPassphraseError()
        key = bytearray(data_key)
    elif passphrase is not None:
        try:
            key = header.unlock(passphrase)
        except WrongSecretError:
            raise WrongPassphraseError() from None
    else:
        raise PassphraseRequiredError(
            "This database is encrypted: enter its passphrase (or recovery key). Headless "
            "commands read it from a prompt or from the CONSULTORY_PASSPHRASE variable."
        )
    from app.store.crypto import KeyHolder

    holder = KeyHolder(key)
    dbapi = sqlcipher_module()
    problems: list[str] = []
    if db_path.exists() and db_path.stat().st_size:
        try:
            conn = cipher_connect(db_path, holder)
            try:
                problems = cipher_check(conn)
            finally:
                conn.close()
        except dbapi.DatabaseError as exc:
            msg = str(exc).lower()
            holder.drop()
            if "locked" in msg or "busy" in msg:
                raise DatabaseLockedError(
                    "The database is locked by another Consultory process. Close it and retry."
                ) from None
            raise DamagedDatabaseError(
                f"{db_path} cannot be read with this key (damaged, or not this key file's "
                "database). Restore it from a backup."
            ) from None
    read_only = bool(problems)
    engine = sqlite_engine(
        db_path, sqlcipher_connector(db_path, holder, read_only=read_only), module=dbapi
    )
    backup: Path | None = None
    try:
        if migrate and not read_only:
            backup = _ensure_schema_or_raise(engine, db_path, clock)
    except BaseException:
        holder.drop()
        raise
    private_sidecars(db_path)
    return Database(
        data_dir=data_dir,
        db_path=db_path,
        engine=engine,
        clock=clock,
        is_demo=is_demo_dir(data_dir),
        migration_backup=backup,
        encrypted=True,
        read_only=read_only,
        damage=tuple(problems[:20]),
        key=holder,
    )
