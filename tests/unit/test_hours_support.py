"""A small synthetic practice for the attendance and hours tests (no tests here).

Alex Doe is a supervisee of Sam Roe (individual supervision, Mondays 12:00 New York,
60 min) and a peer with Pat Poe and Sam in a peer group (Tuesdays 12:00, 90 min). The
FakeClock starts on Monday 2026-03-02 14:00 UTC (09:00 in New York), so the Mondays from
2026-01-05 to 2026-02-23 are past and 2026-03-02 12:00 is still ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.services import practice, sessions
from app.store.database import Database
from app.store.models import GroupKind, Role

TZ = "America/New_York"


@dataclass(frozen=True)
class Practice:
    alex: int
    sam: int
    pat: int
    supervision_group: int
    peer_group: int
    supervision: int  # series id
    peer: int  # series id


def build_practice(db: Database) -> Practice:
    alex = practice.create_member(db, "Alex Doe", credential="LPC-Associate", timezone=TZ)
    sam = practice.create_member(db, "Sam Roe", credential="LPC-S", timezone=TZ)
    pat = practice.create_member(db, "Pat Poe", timezone="Europe/London")
    sup = practice.create_group(db, "Supervision", GroupKind.INDIVIDUAL_SUPERVISION)
    peer = practice.create_group(db, "Peer circle", GroupKind.PEER_CONSULTATION)
    practice.set_role(db, sup.id, sam.id, Role.SUPERVISOR)
    practice.set_role(db, sup.id, alex.id, Role.SUPERVISEE)
    for m in (alex, pat, sam):
        practice.set_role(db, peer.id, m.id, Role.PEER)
    s1 = sessions.create_series(
        db, sup.id, "Supervision", datetime(2026, 1, 5, 12), 60, TZ, "FREQ=WEEKLY;BYDAY=MO"
    )
    s2 = sessions.create_series(
        db, peer.id, "Peer circle", datetime(2026, 1, 6, 12), 90, TZ, "FREQ=WEEKLY;BYDAY=TU"
    )
    return Practice(alex.id, sam.id, pat.id, sup.id, peer.id, s1.id, s2.id)


def monday(day: int, month: int = 1) -> datetime:
    """The recurrence id of the supervision session on 2026-<month>-<day>."""
    return datetime(2026, month, day, 12)


def tuesday(day: int, month: int = 1) -> datetime:
    return datetime(2026, month, day, 12)
