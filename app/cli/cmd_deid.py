"""``deid-check``: scan a text file (or stdin) for protected health information."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "deid-check",
        help="report suspected identifiers (PHI) in a note; exit 1 if any are found",
        description=(
            "Scan FILE (or '-' for standard input) for HIPAA Safe Harbor identifiers and print "
            "one JSON object per finding: {start, end, category, text}. Exit status is 1 when "
            "anything was found and 0 when the text looks clean."
        ),
    )
    p.add_argument("file", metavar="FILE", help="text file to check, or '-' for stdin")
    p.add_argument("--reason", action="store_true", help="include the rule's reason")
    p.set_defaults(func=_deid_check)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).read_text(encoding="utf-8", errors="replace")


def _deid_check(args: argparse.Namespace) -> int:
    try:
        text = _read(str(args.file))
    except OSError as exc:
        print(f"deid-check: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    from app.deid import find_phi  # imported here so `consultory --help` stays fast

    findings = find_phi(text)
    for f in findings:
        row = f.to_dict()
        if getattr(args, "reason", False):
            row["reason"] = f.reason
        print(json.dumps(row, ensure_ascii=False))
    return 1 if findings else 0
