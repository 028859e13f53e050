"""Engine creation for the embedded SQLite default (and, later, SQLCipher / PostgreSQL).

Every SQLite connection gets WAL, ``synchronous=FULL``, foreign keys and a busy timeout.
Engines always use ``hide_parameters=True`` so that row values never reach logs or
exception messages. Database files are created 0600.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool

from app.errors import DatabaseLockedError, ReadOnlyDatabaseError

if TYPE_CHECKING:
    from sqlmodel import Session

# How long a writer waits for another process's lock before giving up with a clear
# message. CONSULTORY_BUSY_TIMEOUT_MS overrides it (tests use a short one).
BUSY_TIMEOUT_MS = int(os.environ.get("CONSULTORY_BUSY_TIMEOUT_MS", "5000"))

Connector = Callable[[], Any]


def touch_private(path: Path) -> None:
    """Create ``path`` with mode 0600 if missing, and tighten its mode if present."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def private_sidecars(db_path: Path) -> None:
    """SQLite creates -wal/-shm with the process umask; tighten them to 0600."""
    for suffix in ("-wal", "-shm", "-journal"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.chmod(side, 0o600)


def _apply_pragmas(dbapi_conn: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def sqlite_engine(
    db_path: Path, connector: Connector | None = None, *, module: Any = None
) -> Engine:
    """An engine on ``db_path``. ``connector`` returns a new DB-API connection (the
    encrypted store passes one that keys SQLCipher); by default plain sqlite3. ``module`` is
    the connector's DB-API module (sqlcipher3) so SQLAlchemy wraps its exceptions."""
    touch_private(db_path)

    def _plain() -> Any:
        # -wal and -shm are created by SQLite with the process umask: make them private.
        prev = os.umask(0o077)
        try:
            return sqlite3.connect(
                str(db_path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
        finally:
            os.umask(prev)

    creator = connector or _plain
    engine = create_engine(
        "sqlite://",
        creator=creator,
        hide_parameters=True,
        poolclass=QueuePool,
        **({"module": module} if module is not None else {}),
        pool_size=2,
        max_overflow=4,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy manage transactions (pysqlite's legacy mode would defer BEGIN).
        dbapi_conn.isolation_level = None
        _apply_pragmas(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error. Lock timeouts become a
    typed, user-facing error."""
    from sqlmodel import Session  # the ORM loads on first use, not on the Today path

    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
            raise DatabaseLockedError(
                "The database is busy in another Consultory window or process. "
                "Close it or try again in a moment."
            ) from None
        if "readonly" in str(exc.orig).lower():
            raise ReadOnlyDatabaseError(
                "The database is open read-only because it is damaged. Restore it from a "
                "backup (Settings › Security, or: consultory restore FILE)."
            ) from None
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
