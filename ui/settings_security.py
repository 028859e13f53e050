"""Settings › Security: encryption status, passphrase and recovery key, "remember on this
computer", auto-lock, and backups (schedule, list, back up now, restore).

The auto-lock and backup numbers are kept in the form until Save (Revert drops them); the
tab reports that through ``has_unsaved_changes`` / ``save_changes`` like a page does.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, ValidationError
from app.services import security
from app.store.backup import SUFFIX, BackupInfo
from ui.context import AppContext
from ui.unlock import PassphraseFields, RecoveryKeyPanel, restore_with_dialog
from ui.widgets import EmptyOr, EmptyState, FieldError

TAB_TITLE = "Se&curity"
Index = QModelIndex | QPersistentModelIndex


def _size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class BackupTableModel(QAbstractTableModel):
    COLUMNS = ("Made", "Size", "Encrypted")
    COL_MADE, COL_SIZE, COL_ENCRYPTED = range(3)
    PathRole = Qt.ItemDataRole.UserRole + 1
    CreatedRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[BackupInfo] = []

    def set_rows(self, rows: list[BackupInfo]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def backup_at(self, row: int) -> BackupInfo:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        b = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == self.COL_MADE:
                return b.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if index.column() == self.COL_SIZE:
                return _size(b.size)
            if index.column() == self.COL_ENCRYPTED:
                return "Yes" if b.encrypted else "No (demo)"
        if role == self.PathRole:
            return str(b.path)
        if role == self.CreatedRole:
            return b.created_at
        return None


class RecoveryKeyDialog(QDialog):
    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your new recovery key")
        lay = QVBoxLayout(self)
        self.panel = RecoveryKeyPanel(self)
        self.panel.set_key(key)
        lay.addWidget(self.panel)
        row = QHBoxLayout()
        row.addStretch(1)
        self.done_button = QPushButton("&Done", self)
        self.done_button.setEnabled(False)
        row.addWidget(self.done_button)
        lay.addLayout(row)
        self.panel.confirmed.connect(lambda: self.done_button.setEnabled(True))
        self.done_button.clicked.connect(self.accept)


class SettingsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("securitySettings")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        lay = QVBoxLayout(body)

        # status
        self.status_label = QLabel(body)
        self.status_label.setObjectName("encryptionStatus")
        self.status_label.setWordWrap(True)
        lay.addWidget(self.status_label)

        # passphrase
        self.pass_box = QGroupBox("Passphrase and recovery key", body)
        pl = QVBoxLayout(self.pass_box)
        cur_form = QFormLayout()
        self.current = QLineEdit(self.pass_box)
        self.current.setObjectName("currentPassphrase")
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setPlaceholderText("current passphrase (or recovery key)")
        cur_form.addRow("C&urrent", self.current)
        pl.addLayout(cur_form)
        self.current_error = FieldError(self.pass_box)
        pl.addWidget(self.current_error)
        self.fields = PassphraseFields(self.pass_box, "&New passphrase")
        pl.addWidget(self.fields)
        prow = QHBoxLayout()
        self.change_button = QPushButton("C&hange passphrase", self.pass_box)
        self.change_button.setObjectName("changePassphrase")
        self.recovery_button = QPushButton("New reco&very key…", self.pass_box)
        prow.addWidget(self.change_button)
        prow.addWidget(self.recovery_button)
        prow.addStretch(1)
        pl.addLayout(prow)
        self.pass_result = QLabel(self.pass_box)
        self.pass_result.setObjectName("passphraseResult")
        pl.addWidget(self.pass_result)
        self.remember = QCheckBox("&Remember on this computer (system keyring)", self.pass_box)
        self.remember.setObjectName("rememberSetting")
        self.keyring_note = QLabel(self.pass_box)
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        pl.addWidget(self.remember)
        pl.addWidget(self.keyring_note)
        lay.addWidget(self.pass_box)

        # auto-lock and schedule
        sched = QGroupBox("Auto-lock and automatic backups", body)
        sf = QFormLayout(sched)
        self.idle_spin = QSpinBox(sched)
        self.idle_spin.setObjectName("idleMinutes")
        self.idle_spin.setRange(0, 24 * 60)
        self.idle_spin.setSuffix(" min")
        self.idle_spin.setSpecialValueText("Never")
        sf.addRow("&Lock after idle", self.idle_spin)
        self.lock_note = QLabel(sched)
        self.lock_note.setWordWrap(True)
        sf.addRow("", self.lock_note)
        self.interval_spin = QSpinBox(sched)
        self.interval_spin.setObjectName("backupHours")
        self.interval_spin.setRange(0, 24 * 31)
        self.interval_spin.setSuffix(" h")
        self.interval_spin.setSpecialValueText("Off")
        sf.addRow("&Back up every", self.interval_spin)
        self.keep_spin = QSpinBox(sched)
        self.keep_spin.setObjectName("backupKeep")
        self.keep_spin.setRange(1, 365)
        for spin in (self.idle_spin, self.interval_spin, self.keep_spin):
            spin.setMaximumWidth(160)
        sf.addRow("&Keep the last", self.keep_spin)
        self.settings_error = FieldError(sched)
        sf.addRow("", self.settings_error)
        srow = QHBoxLayout()
        self.save_button = QPushButton("&Save", sched)
        self.save_button.setObjectName("saveSecuritySettings")
        self.revert_button = QPushButton("R&evert", sched)  # "&v": New recovery key
        srow.addStretch(1)
        srow.addWidget(self.revert_button)
        srow.addWidget(self.save_button)
        sf.addRow(srow)
        lay.addWidget(sched)

        # backups
        bbox = QGroupBox("Backups", body)
        bl = QVBoxLayout(bbox)
        self.next_label = QLabel(bbox)
        self.next_label.setObjectName("nextBackup")
        bl.addWidget(self.next_label)
        self.model = BackupTableModel(self)
        self.table = QTableView(bbox)
        self.table.setObjectName("backupTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(160)
        self.empty = EmptyState(
            "No backups yet",
            "Automatic backups appear here. Make the first one now; each is encrypted and can "
            "be restored with your passphrase or recovery key.",
            "&Make the first backup",
            self._on_backup_button_clicked,
            bbox,
        )
        self.backups_view = EmptyOr(self.table, self.empty, bbox)
        bl.addWidget(self.backups_view)
        brow = QHBoxLayout()
        self.backup_button = QPushButton("Back up n&ow", bbox)
        self.backup_button.setObjectName("backupNow")
        self.export_button = QPushButton("Save a backup &as…", bbox)
        self.restore_button = QPushButton("Res&tore selected…", bbox)
        self.restore_button.setObjectName("restoreSelected")
        self.restore_file_button = QPushButton("Restore from &file…", bbox)
        for b in (
            self.backup_button,
            self.export_button,
            self.restore_button,
            self.restore_file_button,
        ):
            brow.addWidget(b)
        brow.addStretch(1)
        bl.addLayout(brow)
        self.backup_result = QLabel(bbox)
        self.backup_result.setObjectName("backupResult")
        self.backup_result.setWordWrap(True)
        bl.addWidget(self.backup_result)
        lay.addWidget(bbox)
        lay.addStretch(1)

        self.change_button.clicked.connect(self._on_change_button_clicked)
        self.recovery_button.clicked.connect(self._on_recovery_button_clicked)
        self.remember.toggled.connect(self._on_remember_toggled)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        self.backup_button.clicked.connect(self._on_backup_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.restore_file_button.clicked.connect(self._on_restore_file_button_clicked)
        self.table.doubleClicked.connect(lambda _i: self._on_restore_button_clicked())
        self._loaded = security.SecuritySettings()
        self.refresh()

    # --- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        db = self.ctx.db
        if db.encrypted:
            self.status_label.setText(
                "<b>Encryption: on.</b> Your database is encrypted with SQLCipher 4 "
                "(AES-256, page HMACs) under a random key; that key is stored only wrapped by "
                f"your passphrase and by your recovery key, in {db.db_path.with_suffix('.key')}."
            )
        else:
            self.status_label.setText(
                "<b>Encryption: off.</b> This is a demo or test database (synthetic data); "
                "your own practice data is always encrypted."
            )
        self.pass_box.setEnabled(db.encrypted and not db.read_only)
        status = security.keyring_status()
        remembered = db.encrypted and security.remembered_key(db.data_dir) is not None
        self.remember.blockSignals(True)
        self.remember.setChecked(remembered)
        self.remember.blockSignals(False)
        self.remember.setEnabled(status.available and db.encrypted)
        self.keyring_note.setText(status.message)
        try:
            self._loaded = security.get_settings(db)
        except ConsultoryError:
            self._loaded = security.SecuritySettings()
        self._show_settings(self._loaded)
        lock = getattr(self.window(), "_lock_service", None)
        self.lock_note.setText(
            lock.describe()
            if lock is not None
            else (
                "Locks when idle, on screen lock or sleep where the desktop reports it."
                if db.encrypted
                else "Demo data is not encrypted, so it is never locked."
            )
        )
        self._refresh_backups()

    def _show_settings(self, s: security.SecuritySettings) -> None:
        self.idle_spin.setValue(s.idle_lock_minutes)
        self.interval_spin.setValue(s.backup_interval_hours)
        self.keep_spin.setValue(s.backup_keep)
        self.settings_error.show_message("")

    def _refresh_backups(self) -> None:
        db = self.ctx.db
        rows = security.list_backups(db)
        self.model.set_rows(rows)
        self.backups_view.set_empty(not rows)
        self.restore_button.setEnabled(bool(rows))
        due = security.next_backup_due(db)
        if due is None:
            self.next_label.setText("Automatic backups are off for this database.")
        else:
            when = due.astimezone().strftime("%Y-%m-%d %H:%M")
            self.next_label.setText(
                f"Next automatic backup: {when}, in {db.data_dir / 'backups' / 'auto'}."
            )

    # --- unsaved settings ---------------------------------------------------------------

    def _form_settings(self) -> security.SecuritySettings:
        return replace(
            self._loaded,
            idle_lock_minutes=self.idle_spin.value(),
            backup_interval_hours=self.interval_spin.value(),
            backup_keep=self.keep_spin.value(),
        )

    def has_unsaved_changes(self) -> bool:
        return self._form_settings() != self._loaded

    def save_changes(self) -> bool:
        try:
            self._loaded = security.update_settings(self.ctx.db, self._form_settings())
        except ValidationError as err:
            self.settings_error.show_message(err.message)
            return False
        except ConsultoryError as err:
            self.settings_error.show_message(str(err))
            return False
        self.settings_error.show_message("")
        self.ctx.notify_changed("settings")
        return True

    def _on_save_button_clicked(self) -> None:
        self.save_changes()

    def _on_revert_button_clicked(self) -> None:
        self._show_settings(self._loaded)

    # --- passphrase ---------------------------------------------------------------------

    def _on_change_button_clicked(self) -> None:
        self.current_error.show_message("")
        self.pass_result.setText("")
        new, confirm = self.fields.values()
        try:
            security.change_passphrase(self.ctx.db, self.current.text(), new, confirm)
        except ValidationError as err:
            if err.field == "current":
                self.current_error.show_message(err.message)
                self.current.clear()
                self.current.setFocus()
            else:
                self.fields.show_error(err)
            return
        except ConsultoryError as err:
            self.current_error.show_message(str(err))
            return
        self.current.clear()
        self.fields.clear()
        self.pass_result.setText("Passphrase changed. Your recovery key still works.")

    def _on_recovery_button_clicked(self) -> None:
        self.current_error.show_message("")
        try:
            key = security.replace_recovery_key(self.ctx.db, self.current.text())
        except ValidationError as err:
            self.current_error.show_message(
                "Type your current passphrase above first."
                if not self.current.text()
                else err.message
            )
            self.current.setFocus()
            return
        self.current.clear()
        dlg = RecoveryKeyDialog(key, self)
        dlg.exec()
        dlg.deleteLater()
        self.pass_result.setText("New recovery key created; the old one no longer works.")

    def _on_remember_toggled(self, on: bool) -> None:
        if on:
            status = security.remember_on_this_computer(self.ctx.db)
            self.keyring_note.setText(status.message)
            if not status.available:
                self.remember.blockSignals(True)
                self.remember.setChecked(False)
                self.remember.blockSignals(False)
        else:
            security.forget_on_this_computer(self.ctx.db.data_dir)
            self.keyring_note.setText("Forgotten: Consultory will ask for the passphrase.")

    # --- backups ------------------------------------------------------------------------

    def _on_backup_button_clicked(self) -> None:
        self._backup(None)

    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save a backup",
            f"consultory{SUFFIX}",
            f"Consultory backups (*{SUFFIX})",
        )
        if path:
            self._backup(Path(path))

    def _backup(self, dest: Path | None) -> None:
        try:
            info = security.backup_now(self.ctx.db, dest)
        except ConsultoryError as err:
            self.backup_result.setText(str(err))
            return
        self.backup_result.setText(f"Backup written: {info.path}")
        self._refresh_backups()

    def _selected_backup(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return self.model.backup_at(rows[0].row())
        return self.model.backup_at(0) if self.model.rowCount() else None

    def _on_restore_button_clicked(self) -> None:
        info = self._selected_backup()
        if info is None:
            return
        stamp = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            self,
            "Restore this backup?",
            f"Replace your database with the backup made {stamp}? Changes since then are "
            "not in it. The current database is kept in the backups folder.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._restore(info.path)

    def _on_restore_file_button_clicked(self) -> None:
        self._restore(None)

    def _restore(self, path: Path | None) -> None:
        db = restore_with_dialog(self.ctx.db, self, path=path)
        if db is not None:
            self.ctx.db = db
            self.ctx.notify_changed("security")
        elif self.ctx.db.key is not None and not self.ctx.db.key.available:
            # The restore failed after the old store was closed: reopen it is not possible
            # without the key, so ask the user to restart (nothing was replaced).
            QMessageBox.critical(self, "Restart Consultory", "Please restart Consultory.")
        self.refresh()
