"""Reminder benchmarks (run on demand: ``python tests/bench/bench_reminders.py``).

1. Planning: every reminder of 10 years for 40 members of a demo practice (the service
   path, reading rows and expanding series, and the pure planner alone).
2. Start-up: the cost of taking what is due and rebuilding the near-horizon timers in the
   desktop app (target: under 50 ms), and the job count that horizon arms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.demo import build_demo  # noqa: E402
from app.paths import is_demo_dir  # noqa: E402
from app.reminders.model import MemberInput, OccurrenceInput  # noqa: E402
from app.reminders.planner import MembershipInput, plan_sessions  # noqa: E402
from app.services import practice  # noqa: E402
from app.services import reminders as rs  # noqa: E402
from app.services.sessions import list_occurrences  # noqa: E402
from app.store.database import Database, open_database  # noqa: E402
from app.store.models import Role  # noqa: E402

DEMO = Path(os.environ.get("BENCH_DEMO_DIR", "/tmp/consultory-bench-reminders-10y"))
YEARS = 10
MEMBERS = 40


def _demo() -> Database:
    if not is_demo_dir(DEMO):
        t = time.perf_counter()
        build_demo(DEMO, years=YEARS)
        print(f"built the {YEARS}-year demo in {time.perf_counter() - t:.1f} s")
    db = open_database(DEMO)
    members = practice.list_members(db)
    groups = practice.list_groups(db)
    for i in range(len(members), MEMBERS):  # the demo has 36: top up to 40
        m = practice.create_member(db, f"Bench Member {i}", timezone="America/Chicago")
        practice.set_role(db, groups[i % len(groups)].id, m.id, Role.PEER)
    return db


def bench_planning(db: Database) -> None:
    members = practice.list_members(db)[:MEMBERS]
    now = datetime.now(UTC)
    lo, hi = now - timedelta(days=365 * YEARS), now + timedelta(days=30)
    t = time.perf_counter()
    total = 0
    for m in members:
        total += len(rs.plan(db, m.id, lo, hi))
    svc = time.perf_counter() - t
    print(
        f"service plan, {YEARS} years x {len(members)} members: {total} reminders in "
        f"{svc:.2f} s ({svc / len(members) * 1000:.0f} ms per member)"
    )
    occs = list_occurrences(db, lo, hi + timedelta(days=30))
    groups_of = {m.id: rs.my_groups(db, m.id) for m in members}
    t = time.perf_counter()
    total = 0
    for m in members:
        ms = {gid: MembershipInput(gid, role) for gid, _n, role in groups_of[m.id]}
        inputs = [
            OccurrenceInput(
                o.series_id,
                o.group_id,
                o.recurrence_id,
                o.start_utc,
                o.end_utc,
                o.title,
                o.occurrence_id,
            )
            for o in occs
            if o.group_id in ms
        ]
        total += len(plan_sessions(MemberInput(m.id, m.timezone), inputs, ms, [], lo, hi))
    pure = time.perf_counter() - t
    print(
        f"pure planner over {len(occs)} occurrences: {total} reminders in {pure:.2f} s "
        f"({total / pure:,.0f} reminders/s)"
    )


def bench_startup(db: Database) -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    from app.clock import SYSTEM_CLOCK
    from ui.context import AppContext
    from ui.reminders import ReminderService

    app = QApplication.instance() or QApplication([])
    me = practice.get_me(db)
    assert me is not None
    ctx = AppContext(db, SYSTEM_CLOCK)
    ctx.me_id = me.id
    window = QMainWindow()
    service = ReminderService(ctx, window, notify_log="")
    service.scheduler.start(paused=False)
    rs.take_due(db, me.id)
    checks, rebuilds, jobs = [], [], 0
    for _ in range(15):
        t = time.perf_counter()
        service.check("startup")
        checks.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        jobs = service.rebuild_jobs()
        rebuilds.append((time.perf_counter() - t) * 1000)
    if service.digest_dialog is not None:
        service.digest_dialog.close()
    service.stop()
    window.deleteLater()
    app.processEvents()
    print(
        f"start-up check (take due + digest + rebuild): median {statistics.median(checks):.1f} ms"
        f", max {max(checks):.1f} ms"
    )
    print(
        f"rebuild near-horizon timers: median {statistics.median(rebuilds):.1f} ms, "
        f"max {max(rebuilds):.1f} ms, {jobs} jobs armed (target < 50 ms)"
    )


def main() -> int:
    db = _demo()
    try:
        bench_planning(db)
        bench_startup(db)
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
