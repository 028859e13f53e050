"""Security commands: backup, restore, passwd — and the unlock step every command uses.

Passphrases come from an interactive prompt or, for automation, from the environment
variable ``CONSULTORY_PASSPHRASE`` (``CONSULTORY_NEW_PASSPHRASE`` for ``passwd``). Anything
that can read your environment can then read your data: prefer the prompt.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import (
    ConsultoryError,
    DamagedDatabaseError,
    NoDatabaseError,
    PassphraseRequiredError,
    ValidationError,
    WrongPassphraseError,
)

if TYPE_CHECKING:
    from app.store.database import Database

ENV_PASSPHRASE = "CONSULTORY_PASSPHRASE"
ENV_NEW_PASSPHRASE = "CONSULTORY_NEW_PASSPHRASE"
PROMPT_TRIES = 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser(
        "backup",
        help="write an encrypted backup of the database",
        description=(
            "Write a consistent, encrypted backup (it carries the wrapped keys, so it can be "
            "restored with your passphrase or recovery key). Without -o, a new automatic "
            "backup is added to the data directory's backups/auto folder."
        ),
    )
    b.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the backup to FILE")
    b.set_defaults(func=_backup)

    r = sub.add_parser(
        "restore",
        help="replace the database with a backup (the replaced one is kept)",
        description=(
            "Verify FILE (checksum, key, page HMACs, schema) and only then replace the "
            "database with it. The replaced database is kept in backups/replaced-<time>/."
        ),
    )
    r.add_argument("file", type=Path, metavar="FILE")
    r.set_defaults(func=_restore)

    p = sub.add_parser(
        "passwd",
        help="change the passphrase (or encrypt an unencrypted database)",
        description=(
            "Change the passphrase. Only the wrapped key is rewritten; the recovery key keeps "
            f"working. Reads the current passphrase from {ENV_PASSPHRASE} or a prompt, and "
            f"the new one from {ENV_NEW_PASSPHRASE} or a prompt (typed twice)."
        ),
    )
    p.set_defaults(func=_passwd)


# --- reading secrets ----------------------------------------------------------------------


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def read_secret(prompt: str, env: str = ENV_PASSPHRASE) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not _interactive():
        raise PassphraseRequiredError(
            f"This needs the passphrase: run it in a terminal to be asked, or set {env}."
        )
    return getpass.getpass(prompt)


def read_new_secret(env: str = ENV_NEW_PASSPHRASE) -> tuple[str, str]:
    value = os.environ.get(env)
    if value:
        return value, value
    if not _interactive():
        raise PassphraseRequiredError(
            f"This needs a new passphrase: run it in a terminal to be asked, or set {env}."
        )
    from app.services.security import passphrase_strength

    first = getpass.getpass("New passphrase: ")
    strength = passphrase_strength(first)
    print(f"Strength: {strength.label}. {strength.hint}", file=sys.stderr)
    return first, getpass.getpass("Repeat the new passphrase: ")


def _show_recovery_key(data_dir: Path, recovery: str) -> None:
    print(
        f"consultory: created an encrypted database in {data_dir}.\n"
        "Recovery key — shown this once. Write it down or print it and keep it apart from "
        "this computer; it unlocks your data if you forget the passphrase:\n\n"
        f"    {recovery}\n",
        file=sys.stderr,
    )


# --- unlocking ----------------------------------------------------------------------------


def open_unlocked(data_dir: Path | None) -> Database:
    """Open ``data_dir`` for a headless command: unlock an encrypted store (prompt, up to
    three tries with a growing pause, or CONSULTORY_PASSPHRASE), create one on first use,
    open a demo or legacy unencrypted one as it is."""
    from app.paths import default_data_dir
    from app.services import security
    from app.store.database import open_database

    d = Path(data_dir) if data_dir else default_data_dir()
    state = security.store_state(d)
    if state.kind == "new":
        env = os.environ.get(ENV_PASSPHRASE)
        if env:
            new, confirm = env, env
        elif _interactive():
            print(f"No database in {d} yet: choose a passphrase to create one.", file=sys.stderr)
            new, confirm = read_new_secret()
        else:
            raise NoDatabaseError(
                f"There is no Consultory database in {d} yet. Run this in a terminal to create "
                f"one with a passphrase, or set {ENV_PASSPHRASE}."
            )
        created = security.create_store(d, new, confirm)
        _show_recovery_key(d, created.recovery_key)
        return created.db
    if state.kind != "encrypted":
        return open_database(d)
    if not os.environ.get(ENV_PASSPHRASE):
        key = security.remembered_key(d) if _interactive() else None
        if key is not None:
            return security.unlock_with_key(d, key)
    guard = security.UnlockGuard()
    tries = 1 if os.environ.get(ENV_PASSPHRASE) or not _interactive() else PROMPT_TRIES
    for attempt in range(tries):
        time.sleep(guard.delay_seconds())
        secret = read_secret("Passphrase (or recovery key): ")
        try:
            return security.unlock(d, secret, guard=guard)
        except WrongPassphraseError:
            if attempt == tries - 1:
                raise
            print("Wrong passphrase or damaged file. Try again.", file=sys.stderr)
    raise WrongPassphraseError()  # pragma: no cover - the loop returns or raises


# --- handlers -----------------------------------------------------------------------------


def _backup(args: argparse.Namespace) -> int:
    from app.cli.common import open_db
    from app.services import security

    db = open_db(args)
    try:
        out = Path(args.output) if args.output else None
        if out is not None and out.is_dir():
            raise ConsultoryError(f"{out} is a directory: give a file name with -o.")
        info = security.backup_now(db, out)
    finally:
        db.dispose()
    kind = "encrypted" if info.encrypted else "UNENCRYPTED (demo/test database)"
    print(f"Backup written ({kind}, {info.size} bytes): {info.path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from app.cli.common import resolve_data_dir
    from app.paths import default_data_dir
    from app.services import security

    d = resolve_data_dir(args) or default_data_dir()
    state = security.store_state(d)
    secret: str | None = None
    db = None
    if state.kind == "encrypted":
        secret = read_secret("Passphrase or recovery key (of this database or the backup): ")
        try:
            db = security.unlock(d, secret)
        except (DamagedDatabaseError, WrongPassphraseError):
            db = None  # the backup's own key file may still accept the secret
    elif state.kind in ("new", "orphaned"):
        secret = read_secret("Passphrase or recovery key of the backup: ")
    else:
        from app.store.database import open_database

        try:
            db = open_database(d)
        except DamagedDatabaseError:
            db = None
    try:
        restored = security.restore(db, Path(args.file), data_dir=d, secret=secret)
    except BaseException:
        if db is not None:
            db.dispose()
        raise
    restored.db.dispose()
    kept = (
        f" The replaced database is kept in {restored.replaced_dir}."
        if (restored.replaced_dir)
        else ""
    )
    stamp = restored.backup_created_at.strftime("%Y-%m-%d %H:%M UTC")
    print(f"Restored the backup made {stamp}.{kept}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from app.cli.common import resolve_data_dir
    from app.paths import default_data_dir
    from app.services import security

    d = resolve_data_dir(args) or default_data_dir()
    state = security.store_state(d)
    if state.kind == "plain":
        new, confirm = read_new_secret()
        created = security.create_store(d, new, confirm)
        created.db.dispose()
        _show_recovery_key(d, created.recovery_key)
        print("The database is now encrypted with the new passphrase.")
        return 0
    if state.kind != "encrypted":
        raise ValidationError(
            "passphrase",
            f"There is no encrypted database in {d} to change the passphrase of"
            + (" (a demo practice stays unencrypted)." if state.kind == "demo" else "."),
        )
    current = read_secret("Current passphrase (or recovery key): ")
    db = security.unlock(d, current)
    try:
        new, confirm = read_new_secret()
        security.change_passphrase(db, current, new, confirm)
    finally:
        db.dispose()
    print("Passphrase changed. Your recovery key still works.")
    return 0
