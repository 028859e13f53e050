"""Backups and restore: verified before anything is replaced, nothing lost."""

from __future__ import annotations

import hashlib
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from app.demo import build_demo
from app.errors import BackupError, WrongPassphraseError
from app.paths import DB_FILENAME, DEMO_MARKER
from app.services import practice, security
from app.store import backup as bk
from app.store.database import Database, open_database
from app.store.keyfile import keyfile_path
from tests.conftest import TEST_PASSPHRASE
from tests.fakes import FakeClock

OTHER = "another long passphrase here"


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("demo") / "demo"
    build_demo(d, years=1, seed=3)
    return d / DB_FILENAME


@pytest.fixture
def full_db(tmp_path: Path, demo_template: Path, fake_clock: FakeClock) -> Database:
    """A year of synthetic practice, encrypted (a copied demo database, then encrypted)."""
    d = tmp_path / "real"
    d.mkdir(mode=0o700)
    shutil.copy2(demo_template, d / DB_FILENAME)
    created = security.create_store(d, TEST_PASSPHRASE, TEST_PASSPHRASE, clock=fake_clock)
    created.db.recovery_key = created.recovery_key  # type: ignore[attr-defined]
    return created.db


def test_backup_round_trip_keeps_every_row_of_every_table(
    full_db: Database, tmp_path: Path, fake_clock: FakeClock
) -> None:
    before = _rows(full_db)
    assert sum(len(v) for v in before.values()) > 1000
    out = tmp_path / "elsewhere" / "practice.consultory-backup"
    info = security.backup_now(full_db, out)
    assert info.encrypted and out.stat().st_mode & 0o777 == 0o600
    full_db.dispose()
    # A new computer: only the backup file and the recovery key.
    recovery = full_db.recovery_key  # type: ignore[attr-defined]
    fresh = tmp_path / "new-computer"
    restored = security.restore(None, out, data_dir=fresh, secret=recovery, clock=fake_clock)
    try:
        after = _rows(restored.db)
        assert after.keys() == before.keys()
        for table in before:
            rows = after[table]
            if table == "audit_log":  # restoring appends its own entry
                rows = [r for r in rows if "restore" not in r]
            assert rows == before[table], table
    finally:
        restored.db.dispose()


def test_restore_keeps_the_replaced_database_and_reopens(full_db: Database) -> None:
    info = security.backup_now(full_db)
    practice.create_group(full_db, "Made after the backup")
    restored = security.restore(full_db, info.path)
    try:
        names = [g.name for g in practice.list_groups(restored.db)]
        assert "Made after the backup" not in names
        assert restored.replaced_dir is not None
        kept = open_database(
            restored.replaced_dir, passphrase=TEST_PASSPHRASE, migrate=False
        )  # the replaced database still opens (its key file travelled with it)
        assert "Made after the backup" in [g.name for g in practice.list_groups(kept)]
        kept.dispose()
        assert "restore" in [
            r[0] for r in restored.db.engine.connect().execute(text("SELECT action FROM audit_log"))
        ]
    finally:
        restored.db.dispose()


def test_a_corrupted_backup_is_refused_and_nothing_is_replaced(
    full_db: Database, tmp_path: Path
) -> None:
    info = security.backup_now(full_db, tmp_path / "b.consultory-backup")
    data = bytearray(info.path.read_bytes())
    data[-5000] ^= 0x55
    bad = tmp_path / "bad.consultory-backup"
    bad.write_bytes(bytes(data))
    practice.create_group(full_db, "Still here")
    with pytest.raises(BackupError, match="checksum"):
        security.restore(full_db, bad)
    assert "Still here" in [g.name for g in practice.list_groups(full_db)]
    assert not (full_db.data_dir / "backups").exists() or not list(
        (full_db.data_dir / "backups").glob("replaced-*")
    )
    full_db.dispose()


@pytest.mark.parametrize(
    "content", [b"", b"SQLite format 3\x00" + bytes(100), b"CONSULTORY-BACKUP\n\x00\x00"]
)
def test_files_that_are_not_backups_are_refused(
    encrypted_db: Database, tmp_path: Path, content: bytes
) -> None:
    f = tmp_path / "x.consultory-backup"
    f.write_bytes(content)
    db_digest = _digest(encrypted_db.db_path)
    with pytest.raises(BackupError):
        security.restore(encrypted_db, f)
    assert _digest(encrypted_db.db_path) == db_digest


def test_restore_with_a_wrong_secret_replaces_nothing(
    encrypted_db: Database, tmp_path: Path
) -> None:
    out = security.backup_now(encrypted_db, tmp_path / "b.consultory-backup").path
    d = encrypted_db.data_dir
    encrypted_db.dispose()
    digest = _digest(d / DB_FILENAME)
    with pytest.raises(WrongPassphraseError):
        security.restore(None, out, data_dir=d, secret="not the passphrase")
    assert _digest(d / DB_FILENAME) == digest


def test_restore_after_a_passphrase_change_keeps_the_new_passphrase(
    encrypted_db: Database, tmp_path: Path
) -> None:
    out = security.backup_now(encrypted_db, tmp_path / "b.consultory-backup").path
    security.change_passphrase(encrypted_db, TEST_PASSPHRASE, OTHER, OTHER)
    restored = security.restore(encrypted_db, out)
    restored.db.dispose()
    security.unlock(restored.db.data_dir, OTHER).dispose()


def test_an_unencrypted_backup_cannot_replace_an_encrypted_database(
    db: Database, encrypted_db: Database, tmp_path: Path
) -> None:
    plain = security.backup_now(db, tmp_path / "plain.consultory-backup")
    assert not plain.encrypted
    assert b"SQLite format 3" in plain.path.read_bytes()[:4096]
    with pytest.raises(BackupError, match="unencrypted"):
        security.restore(encrypted_db, plain.path)


def test_automatic_backups_follow_the_schedule_and_keep_the_last_n(
    encrypted_db: Database, fake_clock: FakeClock
) -> None:
    security.update_settings(
        encrypted_db, security.SecuritySettings(backup_interval_hours=24, backup_keep=3)
    )
    assert security.auto_backup_if_due(encrypted_db) is not None  # none yet: due now
    assert security.auto_backup_if_due(encrypted_db) is None
    fake_clock.advance(hours=23)
    assert security.auto_backup_if_due(encrypted_db) is None
    for _ in range(4):
        fake_clock.advance(hours=25)
        assert security.auto_backup_if_due(encrypted_db) is not None
    backups = security.list_backups(encrypted_db)
    assert len(backups) == 3
    assert backups[0].created_at == fake_clock.now().replace(microsecond=0)
    assert all(b.encrypted for b in backups)
    assert security.next_backup_due(encrypted_db) == backups[0].created_at + timedelta(hours=24)


def test_demo_directories_get_no_automatic_backups(tmp_path: Path) -> None:
    d = tmp_path / "demo"
    d.mkdir()
    (d / DEMO_MARKER).write_text("demo")
    demo = open_database(d)
    try:
        assert security.next_backup_due(demo) is None
    finally:
        demo.dispose()


def test_backup_header_carries_the_wrapped_keys_only(encrypted_db: Database) -> None:
    info = security.backup_now(encrypted_db)
    header = bk.read_header(info.path)
    assert header.keyfile is not None
    assert header.keyfile.key_id == bk.KeyFile.read(keyfile_path(encrypted_db.db_path)).key_id
    assert encrypted_db.key is not None
    assert encrypted_db.key.key().hex().encode() not in info.path.read_bytes()
