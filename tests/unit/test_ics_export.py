"""iCalendar export: parsed back by an independent library (recurring-ical-events, test
only), it must yield exactly the app's own occurrences."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services import practice, schedule
from app.store.database import Database

NY = "America/New_York"
LO, HI = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)


def reference(data: bytes) -> set[tuple[str, datetime, datetime]]:
    import icalendar
    import recurring_ical_events

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = icalendar.Calendar.from_ical(data)
        events = recurring_ical_events.of(cal).between(LO, HI)
    out = set()
    for e in events:
        s, end = e["DTSTART"].dt, e["DTEND"].dt
        out.add((str(e["UID"]), s.astimezone(UTC), end.astimezone(UTC)))
    return out


def app_view(db: Database) -> set[tuple[str, datetime, datetime]]:
    uids = {s.id: s.uid for s in __import__("app.services.sessions", fromlist=["x"])
            .list_series(db)}
    return {
        (uids[i.series_id], i.start_utc, i.end_utc)
        for i in schedule.calendar_items(db, LO, HI, include_cancelled=False)
    }


@pytest.fixture
def group(db: Database) -> int:
    return practice.create_group(db, "Trauma peer consultation").id


def test_export_round_trips_series_exceptions_and_splits(db: Database, group: int) -> None:
    sid = schedule.create_series(db, group, "Trauma consult", datetime(2026, 1, 13, 12), 90, NY,
                                 "FREQ=MONTHLY;BYDAY=2TU").series_id
    schedule.cancel_occurrence(db, sid, datetime(2026, 4, 14, 12))
    schedule.move_occurrence(db, sid, datetime(2026, 5, 12, 12), datetime(2026, 5, 13, 16, 30))
    schedule.edit_occurrence(db, sid, datetime(2026, 7, 14, 12), "this", location="Room 9")
    schedule.edit_occurrence(db, sid, datetime(2026, 9, 8, 12), "following",
                             start_local=datetime(2026, 9, 8, 13))
    schedule.create_series(db, group, "Ethics one-off", datetime(2026, 6, 3, 18), 60,
                           "Europe/London")
    schedule.create_series(db, group, "Weekly, ten times", datetime(2026, 3, 2, 8), 45,
                           "Australia/Sydney", "FREQ=WEEKLY;COUNT=10")
    data = schedule.export_ics(db)
    assert reference(data) == app_view(db)
    text = data.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:America/New_York" in text
    assert "TZID:Australia/Sydney" in text and "TZID:Europe/London" in text
    assert "EXDATE;TZID=America/New_York:20260414T120000" in text
    assert "RECURRENCE-ID;TZID=America/New_York:20260512T120000" in text
    assert "UNTIL=20260908T155959Z" in text  # floating UNTIL exported in UTC


def test_reexport_keeps_uids_and_raises_sequence(db: Database, group: int) -> None:
    sid = schedule.create_series(db, group, "Consult", datetime(2026, 3, 3, 12), 60, NY,
                                 "FREQ=WEEKLY").series_id
    import icalendar

    def uids_and_seq(data: bytes) -> dict[str, int]:
        cal = icalendar.Calendar.from_ical(data)
        return {str(e["UID"]): int(e["SEQUENCE"]) for e in cal.walk("VEVENT")}

    first = uids_and_seq(schedule.export_ics(db))
    schedule.edit_occurrence(db, sid, datetime(2026, 3, 3, 12), "all", location="Room 1")
    second = uids_and_seq(schedule.export_ics(db))
    assert first.keys() == second.keys()
    assert all(second[u] > first[u] for u in first)


def test_export_titles_never_carry_agendas_or_notes(db: Database, group: int) -> None:
    secret = "Case C-17: adolescent self-harm, mother's divorce"
    sid = schedule.create_series(db, group, "Peer consultation", datetime(2026, 3, 3, 12), 60,
                                 NY, "FREQ=WEEKLY", agenda=secret).series_id
    schedule.edit_occurrence(db, sid, datetime(2026, 3, 10, 12), "this", agenda=secret,
                             location="Room 2")
    text = schedule.export_ics(db).decode()
    assert "C-17" not in text and "self-harm" not in text


def test_export_of_one_group_leaves_the_others_out(db: Database, group: int) -> None:
    other = practice.create_group(db, "DBT team").id
    schedule.create_series(db, group, "Trauma", datetime(2026, 3, 3, 12), 60, NY)
    schedule.create_series(db, other, "DBT", datetime(2026, 3, 4, 12), 60, NY)
    text = schedule.export_ics(db, other).decode()
    assert "SUMMARY:DBT" in text and "Trauma" not in text


def test_export_then_import_into_a_fresh_practice_gives_the_same_sessions(
    db: Database, group: int, tmp_path: object
) -> None:
    sid = schedule.create_series(db, group, "Consult", datetime(2026, 1, 13, 12), 90, NY,
                                 "FREQ=MONTHLY;BYDAY=2TU;COUNT=12").series_id
    schedule.cancel_occurrence(db, sid, datetime(2026, 4, 14, 12))
    schedule.move_occurrence(db, sid, datetime(2026, 5, 12, 12), datetime(2026, 5, 12, 15))
    data = schedule.export_ics(db)
    before = app_view(db)
    schedule.remove_series(db, sid)
    report = schedule.import_ics(db, data, "Round trip", "UTC")
    assert report.created == 1
    assert app_view(db) == before


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rule=st.sampled_from(["FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
                          "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=8",
                          "FREQ=DAILY;COUNT=20", ""]),
    tz=st.sampled_from([NY, "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"]),
    # Daytime starts: for a session that spans a night-time DST change the reference adds
    # the length in wall-clock time, while RFC 5545 (and the app) keep its exact length.
    hour=st.integers(6, 21),
    cancels=st.sets(st.integers(0, 15), max_size=4),
    moves=st.sets(st.integers(0, 15), max_size=3),
)
def test_export_property_reference_sees_exactly_our_occurrences(
    db: Database, rule: str, tz: str, hour: int, cancels: set[int], moves: set[int]
) -> None:
    g = practice.create_group(db, f"G{len(practice.list_groups(db))}").id
    sid = schedule.create_series(db, g, "Consult", datetime(2026, 3, 10, hour, 30), 60, tz,
                                 rule).series_id
    rids = [i.recurrence_id for i in schedule.calendar_items(db, LO, HI) if i.series_id == sid]
    for n in cancels:
        if n < len(rids):
            schedule.cancel_occurrence(db, sid, rids[n])
    for n in moves - cancels:
        if n < len(rids):
            schedule.move_occurrence(db, sid, rids[n], rids[n] + timedelta(days=1, hours=2))
    data = schedule.export_ics(db, g)
    mine = {x for x in app_view(db) if x[0] in data.decode()}
    assert reference(data) == mine


CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "ics-corpus"


def _corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.ics")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"iCalendar corpus not found at {CORPUS}")
@pytest.mark.parametrize("name", _corpus_files())
def test_every_imported_corpus_file_exports_to_the_same_occurrences(
    db: Database, name: str
) -> None:
    """Import, export, parse the export with the reference: the same sessions come back
    (all-day sessions as dates, timed ones as instants)."""
    import icalendar
    import recurring_ical_events

    # mid-year bounds: an all-day date and its zone's midnight fall on the same side
    lo, hi = datetime(1990, 6, 1, tzinfo=UTC), datetime(2028, 6, 1, tzinfo=UTC)
    schedule.import_ics(db, (CORPUS / name).read_bytes(), "Imported", "UTC")
    mine = sorted(
        str(i.start_utc.astimezone(ZoneInfo(i.timezone)).date()) if i.all_day
        else i.start_utc.isoformat()
        for i in schedule.calendar_items(db, lo, hi, include_cancelled=False)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = icalendar.Calendar.from_ical(schedule.export_ics(db))
        events = recurring_ical_events.of(cal).between(lo, hi)
    theirs = sorted(
        e["DTSTART"].dt.astimezone(UTC).isoformat() if isinstance(e["DTSTART"].dt, datetime)
        else str(e["DTSTART"].dt)
        for e in events
    )
    assert theirs == mine


def test_a_series_stored_with_an_unsynchronised_start_exports_without_an_extra_session(
    db: Database, group: int
) -> None:
    from app.services import sessions

    # the demo builder stores "from the 1st of the month, every 2nd Tuesday"
    sessions.create_series(db, group, "Demo-style", datetime(2026, 1, 1, 12), 90, NY,
                           "FREQ=MONTHLY;BYDAY=2TU")
    data = schedule.export_ics(db)
    assert "DTSTART;TZID=America/New_York:20260113T120000" in data.decode()
    assert reference(data) == app_view(db)
