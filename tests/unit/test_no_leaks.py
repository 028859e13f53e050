"""Nothing readable on disk, and nothing sensitive in logs or exception text.

Each disk test has a control: the same writes against plain SQLite must expose the
markers, so the check itself can fail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.errors import ConsultoryError
from app.services import practice, security
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import CaseNote, Group
from tests.conftest import TEST_PASSPHRASE

NOTE_MARKER = "ZQX-NOTE-MARKER-7731"
NAME_MARKER = "Quillfeather-Marker"
GROUP_MARKER = "XYZZY-GROUP-MARKER"
MARKERS = (NOTE_MARKER, NAME_MARKER, GROUP_MARKER)


def _write_markers(db: Database) -> None:
    g = practice.create_group(db, f"{GROUP_MARKER} peers")
    practice.create_member(db, f"Dana {NAME_MARKER}", credential="LCSW")
    with transaction(db.engine) as s:
        now = db.clock.now()
        for i in range(30):  # enough rows to spill into several pages
            s.add(
                CaseNote(
                    alias=f"Case {i}",
                    group_id=g.id,
                    title=f"Presentation {i}",
                    body=f"{NOTE_MARKER} discussed countertransference {i} " * 20,
                    created_at=now,
                    updated_at=now,
                )
            )


def _files_with_markers(*roots: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for root in roots:
        for p in root.rglob("*"):
            if not p.is_file():
                continue
            data = p.read_bytes()
            hits = [m for m in MARKERS if m.encode() in data or m.encode("utf-16-le") in data]
            if hits:
                found[str(p.relative_to(root))] = hits
    return found


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point SQLite's and Python's temporary directory at a folder we can search."""
    t = tmp_path / "tmp"
    t.mkdir()
    monkeypatch.setenv("TMPDIR", str(t))
    monkeypatch.setenv("SQLITE_TMPDIR", str(t))
    yield t


def _exercise(db: Database, out: Path) -> None:
    _write_markers(db)
    # Sorting a large result forces SQLite to use temporary storage.
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT body FROM case_note ORDER BY body DESC, title").all()
    security.backup_now(db)
    security.backup_now(db, out)


def test_no_marker_is_readable_anywhere_on_disk_when_encrypted(
    encrypted_db: Database, private_tmp: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exported" / "copy.consultory-backup"
    _exercise(encrypted_db, out)
    # Checked while the store is open: -wal and -shm exist and hold recent pages.
    wal = encrypted_db.db_path.with_name(encrypted_db.db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert _files_with_markers(encrypted_db.data_dir, private_tmp, out.parent) == {}
    assert not encrypted_db.db_path.read_bytes().startswith(b"SQLite format 3")


def test_control_plain_sqlite_exposes_the_markers(
    db: Database, private_tmp: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exported" / "copy.consultory-backup"
    _exercise(db, out)
    found = _files_with_markers(db.data_dir, private_tmp, out.parent)
    assert any(name.endswith("-wal") for name in found)
    assert any(name.startswith("backups") for name in found)
    assert _files_with_markers(out.parent)


def test_sql_errors_hide_row_values(encrypted_db: Database) -> None:
    practice.create_group(encrypted_db, f"{GROUP_MARKER} a")
    with pytest.raises(IntegrityError) as info, Session(encrypted_db.engine) as s:
        s.add(Group(id=1, name=f"{GROUP_MARKER} duplicate id", created_at=encrypted_db.clock.now()))
        s.commit()
    text = f"{info.value}\n{info.value!r}"
    assert GROUP_MARKER not in text
    assert "hidden" in text.lower()


def test_logs_and_errors_carry_no_markers_passphrases_or_keys(
    encrypted_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "alembic"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        _write_markers(encrypted_db)
        messages: list[str] = []
        for attempt in ("wrong " + TEST_PASSPHRASE, f"{NOTE_MARKER} as passphrase"):
            try:
                security.unlock(encrypted_db.data_dir, attempt)
            except ConsultoryError as exc:
                messages.append(f"{exc}\n{exc!r}")
        try:
            security.change_passphrase(encrypted_db, TEST_PASSPHRASE, NAME_MARKER, "x")
        except ConsultoryError as exc:
            messages.append(f"{exc}\n{exc!r}")
        assert len(messages) == 3
        assert encrypted_db.key is not None
        secrets = (*MARKERS, TEST_PASSPHRASE, encrypted_db.key.key().hex())
        everything = "\n".join([caplog.text, *messages, repr(encrypted_db), repr(encrypted_db.key)])
        assert "INSERT INTO case_note" in caplog.text  # the control: SQL was logged
        for secret in secrets:
            assert secret not in everything
            assert secret.lower() not in everything.lower()
    finally:
        for name in ("sqlalchemy.engine", "sqlalchemy.pool", "alembic"):
            logging.getLogger(name).setLevel(logging.NOTSET)
