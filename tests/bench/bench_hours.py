"""Benchmark the hour ledger on 10 years of demo data (target: under 200 ms).

Run::

    python tests/bench/bench_hours.py [--data-dir DIR] [--years 10] [--runs 7]

Builds (once) a demo practice with ``--years`` of history, picks the busiest member (the
most attendance rows plus manual entries) and prints the median and worst of ``--runs``:

- the ledger + checks for the whole history (``hours.overview``) and the default
  requirement period;
- the sign-off report data for the whole history (``hours.report``);
- the Hours screen: building the page and refreshing it for the whole history (offscreen);
- writing the whole history's PDF (QPdfWriter; many pages, reported for information).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlmodel import func, select  # noqa: E402

from app.demo import build_demo  # noqa: E402
from app.paths import is_demo_dir  # noqa: E402
from app.services import hours  # noqa: E402
from app.store.database import Database, open_database  # noqa: E402
from app.store.engine import transaction  # noqa: E402
from app.store.models import Attendance, HourEntry, Member  # noqa: E402

TARGET_MS = 200.0


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def busiest_member(db: Database) -> tuple[int, str, int]:
    with transaction(db.engine) as s:
        att = dict(
            s.exec(select(Attendance.member_id, func.count()).group_by(Attendance.member_id)).all()
        )
        man = dict(
            s.exec(select(HourEntry.member_id, func.count()).group_by(HourEntry.member_id)).all()
        )
        best = max(set(att) | set(man), key=lambda m: att.get(m, 0) + man.get(m, 0))
        member = s.get(Member, best)
        assert member is not None
        return best, member.display_name, att.get(best, 0) + man.get(best, 0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-pdf", action="store_true")
    args = ap.parse_args()

    d = args.data_dir or Path(tempfile.gettempdir()) / f"consultory-bench-hours-{args.years}y"
    if not is_demo_dir(d):
        t0 = time.perf_counter()
        build_demo(d, years=args.years)
        print(f"built {args.years}-year demo in {time.perf_counter() - t0:.1f} s: {d}")
    db = open_database(d)
    mid, name, rows = busiest_member(db)
    whole = (date(1970, 1, 1), date(9998, 1, 1))
    ov = hours.overview(db, mid, *whole)
    first = ov.ledger.entries[0].on_date
    last = ov.ledger.entries[-1].on_date
    print(
        f"busiest member #{mid}: {rows} source rows, {len(ov.ledger.entries)} ledger entries "
        f"from {first} to {last}, {ov.ledger.total_minutes} minutes"
    )
    results: list[tuple[str, float, float]] = []

    def run(label: str, fn: Callable[[], object]) -> None:
        fn()  # warm-up
        med, worst = timed(fn, args.runs)
        results.append((label, med, worst))

    run("overview, whole history", lambda: hours.overview(db, mid, *whole))
    run("overview, requirement period", lambda: hours.overview(db, mid))
    run("report data, whole history", lambda: hours.report(db, mid, first, last))

    from PySide6.QtWidgets import QApplication

    from ui.context import AppContext
    from ui.hours_widgets import qdate
    from ui.pages.hours import HoursPage

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(db, db.clock)
    ctx.me_id = mid

    def build_page() -> None:
        page = HoursPage(ctx)
        page.resize(1280, 800)
        page.refresh()
        page.deleteLater()
        app.processEvents()

    page = HoursPage(ctx)
    page.resize(1280, 800)
    page.show()
    page.period_combo.setCurrentIndex(page.period_combo.findData("custom"))
    page._loading = True
    page.from_edit.setDate(qdate(first))
    page.to_edit.setDate(qdate(last))
    page._loading = False

    def refresh_page() -> None:
        page.refresh()
        page.chart.repaint()
        app.processEvents()

    run("Hours screen: build (requirement period)", build_page)
    run("Hours screen: refresh + paint, whole history", refresh_page)

    if not args.no_pdf:
        from ui.hours_report import write_pdf

        out = Path(tempfile.mkdtemp()) / "hours.pdf"
        rep = hours.report(db, mid, first, last)
        t0 = time.perf_counter()
        pages = write_pdf(rep, out)
        pdf_ms = (time.perf_counter() - t0) * 1000
        rep_year = hours.report(db, mid, date(last.year, 1, 1), last)
        t0 = time.perf_counter()
        pages_year = write_pdf(rep_year, out)
        year_ms = (time.perf_counter() - t0) * 1000

    print(f"\n{'measurement':<46}{'median ms':>10}{'worst ms':>10}  target {TARGET_MS:.0f} ms")
    for label, med, worst in results:
        flag = "ok" if med < TARGET_MS else "SLOW"
        print(f"{label:<46}{med:>10.1f}{worst:>10.1f}  {flag}")
    if not args.no_pdf:
        print(f"{'PDF, whole history (' + str(pages) + ' pages)':<46}{pdf_ms:>10.1f}")
        print(f"{'PDF, latest year (' + str(pages_year) + ' pages)':<46}{year_ms:>10.1f}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
