"""The ``consultory`` command. Headless subcommands never import Qt. With no subcommand
the desktop app starts through the ``gui`` callback that the console-script entry point
(``ui/launch.py``) passes in: app/ never imports ui/ itself.

Each command module defines ``register(subparsers)`` and sets ``func=handler`` on its
parsers; ``handler(args) -> int`` returns the exit code. Keep heavy imports inside handlers
so ``consultory --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__
from app.errors import ConsultoryError

COMMAND_MODULES: list[str] = [
    "app.cli.cmd_core",
    "app.cli.cmd_deid",
    "app.cli.cmd_hours",
    "app.cli.cmd_security",
    "app.cli.cmd_schedule",
]


def _base_parser(add_help: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consultory",
        add_help=add_help,
        description=(
            "Consultory: private, local consultation and supervision planning for therapists. "
            "Run without a command to open the desktop app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"consultory {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="use DIR for data instead of the platform's user data directory",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the demo practice (built with 'consultory demo') instead of your own data",
    )
    parser.add_argument(
        "--quit-when-ready",
        action="store_true",
        help="(desktop app) quit as soon as the Today screen is populated; for start-up timing",
    )
    parser.add_argument(
        "--minimized",
        action="store_true",
        help="(desktop app) start in the system tray without showing the window",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _base_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command module still being written
            raise
        module.register(sub)
    return parser


GuiRunner = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None, gui: GuiRunner | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The desktop path (no command) does not import the command modules at all.
    base_args, rest = _base_parser(add_help=False).parse_known_args(argv)
    if not rest:
        args = base_args
        args.command = None
    else:
        args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            if gui is None:
                print("consultory: the desktop app is not available here", file=sys.stderr)
                return 2
            return gui(args)
        code: int = args.func(args)
        return code
    except ConsultoryError as exc:
        print(f"consultory: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("consultory: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
