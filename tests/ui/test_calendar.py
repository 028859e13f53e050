"""The calendar page: agenda/week/month views, today marker, keyboard navigation, legend,
series dialog, the "this / following / all" question and per-session actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services import practice, schedule
from app.services.schedule import EditScope
from app.store.models import DutyRole
from tests.fakes import FakeClock
from ui.calendar_dialogs import SeriesDialog
from ui.calendar_models import (
    DateRole,
    InPeriodRole,
    IsTodayRole,
    ItemsRole,
    MonthModel,
    WeekModel,
)
from ui.context import AppContext
from ui.pages import calendar as calendar_module
from ui.pages.calendar import CalendarPage

NY = "America/New_York"


@pytest.fixture
def practice_ctx(me_ctx: AppContext) -> AppContext:
    """Me (Chicago) in a New York group meeting on the 2nd Tuesday at 12:00, and a weekly
    group in Europe/London; the fake clock says Monday 2 March 2026, 14:00 UTC."""
    db = me_ctx.db
    g1 = practice.create_group(db, "Trauma peer consultation", color="#3b82f6").id
    g2 = practice.create_group(db, "DBT team", color="#10b981").id
    for g in (g1, g2):
        practice.set_role(db, g, me_ctx.me_id or 0, "peer")
    schedule.create_series(db, g1, "Trauma consult", datetime(2026, 1, 13, 12), 90, NY,
                           "FREQ=MONTHLY;BYDAY=2TU")
    schedule.create_series(db, g2, "DBT team", datetime(2026, 1, 8, 15), 60, "Europe/London",
                           "FREQ=WEEKLY;BYDAY=TH")
    return me_ctx


@pytest.fixture
def page(qtbot, practice_ctx: AppContext) -> CalendarPage:  # type: ignore[no-untyped-def]
    p = CalendarPage(practice_ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    p.refresh()
    return p


def test_models_pass_the_model_tester(qtmodeltester, page: CalendarPage) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(page.agenda_model)
    page.set_view("week")
    qtmodeltester.check(page.week_model)
    page.set_view("month")
    qtmodeltester.check(page.month_model)


def test_agenda_is_the_default_and_shows_times_in_my_zone(page: CalendarPage) -> None:
    assert page.view == "agenda" and page.stack.currentIndex() == 0
    m = page.agenda_model
    rows = [(m.item(r).title, m.data(m.index(r, m.column("time")))) for r in range(m.rowCount())]
    # 12:00 New York is 11:00 in Chicago; 15:00 London is 09:00 Chicago in March
    assert ("Trauma consult", "11:00–12:30") in rows
    assert ("DBT team", "09:00–10:00") in rows
    assert page.zone_label.text().startswith("Times in America/Chicago")


def test_agenda_starts_today_and_marks_it(page: CalendarPage, fake_clock: FakeClock) -> None:
    m = page.agenda_model
    first_day = m.data(m.index(0, 0), DateRole)
    assert first_day >= date(2026, 3, 2)
    fake_clock.set(datetime(2026, 3, 5, 13, 0, tzinfo=UTC))  # a Thursday: DBT day
    page._anchored = False
    page.refresh()
    assert page.agenda_model.data(page.agenda_model.index(0, 0)).startswith("Today")
    assert page.agenda_model.data(page.agenda_model.index(0, 0), IsTodayRole)


def test_week_view_places_sessions_by_local_hour_and_marks_today(page: CalendarPage) -> None:
    page.set_view("week")
    page.go_to_date(date(2026, 3, 10))
    m: WeekModel = page.week_model
    tuesday = 1
    assert [i.title for i in m.cell_items(11, tuesday)] == ["Trauma consult"]
    assert m.headerData(0, Qt.Orientation.Horizontal).startswith("Mon 09")
    page.go_to_today()
    assert "today" in m.headerData(0, Qt.Orientation.Horizontal)  # Monday 2 March
    assert page.week_view.currentIndex().isValid()


def test_month_view_has_six_weeks_with_today_and_muted_days(page: CalendarPage) -> None:
    page.set_view("month")
    m: MonthModel = page.month_model
    assert (m.rowCount(), m.columnCount()) == (6, 7)
    pos = m.position_of(date(2026, 3, 2))
    assert pos is not None and m.data(m.index(*pos), IsTodayRole)
    assert m.data(m.index(0, 0), InPeriodRole) is False  # 23 Feb
    tue = m.position_of(date(2026, 3, 10))
    assert tue is not None
    assert [i.title for i in m.data(m.index(*tue), ItemsRole)] == ["Trauma consult"]


def test_keyboard_pages_through_periods_and_home_returns(qtbot, page: CalendarPage) -> None:  # type: ignore[no-untyped-def]
    page.set_view("month")
    assert page.period_label.text() == "March 2026"
    page.month_view.setFocus()
    qtbot.keyClick(page.month_view, Qt.Key.Key_PageDown)
    assert page.period_label.text() == "April 2026"
    qtbot.keyClick(page.month_view, Qt.Key.Key_PageUp)
    qtbot.keyClick(page.month_view, Qt.Key.Key_PageUp)
    assert page.period_label.text() == "February 2026"
    qtbot.keyClick(page.month_view, Qt.Key.Key_Home)
    assert page.period_label.text() == "March 2026"
    before = page.month_view.currentIndex()
    qtbot.keyClick(page.month_view, Qt.Key.Key_Right)
    after = page.month_view.currentIndex()
    assert after.data(DateRole) == before.data(DateRole) + timedelta(days=1)


def test_switching_views_keeps_the_selected_day(page: CalendarPage) -> None:
    page.show_occurrence(1, datetime(2026, 4, 14, 12))
    assert page.selected_item() is not None
    page.set_view("month")
    assert page.period_label.text() == "April 2026"
    page.set_view("week")
    assert page.period_label.text() == "Week of 13 Apr 2026"


def test_legend_hides_and_shows_a_group(page: CalendarPage) -> None:
    dbt = next(g for g in page._groups if g.name == "DBT team")
    page.legend.button(dbt.id).click()
    assert all(i.group_name != "DBT team" for i in page.agenda_model.items())
    page.legend.button(dbt.id).click()
    assert any(i.group_name == "DBT team" for i in page.agenda_model.items())


def test_empty_states(qtbot, me_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    p = CalendarPage(me_ctx)
    qtbot.addWidget(p)
    p.show()
    p.refresh()
    assert p.no_groups.isVisible() and not p.new_btn.isEnabled()
    # no second empty state with a "New series…" button that cannot work yet
    assert not p.agenda_empty.isVisible() and not p.legend.isVisible()
    practice.create_group(me_ctx.db, "Ethics circle")
    p.refresh()
    assert not p.no_groups.isVisible()
    assert p.agenda_empty.isVisible() and p.legend.isVisible()
    assert p.agenda_box.is_showing_empty()


def test_series_dialog_creates_a_series_and_shows_inline_errors(
    qtbot, page: CalendarPage  # type: ignore[no-untyped-def]
) -> None:
    dlg = SeriesDialog(page.ctx.db, page._groups, "America/Chicago", page,
                       start=datetime(2026, 3, 17, 9, 0))
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.buttons.accepted.emit()
    assert dlg.isVisible() and "needs a title" in dlg.title_error.text()
    dlg.title_edit.setText("Ethics check-in")
    dlg.repeat.setCurrentIndex(dlg.repeat.findData("monthly_weekday"))
    dlg.ends.setCurrentIndex(dlg.ends.findData("count"))
    dlg.count.setValue(6)
    assert "Monthly on the 3rd Tuesday, 6 times" in dlg.summary.text()
    dlg.video.setText("zoom.example.org/abc")
    dlg.buttons.accepted.emit()
    assert dlg.isVisible() and "https://" in dlg.video_error.text()
    dlg.video.setText("https://video.example.org/abc")
    with qtbot.waitSignal(dlg.saved):
        dlg.buttons.accepted.emit()
    created = [s for s in __import__("app.services.sessions", fromlist=["x"]).list_series(
        page.ctx.db) if s.title == "Ethics check-in"]
    assert created and created[0].rrule == "FREQ=MONTHLY;BYDAY=3TU;COUNT=6"


def test_closing_a_dialog_with_typed_changes_asks_first(
    qtbot, page: CalendarPage, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    dlg = SeriesDialog(page.ctx.db, page._groups, "America/Chicago", page)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.title_edit.setText("Half-typed")
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Cancel)
    dlg.reject()
    assert dlg.isVisible()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    dlg.reject()
    assert not dlg.isVisible()


def test_editing_a_session_asks_this_following_or_all(qtbot, page: CalendarPage) -> None:  # type: ignore[no-untyped-def]
    page.show_occurrence(1, datetime(2026, 6, 9, 12))
    item = page.selected_item()
    assert item is not None
    asked: list[bool] = []

    def choose(_parent: object) -> EditScope:
        asked.append(True)
        return EditScope.FOLLOWING

    dlg = SeriesDialog(page.ctx.db, page._groups, "America/Chicago", page,
                       detail=schedule.get_series(page.ctx.db, 1), item=item,
                       scope_chooser=choose)
    qtbot.addWidget(dlg)
    dlg.time_edit.setTime(dlg.time_edit.time().addSecs(3600))
    with qtbot.waitSignal(dlg.saved) as sig:
        dlg.buttons.accepted.emit()
    assert asked
    res = sig.args[0]
    assert res.series_id != 1
    assert schedule.get_series(page.ctx.db, 1).series.rrule.endswith("UNTIL=20260609T115959")


def test_moving_from_the_page_asks_for_the_scope(page: CalendarPage, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(calendar_module, "ask_scope", lambda *_a: EditScope.THIS)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    page.show_occurrence(1, datetime(2026, 5, 12, 12))
    res = page.move_selected(datetime(2026, 5, 13, 16, 0))
    assert res is not None and res.series_id == 1
    moved = schedule.get_item(page.ctx.db, 1, datetime(2026, 5, 12, 12))
    assert moved.moved
    monkeypatch.setattr(calendar_module, "ask_scope", lambda *_a: None)
    assert page.move_selected(datetime(2026, 5, 14, 16, 0)) is None  # cancelled: no change


def test_cancel_and_restore_from_the_details_panel(page: CalendarPage, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    changed: list[str] = []
    page.ctx.data_changed.connect(changed.append)
    page.show_occurrence(1, datetime(2026, 4, 14, 12))
    assert page.details.cancel_btn.isVisibleTo(page)
    page.details.cancel_btn.click()
    assert changed == ["schedule"]
    item = page.selected_item()
    assert item is not None and item.cancelled
    assert page.details.restore_btn.isVisibleTo(page)
    page.details.restore_btn.click()
    item = page.selected_item()
    assert item is not None and not item.cancelled


def test_rotation_dialog_plans_and_shows_counts(qtbot, page: CalendarPage) -> None:  # type: ignore[no-untyped-def]
    from ui.calendar_dialogs import RotationDialog

    for name in ("Avery Ashgrove", "Blake Bellweather"):
        m = practice.create_member(page.ctx.db, name)
        practice.set_role(page.ctx.db, 1, m.id, "peer")
    dlg = RotationDialog(page.ctx.db, 1, 1, "Trauma peer consultation", page)
    qtbot.addWidget(dlg)
    dlg.plan_btn.click()
    assert "Assigned duties" in dlg.message.text()
    total = sum(dlg.model.record(r).planned[DutyRole.PRESENTER]
                for r in range(dlg.model.rowCount()))
    assert total == 6  # one presenter for each session in the next six months


def test_importing_a_file_from_the_page_adds_its_sessions(
    page: CalendarPage, tmp_path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    f = tmp_path / "team.ics"
    f.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ext-1\r\n"
                  b"SUMMARY:Case conference\r\nDTSTART;TZID=Eastern Standard Time:"
                  b"20260304T130000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
                  b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    page.import_file(str(f), "Case conference")
    assert "1 new series" in shown[0]
    assert any(i.title == "Case conference" for i in page.agenda_model.items())
    assert any(g.name == "Case conference" for g in page._groups)


def test_dragging_a_session_to_another_day_moves_it_after_asking(
    page: CalendarPage, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(calendar_module, "ask_scope",
                        lambda _p, verb="Change": asked.append(verb) or EditScope.THIS)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    page.set_view("week")
    page.go_to_date(date(2026, 3, 10))
    m = page.week_model
    src = m.index(11, 1)  # Tuesday 11:00 Chicago: the Trauma consult
    assert m.flags(src) & Qt.ItemFlag.ItemIsDragEnabled
    data = m.mimeData([src])
    m.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, m.index(14, 2))  # Wed 14:00
    assert asked == ["Move"]
    moved = schedule.get_item(page.ctx.db, 1, datetime(2026, 3, 10, 12))
    assert moved.moved
    assert moved.start_utc == datetime(2026, 3, 11, 19, 0, tzinfo=UTC)  # 14:00 Chicago (CDT)
    assert [i.title for i in m.cell_items(14, 2)] == ["Trauma consult"]


def test_attention_targets_open_the_session(page: CalendarPage) -> None:
    assert page.open_target("calendar:1:2026-06-09T12:00:00")
    item = page.selected_item()
    assert item is not None and item.recurrence_id == datetime(2026, 6, 9, 12)
    assert not page.open_target("notes:3")


def test_moving_one_session_to_another_day_keeps_the_series_rule(
    qtbot, page: CalendarPage  # type: ignore[no-untyped-def]
) -> None:
    page.show_occurrence(1, datetime(2026, 6, 9, 12))
    item = page.selected_item()
    assert item is not None
    dlg = SeriesDialog(page.ctx.db, page._groups, "America/Chicago", page,
                       detail=schedule.get_series(page.ctx.db, 1), item=item,
                       scope_chooser=lambda _p: EditScope.THIS)
    qtbot.addWidget(dlg)
    dlg.date_edit.setDate(dlg.date_edit.date().addDays(1))  # Tuesday -> Wednesday
    with qtbot.waitSignal(dlg.saved):
        dlg.buttons.accepted.emit()
    assert schedule.get_series(page.ctx.db, 1).series.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert schedule.get_item(page.ctx.db, 1, datetime(2026, 6, 9, 12)).moved


def test_conflicting_sessions_are_marked_in_every_view(
    page: CalendarPage, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    from ui.calendar_models import ConflictRole

    dbt = next(g for g in page._groups if g.name == "DBT team")
    schedule.create_series(page.ctx.db, dbt.id, "Extra DBT", datetime(2026, 3, 10, 12, 30), 60,
                           NY)
    page.refresh()
    m = page.agenda_model
    marked = {m.item(r).title for r in range(m.rowCount())
              if m.data(m.index(r, m.column("status"))) == "⚠ Conflict"}
    assert marked == {"Trauma consult", "Extra DBT"}
    row = next(r for r in range(m.rowCount()) if m.item(r).title == "Extra DBT")
    assert "overlapping" in m.data(m.index(row, 0), ConflictRole)[0]
    page.set_view("month")
    pos = page.month_model.position_of(date(2026, 3, 10))
    assert pos is not None
    assert len(page.month_model.data(page.month_model.index(*pos), ConflictRole)) == 2


def test_series_dialog_shows_the_first_session_in_my_zone_too(
    qtbot, page: CalendarPage  # type: ignore[no-untyped-def]
) -> None:
    dlg = SeriesDialog(page.ctx.db, page._groups, "America/Chicago", page,
                       start=datetime(2026, 3, 10, 12, 0))
    qtbot.addWidget(dlg)
    dlg.zone.setCurrentText("America/New_York")
    assert "the first is Tue 11:00 in America/Chicago" in dlg.summary.text()


def test_ending_and_removing_a_series_from_the_details_panel(
    page: CalendarPage, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.show_occurrence(1, datetime(2026, 6, 9, 12))
    page.details.end_action.trigger()
    assert schedule.get_series(page.ctx.db, 1).series.rrule.endswith("UNTIL=20260609T120000")
    page.details.remove_action.trigger()
    assert all(i.series_id != 1 for i in page.agenda_model.items())


def test_details_panel_lists_the_selected_sessions_conflicts(page: CalendarPage) -> None:
    dbt = next(g for g in page._groups if g.name == "DBT team")
    schedule.create_series(page.ctx.db, dbt.id, "Extra DBT", datetime(2026, 3, 10, 12, 30), 60,
                           NY)
    page.refresh()
    page.show_occurrence(1, datetime(2026, 3, 10, 12))
    assert "overlapping" in page.details.conflicts.text()
    page.show_occurrence(1, datetime(2026, 4, 14, 12))
    assert page.details.conflicts.text() == ""
