"""First run, unlock, auto-lock and the Security settings tab, driven as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.paths import DB_FILENAME, DEMO_MARKER
from app.services import practice, security
from app.store.database import Database
from app.store.keyfile import keyfile_path
from tests.conftest import TEST_PASSPHRASE
from tests.fakes import FakeClock
from ui import unlock
from ui.context import AppContext
from ui.lock import LockController
from ui.main import create_main_window
from ui.main_window import MainWindow
from ui.settings_security import BackupTableModel, SettingsTab
from ui.unlock import CreateStoreDialog, UnlockDialog, obtain_database

GOOD = "maple river candle orbit"


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security,
        "keyring_status",
        lambda: security.KeyringStatus(False, "Unavailable: no system keyring here."),
    )


# --- first run ----------------------------------------------------------------------------


def test_first_run_gives_strength_feedback_and_inline_errors_then_shows_the_key_once(
    qtbot: Any, tmp_path: Path, fake_clock: FakeClock
) -> None:
    d = tmp_path / "new"
    dlg = CreateStoreDialog(d, fake_clock, existing=False)
    qtbot.addWidget(dlg)
    dlg.show()
    f = dlg.fields
    qtbot.keyClicks(f.passphrase, "short")
    assert "Very weak" in f.strength_label.text() or "Weak" in f.strength_label.text()
    qtbot.mouseClick(dlg.next_button, Qt.MouseButton.LeftButton)
    assert f.passphrase_error.isVisible() and "10 characters" in f.passphrase_error.text()
    assert not keyfile_path(d / DB_FILENAME).exists()

    f.passphrase.setText(GOOD)
    assert f.meter.value() >= 2
    qtbot.keyClicks(f.confirm, "maple rivet")
    assert "differ" in f.confirm_error.text()
    f.confirm.setText(GOOD)
    assert not f.confirm_error.isVisible()
    qtbot.mouseClick(dlg.next_button, Qt.MouseButton.LeftButton)

    assert dlg.pages.currentIndex() == 1
    assert dlg.database is not None and dlg.database.encrypted
    panel = dlg.recovery
    assert panel.expected_group in panel.key_label.text()
    assert not dlg.next_button.isEnabled()
    qtbot.keyClicks(panel.check_edit, "ZZZZ" if panel.expected_group != "ZZZZ" else "YYYY")
    assert panel.check_error.isVisible()
    panel.check_edit.setText(panel.expected_group.lower())
    assert dlg.next_button.isEnabled()
    qtbot.mouseClick(dlg.next_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == CreateStoreDialog.DialogCode.Accepted
    assert f.passphrase.text() == ""  # the passphrase does not linger in the widget
    dlg.database.dispose()


def test_recovery_key_is_saved_to_a_private_file(qtbot: Any, tmp_path: Path) -> None:
    panel = unlock.RecoveryKeyPanel()
    qtbot.addWidget(panel)
    panel.set_key("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
    out = tmp_path / "key.txt"
    panel.save_to(out)
    assert "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567" in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600
    assert "Saved" in panel.saved_label.text()


# --- unlocking ----------------------------------------------------------------------------


def test_wrong_passphrase_is_reported_inline_then_slowed_then_unlocks(
    qtbot: Any, encrypted_dir: Path, fake_clock: FakeClock, no_keyring: None
) -> None:
    dlg = UnlockDialog(encrypted_dir, fake_clock)
    qtbot.addWidget(dlg)
    dlg.show()
    for _ in range(3):
        qtbot.keyClicks(dlg.secret, "not it at all")
        qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
        assert dlg.error.text() == "Wrong passphrase or damaged file."
        assert dlg.secret.text() == ""
    assert not dlg.unlock_button.isEnabled()
    assert "Wait" in dlg.unlock_button.text()
    dlg._on_timer_timeout()  # one second later
    assert dlg.unlock_button.isEnabled()
    qtbot.keyClicks(dlg.secret, TEST_PASSPHRASE)
    qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
    assert dlg.result() == UnlockDialog.DialogCode.Accepted
    assert dlg.database is not None
    assert practice.list_groups(dlg.database) == []
    dlg.database.dispose()


def test_without_a_keyring_remember_is_unavailable_and_says_why(
    qtbot: Any, encrypted_dir: Path, fake_clock: FakeClock, no_keyring: None
) -> None:
    dlg = UnlockDialog(encrypted_dir, fake_clock)
    qtbot.addWidget(dlg)
    assert not dlg.remember.isEnabled()
    assert "Unavailable" in dlg.keyring_note.text()


def test_demo_directory_opens_without_a_passphrase(tmp_path: Path, fake_clock: FakeClock) -> None:
    d = tmp_path / "demo"
    d.mkdir()
    (d / DEMO_MARKER).write_text("demo")
    db = obtain_database(d, fake_clock)
    assert db is not None and db.is_demo and not db.encrypted
    db.dispose()


def test_a_remembered_key_opens_without_asking(
    encrypted_dir: Path, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.store.keyfile import KeyFile

    key = KeyFile.read(keyfile_path(encrypted_dir / DB_FILENAME)).unlock(TEST_PASSPHRASE)
    monkeypatch.setattr(security, "remembered_key", lambda _d: key)
    db = obtain_database(encrypted_dir, fake_clock)
    assert db is not None and db.encrypted
    db.dispose()


# --- auto-lock ----------------------------------------------------------------------------


class Ticker:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = 1_700_000_000.0

    def advance(self, seconds: float, *, wall_extra: float = 0.0) -> None:
        self.mono += seconds
        self.wall += seconds + wall_extra


class DraftPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dirty = True
        self.saved = 0

    def has_unsaved_changes(self) -> bool:
        return self.dirty

    def save_changes(self) -> bool:
        self.saved += 1
        self.dirty = False
        return True


@pytest.fixture
def secure_window(
    qtbot: Any, encrypted_db: Database, fake_clock: FakeClock, no_keyring: None
) -> Iterator[tuple[MainWindow, AppContext]]:
    ctx = AppContext(encrypted_db, fake_clock)
    me = practice.setup_solo_practice(ctx.db, "Sample Therapist", timezone="UTC")
    ctx.me_id = me.id
    w = create_main_window(ctx)
    qtbot.addWidget(w)
    # Let Today finish its deferred first load before a test locks the store.
    with qtbot.waitSignal(w.page("today").page_ready, timeout=10_000):
        w.show()
    qtbot.waitExposed(w)
    yield w, ctx
    ctx.db.dispose()


def test_idle_lock_saves_drafts_hides_disposes_and_unlock_returns_to_the_same_place(
    qtbot: Any, secure_window: tuple[MainWindow, AppContext]
) -> None:
    w, ctx = secure_window
    w.show_section("settings")
    draft = DraftPage(w.stack)
    w._pages["draft"] = draft
    t = Ticker()
    lock = LockController(ctx, w, monotonic=lambda: t.mono, wall=lambda: t.wall, use_dbus=False)
    assert lock.idle_minutes == 10
    old_db = ctx.db
    t.advance(9 * 60)
    lock.check()
    assert not lock.is_locked
    with qtbot.waitSignal(lock.locked) as locked:
        t.advance(61)
        lock.check()
    assert locked.args == ["idle"]
    assert draft.saved == 1
    assert not w.isVisible()
    assert old_db.key is not None and not old_db.key.available
    dlg = lock.unlock_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg.secret, TEST_PASSPHRASE)
    with qtbot.waitSignal(lock.unlocked):
        qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
    assert w.isVisible() and w.current_section() == "settings"
    assert ctx.db is not old_db and practice.get_me(ctx.db) is not None
    lock.deleteLater()


def test_a_wall_clock_jump_means_the_machine_slept_and_locks(
    qtbot: Any, secure_window: tuple[MainWindow, AppContext]
) -> None:
    w, ctx = secure_window
    t = Ticker()
    quits: list[bool] = []
    lock = LockController(
        ctx,
        w,
        monotonic=lambda: t.mono,
        wall=lambda: t.wall,
        use_dbus=False,
        quit_app=lambda: quits.append(True),
    )
    with qtbot.waitSignal(lock.locked) as locked:
        t.advance(15, wall_extra=3600)
        lock.check()
    assert locked.args == ["sleep"]
    qtbot.mouseClick(lock.unlock_dialog.quit_button, Qt.MouseButton.LeftButton)
    assert quits == [True] and lock.is_locked  # Quit leaves the store locked
    lock.deleteLater()


def test_screen_lock_signal_locks(qtbot: Any, secure_window: tuple[MainWindow, AppContext]) -> None:
    w, ctx = secure_window
    lock = LockController(ctx, w, use_dbus=False, quit_app=lambda: None)
    with qtbot.waitSignal(lock.locked) as locked:
        lock._on_screensaver_active_changed(True)
    assert locked.args == ["screen"]
    lock.unlock_dialog.close()
    lock.deleteLater()


def test_demo_data_is_never_locked(qtbot: Any, window: MainWindow) -> None:
    lock = LockController(window.ctx, window, use_dbus=False)
    lock.lock("manual")
    assert not lock.is_locked and window.isVisible()
    assert "not encrypted" in lock.describe()


# --- settings tab -------------------------------------------------------------------------


def test_security_tab_backs_up_changes_passphrase_and_saves_settings(
    qtbot: Any,
    qtmodeltester: Any,
    encrypted_db: Database,
    fake_clock: FakeClock,
    no_keyring: None,
) -> None:
    ctx = AppContext(encrypted_db, fake_clock)
    tab = SettingsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    assert "Encryption: on" in tab.status_label.text()
    assert tab.backups_view.is_showing_empty()
    qtbot.mouseClick(tab.backup_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 1 and not tab.backups_view.is_showing_empty()
    qtmodeltester.check(tab.model)
    assert tab.model.data(tab.model.index(0, 0), BackupTableModel.PathRole).endswith(
        ".consultory-backup"
    )

    tab.current.setText("wrong current passphrase")
    tab.fields.passphrase.setText(GOOD)
    tab.fields.confirm.setText(GOOD)
    qtbot.mouseClick(tab.change_button, Qt.MouseButton.LeftButton)
    assert tab.current_error.text() == "Wrong passphrase or damaged file."
    tab.current.setText(TEST_PASSPHRASE)
    tab.fields.passphrase.setText(GOOD)
    tab.fields.confirm.setText(GOOD)
    qtbot.mouseClick(tab.change_button, Qt.MouseButton.LeftButton)
    assert "changed" in tab.pass_result.text()

    tab.idle_spin.setValue(5)
    assert tab.has_unsaved_changes()
    with qtbot.waitSignal(ctx.data_changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert not tab.has_unsaved_changes()
    assert security.get_settings(ctx.db).idle_lock_minutes == 5
    assert not tab.remember.isEnabled()


def test_security_tab_restores_the_selected_backup(
    qtbot: Any,
    encrypted_db: Database,
    fake_clock: FakeClock,
    no_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    ctx = AppContext(encrypted_db, fake_clock)
    tab = SettingsTab(ctx)
    qtbot.addWidget(tab)
    qtbot.mouseClick(tab.backup_button, Qt.MouseButton.LeftButton)
    practice.create_group(ctx.db, "After the backup")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    with qtbot.waitSignal(ctx.data_changed):
        qtbot.mouseClick(tab.restore_button, Qt.MouseButton.LeftButton)
    assert ctx.db is not encrypted_db
    assert practice.list_groups(ctx.db) == []
    ctx.db.dispose()


def test_recovery_key_panel_shows_both_lines_of_the_key(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialog, QVBoxLayout

    from ui.unlock import RecoveryKeyPanel

    dialog = QDialog()
    qtbot.addWidget(dialog)
    panel = RecoveryKeyPanel(dialog)
    QVBoxLayout(dialog).addWidget(panel)
    dialog.show()
    panel.set_key("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
    line = panel.key_label.fontMetrics().lineSpacing()
    assert panel.key_label.height() >= 2 * line
    assert "YZ23" in panel.key_label.text()
