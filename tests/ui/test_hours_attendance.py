"""The attendance view: keyboard-first, present by default, correctable later."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.services import attendance, hours
from app.store.models import AttendanceStatus
from tests.unit.test_hours_support import Practice, build_practice, monday, tuesday
from ui.attendance import AttendanceDialog, AttendanceModel, StatusRole
from ui.context import AppContext

C = AttendanceModel


@pytest.fixture
def pr(ctx: AppContext) -> Practice:
    return build_practice(ctx.db)


def _dialog(qtbot, ctx: AppContext, series: int, rid) -> AttendanceDialog:  # type: ignore[no-untyped-def]
    d = AttendanceDialog(ctx, series, rid)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def _statuses(d: AttendanceDialog) -> list[str]:
    m = d.view.model
    return [m.index(r, 0).data(StatusRole) for r in range(m.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester, ctx: AppContext, pr: Practice) -> None:  # type: ignore[no-untyped-def]
    model = AttendanceModel()
    model.load(attendance.sheet(ctx.db, pr.peer, tuesday(6)))
    qtmodeltester.check(model)


def test_everyone_present_by_default_and_saving_is_one_keystroke(
    qtbot,
    ctx: AppContext,
    pr: Practice,  # type: ignore[no-untyped-def]
) -> None:
    d = _dialog(qtbot, ctx, pr.peer, tuesday(6))
    assert _statuses(d) == ["present"] * 3
    assert "Not taken yet" in d.view.state.text()
    with qtbot.waitSignal(ctx.data_changed) as sig:
        qtbot.keyClick(d.view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sig.args == ["attendance"]
    assert d.result() == AttendanceDialog.DialogCode.Accepted
    assert attendance.sheet(ctx.db, pr.peer, tuesday(6)).taken
    assert hours.ledger(ctx.db, pr.alex).total_minutes == 90


def test_single_keys_set_status_and_minutes_are_typed_after_late(
    qtbot,
    ctx: AppContext,
    pr: Practice,  # type: ignore[no-untyped-def]
) -> None:
    d = _dialog(qtbot, ctx, pr.peer, tuesday(6))
    table = d.view.table
    # row 0: Alex late 15 min
    qtbot.keyClick(table, Qt.Key.Key_L)
    assert table.currentIndex().column() == C.COL_LATE
    editor = table.focusWidget()
    qtbot.keyClicks(editor, "15")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # row 1: Pat absent (A moves on to the next row)
    table.setCurrentIndex(d.view.model.index(1, C.COL_STATUS))
    qtbot.keyClick(table, Qt.Key.Key_A)
    assert table.currentIndex().row() == 2
    # row 2: Sam excused via Space cycling present -> late -> left early -> absent -> excused
    for _ in range(4):
        qtbot.keyClick(table, Qt.Key.Key_Space)
    assert _statuses(d) == ["late", "absent", "excused"]
    assert d.view.model.index(0, C.COL_ATTENDED).data() == "75 min · Peer consultation"
    assert d.view.save()
    rows = {r.member_id: r for r in attendance.sheet(ctx.db, pr.peer, tuesday(6)).rows}
    assert (rows[pr.alex].status, rows[pr.alex].late_minutes) == (AttendanceStatus.LATE, 15)
    assert rows[pr.pat].status is AttendanceStatus.ABSENT
    assert rows[pr.sam].status is AttendanceStatus.EXCUSED


def test_late_without_minutes_is_an_inline_error_not_a_save(
    qtbot,
    ctx: AppContext,
    pr: Practice,  # type: ignore[no-untyped-def]
) -> None:
    d = _dialog(qtbot, ctx, pr.peer, tuesday(6))
    d.view.model.set_status(1, AttendanceStatus.LATE)
    assert not d.view.save()
    assert d.view.error.isVisible()
    assert d.view.error.text().startswith("Pat Poe: Enter how many minutes late")
    assert not attendance.sheet(ctx.db, pr.peer, tuesday(6)).taken


def test_saved_attendance_reopens_and_can_be_corrected(
    qtbot,
    ctx: AppContext,
    pr: Practice,  # type: ignore[no-untyped-def]
) -> None:
    first = _dialog(qtbot, ctx, pr.supervision, monday(5))
    assert first.view.save()
    again = _dialog(qtbot, ctx, pr.supervision, monday(5))
    assert "recorded" in again.view.state.text()
    row = next(
        r
        for r in range(again.view.model.rowCount())
        if again.view.model.member_name(r) == "Alex Doe"
    )
    again.view.table.setCurrentIndex(again.view.model.index(row, C.COL_STATUS))
    qtbot.keyClick(again.view.table, Qt.Key.Key_E)
    qtbot.keyClicks(again.view.table.focusWidget(), "20")
    qtbot.keyClick(again.view.table.focusWidget(), Qt.Key.Key_Tab)
    assert again.view.save()
    assert hours.ledger(ctx.db, pr.alex).total_minutes == 40


def test_closing_with_typed_changes_asks_first(
    qtbot,
    ctx: AppContext,
    pr: Practice,  # type: ignore[no-untyped-def]
) -> None:
    d = _dialog(qtbot, ctx, pr.peer, tuesday(6))
    d.view.model.set_status(0, AttendanceStatus.ABSENT)
    asked: list[bool] = []
    d.confirm_discard = lambda: asked.append(True) or False  # type: ignore[method-assign]
    d.reject()
    assert asked and d.isVisible()


def test_future_and_cancelled_sessions_are_read_only(
    qtbot,
    ctx: AppContext,
    pr: Practice,  # type: ignore[no-untyped-def]
) -> None:
    d = _dialog(qtbot, ctx, pr.supervision, monday(2, 3))
    assert "not started" in d.view.state.text()
    assert not d.save_button.isEnabled()
    qtbot.keyClick(d.view.table, Qt.Key.Key_A)
    assert _statuses(d) == ["present", "present"]
