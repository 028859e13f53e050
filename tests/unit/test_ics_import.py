"""iCalendar import over the whole shared corpus, checked against an independent library
(recurring-ical-events, test-only) where it reads the file correctly, and against
hand-worked expectations where the corpus notes say it does not."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar_io.importer import read_calendar
from app.calendar_io.reader import IcsError, decode, parse, parse_content_line
from app.calendar_io.zones import ZoneResolver
from app.services import schedule
from app.store.database import Database

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "ics-corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"iCalendar corpus not found at {CORPUS} (../shared/ics-corpus)"
)
LO, HI = datetime(1990, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)

# Files where the reference library is known to be wrong or to give up (see SOURCES.md);
# each is checked by a test of its own below.
REFERENCE_UNUSABLE = {
    "nodeical__ms_timezones.ics",  # reference aborts on one corrupted DTSTART
    "nodeical__Office-2012-owa.ics",  # reference cannot resolve Outlook display names
    "nodeical__windows-quoted-tz-rrule.ics",  # same
    "icsparser__ICal.ics",  # reference rejects the file (VFREEBUSY)
    "icalevents__icloud.ics",  # reference rejects a +5328 historic offset
    "nodeical__daily-count-exdate-recurrence-id.ics",  # override ends before it starts
}


def corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(p.name for p in CORPUS.glob("*.ics"))


def malformed_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(p.name for p in (CORPUS / "malformed").glob("*.ics"))


def ours(db: Database, data: bytes) -> list[datetime]:
    schedule.import_ics(db, data, "Imported", "UTC")
    return sorted(i.start_utc for i in schedule.calendar_items(db, LO, HI, include_cancelled=False))


def reference(data: bytes) -> list[datetime]:
    import icalendar
    import recurring_ical_events
    import x_wr_timezone

    text, _ = decode(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = icalendar.Calendar.from_ical(text)
        xwr = cal.get("X-WR-TIMEZONE")
        zone = ZoneInfo(str(xwr)) if xwr else UTC
        cal = x_wr_timezone.to_standard(cal)
        events = recurring_ical_events.of(cal).between(LO, HI)
    out = []
    for e in events:
        if str(e.get("STATUS", "")).upper() == "CANCELLED":
            continue  # the app drops cancelled events and occurrences
        s = e["DTSTART"].dt
        if not isinstance(s, datetime):
            s = datetime.combine(s, time(0), tzinfo=zone)
        elif s.tzinfo is None:
            s = s.replace(tzinfo=zone)
        out.append(s.astimezone(UTC))
    return sorted(out)


@needs_corpus
@pytest.mark.parametrize("name", [n for n in corpus_files() if n not in REFERENCE_UNUSABLE])
def test_corpus_file_imports_the_same_occurrences_as_the_reference(db: Database, name: str) -> None:
    data = (CORPUS / name).read_bytes()
    assert ours(db, data) == reference(data)


@needs_corpus
def test_reimporting_a_file_updates_instead_of_duplicating(db: Database) -> None:
    data = (CORPUS / "icalevents__recurr_id_dtstart_missmatch.ics").read_bytes()
    first = ours(db, data)
    report = schedule.import_ics(db, data, "Imported", "UTC")
    assert (report.created, report.updated) == (0, 1)
    assert ours(db, data) == first


@needs_corpus
def test_exchange_export_with_one_corrupted_event_keeps_the_others(db: Database) -> None:
    data = (CORPUS / "nodeical__ms_timezones.ics").read_bytes()
    report = schedule.import_ics(db, data, "Exchange", "UTC")
    assert report.created == 3 and report.skipped == 1
    assert any("no (valid) DTSTART" in p for p in report.problems)
    weekly = [
        i
        for i in schedule.calendar_items(db, LO, HI, include_cancelled=False)
        if i.timezone == "America/Los_Angeles" and i.title.endswith("either")
    ]
    local = {i.start_utc.astimezone(ZoneInfo("America/Los_Angeles")) for i in weekly}
    assert {d.time() for d in local} == {time(12, 0)}
    assert datetime(2020, 7, 21, 12, tzinfo=ZoneInfo("America/Los_Angeles")) not in local
    assert datetime(2020, 7, 24, 12, tzinfo=ZoneInfo("America/Los_Angeles")) in local


@needs_corpus
def test_outlook_display_name_zones_are_resolved(db: Database) -> None:
    data = (CORPUS / "nodeical__Office-2012-owa.ics").read_bytes()
    starts = ours(db, data)
    # 13:30 in Sydney (AEDT, +11) and 13:30 in New York (EDT, then EST)
    assert datetime(2020, 10, 28, 2, 30, tzinfo=UTC) in starts
    assert datetime(2020, 10, 28, 17, 30, tzinfo=UTC) in starts
    assert datetime(2020, 11, 2, 18, 30, tzinfo=UTC) in starts


@needs_corpus
def test_mixed_zone_notations_in_one_event_are_reconciled(db: Database) -> None:
    data = (CORPUS / "nodeical__windows-quoted-tz-rrule.ics").read_bytes()
    starts = ours(db, data)
    assert len(starts) == 8  # COUNT=10 minus two EXDATEs written in another zone
    assert {s.time() for s in starts} == {time(16, 0)}  # 12:00 New York
    assert {s.day for s in starts}.isdisjoint({8, 10})


@needs_corpus
def test_kitchen_sink_file_imports_valid_events_and_reports_the_rest(db: Database) -> None:
    report = schedule.import_ics(db, (CORPUS / "icsparser__ICal.ics").read_bytes(), "K", "UTC")
    assert report.created >= 15
    assert any("20171032" in p and "not a real date" in p for p in report.problems)
    ny = [i for i in schedule.calendar_items(db, LO, HI) if i.timezone == "America/New_York"]
    assert ny, "the Outlook display-name zone maps to New York"


@needs_corpus
def test_icloud_file_with_an_invalid_historic_offset_still_imports(db: Database) -> None:
    report = schedule.import_ics(db, (CORPUS / "icalevents__icloud.ics").read_bytes(), "I", "UTC")
    assert report.created == 4
    weekly = [
        i
        for i in schedule.calendar_items(db, LO, HI)
        if i.timezone == "Europe/Berlin" and i.start_utc.year == 2016
    ]
    assert len({i.series_id for i in weekly}) >= 2


@needs_corpus
def test_override_ending_before_it_starts_keeps_the_series_length(db: Database) -> None:
    data = (CORPUS / "nodeical__daily-count-exdate-recurrence-id.ics").read_bytes()
    report = schedule.import_ics(db, data, "T", "UTC")
    assert any("ends before it starts" in p for p in report.problems)
    items = schedule.calendar_items(db, LO, HI, include_cancelled=False)
    moved = [i for i in items if i.moved]
    assert len(items) == 8 and len(moved) == 1
    la = ZoneInfo("America/Los_Angeles")
    assert moved[0].start_utc.astimezone(la) == datetime(2015, 7, 9, 15, 0, tzinfo=la)
    assert moved[0].location == "The other island"


@needs_corpus
def test_cancelled_override_is_dropped_and_moved_one_lands_at_its_new_time(
    db: Database,
) -> None:
    starts = ours(db, (CORPUS / "khal__event_rrule_recuid_cancelled.ics").read_bytes())
    assert len(starts) == 5
    assert datetime(2014, 7, 14, 5, 0, tzinfo=UTC) not in starts
    assert datetime(2014, 7, 7, 7, 0, tzinfo=UTC) in starts  # 09:00 Berlin


@needs_corpus
def test_google_utc_times_are_shown_in_the_calendar_zone(db: Database) -> None:
    schedule.import_ics(db, (CORPUS / "icalevents__recurrenceid_google.ics").read_bytes(), "G")
    items = schedule.calendar_items(db, LO, HI)
    assert {i.timezone for i in items} == {"Europe/Zurich"}
    assert len(items) == 4


@needs_corpus
def test_vendor_prefixed_and_custom_zone_ids_resolve_to_iana_zones() -> None:
    zones = {
        "ical4j__evolution.ics": "America/Chicago",
        "icalendar__america_new_york.ics": "America/New_York",
        "nodeical__bad_ms_tz.ics": "America/New_York",
        "icalnet__MonthlyBySetPos1.ics": "America/New_York",
        "icalnet__TimeZone3.ics": "Europe/Berlin",
        "ical4j__Standup.ics": "Australia/Sydney",
        "icalevents__multi_exdate_same_line_ms.ics": "America/New_York",
    }
    for name, zone in zones.items():
        parsed = read_calendar((CORPUS / name).read_bytes())
        assert {s.timezone for s in parsed.series} == {zone}, name


@needs_corpus
@pytest.mark.parametrize("name", malformed_files())
def test_malformed_file_is_rejected_or_partly_rejected_with_a_reason(
    db: Database, name: str
) -> None:
    data = (CORPUS / "malformed" / name).read_bytes()
    try:
        report = schedule.import_ics(db, data, "Bad", "UTC")
    except IcsError as err:
        msg = str(err)
        assert len(msg) > 20 and "Traceback" not in msg
        return
    assert report.problems, "a partly imported malformed file must say what was wrong"


@needs_corpus
def test_truncated_file_names_the_missing_end(db: Database) -> None:
    with pytest.raises(IcsError, match="cut off.*END:VCALENDAR"):
        schedule.import_ics(
            db, (CORPUS / "malformed" / "icalendar__small_bad_calendar.ics").read_bytes()
        )


@needs_corpus
def test_invalid_frequency_is_named(db: Database) -> None:
    with pytest.raises(IcsError, match="INVALID_TYPE_CAUSES_ERROR"):
        schedule.import_ics(
            db, (CORPUS / "malformed" / "icalendar__issue_1081_invalid_rrule_freq.ics").read_bytes()
        )


# --- without the corpus -------------------------------------------------------------------


def test_utf16_and_bom_files_decode() -> None:
    text = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16-le")):
        assert decode(data)[0].lstrip("\ufeff").startswith("BEGIN:VCALENDAR")


def test_tab_folded_lines_unfold() -> None:
    cal, _ = parse(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Peer\n\tconsult\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    assert next(cal.walk("VEVENT")).text("SUMMARY") == "Peerconsult"


def test_quoted_parameters_may_hold_colons_and_commas() -> None:
    name, params, value = parse_content_line(
        'DTSTART;TZID="(UTC-05:00) Eastern Time (US & Canada)";X=a,b:20201028T133000'
    )
    assert name == "DTSTART" and value == "20201028T133000"
    assert params["TZID"] == "(UTC-05:00) Eastern Time (US & Canada)"


@pytest.mark.parametrize(
    ("tzid", "zone"),
    [
        ("Eastern Standard Time", "America/New_York"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(UTC-06:00) Central Time (US and Canada)", "America/Chicago"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Amsterdam"),
        ("(GMT+10:00) Canberra, Melbourne, Sydney", "Australia/Canberra"),
        ("/mozilla.org/20070129_1/Europe/Berlin", "Europe/Berlin"),
        ("/softwarestudio.org/Tzfile/America/Chicago", "America/Chicago"),
        ("US/Central", "US/Central"),
        ("Europe/Kiev", "Europe/Kiev"),
        ("Germany/Berlin", "Europe/Berlin"),
    ],
)
def test_zone_names_from_many_exporters_resolve(tzid: str, zone: str) -> None:
    assert ZoneResolver({}, "UTC").resolve(tzid) == zone


def test_unknown_zone_falls_back_with_a_note() -> None:
    r = ZoneResolver({}, "America/Denver")
    assert r.resolve("tzone://Microsoft/Custom") == "America/Denver"
    assert r.notes and "unknown" in r.notes[0]


def test_not_an_icalendar_file_is_refused_clearly(db: Database) -> None:
    with pytest.raises(IcsError, match="must start with BEGIN:VCALENDAR"):
        schedule.import_ics(db, b"Subject: hello\r\n\r\nnot a calendar")
    with pytest.raises(IcsError, match="empty"):
        schedule.import_ics(db, b"")


def test_unbounded_sub_daily_rule_is_bounded_on_import(db: Database) -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Spam\r\n"
        b"DTSTART:20260101T000000Z\r\nDURATION:PT5M\r\nRRULE:FREQ=SECONDLY\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    report = schedule.import_ics(db, data, "Spam", "UTC")
    assert any("bounded" in p for p in report.problems)
    items = schedule.calendar_items(
        db, datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert len(items) == 5000


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=400)
    | st.text(max_size=400).map(
        lambda t: ("BEGIN:VCALENDAR\r\n" + t + "\r\nEND:VCALENDAR").encode()
    )
)
def test_reader_never_crashes_on_garbage(data: bytes) -> None:
    try:
        read_calendar(data)
    except IcsError:
        pass


lines = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "UID:a",
        "DTSTART:20260101T100000Z",
        "DTSTART;TZID=Eastern Standard Time:20260101T100000",
        "DTSTART;VALUE=DATE:20260101",
        "DTEND:20260101T110000Z",
        "DURATION:PT1H",
        "DURATION:-PT1W1D",
        "RRULE:FREQ=WEEKLY;COUNT=3",
        "RRULE:FREQ=DAILY;UNTIL=20260105T000000Z",
        "RRULE:FREQ=NEVER",
        "EXDATE:20260108T100000Z",
        "RECURRENCE-ID:20260108T100000Z",
        "STATUS:CANCELLED",
        "RDATE;VALUE=DATE:20260301",
        "X-WR-TIMEZONE:Europe/Berlin",
        "SUMMARY:Peer consult",
        "DTSTART:2026",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(lines, max_size=25))
def test_importer_never_crashes_on_shuffled_properties(body: list[str]) -> None:
    text = "\r\n".join(["BEGIN:VCALENDAR", *body, "END:VCALENDAR"])
    try:
        read_calendar(text)
    except IcsError as err:
        assert str(err)


def _one_event(body: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:t\r\n"
        + body.replace("\n", "\r\n")
        + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_unquoted_uri_zone_and_unknown_rule_parts_are_tolerated() -> None:
    parsed = read_calendar(
        _one_event(
            "DTSTART;TZID=tzone://Microsoft/Utc:20260105T100000\nRRULE:FREQ=WEEKLY;COUNT=3;X-NAME=1"
        )
    )
    s = parsed.series[0]
    assert (s.timezone, s.rrule) == ("UTC", "FREQ=WEEKLY;COUNT=3")
    assert any("X-NAME" in p for p in parsed.problems)


def test_a_dtstart_outside_its_rule_still_counts_as_an_occurrence() -> None:
    parsed = read_calendar(
        _one_event(
            "DTSTART;TZID=America/Chicago:20260101T090000\n"
            "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=4"
        )
    )
    assert parsed.series[0].extra == {datetime(2026, 1, 1, 9, 0)}


def test_a_date_exdate_removes_that_day_of_a_timed_series() -> None:
    parsed = read_calendar(
        _one_event(
            "DTSTART;TZID=America/Chicago:20260105T090000\nRRULE:FREQ=DAILY;COUNT=5\n"
            "EXDATE;VALUE=DATE:20260106,20260108"
        )
    )
    assert parsed.series[0].exdates == {datetime(2026, 1, 6, 9), datetime(2026, 1, 8, 9)}


def test_zero_interval_is_refused_not_expanded() -> None:
    with pytest.raises(IcsError, match="INTERVAL"):
        read_calendar(_one_event("DTSTART:20260105T100000Z\nRRULE:FREQ=WEEKLY;INTERVAL=0"))


def test_a_fold_inside_a_multibyte_character_keeps_the_text() -> None:
    summary = "Supervisión clínica".encode()
    cut = summary.index("ó".encode()) + 1  # between the two bytes of "ó"
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20260105T100000Z\r\n"
        b"SUMMARY:" + summary[:cut] + b"\r\n " + summary[cut:] + b"\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    parsed = read_calendar(data)
    assert parsed.series[0].title == "Supervisión clínica"
    assert not parsed.problems


def test_an_event_ending_before_it_starts_is_kept_with_a_note() -> None:
    parsed = read_calendar(
        _one_event("DTSTART:20260105T100000Z\nDTEND:20260105T090000Z\nRRULE:FREQ=WEEKLY;COUNT=2")
    )
    assert parsed.series[0].duration_minutes == 0
    assert any("ends before it starts" in p for p in parsed.problems)


def test_custom_vtimezone_without_a_known_name_maps_to_a_well_known_zone() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Lotus CET\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19501029T030000\r\nTZOFFSETFROM:+0200\r\n"
        "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19500326T020000\r\nTZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    ) + _one_event("DTSTART;TZID=Lotus CET:20260105T100000")[
        len("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") :
    ]
    parsed = read_calendar(text)
    assert parsed.series[0].timezone == "Europe/Paris"


def test_dates_at_the_end_of_time_are_refused_or_bounded_not_crashing() -> None:
    parsed = read_calendar(
        _one_event(
            "DTSTART;TZID=Pacific/Auckland:20260105T100000\n"
            "RRULE:FREQ=WEEKLY;UNTIL=99991231T235959Z"
        )
    )
    assert parsed.series[0].rrule.endswith("UNTIL=99991231T235959")
    with pytest.raises(IcsError, match="1800 to 2200"):
        read_calendar(_one_event("DTSTART;TZID=Pacific/Auckland:99991231T235959"))


MUTATIONS = [
    "",
    "DTSTART:99991231T235959Z",
    "DTSTART;VALUE=DATE:00010101",
    "RRULE:FREQ=DAILY;BYSETPOS=400",
    "RRULE:FREQ=WEEKLY;BYDAY=9MO",
    "EXDATE:garbage",
    "RECURRENCE-ID:20200101T000000Z",
    "DURATION:P99999D",
    "RRULE:FREQ=YEARLY;BYWEEKNO=60",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=0",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "DTSTART;TZID=:20200101T000000",
    "RRULE:FREQ=DAILY;BYHOUR=25",
    "RDATE;VALUE=PERIOD:20200101T000000Z/PT1H",
    "RRULE:;;;",
    "DTEND;VALUE=DATE:20200101",
    "RRULE:FREQ=WEEKLY;UNTIL=99991231T235959Z",
    "STATUS:CANCELLED",
    "BEGIN:VTIMEZONE",
]


@needs_corpus
@settings(max_examples=120, deadline=None)
@given(
    name=st.sampled_from(corpus_files() + [f"malformed/{n}" for n in malformed_files()] or ["-"]),
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 2), st.sampled_from(MUTATIONS)),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_corpus_files_never_crash_the_importer(
    name: str, edits: list[tuple[int, int, str]]
) -> None:
    lines = (CORPUS / name).read_bytes().decode("utf-8", "replace").splitlines()
    for pos, op, text in edits:
        i = pos % max(1, len(lines))
        if op == 0 and lines:
            del lines[i]
        elif op == 1:
            lines.insert(i, text)
        elif lines:
            lines[i] = lines[i][: pos % (len(lines[i]) + 1)]
    try:
        read_calendar("\r\n".join(lines))
    except IcsError as err:
        assert str(err)
