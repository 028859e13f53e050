"""Shared fixtures: a fresh temporary database file per test, a FakeClock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Encrypted stores created by tests (and by CLI subprocesses, which inherit the environment)
# use cheap argon2id parameters and this automation passphrase. Never for real data.
os.environ.setdefault("CONSULTORY_TEST_FAST_KDF", "1")
os.environ.setdefault("CONSULTORY_PASSPHRASE", "correct horse battery staple (tests)")

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
    database = open_database(d, encrypted=False)  # plain SQLite; see encrypted_db
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
    database = open_database(data_dir, clock=fake_clock, encrypted=False)
    yield database
    database.dispose()


TEST_PASSPHRASE = os.environ["CONSULTORY_PASSPHRASE"]


@pytest.fixture(scope="session")
def encrypted_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An encrypted store (fast test KDF) created once: (directory, recovery key)."""
    from app.services.security import create_store

    d = tmp_path_factory.mktemp("encrypted-template") / "data"
    created = create_store(d, TEST_PASSPHRASE, TEST_PASSPHRASE)
    with created.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    created.db.dispose()
    return d, created.recovery_key


@pytest.fixture
def encrypted_dir(tmp_path: Path, encrypted_template: tuple[Path, str]) -> Path:
    """A copy of the encrypted template (database + key file), still locked."""
    from app.store.keyfile import keyfile_path

    d = tmp_path / "secure"
    d.mkdir(mode=0o700)
    src = encrypted_template[0] / DB_FILENAME
    shutil.copy2(src, d / DB_FILENAME)
    shutil.copy2(keyfile_path(src), keyfile_path(d / DB_FILENAME))
    return d


@pytest.fixture
def encrypted_db(encrypted_dir: Path, fake_clock: FakeClock) -> Iterator[Database]:
    """Like ``db``, but SQLCipher-encrypted and unlocked with TEST_PASSPHRASE."""
    database = open_database(encrypted_dir, clock=fake_clock, passphrase=TEST_PASSPHRASE)
    yield database
    database.dispose()
