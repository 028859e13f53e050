from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

from app.errors import SchemaTooNewError
from app.paths import DB_FILENAME
from app.store import migrate
from app.store.database import open_database
from app.store.engine import sqlite_engine


def test_known_revisions_match_the_alembic_scripts() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == migrate.KNOWN_REVISIONS
    assert script.get_current_head() == migrate.HEAD_REVISION


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "x.db")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={"include_name": lambda name, type_, _p: not (name or "").startswith("note_fts")},
        )
        diff = compare_metadata(ctx, SQLModel.metadata)
    # Only index-name or type-affinity noise would be tolerable; we expect none at all.
    assert diff == []


def test_database_at_first_revision_upgrades_with_rows_intact(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    engine = sqlite_engine(data / DB_FILENAME)
    migrate.upgrade(engine, "0001")
    now = datetime(2025, 1, 2, 3, 4, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO consult_group (version, name, kind, description, color, archived, "
            "created_at) VALUES (1, 'Old group', 'peer_consultation', 'kept', '', 0, :t)"),
            {"t": now})
        conn.execute(text(
            "INSERT INTO member (version, display_name, credential, email, timezone, archived, "
            "created_at) VALUES (1, 'Old Member', 'LPC', 'o@example.org', 'America/Denver', 0, "
            ":t)"),
            {"t": now})
        conn.execute(text("INSERT INTO membership (version, group_id, member_id, role) "
                          "VALUES (1, 1, 1, 'coordinator')"))
        conn.execute(text("INSERT INTO setting (key, value) VALUES ('me_member_id', '1')"))
    engine.dispose()
    assert migrate.current_revision(sqlite_engine(data / DB_FILENAME)) == "0001"

    db = open_database(data, encrypted=False)
    assert migrate.current_revision(db.engine) == migrate.HEAD_REVISION
    assert db.migration_backup is not None and db.migration_backup.exists()
    from app.services import practice

    groups = practice.list_groups(db)
    assert [(g.name, g.description, g.coordinator_names) for g in groups] == [
        ("Old group", "kept", ("Old Member",))]
    me = practice.get_me(db)
    assert me is not None and me.timezone == "America/Denver"
    db.dispose()


def test_database_from_a_newer_schema_is_refused_and_left_untouched(data_dir: Path) -> None:
    db_file = data_dir / DB_FILENAME
    engine = sqlite_engine(db_file)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    before = db_file.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer"):
        open_database(data_dir, encrypted=False)
    assert db_file.read_bytes() == before
    assert not (data_dir / "backups").exists()


def test_new_database_is_created_without_a_backup(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh", encrypted=False)
    assert db.migration_backup is None
    assert migrate.current_revision(db.engine) == migrate.HEAD_REVISION
    db.dispose()


def test_data_dir_and_files_are_private(tmp_path: Path) -> None:
    d = tmp_path / "private"
    db = open_database(d, encrypted=False)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO setting (key, value) VALUES ('x', 'y')")
    assert (d.stat().st_mode & 0o777) == 0o700
    for f in d.iterdir():
        if f.is_file():
            assert (f.stat().st_mode & 0o777) == 0o600, f.name
    db.dispose()


def test_copying_template_keeps_working(data_dir: Path) -> None:
    # the fixture's copy is a complete, migrated database
    copy = data_dir.parent / "copy"
    shutil.copytree(data_dir, copy)
    db = open_database(copy, encrypted=False)
    assert db.integrity_check() == "ok"
    db.dispose()
