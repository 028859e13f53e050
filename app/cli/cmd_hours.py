"""Hour-log commands: ``hours`` (ledger as text, JSON or CSV) and ``hours-report`` (the
sign-off PDF).

The PDF is drawn with Qt's own PDF writer, which lives in ui/. app/ never imports Qt, so
the console-script entry point (ui/launch.py) hands a renderer in with
:func:`set_pdf_renderer`; without one (``python -m app``) the command says how to run it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import open_db, parse_date, print_json
from app.errors import ConsultoryError, ValidationError

if TYPE_CHECKING:
    from app.services.hours import HoursReport

#: (report, path) -> number of pages written
PdfRenderer = Callable[["HoursReport", Path], int]
_pdf_renderer: PdfRenderer | None = None


def set_pdf_renderer(renderer: PdfRenderer | None) -> None:
    global _pdf_renderer
    _pdf_renderer = renderer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    h = sub.add_parser(
        "hours",
        help="a member's hour log: attendance-derived and manual entries, totals and checks",
        description=(
            "Print a member's hour ledger with totals per category and the checks of their "
            "requirement set. Without --from/--to the requirement set's own period is used; "
            "--all prints every entry."
        ),
    )
    h.add_argument("--member", required=True, metavar="NAME", help="the member's display name")
    h.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (inclusive)")
    h.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (inclusive)")
    h.add_argument("--all", action="store_true", help="every entry, whatever the dates")
    h.add_argument("--set", dest="set_id", metavar="ID", help="requirement set id to check against")
    fmt = h.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV (one row per entry)")
    h.set_defaults(func=_hours)

    r = sub.add_parser(
        "hours-report",
        help="write a period's hour log as a printable PDF for sign-off",
        description=(
            "Write the sign-off PDF for a member's hours in a period: candidate, supervisor, "
            "totals per category, the checks, every entry and signature lines."
        ),
    )
    r.add_argument("--member", required=True, metavar="NAME", help="the member's display name")
    r.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    r.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    r.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    r.add_argument("--supervisor", metavar="NAME", help="supervisor name to print")
    r.add_argument("--set", dest="set_id", metavar="ID", help="requirement set id to check against")
    r.set_defaults(func=_hours_report)


def _period(args: argparse.Namespace) -> tuple[date | None, date | None]:
    start = parse_date(args.start, "from") if args.start else None
    end = parse_date(args.end, "to") if args.end else None
    if start and end and end < start:
        raise ValidationError("to", "--to must be on or after --from.")
    return start, end


def entry_dict(e: Any) -> dict[str, Any]:
    return {
        "date": e.on_date.isoformat(),
        "category": e.category.value,
        "minutes": e.minutes,
        "source": e.source,
        "status": e.status,
        "description": e.description,
    }


def _hours(args: argparse.Namespace) -> int:
    from app.hours.ledger import fmt_hours, fmt_minutes, write_csv
    from app.services import hours, practice

    db = open_db(args)
    member = practice.find_member(db, args.member)
    start, end = _period(args)
    if args.all:
        start, end = None, None
        ov = hours.overview(db, member.id, date.min, date.max, set_id=args.set_id)
    elif start is None and end is None:
        ov = hours.overview(db, member.id, set_id=args.set_id)
    else:
        ov = hours.overview(db, member.id, start or date.min, end or date.max, set_id=args.set_id)
    led, ev = ov.ledger, ov.evaluation
    shown_start = None if led.start in (None, date.min) else led.start
    shown_end = None if led.end in (None, date.max) else led.end
    if args.csv or args.json:
        from app.services import security

        security.record_event(db, "export", "member", member.id)
    if args.csv:
        write_csv(led.entries, sys.stdout)
        return 0
    if args.json:
        print_json(
            {
                "member": led.member_name,
                "from": shown_start.isoformat() if shown_start else None,
                "to": shown_end.isoformat() if shown_end else None,
                "requirement_set": {"id": ev.set_id, "name": ev.set_name},
                "total_minutes": led.total_minutes,
                "totals_minutes": {c.value: m for c, m in led.totals.items()},
                "counted_hours": {c.value: round(h, 4) for c, h in ev.counted_hours.items()},
                "counted_total_hours": round(ev.counted_total_hours, 4),
                "targets": [
                    {
                        "key": t.key,
                        "label": t.label,
                        "kind": t.kind,
                        "target_hours": t.target_hours,
                        "counted_hours": round(t.counted_hours, 4),
                        "met": t.met,
                    }
                    for t in ev.targets
                ],
                "warnings": [
                    {"rule": w.rule, "severity": w.severity, "title": w.title, "detail": w.detail}
                    for w in ev.warnings
                ],
                "entries": [entry_dict(e) for e in led.entries],
            }
        )
        return 0
    period = f"{shown_start or 'the beginning'} to {shown_end or 'today'}"
    print(f"Hours for {led.member_name}, {period} (checked against: {ev.set_name})")
    if not led.entries:
        print("No hours in this period. Take attendance or add a manual entry.")
        return 0
    for c, m in led.totals.items():
        print(f"  {c.label:<24}{fmt_minutes(m):>16}")
    print(f"  {'Total logged':<24}{fmt_minutes(led.total_minutes):>16}")
    for t in ev.targets:
        goal = "target" if t.kind == "min" else "at most"
        print(
            f"  {t.label}: {fmt_hours(t.counted_hours)} h counted "
            f"({goal} {fmt_hours(t.target_hours)} h)"
        )
    for w in ev.warnings:
        print(f"  {'!' if w.severity == 'warning' else '-'} {w.title}. {w.detail}")
    print(f"{len(led.entries)} entries; use --csv or --json for the full log.")
    return 0


def _hours_report(args: argparse.Namespace) -> int:
    from app.services import hours, practice

    start, end = _period(args)
    assert start is not None and end is not None
    out: Path = args.output
    if out.suffix.lower() != ".pdf":
        raise ValidationError("output", "The report file name must end in .pdf.")
    if not out.parent.exists():
        raise ConsultoryError(f"The folder {out.parent} does not exist.")
    if _pdf_renderer is None:
        raise ConsultoryError(
            "Writing PDF reports needs Consultory's desktop components: run it with the "
            "'consultory' command (not 'python -m app')."
        )
    db = open_db(args)
    member = practice.find_member(db, args.member)
    rep = hours.report(db, member.id, start, end, args.supervisor, args.set_id)
    pages = _pdf_renderer(rep, out)
    print(
        f"Wrote {out} ({pages} page{'s' if pages != 1 else ''}, {len(rep.entries)} entries, "
        f"{rep.total_minutes} minutes)."
    )
    return 0
