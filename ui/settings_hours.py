"""Settings › Hours: requirement sets. Built-in sets are read-only examples; the user's own
sets are TOML files in the data folder that can be created, copied, edited and deleted.
The text is validated as it is typed; nothing is saved until it is valid."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError
from app.hours import requirements as req
from app.hours.requirements import RequirementSetError, SetSummary
from app.services import hours
from ui.context import AppContext
from ui.models import Column, RecordRole, RecordTableModel
from ui.widgets import FieldError, section_label

TAB_TITLE = "&Hours"
VALIDATE_DELAY_MS = 300


class SettingsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("hoursSettings")
        self.current_id: str | None = None
        self._loaded_text = ""
        lay = QVBoxLayout(self)
        intro = QLabel(
            "A requirement set holds the rules your hours are checked against: targets, "
            "caps, weekly maxima, the supervision ratio, the minimum group-session length and "
            "how minutes count. The built-in set is an example, not any board's rules and not "
            "legal advice: copy it and check every number against your board's current rules.",
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        split = QSplitter(Qt.Orientation.Horizontal, self)

        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 8, 0)
        ll.addWidget(section_label("Sets", left))
        self.model: RecordTableModel[SetSummary] = RecordTableModel(
            [
                Column(
                    "name",
                    "Name",
                    lambda s: (
                        s.name + (" (built-in)" if s.builtin else "") + (" ⚠" if s.error else "")
                    ),
                    tooltip=lambda s: s.error or s.id,
                )
            ],
            self,
        )
        self.list = QListView(left)
        self.list.setObjectName("requirementSets")
        self.list.setModel(self.model)
        self.list.setAccessibleName("Requirement sets")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        ll.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton("&New", left)
        self.copy_button = QPushButton("&Copy…", left)
        self.delete_button = QPushButton("De&lete", left)
        for b in (self.new_button, self.copy_button, self.delete_button):
            row.addWidget(b)
        ll.addLayout(row)
        self.use_button = QPushButton("&Use for my hours", left)
        self.use_button.setObjectName("useSetButton")
        ll.addWidget(self.use_button)

        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 0, 0, 0)
        self.title = section_label("", right)
        rl.addWidget(self.title)
        self.note = QLabel(right)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(placeholder-text);")
        rl.addWidget(self.note)
        self.editor = QPlainTextEdit(right)
        self.editor.setObjectName("requirementSetText")
        self.editor.setAccessibleName("Requirement set (TOML)")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setTabChangesFocus(False)
        rl.addWidget(self.editor, 1)
        self.error = FieldError(right)
        self.error.setObjectName("requirementSetError")
        rl.addWidget(self.error)
        self.status = QLabel(right)
        self.status.setObjectName("requirementSetStatus")
        rl.addWidget(self.status)
        brow = QHBoxLayout()
        brow.addStretch(1)
        self.revert_button = QPushButton("&Revert", right)
        self.save_button = QPushButton("&Save", right)
        self.save_button.setObjectName("saveSetButton")
        brow.addWidget(self.revert_button)
        brow.addWidget(self.save_button)
        rl.addLayout(brow)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        lay.addWidget(split, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.editor.textChanged.connect(self._on_editor_text_changed)
        self.list.selectionModel().currentRowChanged.connect(self._on_list_row_changed)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.revert_button.clicked.connect(self._on_revert_clicked)
        save_sc = QShortcut(QKeySequence.StandardKey.Save, self)
        save_sc.activated.connect(self._on_save_clicked)
        self.refresh()

    # --- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.is_dirty():
            return  # never throw typed work away on a background refresh
        keep = self.current_id or self._my_set_id()
        self.model.set_records(req.list_sets(self.ctx.db.data_dir))
        self.select(keep)

    def _my_set_id(self) -> str:
        if self.ctx.me_id is None:
            return req.DEFAULT_SET_ID
        return hours.member_set_id(self.ctx.db, self.ctx.me_id)

    def select(self, set_id: str | None) -> None:
        for row, s in enumerate(self.model.records()):
            if s.id == set_id:
                self.list.setCurrentIndex(self.model.index(row, 0))
                self._load(s)
                return
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0, 0))
            self._load(self.model.record(0))

    def _load(self, s: SetSummary) -> None:
        self.current_id = s.id
        try:
            content = req.read_text(self.ctx.db.data_dir, s.id)
        except ConsultoryError as exc:
            content = ""
            self.error.show_message(str(exc))
        self._loaded_text = content
        self.editor.blockSignals(True)
        self.editor.setPlainText(content)
        self.editor.blockSignals(False)
        self.editor.setReadOnly(s.builtin)
        self.title.setText(s.name)
        self.note.setText(
            "Built-in and read-only. Copy it to make a set of your own."
            if s.builtin
            else f"Your set, stored in {req.user_dir(self.ctx.db.data_dir)}."
        )
        mine = self._my_set_id() == s.id
        self.use_button.setEnabled(self.ctx.me_id is not None and not mine)
        self.use_button.setText("In use for my hours" if mine else "&Use for my hours")
        self.delete_button.setEnabled(not s.builtin)
        self._validate()
        self._update_buttons()

    def is_dirty(self) -> bool:
        return self.current_id is not None and self.editor.toPlainText() != self._loaded_text

    def _validate(self) -> bool:
        try:
            rs = req.parse_set(self.editor.toPlainText(), self.current_id or "user:x")
        except RequirementSetError as exc:
            self.error.show_message(str(exc))
            self.status.setText("")
            return False
        self.error.show_message("")
        bits = []
        if rs.total_min_hours is not None:
            bits.append(f"total {rs.total_min_hours:g} h")
        bits.append(f"{len(rs.rules)} category rule{'s' if len(rs.rules) != 1 else ''}")
        if rs.ratio:
            bits.append(f"1 h supervision per {rs.ratio.per_direct_hours:g} h direct")
        self.status.setText("Valid: " + ", ".join(bits) + ".")
        return True

    def _update_buttons(self) -> None:
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty and not self.editor.isReadOnly())
        self.revert_button.setEnabled(dirty)

    # --- actions ------------------------------------------------------------------------
    def save(self) -> bool:
        if self.current_id is None or not self.is_dirty():
            return True
        if not self._validate():
            return False
        try:
            rs = req.save_user_set(self.ctx.db.data_dir, self.current_id, self.editor.toPlainText())
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return False
        self._loaded_text = self.editor.toPlainText()
        self.model.set_records(req.list_sets(self.ctx.db.data_dir))
        self.select(rs.id)
        self.ctx.notify_changed("hours")
        return True

    def _ask_unsaved(self) -> bool:
        """True to go on (saved or discarded), False to stay (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "Unsaved requirement set",
            "You changed this requirement set. Save the changes?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _leave_current(self) -> bool:
        return not self.is_dirty() or self._ask_unsaved()

    def create_set(self, name: str) -> str | None:
        return self._add(lambda: req.create_user_set(self.ctx.db.data_dir, name))

    def copy_current(self, name: str) -> str | None:
        source = self.current_id
        if source is None:
            return None
        return self._add(lambda: req.copy_set(self.ctx.db.data_dir, source, name))

    def _add(self, make: Callable[[], req.RequirementSet]) -> str | None:
        """Create a set with ``make`` (after the current one is saved or discarded)."""
        if not self._leave_current():
            return None
        try:
            rs = make()
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return None
        self._loaded_text = self.editor.toPlainText()
        self.model.set_records(req.list_sets(self.ctx.db.data_dir))
        self.select(rs.id)
        self.editor.setFocus()
        return rs.id

    # --- slots --------------------------------------------------------------------------
    def _on_editor_text_changed(self) -> None:
        self._update_buttons()
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self._validate()

    def _on_list_row_changed(self, current: object, previous: object) -> None:
        idx = self.list.currentIndex()
        rec = idx.data(RecordRole) if idx.isValid() else None
        if not isinstance(rec, SetSummary) or rec.id == self.current_id:
            return
        if not self._leave_current():
            # stay on the edited set: restore the selection without reloading its text
            self.list.selectionModel().blockSignals(True)
            for row, s in enumerate(self.model.records()):
                if s.id == self.current_id:
                    self.list.setCurrentIndex(self.model.index(row, 0))
            self.list.selectionModel().blockSignals(False)
            return
        self._loaded_text = self.editor.toPlainText()  # discarded or saved: leave cleanly
        self._load(rec)

    def _on_new_clicked(self) -> None:
        name, ok = QInputDialog.getText(self, "New requirement set", "Name:")
        if ok:
            self.create_set(name)

    def _on_copy_clicked(self) -> None:
        if self.current_id is None:
            return
        name, ok = QInputDialog.getText(
            self,
            "Copy requirement set",
            "Name of the copy:",
            text=f"My copy of {self.title.text()}",
        )
        if ok:
            self.copy_current(name)

    def _on_delete_clicked(self) -> None:
        if self.current_id is None or not self.current_id.startswith(req.USER_PREFIX):
            return
        if (
            QMessageBox.question(self, "Delete requirement set", f"Delete “{self.title.text()}”?")
            != QMessageBox.StandardButton.Yes
        ):
            return
        try:
            req.delete_user_set(self.ctx.db.data_dir, self.current_id)
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return
        self.current_id = None
        self._loaded_text = self.editor.toPlainText()
        self.refresh()
        self.ctx.notify_changed("hours")

    def _on_use_clicked(self) -> None:
        if self.ctx.me_id is None or self.current_id is None:
            return
        if self.is_dirty() and not self.save():
            return
        try:
            hours.set_member_set(self.ctx.db, self.ctx.me_id, self.current_id)
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return
        self.use_button.setEnabled(False)
        self.use_button.setText("In use for my hours")
        self.ctx.notify_changed("hours")

    def _on_save_clicked(self) -> None:
        self.save()

    def _on_revert_clicked(self) -> None:
        self.editor.setPlainText(self._loaded_text)
        self._validate()
        self._update_buttons()
