"""Security use cases: create, unlock and lock the encrypted store, change the passphrase,
backups and restore, the optional OS keyring, and the security settings.

Like every service, functions return plain values and raise typed errors (app/errors.py)
whose messages never carry secrets, note text or names. Audit entries (table ``database``,
no row id) record unlock, failed unlock, passphrase and recovery-key changes, backup and
restore — never content.

Failed unlocks cannot be written while the store is locked (and a wrong passphrase must
change nothing on disk), so an ``UnlockGuard`` keeps them in memory and they are written
to the audit log, with their own times, at the next successful unlock.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from app.clock import SYSTEM_CLOCK, Clock, utcnow
from app.errors import (
    BackupError,
    NotFoundError,
    ReadOnlyDatabaseError,
    ValidationError,
    WrongPassphraseError,
)
from app.paths import DB_FILENAME, ensure_private_dir, is_demo_dir
from app.services import audit
from app.store import backup as bk
from app.store.database import SQLITE_MAGIC, Database, open_database
from app.store.engine import transaction
from app.store.keyfile import KeyFile, key_id, keyfile_path
from app.store.models import AuditLog, Setting

AUDIT_TABLE = "database"
MIN_PASSPHRASE_LENGTH = 10
KEYRING_SERVICE = "Consultory"

IDLE_KEY = "security.idle_lock_minutes"
BACKUP_HOURS_KEY = "security.backup_interval_hours"
BACKUP_KEEP_KEY = "security.backup_keep"
DEFAULT_IDLE_MINUTES = 10
DEFAULT_BACKUP_HOURS = 24
DEFAULT_BACKUP_KEEP = 14


# --- what is in a data directory ----------------------------------------------------------


@dataclass(frozen=True)
class StoreState:
    """``kind``: 'new' (nothing yet), 'encrypted', 'plain' (an unencrypted real database,
    to be encrypted), 'demo' (an unencrypted demo practice) or 'orphaned' (an encrypted
    file without its key file)."""

    kind: str
    data_dir: Path

    @property
    def needs_passphrase(self) -> bool:
        return self.kind == "encrypted"


def store_state(data_dir: Path) -> StoreState:
    data_dir = Path(data_dir)
    db_path = data_dir / DB_FILENAME
    if keyfile_path(db_path).exists():
        return StoreState("encrypted", data_dir)
    size = db_path.stat().st_size if db_path.is_file() else 0
    if is_demo_dir(data_dir):
        return StoreState("demo", data_dir)
    if not size:
        return StoreState("new", data_dir)
    with db_path.open("rb") as fh:
        plain = fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    return StoreState("plain" if plain else "orphaned", data_dir)


# --- passphrases --------------------------------------------------------------------------

_COMMON = frozenset(
    """password passw0rd 123456 12345678 123456789 1234567890 qwerty qwertyuiop letmein
    welcome iloveyou admin monkey dragon sunshine princess football baseball therapist
    therapy counseling consultation supervision consultory""".split()
)


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (very weak) .. 4 (strong)
    label: str
    hint: str
    acceptable: bool


def passphrase_strength(passphrase: str) -> Strength:
    """A rough, offline estimate: length and variety, minus repeats and well-known words.
    Long passphrases of several words score well without symbols."""
    p = passphrase
    if not p:
        return Strength(0, "Empty", "Type a passphrase.", False)
    pool = 0
    pool += 26 if re.search(r"[a-z]", p) else 0
    pool += 26 if re.search(r"[A-Z]", p) else 0
    pool += 10 if re.search(r"[0-9]", p) else 0
    pool += 33 if re.search(r"[^A-Za-z0-9\s]", p) else 0
    pool += 1 if " " in p else 0
    pool = max(pool, 10)
    # Count runs of one repeated character and simple sequences as a single character.
    effective = 0.0
    prev = ""
    for ch in p:
        if ch == prev or (prev and ord(ch) - ord(prev) == 1):
            effective += 0.2
        else:
            effective += 1
        prev = ch
    lowered = p.lower()
    for word in _COMMON:  # a well-known word counts as one character
        if len(word) >= 5 and word in lowered:
            effective -= len(word) - 1
    bits = max(effective, 0.0) * math.log2(pool)
    words = [w for w in re.split(r"[\s\-_.]+", p.lower()) if w]
    if len(words) >= 4 and all(len(w) >= 3 for w in words):
        bits = max(bits, 11.0 * len(words))  # diceware-style estimate
    if p.lower().strip() in _COMMON or any(w in _COMMON for w in words if len(words) <= 2):
        bits = min(bits, 10.0)
    if bits < 28:
        score, label = 0, "Very weak"
    elif bits < 40:
        score, label = 1, "Weak"
    elif bits < 60:
        score, label = 2, "Fair"
    elif bits < 80:
        score, label = 3, "Good"
    else:
        score, label = 4, "Strong"
    acceptable = len(p) >= MIN_PASSPHRASE_LENGTH and score >= 2
    if len(p) < MIN_PASSPHRASE_LENGTH:
        hint = f"Use at least {MIN_PASSPHRASE_LENGTH} characters; four or more words work well."
    elif score < 2:
        hint = "Too easy to guess: add words, or mix in digits and symbols."
    elif score < 4:
        hint = "Acceptable. A longer passphrase (another word or two) is stronger."
    else:
        hint = "Strong passphrase."
    return Strength(score, label, hint, acceptable)


def check_new_passphrase(passphrase: str, confirm: str) -> None:
    """Raises ValidationError (field 'passphrase' or 'confirm') for an unusable choice."""
    strength = passphrase_strength(passphrase)
    if not strength.acceptable:
        raise ValidationError("passphrase", strength.hint)
    if passphrase != confirm:
        raise ValidationError("confirm", "The two passphrases differ: type the same one twice.")


# --- creating and unlocking ---------------------------------------------------------------


@dataclass(frozen=True)
class NewStore:
    db: Database
    recovery_key: str  # show once; never stored anywhere by Consultory


def create_store(
    data_dir: Path, passphrase: str, confirm: str, clock: Clock = SYSTEM_CLOCK
) -> NewStore:
    """Create the encrypted store in ``data_dir`` (a new directory, or one with an
    unencrypted database, which is encrypted in place and the plain file removed)."""
    check_new_passphrase(passphrase, confirm)
    data_dir = ensure_private_dir(Path(data_dir))
    state = store_state(data_dir)
    if state.kind == "encrypted":
        raise ValidationError("passphrase", "This data directory already has a passphrase.")
    if state.kind == "orphaned":
        raise ValidationError(
            "passphrase",
            "This directory holds an encrypted database without its key file: restore it "
            "from a backup instead.",
        )
    if state.kind == "demo":
        raise ValidationError("passphrase", "A demo practice stays unencrypted.")
    header, data_key, recovery = KeyFile.create(passphrase)
    db_path = data_dir / DB_FILENAME
    if state.kind == "plain":
        _encrypt_plain(db_path, data_key)
    header.write(keyfile_path(db_path))
    db = open_database(data_dir, clock=clock, data_key=data_key)
    for i in range(len(data_key)):
        data_key[i] = 0
    _audit(db, "store_created")
    return NewStore(db, recovery)


def _encrypt_plain(db_path: Path, data_key: bytearray) -> None:
    """Copy a plain database into an encrypted one with sqlcipher_export, then replace it."""
    import sqlite3

    from app.store.crypto import KeyHolder, cipher_check, cipher_connect, sqlcipher_module

    plain = sqlite3.connect(str(db_path))
    plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    plain.close()
    tmp = db_path.with_name(f".encrypting-{db_path.name}")
    tmp.unlink(missing_ok=True)
    conn = sqlcipher_module().connect(str(db_path))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("ATTACH DATABASE ? AS enc KEY \"x'" + data_key.hex() + "'\"", (str(tmp),))
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    holder = KeyHolder(data_key)
    check = cipher_connect(tmp, holder)
    try:
        if cipher_check(check):
            raise BackupError("Encrypting the existing database failed; it was left as it was.")
    finally:
        check.close()
    tmp.replace(db_path)
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)


class UnlockGuard:
    """Counts failed unlocks in memory and asks for a growing pause after the third."""

    FREE_ATTEMPTS = 3
    MAX_DELAY_S = 30.0

    def __init__(self) -> None:
        self.failures: list[datetime] = []

    def failed(self, when: datetime) -> None:
        self.failures.append(when)

    def delay_seconds(self) -> float:
        extra = len(self.failures) - self.FREE_ATTEMPTS + 1
        if extra <= 0:
            return 0.0
        return float(min(2 ** (extra - 1), self.MAX_DELAY_S))

    def take(self) -> list[datetime]:
        out, self.failures = self.failures, []
        return out


def unlock(
    data_dir: Path,
    secret: str,
    clock: Clock = SYSTEM_CLOCK,
    guard: UnlockGuard | None = None,
) -> Database:
    """Open the encrypted store with the passphrase or the recovery key.

    Wrong secret: WrongPassphraseError ("Wrong passphrase or damaged file."), nothing on
    disk changed; the failure is remembered by ``guard`` and audited at the next unlock."""
    try:
        db = open_database(data_dir, clock=clock, passphrase=secret)
    except WrongPassphraseError:
        if guard is not None:
            guard.failed(utcnow(clock))
        raise
    _audit_unlock(db, guard)
    return db


def unlock_with_key(
    data_dir: Path,
    data_key: bytes | bytearray,
    clock: Clock = SYSTEM_CLOCK,
    guard: UnlockGuard | None = None,
) -> Database:
    db = open_database(data_dir, clock=clock, data_key=data_key)
    _audit_unlock(db, guard)
    return db


def _audit_unlock(db: Database, guard: UnlockGuard | None) -> None:
    if db.read_only:
        return
    failures = guard.take() if guard is not None else []
    with transaction(db.engine) as s:
        actor = audit.me_id(s)
        for when in failures:
            s.add(
                AuditLog(
                    at=when,
                    action="unlock_failed",
                    table_name=AUDIT_TABLE,
                    row_id=None,
                    actor_member_id=actor,
                )
            )
        audit.record(s, "unlock", AUDIT_TABLE, None, db.clock)


def _audit(db: Database, action: str) -> None:
    if db.read_only:
        return
    with transaction(db.engine) as s:
        audit.record(s, action, AUDIT_TABLE, None, db.clock)


def record_event(
    db: Database, action: str, table: str = AUDIT_TABLE, row_id: int | None = None
) -> None:
    """Audit one event with ids only (e.g. ``export``; notes use ``note_viewed``)."""
    if db.read_only:
        return
    with transaction(db.engine) as s:
        audit.record(s, action, table, row_id, db.clock)


def _require_writable(db: Database) -> None:
    if db.read_only:
        raise ReadOnlyDatabaseError(
            "The database is open read-only because it is damaged. Restore a backup first."
        )


def _require_encrypted(db: Database) -> KeyFile:
    if not db.encrypted or db.key is None:
        raise ValidationError(
            "passphrase", "This database is not encrypted (a demo or test database)."
        )
    return KeyFile.read(keyfile_path(db.db_path))


def change_passphrase(db: Database, current: str, new: str, confirm: str) -> None:
    """Re-wrap the data key with ``new``; the database itself is not rewritten and the
    recovery key keeps working. ``current`` may also be the recovery key."""
    header = _require_encrypted(db)
    _require_writable(db)
    try:
        key = header.unlock(current)
    except Exception:  # noqa: BLE001 - WrongSecretError only; never echo anything
        raise ValidationError("current", "Wrong passphrase or damaged file.") from None
    check_new_passphrase(new, confirm)
    header.with_passphrase(key, new).write(keyfile_path(db.db_path))
    _audit(db, "passphrase_changed")


def replace_recovery_key(db: Database, passphrase: str) -> str:
    """A new recovery key (the old one stops working). Returns it to show once."""
    from app.store.crypto import new_recovery_key

    header = _require_encrypted(db)
    _require_writable(db)
    try:
        key = header.unlock_with_passphrase(passphrase)
    except Exception:  # noqa: BLE001 - WrongSecretError only
        raise ValidationError("current", "Wrong passphrase or damaged file.") from None
    recovery = new_recovery_key()
    header.with_recovery_key(key, recovery).write(keyfile_path(db.db_path))
    _audit(db, "recovery_key_changed")
    return recovery


# --- settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SecuritySettings:
    idle_lock_minutes: int = DEFAULT_IDLE_MINUTES  # 0 = never
    backup_interval_hours: int = DEFAULT_BACKUP_HOURS  # 0 = no automatic backups
    backup_keep: int = DEFAULT_BACKUP_KEEP


def _int_setting(s: object, key: str, default: int) -> int:
    from sqlmodel import Session

    assert isinstance(s, Session)
    row = s.get(Setting, key)
    try:
        return int(row.value) if row is not None and row.value else default
    except ValueError:
        return default


def get_settings(db: Database) -> SecuritySettings:
    with transaction(db.engine) as s:
        return SecuritySettings(
            _int_setting(s, IDLE_KEY, DEFAULT_IDLE_MINUTES),
            _int_setting(s, BACKUP_HOURS_KEY, DEFAULT_BACKUP_HOURS),
            _int_setting(s, BACKUP_KEEP_KEY, DEFAULT_BACKUP_KEEP),
        )


def update_settings(db: Database, new: SecuritySettings) -> SecuritySettings:
    if not 0 <= new.idle_lock_minutes <= 24 * 60:
        raise ValidationError("idle_lock_minutes", "Auto-lock must be 0 (never) to 1440 minutes.")
    if not 0 <= new.backup_interval_hours <= 24 * 31:
        raise ValidationError(
            "backup_interval_hours", "Backups every 0 (never) to 744 hours (31 days)."
        )
    if not 1 <= new.backup_keep <= 365:
        raise ValidationError("backup_keep", "Keep between 1 and 365 automatic backups.")
    _require_writable(db)
    with transaction(db.engine) as s:
        for key, value in (
            (IDLE_KEY, new.idle_lock_minutes),
            (BACKUP_HOURS_KEY, new.backup_interval_hours),
            (BACKUP_KEEP_KEY, new.backup_keep),
        ):
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=str(value)))
            else:
                row.value = str(value)
        audit.record(s, "settings_changed", "setting", None, db.clock)
    return new


# --- backups ------------------------------------------------------------------------------


def backup_now(db: Database, dest: Path | None = None) -> bk.BackupInfo:
    """Write a backup to ``dest`` (default: a new automatic backup) and audit it."""
    automatic = dest is None
    target = dest or bk.auto_backup_path(db.data_dir, utcnow(db.clock))
    info = bk.write_backup(db.engine, db.db_path, Path(target), holder=db.key, clock=db.clock)
    _audit(db, "backup")
    if automatic:
        bk.prune(db.data_dir, get_settings(db).backup_keep)
    return info


def list_backups(db: Database) -> list[bk.BackupInfo]:
    return bk.list_backups(db.data_dir)


def next_backup_due(db: Database) -> datetime | None:
    """When the next automatic backup is due (None: automatic backups are off)."""
    hours = get_settings(db).backup_interval_hours
    if hours <= 0 or db.is_demo or db.read_only:
        return None
    existing = bk.list_backups(db.data_dir)
    if not existing:
        return utcnow(db.clock)
    return existing[0].created_at + timedelta(hours=hours)


def auto_backup_if_due(db: Database) -> bk.BackupInfo | None:
    due = next_backup_due(db)
    if due is None or due > utcnow(db.clock):
        return None
    return backup_now(db)


@dataclass(frozen=True)
class Restored:
    db: Database
    replaced_dir: Path | None
    backup_created_at: datetime
    notes: tuple[str, ...] = field(default=())


def verify_backup_file(db: Database | None, path: Path, secret: str | None = None) -> datetime:
    """Check a backup fully (key, checksum, HMACs, schema) without replacing anything."""
    current = None
    key = None
    if db is not None and db.encrypted:
        current = KeyFile.read(keyfile_path(db.db_path))
        key = db.key.key() if db.key is not None and db.key.available else None
    header = bk.verify_backup(
        Path(path),
        current,
        data_key=key,
        secret=secret,
        scratch_dir=db.data_dir if db is not None else None,
    )
    return header.created_at


def restore(
    db: Database | None,
    path: Path,
    *,
    data_dir: Path | None = None,
    secret: str | None = None,
    clock: Clock | None = None,
) -> Restored:
    """Replace the database with the backup at ``path``; the replaced database is kept in
    ``backups/replaced-<time>/``. ``db`` (if open) is disposed first — callers must use the
    returned one. Without an open ``db`` (the CLI, or a file that will not open) give
    ``data_dir`` and ``secret`` (the passphrase or recovery key of the backup or current
    store)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"There is no backup file at {path}.")
    clock = clock or (db.clock if db is not None else SYSTEM_CLOCK)
    key: bytearray | None = None
    if db is not None:
        data_dir = db.data_dir
        if db.key is not None and db.key.available:
            key = bytearray(db.key.key())
    if data_dir is None:
        raise ValueError("restore needs an open database or a data directory")
    data_dir = ensure_private_dir(Path(data_dir))
    db_path = data_dir / DB_FILENAME
    # Verify before closing anything: a bad file leaves the open database untouched.
    bk.verify_backup(
        path,
        KeyFile.read(keyfile_path(db_path)) if keyfile_path(db_path).exists() else None,
        data_key=key,
        secret=secret,
        scratch_dir=Path(data_dir),
    )
    if db is not None:
        db.dispose()
    result, restored_key = bk.restore_backup(
        path, db_path, data_key=key, secret=secret, clock=clock
    )
    if restored_key is not None:
        new_db = open_database(data_dir, clock=clock, data_key=restored_key)
        for i in range(len(restored_key)):
            restored_key[i] = 0
    else:
        new_db = open_database(data_dir, clock=clock, encrypted=False)
    if key is not None:
        for i in range(len(key)):
            key[i] = 0
    _audit(new_db, "restore")
    return Restored(new_db, result.replaced_dir, result.created_at)


# --- the optional OS keyring ("remember on this computer") --------------------------------


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    message: str


def keyring_status() -> KeyringStatus:
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - not installed or broken backend discovery
        return KeyringStatus(False, "Unavailable: no keyring support is installed.")
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return KeyringStatus(False, "Unavailable: the system keyring could not be reached.")
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return KeyringStatus(
            False,
            "Unavailable: this computer has no system keyring (common on servers and minimal "
            "desktops). Consultory works without it; you type the passphrase to unlock.",
        )
    return KeyringStatus(True, f"Uses the system keyring ({type(backend).__name__}).")


def _keyring_user(data_dir: Path) -> str:
    import hashlib

    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()[:16]
    return f"data-key-{digest}"


def remember_on_this_computer(db: Database) -> KeyringStatus:
    """Store the data key in the OS keyring (a convenience copy; the key file stays)."""
    status = keyring_status()
    if not status.available:
        return status
    if db.key is None or not db.key.available:
        return KeyringStatus(False, "Only an encrypted database can be remembered.")
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_user(db.data_dir), db.key.key().hex())
    except Exception:  # noqa: BLE001 - keyring backends raise many things
        return KeyringStatus(False, "The system keyring refused to store the key.")
    return KeyringStatus(True, "Remembered on this computer.")


def forget_on_this_computer(data_dir: Path) -> None:
    if not keyring_status().available:
        return
    import keyring

    try:
        keyring.delete_password(KEYRING_SERVICE, _keyring_user(data_dir))
    except Exception:  # noqa: BLE001 - nothing stored is fine
        pass


def remembered_key(data_dir: Path) -> bytearray | None:
    """The data key from the keyring if one is stored and still matches the key file."""
    if not keyring_status().available:
        return None
    import keyring

    try:
        value = keyring.get_password(KEYRING_SERVICE, _keyring_user(data_dir))
    except Exception:  # noqa: BLE001
        return None
    if not value:
        return None
    try:
        key = bytearray(bytes.fromhex(value))
        header = KeyFile.read(keyfile_path(Path(data_dir) / DB_FILENAME))
    except Exception:  # noqa: BLE001 - stale or malformed entry: ignore it
        return None
    return key if len(key) == 32 and key_id(key) == header.key_id else None
