"""Series expansion, recurrence rules, exceptions and "this / following / all" edits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import NotFoundError, ValidationError
from app.scheduling.expand import (
    SeriesSpec,
    expand,
    local_to_utc,
    utc_to_local,
    wall_clock_starts,
)
from app.scheduling.recurrence import (
    Recurrence,
    RepeatKind,
    build_rule,
    describe,
    normalize_rule,
    parse_recurrence,
    split_rule,
    until_utc,
)
from app.services import practice, schedule
from app.store.database import Database
from tests.fakes import FakeClock

NY = "America/New_York"
ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC",
         "America/Los_Angeles", "Europe/Berlin"]
UTC0 = datetime(2000, 1, 1, tzinfo=UTC)
UTC1 = datetime(2040, 1, 1, tzinfo=UTC)


def spec(rule: str, start: datetime, tz: str = NY, minutes: int = 90) -> SeriesSpec:
    return SeriesSpec(1, 1, "Consult", tz, start, minutes, rule)


# --- expansion ----------------------------------------------------------------------------


rules = st.builds(
    lambda freq, interval, days, end: ";".join(
        [f"FREQ={freq}"]
        + ([f"INTERVAL={interval}"] if interval > 1 else [])
        + ([f"BYDAY={days}"] if days and freq in ("WEEKLY", "MONTHLY") else [])
        + ([end] if end else [])
    ),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
    st.integers(1, 4),
    st.sampled_from(["", "TU", "MO,TH", "2TU", "-1FR", "1MO"]),
    st.sampled_from(["", "COUNT=7", "COUNT=30", "UNTIL=20290630T235959"]),
).filter(lambda r: not ("WEEKLY" in r and any(c.isdigit() for c in r.split("BYDAY=")[-1][:2])))


@settings(max_examples=60, deadline=None)
@given(
    rule=rules,
    start=st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    tz=st.sampled_from(ZONES),
)
def test_expansion_matches_dateutil_in_the_series_zone(rule: str, start: datetime, tz: str) -> None:
    sp = spec(rule, start, tz)
    hi = start + timedelta(days=800)
    expected = list(rrulestr(rule, dtstart=start).between(start, hi, inc=True))[:500]
    got = wall_clock_starts(sp, start, hi)[:500]
    assert got == expected
    occs = expand([sp], {}, local_to_utc(start, tz) - timedelta(hours=1),
                  local_to_utc(hi, tz))
    for o in occs:
        # each occurrence keeps its wall-clock start in the series' zone (DST-proof),
        # unless that wall-clock time does not exist on the day (spring-forward gap)
        local = utc_to_local(o.start_utc, tz)
        assert local == o.recurrence_id or local - o.recurrence_id == timedelta(hours=1)
        assert o.end_utc - o.start_utc == timedelta(minutes=90)


def test_noon_new_york_stays_noon_across_both_dst_changes() -> None:
    sp = spec("FREQ=MONTHLY;BYDAY=2TU", datetime(2026, 1, 13, 12, 0))
    occs = expand([sp], {}, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert [o.start_utc.hour for o in occs] == [17, 17, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17]
    assert {utc_to_local(o.start_utc, NY).time() for o in occs} == {time(12, 0)}
    # a member in London sees 17:00 in winter and, in the weeks when the US has changed
    # and the UK has not yet, 16:00
    london = [utc_to_local(o.start_utc, "Europe/London") for o in occs]
    assert london[0].time() == time(17, 0)
    assert london[2].time() == time(16, 0)  # 10 March: US on DST, UK not yet
    assert london[3].time() == time(17, 0)  # April: both on summer time


def test_second_tuesday_and_last_friday_rules_land_on_the_right_days() -> None:
    second_tue = wall_clock_starts(
        spec("FREQ=MONTHLY;BYDAY=2TU", datetime(2026, 1, 13, 12)),
        datetime(2026, 1, 1), datetime(2026, 6, 30),
    )
    assert [d.day for d in second_tue] == [13, 10, 10, 14, 12, 9]
    last_fri = wall_clock_starts(
        spec("FREQ=MONTHLY;BYDAY=-1FR", datetime(2026, 1, 30, 12)),
        datetime(2026, 1, 1), datetime(2026, 4, 30),
    )
    assert [d.date() for d in last_fri] == [
        date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24)]


def test_absurd_rule_expansion_is_bounded() -> None:
    sp = spec("FREQ=MINUTELY", datetime(2026, 1, 1, 0, 0))
    got = wall_clock_starts(sp, datetime(2026, 1, 1), datetime(2030, 1, 1))
    assert len(got) == 20_000


# --- rules: building, describing, normalising, splitting ----------------------------------


@pytest.mark.parametrize(
    ("rec", "start", "rule", "text"),
    [
        (Recurrence(RepeatKind.WEEKLY), datetime(2026, 3, 3, 12), "FREQ=WEEKLY;BYDAY=TU",
         "Weekly on Tuesday"),
        (Recurrence(RepeatKind.WEEKLY, interval=2), datetime(2026, 3, 3, 12),
         "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every 2 weeks on Tuesday"),
        (Recurrence(RepeatKind.MONTHLY_WEEKDAY), datetime(2026, 3, 10, 12),
         "FREQ=MONTHLY;BYDAY=2TU", "Monthly on the 2nd Tuesday"),
        (Recurrence(RepeatKind.MONTHLY_WEEKDAY), datetime(2026, 3, 27, 12),
         "FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Friday"),
        (Recurrence(RepeatKind.MONTHLY_DATE, count=10), datetime(2026, 3, 15, 9),
         "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=10", "Monthly on day 15, 10 times"),
        (Recurrence(RepeatKind.WEEKLY, until=date(2026, 6, 30)), datetime(2026, 3, 2, 9),
         "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260630T235959", "Weekly on Monday, until 30 Jun 2026"),
        (Recurrence(), datetime(2026, 3, 2, 9), "", "Once"),
    ],
)
def test_dialog_choices_build_rules_that_read_back_the_same(
    rec: Recurrence, start: datetime, rule: str, text: str
) -> None:
    assert build_rule(rec, start) == rule
    assert describe(rule, start) == text
    back = parse_recurrence(rule, start)
    assert build_rule(back, start) == rule


def test_utc_until_is_stored_as_floating_local_time_and_exported_as_utc() -> None:
    start = datetime(2026, 3, 3, 12)
    rule, notes = normalize_rule("RRULE:FREQ=WEEKLY;UNTIL=20260630T160000Z", start, NY)
    assert rule == "FREQ=WEEKLY;UNTIL=20260630T120000" and notes == []
    assert until_utc(rule, NY) == "FREQ=WEEKLY;UNTIL=20260630T160000Z"


@pytest.mark.parametrize(
    ("rule", "needle"),
    [
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=WEEKLY;COUNT=999999", "at most 5000"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no session in its first ten years"),
        ("FREQ=SOMETIMES", "unknown"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101T000000", "both UNTIL and COUNT"),
    ],
)
def test_absurd_or_invalid_rules_are_refused_with_a_reason(rule: str, needle: str) -> None:
    with pytest.raises(ValidationError) as err:
        normalize_rule(rule, datetime(2026, 3, 3, 12), NY)
    assert needle in str(err.value)


def test_imports_bound_absurd_rules_instead_of_refusing_them() -> None:
    rule, notes = normalize_rule("FREQ=MINUTELY", datetime(2026, 3, 3, 12), NY,
                                 allow_subdaily=True, clamp=True)
    assert "COUNT=5000" in rule and notes
    rule, notes = normalize_rule("FREQ=DAILY;COUNT=100000", datetime(2026, 3, 3, 12), NY,
                                 clamp=True)
    assert rule.endswith("COUNT=5000") and notes


def test_split_rule_keeps_the_count_of_the_whole_series() -> None:
    start = datetime(2026, 1, 6, 12)
    head, tail = split_rule("FREQ=WEEKLY;BYDAY=TU;COUNT=10", start, datetime(2026, 2, 3, 12))
    assert head == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260203T115959"
    assert tail == "FREQ=WEEKLY;BYDAY=TU;COUNT=6"
    before = list(rrulestr(head, dtstart=start))
    after = list(rrulestr(tail, dtstart=datetime(2026, 2, 3, 12)))
    assert len(before) + len(after) == 10


# --- exceptions and edits (service) -------------------------------------------------------


@pytest.fixture
def group(db: Database) -> int:
    return practice.create_group(db, "Trauma peer consultation").id


def make_series(db: Database, group_id: int, rule: str = "FREQ=MONTHLY;BYDAY=2TU",
                start: datetime = datetime(2026, 1, 13, 12, 0)) -> int:
    return schedule.create_series(db, group_id, "Trauma consult", start, 90, NY, rule).series_id


def year(db: Database, include_cancelled: bool = False) -> list[schedule.CalendarItem]:
    return schedule.calendar_items(db, datetime(2026, 1, 1, tzinfo=UTC),
                                   datetime(2027, 1, 1, tzinfo=UTC),
                                   include_cancelled=include_cancelled)


def test_cancelled_occurrence_disappears_and_restoring_brings_it_back(
    db: Database, group: int
) -> None:
    sid = make_series(db, group)
    rid = datetime(2026, 4, 14, 12, 0)
    schedule.cancel_occurrence(db, sid, rid)
    assert rid not in [i.recurrence_id for i in year(db)]
    cancelled = [i for i in year(db, include_cancelled=True) if i.recurrence_id == rid]
    assert cancelled and cancelled[0].cancelled
    schedule.restore_occurrence(db, sid, rid)
    assert rid in [i.recurrence_id for i in year(db)]


def test_cancelling_a_date_outside_the_series_is_refused(db: Database, group: int) -> None:
    sid = make_series(db, group)
    with pytest.raises(NotFoundError):
        schedule.cancel_occurrence(db, sid, datetime(2026, 4, 15, 12, 0))


def test_moving_one_occurrence_changes_only_that_one(db: Database, group: int) -> None:
    sid = make_series(db, group)
    rid = datetime(2026, 5, 12, 12, 0)
    schedule.move_occurrence(db, sid, rid, datetime(2026, 5, 13, 15, 30))
    items = {i.recurrence_id: i for i in year(db)}
    moved = items[rid]
    assert moved.moved and utc_to_local(moved.start_utc, NY) == datetime(2026, 5, 13, 15, 30)
    assert moved.end_utc - moved.start_utc == timedelta(minutes=90)
    assert not items[datetime(2026, 6, 9, 12, 0)].moved
    assert len(items) == 12


def test_location_video_and_agenda_can_differ_per_occurrence(db: Database, group: int) -> None:
    sid = schedule.create_series(db, group, "Consult", datetime(2026, 1, 13, 12), 90, NY,
                                 "FREQ=MONTHLY;BYDAY=2TU", location="Room 4",
                                 video_url="https://video.example.org/a").series_id
    rid = datetime(2026, 6, 9, 12)
    schedule.edit_occurrence(db, sid, rid, "this", location="Room 9", agenda="Ethics check-in",
                             video_url="https://video.example.org/b")
    items = {i.recurrence_id: i for i in year(db)}
    assert (items[rid].location, items[rid].video_url, items[rid].agenda) == (
        "Room 9", "https://video.example.org/b", "Ethics check-in")
    other = items[datetime(2026, 7, 14, 12)]
    assert (other.location, other.video_url, other.agenda) == (
        "Room 4", "https://video.example.org/a", "")
    with pytest.raises(ValidationError):
        schedule.edit_occurrence(db, sid, rid, "this", video_url="ftp://nope")


def test_this_and_following_splits_the_series_and_carries_exceptions(
    db: Database, group: int
) -> None:
    sid = make_series(db, group)
    schedule.cancel_occurrence(db, sid, datetime(2026, 9, 8, 12))
    res = schedule.edit_occurrence(db, sid, datetime(2026, 6, 9, 12), "following",
                                   start_local=datetime(2026, 6, 9, 13, 0), location="Room 2")
    assert res.series_id != sid
    items = year(db)
    before = [i for i in items if i.series_id == sid]
    after = [i for i in items if i.series_id == res.series_id]
    assert [i.recurrence_id.month for i in before] == [1, 2, 3, 4, 5]
    assert all(utc_to_local(i.start_utc, NY).time() == time(13) for i in after)
    assert all(i.location == "Room 2" for i in after)
    assert [i.recurrence_id.month for i in after] == [6, 7, 8, 10, 11, 12]  # Sept stays cancelled
    detail = schedule.get_series(db, res.series_id)
    assert detail.parent_series_id == sid


def test_edit_all_before_the_series_starts_changes_it_in_place(
    db: Database, group: int, fake_clock: FakeClock
) -> None:
    sid = make_series(db, group, start=datetime(2026, 4, 14, 12))
    res = schedule.edit_occurrence(db, sid, datetime(2026, 5, 12, 12), "all",
                                   start_local=datetime(2026, 5, 12, 12, 30))
    assert res.series_id == sid
    assert {utc_to_local(i.start_utc, NY).time() for i in year(db)} == {time(12, 30)}


def test_edit_all_after_sessions_happened_keeps_history(
    db: Database, group: int, fake_clock: FakeClock
) -> None:
    sid = make_series(db, group)  # clock: 2 March 2026; Jan and Feb are history
    res = schedule.edit_occurrence(db, sid, datetime(2026, 6, 9, 12), "all",
                                   start_local=datetime(2026, 6, 9, 14, 0))
    items = year(db)
    past = [i for i in items if i.start_utc < fake_clock.now()]
    assert [utc_to_local(i.start_utc, NY).time() for i in past] == [time(12), time(12)]
    future = [i for i in items if i.start_utc >= fake_clock.now()]
    assert {utc_to_local(i.start_utc, NY).time() for i in future} == {time(14)}
    assert res.series_id != sid


def test_past_sessions_keep_their_time(db: Database, group: int) -> None:
    sid = make_series(db, group)
    with pytest.raises(ValidationError):
        schedule.move_occurrence(db, sid, datetime(2026, 2, 10, 12), datetime(2026, 2, 11, 12))
    with pytest.raises(ValidationError):
        schedule.edit_occurrence(db, sid, datetime(2026, 1, 13, 12), "following",
                                 start_local=datetime(2026, 1, 13, 15))


def test_rule_cannot_change_for_a_single_occurrence_but_its_title_can(
    db: Database, group: int
) -> None:
    sid = make_series(db, group)
    with pytest.raises(ValidationError) as err:
        schedule.edit_occurrence(db, sid, datetime(2026, 6, 9, 12), "this",
                                 rrule="FREQ=WEEKLY")
    assert err.value.field == "scope"
    schedule.edit_occurrence(db, sid, datetime(2026, 6, 9, 12), "this",
                             title="Guest speaker: ethics of record keeping")
    titles = {i.recurrence_id: i.title for i in year(db)}
    assert titles[datetime(2026, 6, 9, 12)] == "Guest speaker: ethics of record keeping"
    assert titles[datetime(2026, 7, 14, 12)] != titles[datetime(2026, 6, 9, 12)]
    # the override survives export and import (RECURRENCE-ID with its own SUMMARY)
    ics = schedule.export_ics(db)
    assert b"Guest speaker: ethics of record keeping" in ics
    series_title = titles[datetime(2026, 7, 14, 12)]
    schedule.edit_occurrence(db, sid, datetime(2026, 6, 9, 12), "this", title=series_title)
    assert {i.recurrence_id: i.title for i in year(db)}[datetime(2026, 6, 9, 12)] == series_title
    report = schedule.import_ics(db, ics)  # same UID: updates the series from the file
    assert report.updated == 1
    assert {i.recurrence_id: i.title for i in year(db)}[datetime(2026, 6, 9, 12)] == (
        "Guest speaker: ethics of record keeping")


def test_changing_the_rule_from_an_occurrence_on(db: Database, group: int) -> None:
    sid = make_series(db, group)
    res = schedule.edit_occurrence(db, sid, datetime(2026, 6, 9, 12), "following",
                                   rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
    after = [i for i in year(db) if i.series_id == res.series_id]
    starts = [i.recurrence_id for i in after]
    gaps = {(b - a).days for a, b in zip(starts, starts[1:], strict=False)}
    assert gaps == {14}
    assert schedule.get_series(db, res.series_id).rule_text == "Every 2 weeks on Tuesday"


def test_end_series_stops_it_after_a_day(db: Database, group: int) -> None:
    sid = make_series(db, group)
    schedule.end_series(db, sid, datetime(2026, 8, 31, 23, 59))
    assert max(i.recurrence_id for i in year(db)).month == 8


def test_removed_series_disappears(db: Database, group: int) -> None:
    sid = make_series(db, group)
    schedule.remove_series(db, sid)
    assert year(db) == []
    with pytest.raises(NotFoundError):
        schedule.get_series(db, sid)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cancel=st.sets(st.integers(0, 11), max_size=6), shift=st.integers(-3, 3))
def test_cancel_and_move_property_matches_rule_minus_exceptions(
    db: Database, cancel: set[int], shift: int
) -> None:
    g = practice.create_group(db, f"G{len(practice.list_groups(db))}").id
    sid = make_series(db, g, start=datetime(2026, 4, 14, 12))
    rids = [i.recurrence_id for i in year(db) if i.series_id == sid]
    for n in cancel:
        if n < len(rids):
            schedule.cancel_occurrence(db, sid, rids[n])
    mover = next((r for i, r in enumerate(rids) if i not in cancel), None)
    if mover is not None and shift:
        schedule.move_occurrence(db, sid, mover, mover + timedelta(hours=shift))
    got = {i.recurrence_id: i for i in year(db) if i.series_id == sid}
    assert set(got) == {r for i, r in enumerate(rids) if i not in cancel}
    if mover is not None:
        assert utc_to_local(got[mover].start_utc, NY) == mover + timedelta(hours=shift)


def test_moving_following_sessions_to_another_weekday_moves_the_rule_too(
    db: Database, group: int
) -> None:
    sid = make_series(db, group, "FREQ=WEEKLY;BYDAY=TU", datetime(2026, 3, 3, 12))
    res = schedule.edit_occurrence(db, sid, datetime(2026, 4, 7, 12), "following",
                                   start_local=datetime(2026, 4, 8, 9, 30))
    detail = schedule.get_series(db, res.series_id)
    assert detail.series.rrule == "FREQ=WEEKLY;BYDAY=WE"
    after = [i for i in year(db) if i.series_id == res.series_id]
    assert {utc_to_local(i.start_utc, NY).strftime("%a %H:%M") for i in after} == {"Wed 09:30"}
    before = [i for i in year(db) if i.series_id == sid]
    assert [i.recurrence_id.day for i in before] == [3, 10, 17, 24, 31]


def test_rules_stored_with_a_start_before_their_first_session_read_naturally() -> None:
    # the demo stores "from the 1st of the month" with these rules
    first = datetime(2023, 11, 1, 12)  # a Wednesday
    assert describe("FREQ=MONTHLY;BYDAY=2TU", first) == "Monthly on the 2nd Tuesday"
    assert describe("FREQ=MONTHLY;BYDAY=-1FR", first) == "Monthly on the last Friday"
    assert describe("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO", first) == "Every 3 weeks on Monday"


def test_a_room_change_for_all_sessions_keeps_past_sessions_rooms(
    db: Database, group: int, fake_clock: FakeClock
) -> None:
    sid = make_series(db, group)
    schedule.edit_occurrence(db, sid, datetime(2026, 2, 10, 12), "this", location="Old room")
    schedule.edit_occurrence(db, sid, datetime(2026, 4, 14, 12), "this", location="Room 3")
    schedule.edit_occurrence(db, sid, datetime(2026, 5, 12, 12), "all", location="Room 7")
    items = {i.recurrence_id.month: i.location for i in year(db)}
    assert items[2] == "Old room"  # history
    assert items[4] == items[5] == items[12] == "Room 7"
