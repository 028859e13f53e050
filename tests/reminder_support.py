"""Builders shared by the reminder tests (unit, ui, integration, bench): a small practice
with "me", one group and sessions placed at exact instants. Synthetic data only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.scheduling.expand import utc_to_local
from app.services import practice, sessions
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import DutyRole, OccurrenceDuty, Role


@dataclass(frozen=True)
class Practice:
    me: int
    group: int
    tz: str


def small_practice(
    db: Database, tz: str = "America/New_York", role: Role = Role.PEER, goal: int | None = None
) -> Practice:
    me = practice.create_member(db, "Test Me", timezone=tz, consultation_goal_days=goal)
    practice.set_me(db, me.id)
    g = practice.create_group(db, "Test peer group")
    practice.set_role(db, g.id, me.id, role)
    return Practice(me.id, g.id, tz)


def session_at(
    db: Database, p: Practice, start_utc: datetime, minutes: int = 60, title: str = "Peer session"
) -> tuple[int, datetime]:
    """A one-off session starting exactly at ``start_utc`` (seconds included: the
    occurrence row is moved onto the instant). Returns (series id, recurrence id)."""
    local = utc_to_local(start_utc, p.tz).replace(second=0, microsecond=0)
    sr = sessions.create_series(db, p.group, title, local, minutes, p.tz)
    with transaction(db.engine) as s:
        occ = sessions.materialize(s, sr.id, local)
        occ.start_utc = start_utc
        occ.end_utc = start_utc + timedelta(minutes=minutes)
        occ.moved = start_utc.second != 0
        s.add(occ)
    return sr.id, local


def make_presenter(db: Database, series_id: int, recurrence_id: datetime, member_id: int) -> None:
    with transaction(db.engine) as s:
        occ = sessions.materialize(s, series_id, recurrence_id)
        s.add(
            OccurrenceDuty(
                occurrence_id=occ.id or 0, member_id=member_id, duty=DutyRole.PRESENTER.value
            )
        )
