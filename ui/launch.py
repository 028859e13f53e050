"""Console-script entry point. Imports no Qt itself: headless commands stay Qt-free and
only the desktop path (no subcommand) imports ui.main."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import main as cli_main

if TYPE_CHECKING:
    from app.services.hours import HoursReport


def _run_gui(args: argparse.Namespace) -> int:
    # Start-up allocates many long-lived objects (Qt wrappers, SQLAlchemy/pydantic
    # classes): collecting during it only costs time. ui.main re-enables the collector
    # (and freezes what start-up made) once Today is on screen.
    gc.disable()
    from ui.main import run_gui

    return run_gui(args)


def _write_hours_pdf(report: HoursReport, path: Path) -> int:
    from ui.hours_report import write_pdf  # Qt is imported only when a PDF is written

    return write_pdf(report, path)


def _register_ui_backed_commands() -> None:
    from app.cli import cmd_hours

    cmd_hours.set_pdf_renderer(_write_hours_pdf)


def main(argv: Sequence[str] | None = None) -> int:
    _register_ui_backed_commands()
    return cli_main(argv, gui=_run_gui)


if __name__ == "__main__":
    raise SystemExit(main())
