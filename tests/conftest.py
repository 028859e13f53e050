"""Shared fixtures: a fresh temporary database file per test, a FakeClock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.paths import DB_FILENAME  # noqa: E402
from app.store.database import Database, open_database  # noqa: E402
from tests.fakes import FakeClock  # noqa: E402


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head once per run; each test gets its own copy of the file."""
    d = tmp_path_factory.mktemp("template")
    database = open_database(d)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return d / DB_FILENAME


@pytest.fixture
def data_dir(tmp_path: Path, migrated_template: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir(mode=0o700)
    shutil.copy2(migrated_template, d / DB_FILENAME)
    return d


@pytest.fixture
def db(data_dir: Path, fake_clock: FakeClock) -> Iterator[Database]:
    database = open_database(data_dir, clock=fake_clock)
    yield database
    database.dispose()
