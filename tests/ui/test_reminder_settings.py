"""Settings → Reminders: loads the effective policy, validates inline, keeps typed work,
saves rows the planner then uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings, Qt, QTime

from app.services import practice
from app.services import reminders as rs
from app.store.database import Database
from tests.fakes import FakeClock
from tests.reminder_support import session_at, small_practice
from ui.context import AppContext
from ui.settings_reminders import GroupChoiceModel, SettingsTab

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _private_settings(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )


def _tab(db: Database, fake_clock: FakeClock, qtbot, me: int | None) -> SettingsTab:  # type: ignore[no-untyped-def]
    ctx = AppContext(db, fake_clock)
    ctx.me_id = me
    tab = SettingsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_without_me_the_tab_shows_an_empty_state(db, fake_clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(db, fake_clock, qtbot, None)
    assert tab.empty.isVisible() and not tab.scroll.isVisible()


def test_defaults_load_and_a_saved_change_reaches_the_planner(db, fake_clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    p = small_practice(db, tz="UTC")
    tab = _tab(db, fake_clock, qtbot, p.me)
    assert tab.evening_time.time() == QTime(17, 0) and tab.before_minutes.value() == 15
    assert not tab.save_button.isEnabled()
    tab.before_minutes.setValue(30)
    assert tab.has_unsaved_changes() and tab.save_button.isEnabled()
    assert tab.status.text() == "Unsaved changes"
    tab.refresh()  # a data_changed elsewhere must not wipe typed work
    assert tab.before_minutes.value() == 30
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert not tab.has_unsaved_changes()
    start = T0 + timedelta(hours=5)
    session_at(db, p, start)
    planned = rs.plan(db, p.me, T0, start)
    assert start - timedelta(minutes=30) in [r.due_utc for r in planned]


def test_quiet_hours_equal_times_show_inline_error_and_block_save(db, fake_clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    p = small_practice(db)
    tab = _tab(db, fake_clock, qtbot, p.me)
    tab.quiet_on.setChecked(True)
    tab.quiet_start.setTime(QTime(22, 0))
    tab.quiet_end.setTime(QTime(22, 0))
    assert tab.quiet_error.isVisible() and "different time" in tab.quiet_error.text()
    assert not tab.save_button.isEnabled()
    assert tab.save_changes() is False
    tab.quiet_end.setTime(QTime(7, 0))
    assert not tab.quiet_error.isVisible()
    assert tab.save_changes()
    pol = rs.effective_policy(db, p.me)
    assert pol.quiet is not None and pol.quiet.start.hour == 22 and pol.quiet.end.hour == 7


def test_goal_and_per_group_choice_are_saved(db, fake_clock, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    p = small_practice(db)
    tab = _tab(db, fake_clock, qtbot, p.me)
    model = tab.groups_model
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    idx = model.index(0, GroupChoiceModel.COL_REMIND)
    assert model.data(idx, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    model.setData(idx, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    tab.goal_on.setChecked(True)
    tab.goal_days.setValue(21)
    assert tab.save_changes()
    assert practice.get_member(db, p.me).consultation_goal_days == 21
    session_at(db, p, T0 + timedelta(hours=5))
    assert rs.plan(db, p.me, T0, T0 + timedelta(days=1)) == []
    assert (
        model.data(model.index(0, GroupChoiceModel.COL_REMIND), Qt.ItemDataRole.CheckStateRole)
        == Qt.CheckState.Unchecked
    )


def test_revert_drops_typed_changes(db, fake_clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    p = small_practice(db)
    tab = _tab(db, fake_clock, qtbot, p.me)
    tab.evening_on.setChecked(False)
    tab.revert_button.click()
    assert tab.evening_on.isChecked() and not tab.has_unsaved_changes()


def test_autostart_entry_is_written_and_removed(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui import tray

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    path = tray.set_autostart(True, tmp_path / "data")
    assert path == tmp_path / "cfg" / "autostart" / "consultory.desktop"
    text = path.read_text()
    assert "[Desktop Entry]" in text and "--data-dir" in text and "Exec=" in text
    assert tray.autostart_enabled()
    tray.set_autostart(False)
    assert not path.exists()
