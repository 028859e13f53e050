"""Scheduling benchmarks (run on demand: ``python tests/bench/bench_schedule.py``).

1. Expansion: 20 series over 10 years with exceptions (about 5 % cancelled and 3 % moved,
   materialised as rows), expanded whole and window by window, through the service and
   through the pure expander.
2. Views: building the calendar's month and week views (and the agenda) on a 10-year
   demo practice, i.e. what a view switch or PageUp/PageDown costs (target: under 50 ms).
3. iCalendar: exporting everything and parsing the export back.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.demo import build_demo  # noqa: E402
from app.paths import is_demo_dir  # noqa: E402
from app.scheduling.expand import SeriesSpec, expand  # noqa: E402
from app.services import practice, schedule, sessions  # noqa: E402
from app.store.database import Database, open_database  # noqa: E402

DEMO = Path(os.environ.get("BENCH_DEMO_DIR", "/tmp/consultory-bench-schedule-10y"))
YEARS = 10
RULES = (
    "FREQ=WEEKLY;BYDAY=TU",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=WEEKLY;BYDAY=MO,TH",
)
ZONES = ("America/New_York", "America/Chicago", "Europe/London", "Australia/Sydney",
         "America/Los_Angeles")


def timed(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    """(median, max) wall time in milliseconds."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), max(runs)


def bench_expansion() -> None:
    from tests.fakes import FakeClock

    rng = random.Random(11)
    d = Path(tempfile.mkdtemp(prefix="bench-schedule-"))
    now = datetime.now(UTC)
    start = datetime(now.year - YEARS, 1, 5, 12, 0)
    # exceptions are made "before" the sessions, so every one of them may be moved
    clock = FakeClock(datetime(now.year - YEARS, 1, 1, tzinfo=UTC))
    db = open_database(d, encrypted=False, clock=clock)
    ids = []
    for i in range(20):
        g = practice.create_group(db, f"Bench group {i}").id
        res = schedule.create_series(db, g, f"Series {i}", start + timedelta(hours=i % 6), 90,
                                     ZONES[i % len(ZONES)], RULES[i % len(RULES)])
        ids.append(res.series_id)
    lo = datetime(now.year - YEARS, 1, 1, tzinfo=UTC)
    hi = datetime(now.year + 1, 1, 1, tzinfo=UTC)
    occs = schedule.calendar_items(db, lo, hi, include_cancelled=False)
    cancelled = moved = 0
    future = occs
    for o in rng.sample(future, int(len(future) * 0.05)):
        schedule.cancel_occurrence(db, o.series_id, o.recurrence_id)
        cancelled += 1
    for o in rng.sample(future, int(len(future) * 0.03)):
        try:
            schedule.move_occurrence(db, o.series_id, o.recurrence_id,
                                     o.recurrence_id + timedelta(days=1, hours=1))
            moved += 1
        except Exception:  # noqa: BLE001 - already cancelled
            pass
    clock.set(now)
    total = len(schedule.calendar_items(db, lo, hi, include_cancelled=False))
    print(f"20 series, {YEARS} years: {total} occurrences "
          f"({cancelled} cancelled, {moved} moved)")
    med, worst = timed(lambda: schedule.calendar_items(db, lo, hi), repeat=5)
    print(f"  service, whole {YEARS + 1} years at once: median {med:.1f} ms, max {worst:.1f} ms")
    month = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0))
    med, worst = timed(lambda: schedule.calendar_items(db, month, month + timedelta(days=42)))
    print(f"  service, one 6-week window: median {med:.1f} ms, max {worst:.1f} ms")
    old = month - timedelta(days=365 * 9)
    med, worst = timed(lambda: schedule.calendar_items(db, old, old + timedelta(days=42)))
    print(f"  service, a 6-week window 9 years back: median {med:.1f} ms, max {worst:.1f} ms")
    specs = [sessions._spec(r) for r in _rows(db)]
    med, worst = timed(lambda: expand(specs, {}, lo, hi), repeat=5)
    print(f"  pure expander, all {YEARS + 1} years: median {med:.1f} ms, max {worst:.1f} ms")
    med, worst = timed(lambda: schedule.export_ics(db), repeat=3)
    data = schedule.export_ics(db)
    print(f"  export-ics of everything ({len(data) // 1024} KiB): median {med:.1f} ms")
    d2 = Path(tempfile.mkdtemp(prefix="bench-schedule-import-"))
    db2 = open_database(d2, encrypted=False)
    t = time.perf_counter()
    schedule.import_ics(db2, data, "Reimport", "UTC")
    print(f"  import-ics of that export: {(time.perf_counter() - t) * 1000:.0f} ms")
    db.dispose()
    db2.dispose()
    del ids


def _rows(db: Database) -> list[SeriesSpec]:
    from sqlmodel import select

    from app.store.engine import transaction
    from app.store.models import SessionSeries

    with transaction(db.engine) as s:
        return list(s.exec(select(SessionSeries)).all())  # type: ignore[arg-type]


def bench_views() -> None:
    from app.clock import SYSTEM_CLOCK
    from ui.context import AppContext
    from ui.main import make_app
    from ui.pages.calendar import CalendarPage

    if not is_demo_dir(DEMO):
        t = time.perf_counter()
        build_demo(DEMO, years=YEARS)
        print(f"built the {YEARS}-year demo in {time.perf_counter() - t:.1f} s")
    app = make_app()
    db = open_database(DEMO)
    ctx = AppContext(db, SYSTEM_CLOCK, app)
    me = practice.get_me(db)
    ctx.me_id = me.id if me else None
    page = CalendarPage(ctx)
    page.resize(1100, 700)
    page.show()
    page.refresh()
    app.processEvents()
    print(f"views on the {YEARS}-year demo practice (target: a view switch under 50 ms):")
    for view in ("month", "week", "agenda"):
        def switch(v: str = view) -> None:
            page.set_view("agenda" if v != "agenda" else "month")
            t = time.perf_counter()
            page.set_view(v)
            app.processEvents()
            switch.last = (time.perf_counter() - t) * 1000  # type: ignore[attr-defined]

        runs = []
        for _ in range(7):
            switch()
            runs.append(switch.last)  # type: ignore[attr-defined]
        print(f"  switch to {view:6s}: median {statistics.median(runs):.1f} ms, "
              f"max {max(runs):.1f} ms")
        med, worst = timed(lambda: (page.go(1), app.processEvents()))
        print(f"  next {view:6s} (PageDown): median {med:.1f} ms, max {worst:.1f} ms")
    page.go_to_date(page.today() - timedelta(days=365 * 9))
    page.set_view("month")
    med, worst = timed(lambda: (page.go(1), app.processEvents()))
    print(f"  a month 9 years back: median {med:.1f} ms, max {worst:.1f} ms")
    page.close()
    db.dispose()


if __name__ == "__main__":
    bench_expansion()
    bench_views()
