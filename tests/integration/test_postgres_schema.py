"""The same schema and services on PostgreSQL (for a shared practice database later).

Starts a throwaway PostgreSQL cluster on 127.0.0.1 (Debian's postgresql package; .ci/run
installs it) and skips with a reason when the server binaries are not installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.store import migrate
from app.store.database import Database
from tests.fakes import FakeClock

BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
psycopg = pytest.importorskip("psycopg")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb refuses to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[Engine]:
    if not BINS:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser")
    bindir = Path(BINS[-1])
    # pytest's own temp tree is private to this user; the server runs as postgres
    base = Path(tempfile.mkdtemp(prefix="consultory-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    port = _free_port()
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                                 "-l", str(base / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        subprocess.run(_as_postgres([str(bindir / "createdb"), "-h", "127.0.0.1", "-p",
                                     str(port), "-U", "postgres", "consultory"]),
                       check=True, capture_output=True)
        engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/consultory",
                               hide_parameters=True)
        yield engine
        engine.dispose()
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                     "-w", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_migrations_build_the_same_schema_on_postgresql(pg_engine: Engine) -> None:
    migrate.upgrade(pg_engine)
    assert migrate.current_revision(pg_engine) == migrate.HEAD_REVISION
    with pg_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_services_run_on_postgresql(pg_engine: Engine, tmp_path: Path) -> None:
    from app.services import practice, sessions, today

    if migrate.current_revision(pg_engine) != migrate.HEAD_REVISION:
        migrate.upgrade(pg_engine)
    clock = FakeClock()
    db = Database(data_dir=tmp_path, db_path=tmp_path / "unused", engine=pg_engine, clock=clock)
    me = practice.setup_solo_practice(db, "Pg Therapist", timezone="America/New_York",
                                      group_name="Pg peer group")
    g = practice.find_group(db, "pg peer group")
    assert g.coordinator_names == ("Pg Therapist",)
    with pytest.raises(Exception, match="already exists"):
        practice.create_group(db, "PG PEER GROUP")
    sessions.create_series(db, g.id, "Weekly", datetime(2026, 1, 6, 12, 0), 90,
                           "America/New_York", "FREQ=WEEKLY")
    now = clock.now()
    occs = sessions.list_occurrences(db, now, now + timedelta(days=14))
    assert len(occs) == 2 and all(o.start_utc.tzinfo is not None for o in occs)
    snap = today.snapshot(db, now, timedelta(days=14), now.date())
    assert snap.me is not None and snap.me.id == me.id and len(snap.occurrences) == 2
    with pytest.raises(Exception, match="append-only"), pg_engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")
