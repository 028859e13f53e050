"""Helpers shared by CLI commands."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import ConsultoryError, ValidationError
from app.paths import default_demo_dir, is_demo_dir

if TYPE_CHECKING:  # importing the store pulls in SQLAlchemy: keep `--help` fast
    from app.store.database import Database


def resolve_data_dir(args: argparse.Namespace) -> Path | None:
    if getattr(args, "demo", False):
        d = Path(args.data_dir) if args.data_dir else default_demo_dir()
        if not is_demo_dir(d):
            raise ConsultoryError(f"No demo practice in {d}. Build one first with: consultory demo")
        return d
    return Path(args.data_dir) if args.data_dir else None


def open_db(args: argparse.Namespace) -> Database:
    """Open the data directory, unlocking (prompt or CONSULTORY_PASSPHRASE) if encrypted."""
    from app.cli.cmd_security import open_unlocked

    return open_unlocked(resolve_data_dir(args))


def parse_date(value: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(field, f"“{value}” is not a date; use YYYY-MM-DD.") from None


def print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
