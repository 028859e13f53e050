"""Schedule commands: import-ics, export-ics, sessions."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from app.cli.common import open_db, parse_date, print_json
from app.errors import ConsultoryError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser(
        "import-ics",
        help="import sessions from an iCalendar (.ics) file",
        description=(
            "Import the events of an .ics file (Google, Outlook/Exchange, Apple Calendar, "
            "Thunderbird) as session series of a group. Importing the same file again "
            "updates the sessions instead of duplicating them."
        ),
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument(
        "--group",
        metavar="NAME",
        help="group to import into (created if missing; default: the calendar's name)",
    )
    imp.add_argument(
        "--timezone", metavar="ZONE", help="zone for times without one (default: yours)"
    )
    imp.set_defaults(func=_import)

    exp = sub.add_parser(
        "export-ics",
        help="export sessions as an iCalendar (.ics) file",
        description=(
            "Write every series (or one group's) with its repeats, cancellations and moved "
            "sessions to an .ics file for calendar apps. Titles only; no agendas or notes."
        ),
    )
    exp.add_argument("--group", metavar="NAME", help="only this group")
    exp.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="file to write ('-' for standard output)",
    )
    exp.set_defaults(func=_export)

    ses = sub.add_parser(
        "sessions",
        help="list session occurrences in a date range",
        description="List occurrences between two dates (inclusive), in UTC.",
    )
    ses.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    ses.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    ses.add_argument("--group", metavar="NAME", help="only this group")
    ses.add_argument("--json", action="store_true", help="print JSON")
    ses.add_argument("--all", action="store_true", help="include cancelled sessions")
    ses.set_defaults(func=_sessions)


def _import(args: argparse.Namespace) -> int:
    from app.services import schedule

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConsultoryError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    report = schedule.import_ics(open_db(args), data, args.group, args.timezone)
    print(
        f"Imported into “{report.group_name}”: {report.created} new series, "
        f"{report.updated} updated, {report.exceptions} changed or cancelled sessions"
        + (f", {report.skipped} events skipped" if report.skipped else "")
        + "."
    )
    for p in report.problems:
        print(f"  note: {p}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    from app.services import practice, schedule

    db = open_db(args)
    gid = practice.find_group(db, args.group).id if args.group else None
    data = schedule.export_ics(db, gid)
    if str(args.output) == "-":
        sys.stdout.write(data.decode("utf-8"))
        return 0
    out: Path = args.output
    try:
        from app.store.engine import touch_private

        tmp = out.with_name(out.name + ".part")
        touch_private(tmp)  # 0600, like every file Consultory writes
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise ConsultoryError(f"Cannot write {out}: {exc.strerror or exc}.") from None
    print(f"Wrote {out} ({data.count(b'BEGIN:VEVENT')} calendar entries).")
    return 0


def _sessions(args: argparse.Namespace) -> int:
    from app.services import practice, schedule

    lo = parse_date(args.date_from, "--from")
    hi = parse_date(args.date_to, "--to")
    if hi < lo:
        raise ConsultoryError("--to must be on or after --from.")
    if (hi - lo).days > 366 * 20:
        raise ConsultoryError("Choose a range of at most 20 years.")
    db = open_db(args)
    gids = {practice.find_group(db, args.group).id} if args.group else None
    start = datetime.combine(lo, time(0), tzinfo=UTC)
    end = datetime.combine(hi + timedelta(days=1), time(0), tzinfo=UTC)
    items = schedule.calendar_items(db, start, end, gids, include_cancelled=args.all)
    if args.json:
        print_json(
            [
                {
                    "start": i.start_utc.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                    "end": i.end_utc.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                    "title": i.title,
                    "group": i.group_name,
                    "series_id": i.series_id,
                    "recurrence_id": i.recurrence_id.isoformat(),
                    "timezone": i.timezone,
                    "status": i.status,
                    "moved": i.moved,
                }
                for i in items
            ]
        )
    elif not items:
        print("No sessions in that range.")
    else:
        for i in items:
            flag = " (cancelled)" if i.cancelled else " (moved)" if i.moved else ""
            print(f"{i.start_utc:%Y-%m-%d %H:%M}Z\t{i.group_name}\t{i.title}{flag}")
    return 0
