"""Where data lives: the platform user data dir (platformdirs) unless --data-dir says another."""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import DataDirError

DB_FILENAME = "consultory.db"
DEMO_MARKER = "DEMO-DATA.txt"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Consultory", appauthor=False))


def default_demo_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Consultory", appauthor=False)).with_name("Consultory-demo")


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (0700) if needed and check that it is usable. Raises DataDirError."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
    except OSError as exc:
        raise DataDirError(
            f"Cannot create or use the data directory {path}: {exc.strerror or exc}. "
            "Choose another with --data-dir."
        ) from None
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise DataDirError(
            f"The data directory {path} is not readable and writable. "
            "Fix its permissions or choose another with --data-dir."
        )
    return path


def is_demo_dir(path: Path) -> bool:
    return (path / DEMO_MARKER).exists()
