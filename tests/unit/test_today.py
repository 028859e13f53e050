from __future__ import annotations

from datetime import date, datetime, timedelta

from app.services import attention, practice, sessions, today
from app.services.attention import AttentionItem
from app.store.database import Database


def _setup(db: Database) -> int:
    me = practice.setup_solo_practice(db, "Sample Therapist", timezone="America/Chicago",
                                      group_name="Peer group")
    g = practice.find_group(db, "Peer group")
    sessions.create_series(db, g.id, "Weekly", datetime(2026, 1, 6, 12, 0), 60,
                           "America/New_York", "FREQ=WEEKLY")
    other = practice.create_group(db, "Not mine")
    sessions.create_series(db, other.id, "Other", datetime(2026, 1, 7, 9, 0), 60,
                           "Europe/Berlin", "FREQ=WEEKLY")
    return me.id


def test_snapshot_reads_me_and_only_my_groups_without_the_orm(db: Database) -> None:
    me_id = _setup(db)
    now = db.clock.now()
    snap = today.snapshot(db, now, timedelta(days=14), now.date(), mine_only=True)
    assert snap.me is not None and snap.me.id == me_id and snap.me.timezone == "America/Chicago"
    assert {o.title for o in snap.occurrences} == {"Weekly"}
    everyone = today.snapshot(db, now, timedelta(days=14), now.date(), mine_only=False)
    assert {o.title for o in everyone.occurrences} == {"Weekly", "Other"}
    # the one reader serves the ORM-side service too
    assert everyone.occurrences == sessions.list_occurrences(db, now, now + timedelta(days=14))


def test_attention_cache_is_used_until_an_audited_change_or_a_new_day(db: Database) -> None:
    me_id = _setup(db)
    now = db.clock.now()
    day = now.date()
    assert today.snapshot(db, now, timedelta(days=1), day).cached_attention is None
    items = [AttentionItem("follow_up", "warning", "Follow-up for case C-1", "x",
                           date(2026, 3, 1), "notes:1")]
    today.store_attention_cache(db, me_id, day, items)
    assert today.snapshot(db, now, timedelta(days=1), day).cached_attention == items
    assert today.snapshot(db, now, timedelta(days=1), day + timedelta(days=1)) \
        .cached_attention is None
    practice.create_member(db, "Someone New")  # audited change
    assert today.snapshot(db, now, timedelta(days=1), day).cached_attention is None


def test_gather_results_round_trip_through_the_cache(db: Database) -> None:
    me_id = _setup(db)
    now = db.clock.now()
    items = attention.gather(db, me_id, now)
    today.store_attention_cache(db, me_id, now.date(), items)
    assert today.snapshot(db, now, timedelta(days=1), now.date()).cached_attention == items
