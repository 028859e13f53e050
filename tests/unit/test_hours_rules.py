"""Category rules, counting rules and the checks of a requirement set (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.hours import requirements as req
from app.hours.categories import Category, category_for
from app.hours.checks import add_months, candidacy_period, evaluate
from app.hours.ledger import (
    LedgerEntry,
    attended_minutes,
    entries_hash,
    fmt_minutes,
    monthly_totals,
    totals_by_category,
)
from app.store.models import GroupKind, Role

C = Category


def entry(day: date, cat: Category, minutes: int, key: str | None = None) -> LedgerEntry:
    return LedgerEntry(
        key=key or f"man:{day.isoformat()}:{cat.value}:{minutes}",
        source="manual",
        member_id=1,
        on_date=day,
        category=cat,
        minutes=minutes,
        description="",
    )


def rules(body: str, name: str = "Test set") -> req.RequirementSet:
    return req.parse_set(f'[set]\nname = "{name}"\n' + body, "user:test")


MON = date(2026, 1, 5)  # a Monday


# --- categories ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role", "expected"),
    [
        (GroupKind.INDIVIDUAL_SUPERVISION, Role.SUPERVISEE, C.INDIVIDUAL_SUPERVISION),
        (GroupKind.INDIVIDUAL_SUPERVISION, Role.SUPERVISOR, C.PROVIDING_SUPERVISION),
        (GroupKind.GROUP_SUPERVISION, Role.SUPERVISEE, C.GROUP_SUPERVISION),
        (GroupKind.GROUP_SUPERVISION, Role.COORDINATOR, C.GROUP_SUPERVISION),
        (GroupKind.GROUP_SUPERVISION, Role.SUPERVISOR, C.PROVIDING_SUPERVISION),
        (GroupKind.PEER_CONSULTATION, Role.PEER, C.PEER_CONSULTATION),
        (GroupKind.PEER_CONSULTATION, Role.SUPERVISOR, C.PEER_CONSULTATION),
        (GroupKind.PEER_CONSULTATION, Role.COORDINATOR, C.PEER_CONSULTATION),
        (GroupKind.GROUP_SUPERVISION, None, C.GROUP_SUPERVISION),
    ],
)
def test_category_follows_group_kind_and_role(
    kind: GroupKind, role: Role | None, expected: Category
) -> None:
    assert category_for(kind, role) is expected


@pytest.mark.parametrize(
    ("status", "late", "left", "expected"),
    [
        ("present", 0, 0, 90),
        ("late", 15, 0, 75),
        ("left_early", 0, 20, 70),
        ("late", 10, 20, 60),
        ("absent", 0, 0, 0),
        ("excused", 0, 0, 0),
        ("late", 100, 0, 0),
    ],
)
def test_attended_minutes_follow_late_and_left_early(
    status: str, late: int, left: int, expected: int
) -> None:
    assert attended_minutes(status, 90, late, left) == expected


# --- counting rules -----------------------------------------------------------------------


def test_forty_five_minutes_count_as_an_hour_when_the_set_says_so() -> None:
    rs = rules("[counting]\nminutes_per_hour = 45\n")
    ev = evaluate(
        rs,
        [entry(MON, C.DIRECT_CLIENT_CONTACT, 45)] * 1
        + [entry(MON, C.DIRECT_CLIENT_CONTACT, 90, key="b")],
    )
    assert ev.counted_hours[C.DIRECT_CLIENT_CONTACT] == pytest.approx(3.0)
    assert ev.logged_minutes[C.DIRECT_CLIENT_CONTACT] == 135


def test_a_category_can_count_its_own_minutes_per_hour() -> None:
    rs = rules("[categories.direct_client_contact]\nminutes_per_hour = 50\n")
    ev = evaluate(
        rs,
        [entry(MON, C.DIRECT_CLIENT_CONTACT, 50), entry(MON, C.INDIVIDUAL_SUPERVISION, 50)],
    )
    assert ev.counted_hours[C.DIRECT_CLIENT_CONTACT] == pytest.approx(1.0)
    assert ev.counted_hours[C.INDIVIDUAL_SUPERVISION] == pytest.approx(50 / 60)


def test_entries_are_rounded_down_before_counting() -> None:
    rs = rules("[counting]\nround_down_to_minutes = 15\n")
    ev = evaluate(rs, [entry(MON, C.INDIRECT_WORK, 44), entry(MON, C.INDIRECT_WORK, 10, "x")])
    assert ev.counted_hours[C.INDIRECT_WORK] == pytest.approx(0.5)
    assert ev.logged_minutes[C.INDIRECT_WORK] == 54  # the ledger keeps exact minutes


def test_group_sessions_shorter_than_the_minimum_do_not_count_and_warn() -> None:
    rs = rules("[categories.group_supervision]\nmin_session_minutes = 90\n")
    ev = evaluate(
        rs,
        [entry(MON, C.GROUP_SUPERVISION, 120), entry(MON + timedelta(7), C.GROUP_SUPERVISION, 80)],
    )
    assert ev.counted_hours[C.GROUP_SUPERVISION] == pytest.approx(2.0)
    (w,) = [w for w in ev.warnings if w.rule == "min_session"]
    assert w.severity == "warning"
    assert "1 group supervision session shorter than 90 min" in w.title


def test_category_maximum_caps_counted_hours_and_is_reported() -> None:
    rs = rules("[categories.group_supervision]\nmax_hours = 2\n")
    es = [entry(MON + timedelta(7 * i), C.GROUP_SUPERVISION, 60, str(i)) for i in range(3)]
    ev = evaluate(rs, es)
    assert ev.counted_hours[C.GROUP_SUPERVISION] == pytest.approx(2.0)
    assert ev.logged_minutes[C.GROUP_SUPERVISION] == 180
    (w,) = [w for w in ev.warnings if w.rule == "category_max"]
    assert "3 h logged, at most 2 h count" in w.title


# --- weekly maxima ------------------------------------------------------------------------


def test_weekly_maximum_warns_and_excess_does_not_count() -> None:
    rs = rules("[total]\nweekly_max_hours = 10\n")
    es = [entry(MON + timedelta(days=d), C.DIRECT_CLIENT_CONTACT, 240, str(d)) for d in range(4)]
    es.append(entry(MON + timedelta(days=7), C.DIRECT_CLIENT_CONTACT, 240, "next"))
    ev = evaluate(rs, es)
    assert ev.counted_hours[C.DIRECT_CLIENT_CONTACT] == pytest.approx(14.0)  # 10 + 4
    (w,) = [w for w in ev.warnings if w.rule == "weekly_max"]
    assert w.severity == "warning"
    assert "More than 10 h/week in 1 week" in w.title
    assert MON.isoformat() in w.detail


def test_weekly_maximum_is_per_iso_week() -> None:
    rs = rules("[total]\nweekly_max_hours = 10\n")
    sunday, monday = MON + timedelta(days=6), MON + timedelta(days=7)
    ev = evaluate(
        rs, [entry(sunday, C.INDIRECT_WORK, 600, "a"), entry(monday, C.INDIRECT_WORK, 600, "b")]
    )
    assert not [w for w in ev.warnings if w.rule == "weekly_max"]


def test_category_weekly_maximum_applies_to_that_category_only() -> None:
    rs = rules("[categories.peer_consultation]\nweekly_max_hours = 2\n")
    es = [
        entry(MON, C.PEER_CONSULTATION, 90, "a"),
        entry(MON + timedelta(days=1), C.PEER_CONSULTATION, 90, "b"),
        entry(MON, C.INDIRECT_WORK, 600, "c"),
    ]
    ev = evaluate(rs, es)
    assert ev.counted_hours[C.PEER_CONSULTATION] == pytest.approx(2.0)
    assert ev.counted_hours[C.INDIRECT_WORK] == pytest.approx(10.0)
    (w,) = [w for w in ev.warnings if w.rule == "weekly_max"]
    assert w.title.startswith("Peer consultation above 2 h/week in 1 week")


# --- supervision ratio --------------------------------------------------------------------

RATIO = """
[supervision_ratio]
supervision_hours = 1
per_direct_hours = 20
window = "{window}"
"""


def test_ratio_over_the_period_warns_when_supervision_is_short() -> None:
    rs = rules(RATIO.format(window="period"))
    es = [entry(MON, C.DIRECT_CLIENT_CONTACT, 60 * 40), entry(MON, C.INDIVIDUAL_SUPERVISION, 60)]
    (w,) = evaluate(rs, es).warnings
    assert w.rule == "ratio"
    assert w.title == "Supervision below 1 h of supervision per 20 h of direct contact"
    assert "1 more hours" in w.detail


def test_ratio_is_met_exactly_at_the_boundary() -> None:
    rs = rules(RATIO.format(window="period"))
    es = [entry(MON, C.DIRECT_CLIENT_CONTACT, 60 * 40), entry(MON, C.GROUP_SUPERVISION, 120)]
    assert evaluate(rs, es).warnings == ()


def test_monthly_ratio_names_the_months_that_fall_short() -> None:
    rs = rules(RATIO.format(window="month"))
    jan, feb = date(2026, 1, 10), date(2026, 2, 10)
    es = [
        entry(jan, C.DIRECT_CLIENT_CONTACT, 60 * 20, "a"),
        entry(jan, C.INDIVIDUAL_SUPERVISION, 60, "b"),
        entry(feb, C.DIRECT_CLIENT_CONTACT, 60 * 20, "c"),
        entry(feb + timedelta(days=20), C.INDIRECT_WORK, 60, "d"),
    ]
    (w,) = evaluate(rs, es).warnings
    assert "in 1 month" in w.title
    assert w.detail == "Short in 2026-02."


def test_no_direct_hours_means_no_ratio_warning() -> None:
    rs = rules(RATIO.format(window="week"))
    assert evaluate(rs, [entry(MON, C.PEER_CONSULTATION, 90)]).warnings == ()


# --- targets and periods ------------------------------------------------------------------


def test_progress_toward_total_and_category_targets() -> None:
    rs = rules(
        "[total]\nmin_hours = 10\n"
        "categories = ['direct_client_contact', 'individual_supervision']\n"
        "[categories.individual_supervision]\nmin_hours = 2\n"
    )
    es = [
        entry(MON, C.DIRECT_CLIENT_CONTACT, 240),
        entry(MON, C.INDIVIDUAL_SUPERVISION, 120),
        entry(MON, C.PEER_CONSULTATION, 600),  # not in the total
    ]
    ev = evaluate(rs, es)
    total, sup = ev.targets
    assert (total.key, total.counted_hours, total.fraction) == ("total", 6.0, 0.6)
    assert not total.met and total.remaining_hours == pytest.approx(4.0)
    assert sup.met and sup.fraction == 1.0
    assert ev.logged_total_minutes == 960


def test_period_ending_with_unmet_targets_is_a_warning() -> None:
    rs = rules("[categories.individual_supervision]\nmin_hours = 2\n")
    es = [entry(MON, C.INDIVIDUAL_SUPERVISION, 60)]
    end = MON + timedelta(days=30)
    assert evaluate(rs, es, MON, end, today=end, window_end=end).warnings == ()
    # a filter period that ended is not the set's own window
    assert evaluate(rs, es, MON, end, today=end + timedelta(days=1)).warnings == ()
    (w,) = evaluate(rs, es, MON, end, today=end + timedelta(days=1), window_end=end).warnings
    assert w.rule == "period_ended"
    assert "Individual supervision 1/2 h" in w.detail


def test_entries_outside_the_period_are_ignored() -> None:
    rs = rules("")
    es = [entry(MON, C.INDIRECT_WORK, 60, "a"), entry(MON + timedelta(40), C.INDIRECT_WORK, 60)]
    ev = evaluate(rs, es, MON, MON + timedelta(days=30))
    assert ev.logged_minutes == {C.INDIRECT_WORK: 60}


def test_candidacy_period_starts_at_first_entry_and_runs_for_months() -> None:
    rs = rules("[period]\nmonths = 24\n")
    assert candidacy_period(rs, date(2024, 3, 1), date(2026, 1, 1)) == (
        date(2024, 3, 1),
        date(2026, 2, 28),
    )
    fixed = rules("[period]\nstart = 2025-01-01\n")
    assert candidacy_period(fixed, date(2024, 3, 1), date(2026, 1, 1)) == (date(2025, 1, 1), None)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


# --- ledger helpers -----------------------------------------------------------------------


def test_totals_and_monthly_totals_add_up_to_the_minute() -> None:
    es = [
        entry(date(2026, 1, 3), C.INDIRECT_WORK, 61, "a"),
        entry(date(2026, 1, 30), C.INDIRECT_WORK, 59, "b"),
        entry(date(2026, 2, 1), C.PEER_CONSULTATION, 7, "c"),
    ]
    assert totals_by_category(es) == {C.PEER_CONSULTATION: 7, C.INDIRECT_WORK: 120}
    months = monthly_totals(es)
    assert months == {
        date(2026, 1, 1): {C.INDIRECT_WORK: 120},
        date(2026, 2, 1): {C.PEER_CONSULTATION: 7},
    }
    assert fmt_minutes(127) == "2 h 07 min"


def test_entries_hash_is_order_independent_and_sees_any_change() -> None:
    a, b = entry(MON, C.INDIRECT_WORK, 60, "a"), entry(MON, C.INDIRECT_WORK, 30, "b")
    assert entries_hash([a, b]) == entries_hash([b, a])
    c = entry(MON, C.INDIRECT_WORK, 31, "b")
    assert entries_hash([a, c]) != entries_hash([a, b])
    assert entries_hash([a]) != entries_hash([a, b])


# --- requirement sets (TOML) --------------------------------------------------------------


def test_the_shipped_example_set_loads_and_says_it_is_an_example(tmp_path: Path) -> None:
    rs = req.load_set(tmp_path, req.DEFAULT_SET_ID)
    assert rs.example and rs.builtin
    assert "not legal advice" in rs.name.lower()
    assert rs.ratio is not None and rs.ratio.per_direct_hours == 20
    assert rs.rule(C.GROUP_SUPERVISION) is not None
    assert "NOT LEGAL ADVICE" in rs.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[set]\nname = 'x'\n[counting]\nminutes_per_hr = 45\n", "Unknown key “minutes_per_hr”"),
        ("[set]\nname = 'x'\n[categories.supervision]\nmin_hours = 1\n", "Unknown category"),
        ("[set]\nname = 'x'\n[total]\nmin_hours = -3\n", "cannot be negative"),
        ("[set]\nname = 'x'\n[total]\nmin_hours = 'lots'\n", "must be a number"),
        ("[set]\nname = ''\n", "needs a name"),
        ("[set]\nname = 'x'\n[supervision_ratio]\nper_direct_hours = 0\n", "greater than zero"),
        (
            "[set]\nname = 'x'\n[supervision_ratio]\nper_direct_hours = 5\nwindow = 'day'\n",
            "window",
        ),
        ("[set]\nname = 'x'\n[period]\nstart = '2025-01-01'\n", "period.start must be a date"),
        ("[set]\nname = 'x\n", "Not valid TOML"),
        ("[set]\nname = 'x'\n[categories.indirect_work]\nmin_hours = 5\nmax_hours = 2\n", "larger"),
    ],
)
def test_malformed_sets_are_refused_with_a_message_naming_the_key(body: str, message: str) -> None:
    with pytest.raises(req.RequirementSetError, match=message):
        req.parse_set(body, "user:x")


def test_user_sets_can_be_created_copied_edited_and_deleted(tmp_path: Path) -> None:
    mine = req.create_user_set(tmp_path, "My board")
    assert mine.id == "user:my-board"
    assert (tmp_path / "requirements" / "my-board.toml").stat().st_mode & 0o777 == 0o600
    copy = req.copy_set(tmp_path, req.DEFAULT_SET_ID, "Texas copy")
    assert copy.id == "user:texas-copy" and copy.name == "Texas copy"
    assert not copy.example
    assert copy.rules == req.load_set(tmp_path, req.DEFAULT_SET_ID).rules
    again = req.copy_set(tmp_path, copy.id, "Texas copy")
    assert again.id == "user:texas-copy-2"
    edited = req.save_user_set(
        tmp_path, copy.id, copy.text.replace("min_hours = 3000", "min_hours = 4000")
    )
    assert edited.total_min_hours == 4000
    ids = [s.id for s in req.list_sets(tmp_path)]
    assert ids[0] == req.DEFAULT_SET_ID
    assert set(ids[1:]) == {"user:my-board", "user:texas-copy", "user:texas-copy-2"}
    req.delete_user_set(tmp_path, "user:my-board")
    assert "user:my-board" not in [s.id for s in req.list_sets(tmp_path)]


def test_builtin_sets_are_read_only(tmp_path: Path) -> None:
    with pytest.raises(req.RequirementSetError, match="read-only"):
        req.save_user_set(tmp_path, req.DEFAULT_SET_ID, "[set]\nname = 'x'\n")
    with pytest.raises(req.RequirementSetError, match="cannot be deleted"):
        req.delete_user_set(tmp_path, req.DEFAULT_SET_ID)


def test_a_broken_user_file_is_listed_with_its_error(tmp_path: Path) -> None:
    d = tmp_path / "requirements"
    d.mkdir()
    (d / "broken.toml").write_text("[set]\nname = 'x'\n[nonsense]\n")
    (broken,) = [s for s in req.list_sets(tmp_path) if s.id == "user:broken"]
    assert "nonsense" in broken.error


def test_set_ids_cannot_escape_their_folder(tmp_path: Path) -> None:
    from app.errors import NotFoundError

    with pytest.raises(NotFoundError):
        req.load_set(tmp_path, "user:../../etc/passwd")


# --- properties ---------------------------------------------------------------------------


CAPPED = rules(
    "[counting]\nminutes_per_hour = 45\nround_down_to_minutes = 5\n"
    "[total]\nweekly_max_hours = 12\n"
    "categories = ['direct_client_contact', 'group_supervision', 'indirect_work']\n"
    "[categories.group_supervision]\nmax_hours = 6\nmin_session_minutes = 60\n"
    "[categories.direct_client_contact]\nweekly_max_hours = 8\n"
)

entries_st = st.lists(
    st.tuples(
        st.integers(0, 120),  # day offset
        st.sampled_from(
            [C.DIRECT_CLIENT_CONTACT, C.GROUP_SUPERVISION, C.INDIRECT_WORK, C.PEER_CONSULTATION]
        ),
        st.integers(1, 600),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(entries_st)
def test_counting_never_breaks_a_cap_and_logged_minutes_are_exact(
    raw: list[tuple[int, Category, int]],
) -> None:
    es = [entry(MON + timedelta(days=d), c, m, f"k{i}") for i, (d, c, m) in enumerate(raw)]
    ev = evaluate(CAPPED, es)
    assert ev.logged_total_minutes == sum(m for _, _, m in raw)
    assert ev.counted_hours.get(C.GROUP_SUPERVISION, 0.0) <= 6 + 1e-9
    for cat, hrs in ev.counted_hours.items():
        logged = ev.logged_minutes[cat]
        assert 0 <= hrs <= logged / 45 + 1e-9
    weeks: dict[date, float] = {}
    for e in es:
        wk = e.on_date - timedelta(days=e.on_date.weekday())
        weeks.setdefault(wk, 0.0)
    assert ev.counted_total_hours <= 12 * len(weeks) + 1e-9
    assert ev.counted_total_hours == pytest.approx(
        sum(ev.counted_hours.get(c, 0.0) for c in CAPPED.total_categories)
    )
