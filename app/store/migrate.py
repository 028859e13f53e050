"""Schema migrations (Alembic), run at start.

The fast path costs no Alembic import: the current revision is read straight from the
``alembic_version`` table and compared with ``HEAD_REVISION`` (a test keeps that constant
equal to Alembic's head). Only when the database is behind do we back it up (a
timestamped copy of the file) and run Alembic. A database stamped with a revision we do
not know was written by a newer Consultory: it is refused and left untouched.

Developers create a revision with ``python -m app.store.migrate revision "message"``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from app.clock import Clock, utcnow
from app.errors import SchemaTooNewError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Oldest first. Keep in step with migrations/versions (tests/unit/test_migrations.py checks).
KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002")
HEAD_REVISION = KNOWN_REVISIONS[-1]


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or None for a new (empty) database."""
    with engine.connect() as conn:
        has = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'")
            if engine.dialect.name == "sqlite"
            else text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_name = 'alembic_version'"
            )
        ).first()
        if has is None:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def _has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def backup_before_migration(db_path: Path, engine: Engine, clock: Clock | None = None) -> Path:
    """Checkpoint the WAL into the main file and copy it to a timestamped sibling."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = utcnow(clock).strftime("%Y%m%dT%H%M%SZ")
    backup_dir = db_path.parent / "backups"
    backup_dir.mkdir(mode=0o700, exist_ok=True)
    dest = backup_dir / f"{db_path.stem}-pre-migration-{stamp}{db_path.suffix}"
    shutil.copy2(db_path, dest)
    dest.chmod(0o600)
    return dest


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def ensure_schema(
    engine: Engine, db_path: Path | None = None, clock: Clock | None = None
) -> Path | None:
    """Bring the database to HEAD_REVISION. Returns the backup path if one was made.

    Raises SchemaTooNewError (and touches nothing) for a database from a newer release.
    """
    rev = current_revision(engine)
    if rev == HEAD_REVISION:
        return None
    if rev is not None and rev not in KNOWN_REVISIONS:
        raise SchemaTooNewError(
            f"This database uses schema version {rev}, which is newer than this copy of "
            f"Consultory understands (up to {HEAD_REVISION}). It was left untouched: "
            "update Consultory to open it."
        )
    backup: Path | None = None
    if db_path is not None and (rev is not None or _has_tables(engine)):
        backup = backup_before_migration(db_path, engine, clock)
    upgrade(engine)
    return backup


def _cli(argv: list[str]) -> int:  # developer tool: autogenerate a revision
    import tempfile

    from alembic import command

    from app.store.engine import sqlite_engine

    if len(argv) != 2 or argv[0] != "revision":
        print('usage: python -m app.store.migrate revision "message"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        engine = sqlite_engine(Path(tmp) / "gen.db")
        upgrade(engine)
        n = len(KNOWN_REVISIONS) + 1
        with engine.begin() as conn:
            command.revision(
                alembic_config(conn),
                message=argv[1],
                autogenerate=True,
                rev_id=f"{n:04d}",
            )
    print(f"created revision {n:04d}; add it to KNOWN_REVISIONS", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli(sys.argv[1:]))
