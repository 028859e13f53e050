"""Opening the encrypted store: first-run passphrase creation (strength feedback, recovery
key shown once with print/save and a check that it was kept), unlocking with the passphrase
or the recovery key, the optional "remember on this computer", and the offer to restore
a damaged database from a backup.

``obtain_database(data_dir, clock, parent)`` is the one entry point ui/main.py calls.
The recovery key is deliberately not offered on the clipboard (clipboard managers keep a
history): it can be printed or saved to a file.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock
from app.errors import (
    ConsultoryError,
    DamagedDatabaseError,
    ValidationError,
    WrongPassphraseError,
)
from app.services import security
from app.store.database import Database, open_database
from ui.widgets import FieldError

STRENGTH_COLORS = ("#c0392b", "#d35400", "#b7950b", "#27ae60", "#1e8449")


class _BusyCursor:
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *_: object) -> None:
        QApplication.restoreOverrideCursor()


def _password_edit(parent: QWidget, name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(placeholder or name)
    edit.setMinimumWidth(320)
    return edit


class PassphraseFields(QWidget):
    """New passphrase + confirmation with live strength feedback and inline errors."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, label: str = "&Passphrase") -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.passphrase = _password_edit(self, "newPassphrase", "at least 10 characters")
        self.confirm = _password_edit(self, "confirmPassphrase", "type it again")
        self.show_box = QCheckBox("Sho&w what I type", self)  # "&S" is Save nearby
        self.meter = QProgressBar(self)
        self.meter.setObjectName("strengthMeter")
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.meter.setAccessibleName("Passphrase strength")
        self.strength_label = QLabel(self)
        self.strength_label.setObjectName("strengthLabel")
        self.strength_label.setWordWrap(True)
        self.passphrase_error = FieldError(self)
        self.confirm_error = FieldError(self)
        form.addRow(label, self.passphrase)
        form.addRow("", self.meter)
        form.addRow("", self.strength_label)
        form.addRow("", self.passphrase_error)
        form.addRow("&Confirm", self.confirm)
        form.addRow("", self.confirm_error)
        form.addRow("", self.show_box)
        self.passphrase.textChanged.connect(self._on_passphrase_text_changed)
        self.confirm.textChanged.connect(self._on_confirm_text_changed)
        self.show_box.toggled.connect(self._on_show_box_toggled)
        self._on_passphrase_text_changed("")

    def _on_passphrase_text_changed(self, text: str) -> None:
        s = security.passphrase_strength(text)
        self.meter.setValue(s.score if text else 0)
        color = STRENGTH_COLORS[s.score]
        self.meter.setStyleSheet(f"QProgressBar::chunk {{ background: {color}; }}")
        self.strength_label.setText(f"<b>{s.label}</b> — {s.hint}" if text else s.hint)
        self.passphrase_error.show_message("")
        self._on_confirm_text_changed(self.confirm.text())
        self.changed.emit()

    def _on_confirm_text_changed(self, text: str) -> None:
        # Complain only once the confirmation can no longer become the passphrase.
        diverged = bool(text) and not self.passphrase.text().startswith(text)
        self.confirm_error.show_message("The two passphrases differ." if diverged else "")
        self.changed.emit()

    def _on_show_box_toggled(self, on: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.confirm.setEchoMode(mode)

    def values(self) -> tuple[str, str]:
        return self.passphrase.text(), self.confirm.text()

    def show_error(self, err: ValidationError) -> None:
        target = self.confirm_error if err.field == "confirm" else self.passphrase_error
        target.show_message(err.message)
        (self.confirm if err.field == "confirm" else self.passphrase).setFocus()

    def clear(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()


def _mono_font() -> QFont:
    f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    f.setPointSizeF(f.pointSizeF() * 1.35)
    f.setBold(True)
    return f


class RecoveryKeyPanel(QWidget):
    """Shows a recovery key once, offers print/save, and asks for one group back."""

    confirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(
            "<b>Your recovery key</b><br>If you forget the passphrase, this key is the only "
            "other way into your data. It is shown <b>this once</b>: print it or save it "
            "somewhere safe away from this computer (not in the same folder).",
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.key_label = QLabel(self)
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setFont(_mono_font())
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setStyleSheet(
            "padding: 14px; border: 1px dashed palette(mid); border-radius: 6px;"
        )
        lay.addWidget(self.key_label)
        row = QHBoxLayout()
        self.print_button = QPushButton("&Print…", self)
        self.save_button = QPushButton("&Save to a file…", self)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.saved_label = QLabel(self)
        self.saved_label.setObjectName("savedLabel")
        lay.addWidget(self.saved_label)
        self.check_label = QLabel(self)
        self.check_label.setWordWrap(True)
        lay.addWidget(self.check_label)
        self.check_edit = QLineEdit(self)
        self.check_edit.setObjectName("recoveryCheck")
        self.check_edit.setMaxLength(8)
        self.check_edit.setAccessibleName("Recovery key group")
        self.check_label.setBuddy(self.check_edit)
        lay.addWidget(self.check_edit)
        self.check_error = FieldError(self)
        lay.addWidget(self.check_error)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.check_edit.textChanged.connect(self._on_check_edit_text_changed)
        self._key = ""
        self._group = 0

    def set_key(self, key: str) -> None:
        self._key = key
        groups = key.split("-")
        self.key_label.setText("  ".join(groups[:4]) + "\n" + "  ".join(groups[4:]))
        # both lines must always be visible: reserve their height (plus the padding) so the
        # dialog grows to fit instead of clipping the second line
        lines = self.key_label.text().count("\n") + 1
        self.key_label.setMinimumHeight(
            lines * self.key_label.fontMetrics().lineSpacing() + 2 * 14 + 8
        )
        window = self.window()
        if window is not None:
            window.adjustSize()
        self._group = secrets.randbelow(len(groups))
        ordinal = ("1st", "2nd", "3rd")[self._group] if self._group < 3 else f"{self._group + 1}th"
        self.check_label.setText(
            f"To make sure you kept it, type the &{ordinal} group of four characters:"
        )
        self.check_edit.clear()
        self.check_error.show_message("")

    @property
    def expected_group(self) -> str:
        return self._key.split("-")[self._group] if self._key else ""

    def is_confirmed(self) -> bool:
        typed = self.check_edit.text().strip().upper().replace("0", "O").replace("1", "I")
        return bool(self._key) and typed == self.expected_group

    def _on_check_edit_text_changed(self, text: str) -> None:
        if self.is_confirmed():
            self.check_error.show_message("")
            self.confirmed.emit()
        elif len(text.strip()) >= 4:
            self.check_error.show_message(
                "That is not the group asked for. Look at the printed or saved key."
            )

    def _document_text(self) -> str:
        return (
            "Consultory recovery key\n\n"
            f"    {self._key}\n\n"
            "Keep this away from the computer that holds your Consultory data. With it, "
            "anyone can open that data; without it and the passphrase, nobody can.\n"
        )

    def _on_print_button_clicked(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            doc = QTextDocument(self)
            doc.setPlainText(self._document_text())
            doc.print_(printer)
            self.saved_label.setText("Sent to the printer.")

    def _on_save_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the recovery key", "consultory-recovery-key.txt", "Text (*.txt)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        from app.store.keyfile import atomic_write

        try:
            atomic_write(path, self._document_text().encode("utf-8"))
        except OSError as exc:
            self.saved_label.setText(f"Could not save: {exc.strerror or exc}.")
            return
        self.saved_label.setText(f"Saved to {path}. Move it off this computer.")


class CreateStoreDialog(QDialog):
    """First run: choose a passphrase, then keep the recovery key."""

    def __init__(
        self, data_dir: Path, clock: Clock, parent: QWidget | None = None, *, existing: bool
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Protect your Consultory data")
        self.setObjectName("createStoreDialog")
        self.setMinimumWidth(560)
        self.data_dir = Path(data_dir)
        self.clock = clock
        self.database: Database | None = None
        lay = QVBoxLayout(self)
        self.pages = QStackedWidget(self)
        lay.addWidget(self.pages)

        first = QWidget(self.pages)
        fl = QVBoxLayout(first)
        fl.setContentsMargins(0, 0, 0, 0)
        what = (
            "Your existing data will be encrypted with it."
            if existing
            else "Everything Consultory stores is encrypted with it."
        )
        intro = QLabel(
            "<b>Choose a passphrase.</b> "
            f"{what} Nobody — including Consultory's authors — can open your data without "
            "it or the recovery key you get next. Several unrelated words make a good "
            "passphrase.",
            first,
        )
        intro.setWordWrap(True)
        fl.addWidget(intro)
        self.fields = PassphraseFields(first)
        fl.addWidget(self.fields)
        self.create_error = FieldError(first)
        fl.addWidget(self.create_error)
        self.pages.addWidget(first)

        second = QWidget(self.pages)
        sl = QVBoxLayout(second)
        sl.setContentsMargins(0, 0, 0, 0)
        self.recovery = RecoveryKeyPanel(second)
        sl.addWidget(self.recovery)
        self.pages.addWidget(second)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel", self)
        self.next_button = QPushButton("&Create", self)
        self.next_button.setObjectName("createButton")
        self.next_button.setDefault(True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        lay.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.recovery.confirmed.connect(self._on_recovery_confirmed)
        self.fields.passphrase.setFocus()

    def _on_next_button_clicked(self) -> None:
        if self.pages.currentIndex() == 0:
            self._create()
        elif self.recovery.is_confirmed():
            self.accept()
        else:
            self.recovery.check_error.show_message(
                "Type the group asked for to confirm you kept the key."
            )
            self.recovery.check_edit.setFocus()

    def _create(self) -> None:
        passphrase, confirm = self.fields.values()
        try:
            security.check_new_passphrase(passphrase, confirm)
        except ValidationError as err:
            self.fields.show_error(err)
            return
        try:
            with _BusyCursor():
                created = security.create_store(self.data_dir, passphrase, confirm, self.clock)
        except ValidationError as err:
            self.fields.show_error(err)
            return
        except ConsultoryError as err:
            self.create_error.show_message(str(err))
            return
        self.database = created.db
        self.fields.clear()
        self.recovery.set_key(created.recovery_key)
        self.pages.setCurrentIndex(1)
        self.cancel_button.setText("Later")
        self.next_button.setText("&Finish")
        self.next_button.setEnabled(False)
        self.recovery.check_edit.setFocus()

    def _on_recovery_confirmed(self) -> None:
        self.next_button.setEnabled(True)
        self.next_button.setFocus()

    def reject(self) -> None:
        if self.database is not None and not self.recovery.is_confirmed():
            answer = QMessageBox.question(
                self,
                "Recovery key not confirmed",
                "This recovery key will not be shown again. Continue without confirming it? "
                "You can create a new one later in Settings › Security.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            super().accept()  # the store exists: open it
            return
        super().reject()


class UnlockDialog(QDialog):
    """Unlock with the passphrase or the recovery key. Also the lock screen's dialog."""

    def __init__(
        self,
        data_dir: Path,
        clock: Clock,
        parent: QWidget | None = None,
        *,
        guard: security.UnlockGuard | None = None,
        locked: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unlockDialog")
        self.setWindowTitle("Consultory is locked" if locked else "Unlock Consultory")
        self.setMinimumWidth(480)
        self.data_dir = Path(data_dir)
        self.clock = clock
        self.guard = guard or security.UnlockGuard()
        self.database: Database | None = None
        self._wait_left = 0
        lay = QVBoxLayout(self)
        intro = QLabel(
            ("<b>Consultory locked itself.</b> " if locked else "")
            + "Enter your passphrase — or your recovery key — to open your data.",
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.secret = _password_edit(self, "unlockPassphrase", "passphrase or recovery key")
        form.addRow("&Passphrase", self.secret)
        lay.addLayout(form)
        self.error = FieldError(self)
        self.error.setObjectName("unlockError")
        lay.addWidget(self.error)
        self.remember = QCheckBox("&Remember on this computer", self)
        self.remember.setObjectName("rememberBox")
        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setForegroundRole(self.keyring_note.foregroundRole())
        status = security.keyring_status()
        if not status.available:
            self.remember.setEnabled(False)
            self.keyring_note.setText(status.message)
        else:
            self.keyring_note.setText(
                "Stores the key in the system keyring so this computer opens Consultory "
                "without asking. Your passphrase and recovery key keep working."
            )
        self.remember.setToolTip(status.message)
        lay.addWidget(self.remember)
        lay.addWidget(self.keyring_note)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("Restore from a &backup…", self)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.hide()
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        self.quit_button = QPushButton("&Quit" if not locked else "&Quit Consultory", self)
        self.unlock_button = QPushButton("&Unlock", self)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.unlock_button)
        lay.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.quit_button.clicked.connect(self.reject)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.secret.setFocus()
        self._start_wait()

    # --- unlocking ---------------------------------------------------------------------

    def _on_unlock_button_clicked(self) -> None:
        secret = self.secret.text()
        if not secret:
            self.error.show_message("Type your passphrase or recovery key.")
            return
        if self._wait_left > 0:
            return
        try:
            with _BusyCursor():
                db = security.unlock(self.data_dir, secret, self.clock, self.guard)
        except WrongPassphraseError as err:
            self.secret.clear()
            self.error.show_message(str(err))
            self._start_wait()
            return
        except DamagedDatabaseError as err:
            self.error.show_message(str(err))
            self.restore_button.show()
            self._pending_secret = secret
            return
        except ConsultoryError as err:
            self.error.show_message(str(err))
            return
        self.secret.clear()
        if self.remember.isChecked():
            note = security.remember_on_this_computer(db)
            if not note.available:
                QMessageBox.information(self, "Not remembered", note.message)
        self.database = db
        self.accept()

    def _start_wait(self) -> None:
        delay = int(self.guard.delay_seconds())
        if delay <= 0:
            return
        self._wait_left = delay
        self.unlock_button.setEnabled(False)
        self._show_wait()
        self._timer.start()

    def _show_wait(self) -> None:
        self.unlock_button.setText(f"Wait {self._wait_left} s")

    def _on_timer_timeout(self) -> None:
        self._wait_left -= 1
        if self._wait_left > 0:
            self._show_wait()
            return
        self._timer.stop()
        self.unlock_button.setText("&Unlock")
        self.unlock_button.setEnabled(True)

    # --- a damaged file ----------------------------------------------------------------

    def _on_restore_button_clicked(self) -> None:
        secret = getattr(self, "_pending_secret", None) or self.secret.text()
        db = restore_with_dialog(None, self, data_dir=self.data_dir, secret=secret)
        if db is not None:
            self.database = db
            self.accept()


def restore_with_dialog(
    db: Database | None,
    parent: QWidget | None,
    *,
    data_dir: Path | None = None,
    secret: str | None = None,
    path: Path | None = None,
) -> Database | None:
    """Ask for a backup file (unless ``path``), restore it, report. Returns the reopened
    database, or None if the user cancelled or the restore failed (nothing replaced)."""
    from app.store.backup import SUFFIX, auto_dir

    base = db.data_dir if db is not None else Path(data_dir or ".")
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(
            parent,
            "Restore from a backup",
            str(auto_dir(base)),
            f"Consultory backups (*{SUFFIX});;All files (*)",
        )
        if not chosen:
            return None
        path = Path(chosen)
    try:
        with _BusyCursor():
            restored = security.restore(db, path, data_dir=base, secret=secret)
    except ConsultoryError as err:
        QMessageBox.warning(parent, "Nothing was restored", str(err))
        return None
    kept = (
        f"\n\nThe database it replaced is kept in {restored.replaced_dir}."
        if restored.replaced_dir
        else ""
    )
    stamp = restored.backup_created_at.strftime("%Y-%m-%d %H:%M UTC")
    QMessageBox.information(parent, "Restored", f"Restored the backup made {stamp}.{kept}")
    return restored.db


def offer_restore(db: Database, parent: QWidget | None = None) -> Database:
    """A damaged database opened read-only: offer the latest backup, another file, or to
    continue read-only. Returns the database to use."""
    backups = security.list_backups(db)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Your database is damaged")
    box.setText(
        "Consultory found damage in your database "
        f"({len(db.damage)} problem(s) in its integrity check). It is open read-only so "
        "nothing gets worse. Restore it from a backup? The damaged file is kept."
    )
    latest = None
    if backups:
        stamp = backups[0].created_at.strftime("%Y-%m-%d %H:%M UTC")
        latest = box.addButton(f"Restore the latest ({stamp})", QMessageBox.ButtonRole.AcceptRole)
    other = box.addButton("Choose a backup…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("Continue read-only", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    restored = None
    if latest is not None and clicked is latest:
        restored = restore_with_dialog(db, parent, path=backups[0].path)
    elif clicked is other:
        restored = restore_with_dialog(db, parent)
    if restored is not None:
        return restored
    if db.key is not None and not db.key.available:  # disposed by a failed restore
        raise DamagedDatabaseError("The database could not be reopened. Restart Consultory.")
    return db


def obtain_database(data_dir: Path, clock: Clock, parent: QWidget | None = None) -> Database | None:
    """Open the data directory for the desktop app; None if the user cancels.

    Demo directories open directly (unencrypted). A new directory — or an unencrypted real
    one — asks for a passphrase and shows the recovery key; an encrypted one is unlocked
    from the keyring if remembered, else by the unlock dialog. A damaged database is
    offered a restore."""
    data_dir = Path(data_dir)
    state = security.store_state(data_dir)
    db: Database | None
    if state.kind == "demo":
        return open_database(data_dir, clock=clock)
    if state.kind in ("new", "plain"):
        create = CreateStoreDialog(data_dir, clock, parent, existing=state.kind == "plain")
        create.exec()
        db = create.database
        create.deleteLater()
        return db
    if state.kind == "orphaned":
        QMessageBox.warning(
            parent,
            "The key file is missing",
            f"{data_dir} holds an encrypted database without its key file (consultory.key). "
            "Choose a backup to restore; you will need its passphrase or recovery key.",
        )
        dlg = UnlockDialog(data_dir, clock, parent)
        dlg.error.show_message("Type the passphrase or recovery key of the backup, then restore.")
        dlg.restore_button.show()
        dlg.unlock_button.hide()
        dlg.exec()
        return dlg.database
    db = None
    key = security.remembered_key(data_dir)
    if key is not None:
        try:
            db = security.unlock_with_key(data_dir, key, clock)
        except ConsultoryError:
            db = None
    if db is None:
        dlg = UnlockDialog(data_dir, clock, parent)
        dlg.exec()
        db = dlg.database
        dlg.deleteLater()
    if db is not None and db.read_only:
        db = offer_restore(db, parent)
    return db
