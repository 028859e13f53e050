"""The Hours screen and the requirement-set settings tab."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from app.hours.categories import Category
from app.hours.ledger import fmt_minutes
from app.services import attendance, hours
from app.services.attendance import Mark
from tests.unit.test_hours_support import Practice, build_practice, monday, tuesday
from ui.context import AppContext
from ui.pages.hours import HoursPage, period_dates
from ui.settings_hours import SettingsTab


@pytest.fixture
def pr(ctx: AppContext) -> Practice:
    p = build_practice(ctx.db)
    ctx.me_id = p.alex
    return p


def _log(ctx: AppContext, pr: Practice) -> None:
    db = ctx.db
    attendance.take(db, pr.supervision, monday(5), [Mark(pr.alex), Mark(pr.sam)])
    attendance.take(db, pr.supervision, monday(12), [Mark(pr.alex, "late", 10), Mark(pr.sam)])
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex, "left_early", 0, 30)])
    hours.add_entry(db, pr.alex, date(2026, 1, 8), 60 * 45, "direct_client_contact", "Caseload")
    hours.add_entry(db, pr.alex, date(2026, 2, 10), 95, "indirect_work", "Reports")


def _page(qtbot, ctx: AppContext) -> HoursPage:  # type: ignore[no-untyped-def]
    page = HoursPage(ctx)
    # what the main window does: refresh when shown and on every data change
    page.refresh()
    ctx.data_changed.connect(page.refresh)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def _custom(page: HoursPage, start: date, end: date) -> None:
    from ui.hours_widgets import qdate

    page.period_combo.setCurrentIndex(page.period_combo.findData("custom"))
    page.from_edit.setDate(qdate(start))
    page.to_edit.setDate(qdate(end))


def test_ledger_model_passes_the_model_tester(qtmodeltester, qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    _log(ctx, pr)
    page = _page(qtbot, ctx)
    qtmodeltester.check(page.model)


def test_totals_on_screen_match_the_ledger_to_the_minute(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    _log(ctx, pr)
    page = _page(qtbot, ctx)
    assert page.member_id() == pr.alex
    led = hours.ledger(ctx.db, pr.alex)
    assert page.model.rowCount() == len(led.entries) == 5
    assert fmt_minutes(led.total_minutes) in page.totals.text()
    assert sum(sum(m.values()) for _, m in page.chart.months) == led.total_minutes
    assert page.chart.totals == led.totals
    tip = page.chart.tooltip_at(*_bar_centre(page))
    assert tip.startswith("January 2026") and "Individual supervision: 1 h 50 min" in tip


def _bar_centre(page: HoursPage) -> tuple[float, float]:
    plot = page.chart.plot_rect()
    slot = plot.width() / len(page.chart.months)
    return plot.left() + slot / 2, plot.center().y()


def test_broken_rules_show_as_warnings_and_progress_bars_follow_targets(
    qtbot,
    ctx,
    pr,  # type: ignore[no-untyped-def]
) -> None:
    _log(ctx, pr)
    page = _page(qtbot, ctx)
    assert page.warnings.isVisible()
    assert "Supervision below 1 h of supervision per 20 h" in page.warnings.text()
    assert "broken" in page.warnings.text()
    assert set(page.targets.bars) >= {"total", "individual_supervision", "direct_client_contact"}
    sup = page.targets.labels["individual_supervision"].text()
    assert sup.startswith("1.83 of 100 h")


def test_period_filter_narrows_the_ledger(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    _log(ctx, pr)
    page = _page(qtbot, ctx)
    _custom(page, date(2026, 2, 1), date(2026, 2, 28))
    assert [e.category for e in page.model.records()] == [Category.INDIRECT_WORK]
    assert "1 h 35 min" in page.totals.text()
    assert period_dates("last_month", date(2026, 3, 2)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_dates("this_year", date(2026, 3, 2)) == (date(2026, 1, 1), date(2026, 12, 31))


def test_empty_state_for_a_member_without_hours(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, ctx)
    assert page.stack.is_showing_empty()
    assert page.empty.action_button is not None


def test_adding_a_manual_entry_refreshes_the_page(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    _log(ctx, pr)
    page = _page(qtbot, ctx)
    before = page.model.rowCount()
    dlg = page.open_entry_dialog()
    assert dlg is not None
    dlg.hours_spin.setValue(2)
    dlg.minutes_spin.setValue(5)
    dlg.category.setCurrentIndex(dlg.category.findData("other_supervision"))
    dlg.note.setText("Consult with outside supervisor")
    with qtbot.waitSignal(ctx.data_changed):
        dlg._on_buttons_accepted()
    assert page.model.rowCount() == before + 1
    assert any(e.minutes == 125 for e in page.model.records())


def test_manual_entry_errors_are_inline_and_typed_work_is_kept(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, ctx)
    dlg = page.open_entry_dialog()
    assert dlg is not None
    dlg.hours_spin.setValue(0)
    dlg.minutes_spin.setValue(0)
    assert not dlg.save()
    assert dlg.error.isVisible() and "Minutes must be" in dlg.error.text()
    dlg.note.setText("typed")
    asked: list[bool] = []
    dlg.confirm_discard = lambda: asked.append(True) or False  # type: ignore[method-assign]
    dlg.reject()
    assert asked and dlg.isVisible()


def test_export_csv_and_pdf_of_the_period(qtbot, ctx, pr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    _log(ctx, pr)
    page = _page(qtbot, ctx)
    _custom(page, date(2026, 1, 1), date(2026, 1, 31))
    out = tmp_path / "log.csv"
    assert page.export_csv(out) == 4
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert (
        sum(int(r["minutes"]) for r in rows)
        == hours.ledger(ctx.db, pr.alex, date(2026, 1, 1), date(2026, 1, 31)).total_minutes
    )
    assert out.stat().st_mode & 0o777 == 0o600
    pdf = tmp_path / "log.pdf"
    assert page.export_pdf(pdf) >= 2
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf)).pages).split())
    assert "Alex Doe" in text and "Sam Roe" in text and "47 h 50 min" in text


def test_lock_and_unlock_from_the_screen(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    from ui.hours_widgets import UnlockDialog

    _log(ctx, pr)
    page = _page(qtbot, ctx)
    _custom(page, date(2026, 1, 1), date(2026, 1, 31))
    lock = page.lock_current(confirm=False)
    assert lock is not None
    assert "Locked 2026-01-01 to 2026-01-31" in page.lock_label.text()
    assert page.unlock_button.isEnabled()
    assert page.model.index(0, 0).data().startswith("🔒")
    # a locked entry cannot be deleted: the refusal is shown inline
    manual_row = next(i for i, e in enumerate(page.model.records()) if e.manual)
    page.table.setCurrentIndex(page.model.index(manual_row, 0))
    assert not page.delete_selected(confirm=False)
    assert "signed and locked" in page.action_error.text()
    dlg = UnlockDialog(ctx.db, page.active_locks()[0], page)
    qtbot.addWidget(dlg)
    assert not dlg.unlock_button.isEnabled()
    qtbot.keyClicks(dlg.reason, "Wrong date on an entry")
    assert dlg.unlock_button.isEnabled()
    with qtbot.waitSignal(ctx.data_changed):
        dlg.accepted.connect(page._on_unlock_dialog_accepted)
        dlg._on_buttons_accepted()
    assert page.lock_label.text() == "Not locked"
    page.table.setCurrentIndex(page.model.index(manual_row, 0))
    assert page.delete_selected(confirm=False)


# --- settings tab -------------------------------------------------------------------------


def _tab(qtbot, ctx: AppContext) -> SettingsTab:  # type: ignore[no-untyped-def]
    tab = SettingsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_settings_lists_the_example_read_only(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot, ctx)
    assert tab.current_id == "builtin:example-associate"
    assert tab.editor.isReadOnly() and not tab.delete_button.isEnabled()
    assert "NOT LEGAL ADVICE" in tab.editor.toPlainText()
    assert tab.status.text().startswith("Valid:")


def test_copy_edit_validate_save_and_use_a_set(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot, ctx)
    sid = tab.copy_current("My board")
    assert sid == "user:my-board" and not tab.editor.isReadOnly()
    text = tab.editor.toPlainText()
    tab.editor.setPlainText(text.replace("min_hours = 3000", "min_hourz = 3000"))
    assert tab.save_button.isEnabled()
    assert not tab.save()
    assert "Unknown key “min_hourz”" in tab.error.text()
    tab.editor.setPlainText(text.replace("min_hours = 3000", "min_hours = 2500"))
    with qtbot.waitSignal(ctx.data_changed):
        assert tab.save()
    assert not tab.is_dirty()
    with qtbot.waitSignal(ctx.data_changed):
        tab.use_button.click()
    assert hours.member_set_id(ctx.db, pr.alex) == "user:my-board"
    ov = hours.overview(ctx.db, pr.alex)
    assert next(t for t in ov.evaluation.targets if t.key == "total").target_hours == 2500


def test_switching_sets_with_unsaved_text_asks_first(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot, ctx)
    tab.create_set("Draft")
    tab.editor.appendPlainText("# my note")
    asked: list[bool] = []
    tab._ask_unsaved = lambda: asked.append(True) or False  # type: ignore[method-assign]
    tab.list.setCurrentIndex(tab.model.index(0, 0))  # the built-in example
    assert asked
    assert tab.current_id == "user:draft" and tab.editor.toPlainText().endswith("# my note")


def test_a_note_that_looks_identifying_warns_before_saving(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, ctx)
    dlg = page.open_entry_dialog()
    assert dlg is not None
    dlg.note.setText("Intake with John Smith")
    assert not dlg.save()
    assert "may identify a client (name)" in dlg.error.text()
    assert hours.ledger(ctx.db, pr.alex).entries == ()
    assert dlg.save()  # a second Save keeps the note as typed
    assert hours.ledger(ctx.db, pr.alex).entries[0].description == "Intake with John Smith"
