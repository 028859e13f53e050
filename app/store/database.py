"""Opening a Consultory data directory: the one entry point both the CLI and the UI use."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError

from app.clock import SYSTEM_CLOCK, Clock
from app.errors import DamagedDatabaseError, DatabaseLockedError, DataDirError
from app.paths import DB_FILENAME, default_data_dir, ensure_private_dir, is_demo_dir
from app.store.engine import private_sidecars, sqlite_engine
from app.store.migrate import ensure_schema


@dataclass
class Database:
    data_dir: Path
    db_path: Path
    engine: Engine
    clock: Clock = field(default=SYSTEM_CLOCK)
    is_demo: bool = False
    migration_backup: Path | None = None

    def dispose(self) -> None:
        self.engine.dispose()

    def integrity_check(self) -> str:
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA quick_check").first()
        return "" if row is None else str(row[0])


def open_database(
    data_dir: Path | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    migrate: bool = True,
) -> Database:
    """Open (creating if needed) the database in ``data_dir`` and migrate it to head.

    Raises DataDirError, SchemaTooNewError, DatabaseLockedError or DamagedDatabaseError,
    each with a message that says what to do.
    """
    data_dir = ensure_private_dir(Path(data_dir) if data_dir else default_data_dir())
    db_path = data_dir / DB_FILENAME
    if db_path.exists() and not db_path.is_file():
        raise DataDirError(f"{db_path} is not a file. Choose another data directory.")
    engine = sqlite_engine(db_path)
    try:
        backup = ensure_schema(engine, db_path, clock) if migrate else None
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
    private_sidecars(db_path)
    return Database(
        data_dir=data_dir,
        db_path=db_path,
        engine=engine,
        clock=clock,
        is_demo=is_demo_dir(data_dir),
        migration_backup=backup,
    )
