"""Console-script entry point. Imports no Qt itself: headless commands stay Qt-free and
only the desktop path (no subcommand) imports ui.main."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from app.cli import main as cli_main


def _run_gui(args: argparse.Namespace) -> int:
    from ui.main import run_gui

    return run_gui(args)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, gui=_run_gui)


if __name__ == "__main__":
    raise SystemExit(main())
