"""The security commands as a user runs them: a real process, real files."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASS = "integration passphrase one two"
NEW = "integration passphrase three four"


def run(
    data_dir: Path, *args: str, passphrase: str | None = PASS, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTORY_")}
    env["CONSULTORY_TEST_FAST_KDF"] = "1"
    if passphrase is not None:
        env["CONSULTORY_PASSPHRASE"] = passphrase
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _digests(d: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in d.iterdir() if p.is_file()}


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, str]:
    """A store created by the first command; returns (dir, recovery key from stderr)."""
    d = tmp_path / "data"
    r = run(d, "groups", "add", "Monday consultation")
    assert r.returncode == 0, r.stderr
    m = re.search(r"([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})", r.stderr)
    assert m, "the recovery key is shown once on first use"
    return d, m.group(1)


def test_first_command_creates_an_encrypted_store_and_shows_the_recovery_key(
    store: tuple[Path, str],
) -> None:
    d, _ = store
    assert not (d / "consultory.db").read_bytes().startswith(b"SQLite format 3")
    assert (d / "consultory.key").stat().st_mode & 0o777 == 0o600
    r = run(d, "groups", "list")
    assert r.returncode == 0 and "Monday consultation" in r.stdout
    assert r.stderr == ""


def test_without_a_passphrase_the_command_says_how_to_give_one(
    store: tuple[Path, str],
) -> None:
    r = run(store[0], "groups", "list", passphrase=None)
    assert r.returncode == 2
    assert "CONSULTORY_PASSPHRASE" in r.stderr
    assert r.stdout == ""


def test_wrong_passphrase_is_one_line_and_changes_nothing(store: tuple[Path, str]) -> None:
    d, _ = store
    before = _digests(d)
    r = run(d, "groups", "list", passphrase="not the right one at all")
    assert r.returncode == 2
    assert r.stderr == "consultory: Wrong passphrase or damaged file.\n"
    assert _digests(d) == before


def test_recovery_key_unlocks_and_passwd_rewraps(store: tuple[Path, str]) -> None:
    d, recovery = store
    assert run(d, "groups", "list", passphrase=recovery).returncode == 0
    r = run(d, "passwd", CONSULTORY_NEW_PASSPHRASE=NEW)
    assert r.returncode == 0, r.stderr
    assert run(d, "groups", "list").returncode == 2
    assert run(d, "groups", "list", passphrase=NEW).returncode == 0
    assert run(d, "groups", "list", passphrase=recovery).returncode == 0


def test_backup_and_restore_round_trip(store: tuple[Path, str], tmp_path: Path) -> None:
    d, _ = store
    out = tmp_path / "b.consultory-backup"
    r = run(d, "backup", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "encrypted" in r.stdout and out.exists()
    assert run(d, "groups", "add", "Added later").returncode == 0
    r = run(d, "restore", str(out))
    assert r.returncode == 0, r.stderr
    assert "kept in" in r.stdout
    listed = run(d, "groups", "list").stdout
    assert "Monday consultation" in listed and "Added later" not in listed
    assert list((d / "backups").glob("replaced-*/consultory.db"))


def test_restore_on_a_new_computer_with_the_recovery_key(
    store: tuple[Path, str], tmp_path: Path
) -> None:
    d, recovery = store
    out = tmp_path / "b.consultory-backup"
    assert run(d, "backup", "-o", str(out)).returncode == 0
    fresh = tmp_path / "fresh"
    r = run(fresh, "restore", str(out), passphrase=recovery)
    assert r.returncode == 0, r.stderr
    assert "Monday consultation" in run(fresh, "groups", "list").stdout


def test_restoring_a_damaged_file_is_refused(store: tuple[Path, str], tmp_path: Path) -> None:
    d, _ = store
    bad = tmp_path / "bad.consultory-backup"
    bad.write_bytes(b"CONSULTORY-BACKUP\nnonsense")
    key_before = (d / "consultory.key").read_bytes()
    r = run(d, "restore", str(bad))
    assert r.returncode == 2
    assert r.stderr.startswith("consultory: ") and r.stderr.count("\n") == 1
    assert not list(d.glob("backups/replaced-*"))
    assert (d / "consultory.key").read_bytes() == key_before
    assert "Monday consultation" in run(d, "groups", "list").stdout
