"""The key file, unlocking, passphrase changes and the encrypted store's guarantees."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlmodel import select

from app.errors import (
    DamagedDatabaseError,
    NoDatabaseError,
    PassphraseRequiredError,
    ReadOnlyDatabaseError,
    StoreLockedError,
    ValidationError,
    WrongPassphraseError,
)
from app.paths import DB_FILENAME
from app.services import practice, security
from app.store.crypto import (
    FAST_TEST_KDF,
    KeyHolder,
    WrongSecretError,
    new_recovery_key,
    parse_recovery_key,
)
from app.store.database import SQLITE_MAGIC, Database, open_database
from app.store.engine import transaction
from app.store.keyfile import KeyFile, KeyFileError, key_id, keyfile_path
from app.store.models import AuditLog
from tests.conftest import TEST_PASSPHRASE
from tests.fakes import FakeClock

NEW_PASSPHRASE = "a different long passphrase 42"


def _snapshot(d: Path) -> dict[str, str]:
    return {
        str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(d.rglob("*"))
        if p.is_file()
    }


def _audit_actions(db: Database) -> list[str]:
    with transaction(db.engine) as s:
        return [a.action for a in s.exec(select(AuditLog).order_by(AuditLog.id)).all()]


# --- key file -----------------------------------------------------------------------------


def test_key_file_unwraps_the_same_key_with_passphrase_or_recovery_key() -> None:
    kf, key, recovery = KeyFile.create("pass phrase one two", FAST_TEST_KDF)
    assert kf.unlock_with_passphrase("pass phrase one two") == key
    assert kf.unlock_with_recovery_key(recovery) == key
    assert kf.unlock(recovery.lower().replace("-", " ")) == key


def test_key_file_holds_no_secret_in_clear() -> None:
    kf, key, recovery = KeyFile.create("pass phrase one two", FAST_TEST_KDF)
    text = kf.to_bytes()
    assert key.hex().encode() not in text
    assert bytes(key) not in text
    assert recovery.encode() not in text
    assert b"pass phrase" not in text
    assert KeyFile.from_bytes(text) == kf


def test_wrong_passphrase_fails_to_unwrap() -> None:
    kf, _, _ = KeyFile.create("pass phrase one two", FAST_TEST_KDF)
    with pytest.raises(WrongSecretError, match="Wrong passphrase or damaged file"):
        kf.unlock("pass phrase one three")
    with pytest.raises(WrongSecretError):
        kf.unlock_with_recovery_key(new_recovery_key())


def test_altered_kdf_parameters_fail_instead_of_weakening() -> None:
    kf, _, _ = KeyFile.create("pass phrase one two", FAST_TEST_KDF)
    d = json.loads(kf.to_bytes())
    d["kdf"]["time_cost"] = 2
    with pytest.raises(WrongSecretError):
        KeyFile.from_dict(d).unlock_with_passphrase("pass phrase one two")


def test_garbage_key_file_is_a_key_file_error() -> None:
    with pytest.raises(KeyFileError):
        KeyFile.from_bytes(b"\x00not json")
    with pytest.raises(KeyFileError):
        KeyFile.from_bytes(b'{"format": "consultory-key", "version": 1}')


def test_recovery_key_parsing_forgives_case_spacing_and_lookalikes() -> None:
    rk = new_recovery_key()
    assert len(rk.split("-")) == 8
    raw = parse_recovery_key(rk)
    assert parse_recovery_key(rk.lower().replace("-", "  ")) == raw
    assert parse_recovery_key(rk.replace("O", "0").replace("I", "1")) == raw
    with pytest.raises(WrongSecretError):
        parse_recovery_key("ABCD-EFGH")


def test_key_holder_drop_zeroes_and_hides_the_key() -> None:
    holder = KeyHolder(bytes(range(32)))
    buf = holder.key()
    assert "00010203" not in repr(holder)
    holder.drop()
    assert buf == bytearray(32)
    assert not holder.available
    with pytest.raises(StoreLockedError):
        holder.pragma()


# --- the encrypted store ------------------------------------------------------------------


def test_encrypted_file_does_not_start_with_the_sqlite_header(encrypted_db: Database) -> None:
    practice.create_group(encrypted_db, "Tuesday peer group")
    assert encrypted_db.encrypted
    assert not encrypted_db.db_path.read_bytes().startswith(SQLITE_MAGIC[:15])


def test_unlock_with_passphrase_or_recovery_key(
    encrypted_dir: Path, encrypted_template: tuple[Path, str], fake_clock: FakeClock
) -> None:
    db = security.unlock(encrypted_dir, TEST_PASSPHRASE, fake_clock)
    db.dispose()
    db = security.unlock(encrypted_dir, encrypted_template[1], fake_clock)
    assert _audit_actions(db)[-2:] == ["unlock", "unlock"]
    db.dispose()


def test_wrong_passphrase_changes_nothing_on_disk_and_prints_nothing(
    encrypted_dir: Path, fake_clock: FakeClock, capfd: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(encrypted_dir)
    with pytest.raises(WrongPassphraseError) as info:
        security.unlock(encrypted_dir, "not the passphrase at all", fake_clock)
    assert str(info.value) == "Wrong passphrase or damaged file."
    assert "not the passphrase" not in repr(info.value)
    assert _snapshot(encrypted_dir) == before
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_failed_unlocks_are_audited_at_the_next_unlock_and_slow_down(
    encrypted_dir: Path, fake_clock: FakeClock
) -> None:
    guard = security.UnlockGuard()
    delays = []
    for _ in range(5):
        with pytest.raises(WrongPassphraseError):
            security.unlock(encrypted_dir, "wrong passphrase", fake_clock, guard)
        delays.append(guard.delay_seconds())
    assert delays == [0.0, 0.0, 1.0, 2.0, 4.0]
    db = security.unlock(encrypted_dir, TEST_PASSPHRASE, fake_clock, guard)
    assert _audit_actions(db)[-6:] == ["unlock_failed"] * 5 + ["unlock"]
    assert guard.delay_seconds() == 0.0
    db.dispose()


def test_encrypted_store_needs_a_passphrase(encrypted_dir: Path) -> None:
    with pytest.raises(PassphraseRequiredError, match="CONSULTORY_PASSPHRASE"):
        open_database(encrypted_dir)


def test_new_real_directory_is_never_silently_unencrypted(tmp_path: Path) -> None:
    with pytest.raises(NoDatabaseError):
        open_database(tmp_path / "fresh")
    assert not (tmp_path / "fresh" / DB_FILENAME).exists()


def test_encrypted_database_without_its_key_file_is_reported(encrypted_dir: Path) -> None:
    keyfile_path(encrypted_dir / DB_FILENAME).unlink()
    with pytest.raises(DamagedDatabaseError, match="key file"):
        open_database(encrypted_dir)


def test_changing_the_passphrase_rewraps_only(
    encrypted_db: Database, encrypted_template: tuple[Path, str]
) -> None:
    kpath = keyfile_path(encrypted_db.db_path)
    old = KeyFile.read(kpath)
    salt_before = encrypted_db.db_path.read_bytes()[:16]
    with pytest.raises(ValidationError) as bad:
        security.change_passphrase(encrypted_db, "wrong", NEW_PASSPHRASE, NEW_PASSPHRASE)
    assert bad.value.field == "current"
    with pytest.raises(ValidationError) as mismatch:
        security.change_passphrase(encrypted_db, TEST_PASSPHRASE, NEW_PASSPHRASE, "typo")
    assert mismatch.value.field == "confirm"
    security.change_passphrase(encrypted_db, TEST_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    new = KeyFile.read(kpath)
    assert new.key_id == old.key_id and new.recovery_wrap == old.recovery_wrap
    assert new.passphrase_wrap != old.passphrase_wrap
    assert encrypted_db.db_path.read_bytes()[:16] == salt_before  # not re-encrypted
    assert "passphrase_changed" in _audit_actions(encrypted_db)
    encrypted_db.dispose()
    with pytest.raises(WrongPassphraseError):
        security.unlock(encrypted_db.data_dir, TEST_PASSPHRASE)
    security.unlock(encrypted_db.data_dir, NEW_PASSPHRASE).dispose()
    security.unlock(encrypted_db.data_dir, encrypted_template[1]).dispose()


def test_new_recovery_key_replaces_the_old_one(
    encrypted_db: Database, encrypted_template: tuple[Path, str]
) -> None:
    fresh = security.replace_recovery_key(encrypted_db, TEST_PASSPHRASE)
    encrypted_db.dispose()
    with pytest.raises(WrongPassphraseError):
        security.unlock(encrypted_db.data_dir, encrypted_template[1])
    security.unlock(encrypted_db.data_dir, fresh).dispose()


def test_damaged_pages_open_read_only_with_the_damage_listed(
    encrypted_db: Database, fake_clock: FakeClock
) -> None:
    for i in range(40):
        practice.create_group(encrypted_db, f"Group {i:02d} " + "x" * 100)
    with encrypted_db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path, d = encrypted_db.db_path, encrypted_db.data_dir
    encrypted_db.dispose()
    data = bytearray(path.read_bytes())
    assert len(data) > 4096 * 4
    for i in range(4096 * 3 + 100, 4096 * 3 + 140):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    db = security.unlock(d, TEST_PASSPHRASE, fake_clock)
    try:
        assert db.read_only and db.damage
        with pytest.raises(ReadOnlyDatabaseError, match="Restore"):
            practice.create_group(db, "Another group")
    finally:
        db.dispose()


def test_unreadable_first_page_is_a_damaged_database(encrypted_dir: Path) -> None:
    path = encrypted_dir / DB_FILENAME
    data = bytearray(path.read_bytes())
    data[20:60] = bytes(40)
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedDatabaseError, match="backup"):
        open_database(encrypted_dir, passphrase=TEST_PASSPHRASE)


def test_an_existing_plain_database_is_encrypted_in_place(db: Database) -> None:
    practice.create_group(db, "Kept through encryption")
    d = db.data_dir
    db.dispose()
    assert security.store_state(d).kind == "plain"
    created = security.create_store(d, NEW_PASSPHRASE, NEW_PASSPHRASE)
    try:
        assert [g.name for g in practice.list_groups(created.db)] == ["Kept through encryption"]
        assert not (d / DB_FILENAME).read_bytes().startswith(SQLITE_MAGIC)
        assert security.store_state(d).kind == "encrypted"
    finally:
        created.db.dispose()


def test_data_key_must_match_the_key_file(encrypted_dir: Path) -> None:
    with pytest.raises(WrongPassphraseError):
        open_database(encrypted_dir, data_key=bytes(32))
    header = KeyFile.read(keyfile_path(encrypted_dir / DB_FILENAME))
    key = header.unlock(TEST_PASSPHRASE)
    assert key_id(key) == header.key_id
    open_database(encrypted_dir, data_key=key).dispose()


# --- passphrase strength, keyring, settings -----------------------------------------------


@pytest.mark.parametrize(
    ("passphrase", "acceptable"),
    [
        ("", False),
        ("short1!", False),
        ("password123", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("maple river candle orbit", True),
        ("Tr0ub4dor&3-extra", True),
    ],
)
def test_passphrase_strength_feedback(passphrase: str, acceptable: bool) -> None:
    s = security.passphrase_strength(passphrase)
    assert s.acceptable is acceptable
    assert s.hint and s.label


def test_creating_a_store_refuses_a_weak_passphrase(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        security.create_store(tmp_path / "d", "short", "short")
    assert info.value.field == "passphrase"
    assert not keyfile_path(tmp_path / "d" / DB_FILENAME).exists()


def test_headless_machine_reports_the_keyring_as_unavailable(
    monkeypatch: pytest.MonkeyPatch, encrypted_db: Database
) -> None:
    keyring = pytest.importorskip("keyring")  # optional dependency
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    status = security.keyring_status()
    assert not status.available and "Unavailable" in status.message
    assert not security.remember_on_this_computer(encrypted_db).available
    assert security.remembered_key(encrypted_db.data_dir) is None


def test_security_settings_default_and_validate(encrypted_db: Database) -> None:
    s = security.get_settings(encrypted_db)
    assert (s.idle_lock_minutes, s.backup_interval_hours, s.backup_keep) == (10, 24, 14)
    with pytest.raises(ValidationError) as info:
        security.update_settings(encrypted_db, security.SecuritySettings(backup_keep=0))
    assert info.value.field == "backup_keep"
    security.update_settings(encrypted_db, security.SecuritySettings(idle_lock_minutes=3))
    assert security.get_settings(encrypted_db).idle_lock_minutes == 3
