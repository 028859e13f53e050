"""Taking attendance: one row per member, keyboard-first, everyone present by default.

Keys in the table: ↑/↓ move between members; **P** present, **L** late (then type the
minutes), **E** left early (then type the minutes), **A** absent, **X** excused; Space
cycles the status; Ctrl+Enter saves. Saved attendance can be corrected later by opening
the same session again: only what changed is written, and each change is audited.

The Calendar and Today open it as ``AttendanceDialog(ctx, series_id, recurrence_id, parent)``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, StaleEditError, ValidationError
from app.hours.ledger import attended_minutes
from app.services import attendance
from app.services.attendance import STATUS_LABELS, AttendanceRow, AttendanceSheet, Mark
from app.store.models import AttendanceStatus
from ui.context import AppContext
from ui.widgets import FieldError

Index = QModelIndex | QPersistentModelIndex

MemberIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
ChangedRole = Qt.ItemDataRole.UserRole + 3
ErrorRole = Qt.ItemDataRole.UserRole + 4

STATUS_KEYS: dict[int, AttendanceStatus] = {
    Qt.Key.Key_P: AttendanceStatus.PRESENT,
    Qt.Key.Key_L: AttendanceStatus.LATE,
    Qt.Key.Key_E: AttendanceStatus.LEFT_EARLY,
    Qt.Key.Key_A: AttendanceStatus.ABSENT,
    Qt.Key.Key_X: AttendanceStatus.EXCUSED,
}
CYCLE = list(AttendanceStatus)
SHORTCUT_HINT = (
    "P present · L late · E left early · A absent · X excused · Space cycles · "
    "type minutes after L or E · Ctrl+Enter saves"
)


@dataclass(frozen=True)
class _Edit:
    row: AttendanceRow
    status: AttendanceStatus
    late: int
    left: int

    @property
    def differs_from_loaded(self) -> bool:
        r = self.row
        return (self.status, self.late, self.left) != (
            r.status,
            r.late_minutes,
            r.left_early_minutes,
        )


class AttendanceModel(QAbstractTableModel):
    """The editable attendance of one occurrence (the rows the sheet lists)."""

    COL_MEMBER, COL_ROLE, COL_STATUS, COL_LATE, COL_LEFT, COL_ATTENDED = range(6)
    HEADERS = ("Member", "Role", "Status", "Late (min)", "Left early (min)", "Counts as")
    COLUMN_NAMES = ("member", "role", "status", "late", "left_early", "attended")

    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._edits: list[_Edit] = []
        self._duration = 60
        self.read_only = False

    # --- data in/out -----------------------------------------------------------------------
    def load(self, sheet: AttendanceSheet) -> None:
        self.beginResetModel()
        self._duration = sheet.duration_minutes
        self._edits = [_Edit(r, r.status, r.late_minutes, r.left_early_minutes) for r in sheet.rows]
        self.endResetModel()

    def marks(self) -> list[Mark]:
        return [
            Mark(e.row.member_id, e.status, e.late, e.left, expected_version=e.row.version or 0)
            for e in self._edits
        ]

    def is_dirty(self) -> bool:
        """True when the user changed something since loading."""
        return any(e.differs_from_loaded for e in self._edits)

    def error(self, row: int) -> str:
        e = self._edits[row]
        try:
            attendance.normalise(Mark(e.row.member_id, e.status, e.late, e.left), self._duration)
        except ValidationError as exc:
            return exc.message
        return ""

    def first_error(self) -> tuple[int, str] | None:
        for i in range(len(self._edits)):
            msg = self.error(i)
            if msg:
                return i, msg
        return None

    def member_name(self, row: int) -> str:
        return self._edits[row].row.member_name

    def set_status(self, row: int, status: AttendanceStatus) -> None:
        e = self._edits[row]
        late = e.late if status in (AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY) else 0
        left = e.left if status in (AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY) else 0
        if status is AttendanceStatus.LATE:
            left = e.left if e.status is AttendanceStatus.LATE else 0
        if status is AttendanceStatus.LEFT_EARLY:
            late = e.late if e.status is AttendanceStatus.LEFT_EARLY else 0
        self._replace(row, replace(e, status=status, late=late, left=left))

    def set_all(self, status: AttendanceStatus) -> None:
        for i in range(len(self._edits)):
            self.set_status(i, status)

    def _replace(self, row: int, new: _Edit) -> None:
        if new == self._edits[row]:
            return
        self._edits[row] = new
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        self.edited.emit()

    # --- Qt interface ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._edits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.read_only:
            return f
        e = self._edits[index.row()]
        c = index.column()
        if c == self.COL_STATUS:
            f |= Qt.ItemFlag.ItemIsEditable
        elif c in (self.COL_LATE, self.COL_LEFT) and e.status in (
            AttendanceStatus.LATE,
            AttendanceStatus.LEFT_EARLY,
        ):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._edits):
            return None
        e = self._edits[index.row()]
        c = index.column()
        if role == MemberIdRole:
            return e.row.member_id
        if role == StatusRole:
            return e.status.value
        if role == ChangedRole:
            return e.differs_from_loaded
        if role == ErrorRole:
            return self.error(index.row())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            edit = role == Qt.ItemDataRole.EditRole
            if c == self.COL_MEMBER:
                leave = " (on leave)" if e.row.on_leave else ""
                return e.row.member_name + leave
            if c == self.COL_ROLE:
                return e.row.role.label if e.row.role else "(left the group)"
            if c == self.COL_STATUS:
                return e.status.value if edit else STATUS_LABELS[e.status]
            if c == self.COL_LATE:
                return e.late if edit else (str(e.late) if e.late else "")
            if c == self.COL_LEFT:
                return e.left if edit else (str(e.left) if e.left else "")
            if c == self.COL_ATTENDED:
                mins = self._attended(e)
                return f"{mins} min · {e.row.category.label}" if mins else "—"
        if role == Qt.ItemDataRole.ToolTipRole:
            err = self.error(index.row())
            if err:
                return err
            if c == self.COL_ATTENDED:
                return "Minutes that go into the hour log, and their category"
        if role == Qt.ItemDataRole.ForegroundRole:
            if c in (self.COL_LATE, self.COL_LEFT, self.COL_STATUS) and self.error(index.row()):
                return QColor("#d9534f")
            if e.status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
                return QColor(128, 128, 128)
        if role == Qt.ItemDataRole.FontRole and c == self.COL_STATUS and e.differs_from_loaded:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (self.COL_LATE, self.COL_LEFT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _attended(self, e: _Edit) -> int:
        return attended_minutes(e.status.value, self._duration, e.late, e.left)

    def setData(  # noqa: N802
        self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.read_only:
            return False
        row, c = index.row(), index.column()
        e = self._edits[row]
        if c == self.COL_STATUS:
            try:
                status = AttendanceStatus(str(value))
            except ValueError:
                return False
            self.set_status(row, status)
            return True
        if c in (self.COL_LATE, self.COL_LEFT):
            try:
                minutes = max(0, int(value or 0))
            except (TypeError, ValueError):
                return False
            new = replace(e, late=minutes) if c == self.COL_LATE else replace(e, left=minutes)
            self._replace(row, new)
            return True
        return False


class StatusDelegate(QStyledItemDelegate):
    """A combo box of the five statuses for the Status column."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> QWidget:
        combo = QComboBox(parent)
        for st, label in STATUS_LABELS.items():
            combo.addItem(label, st.value)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: Any, index: Index
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class AttendanceTable(QTableView):
    """The table with the single-key status shortcuts."""

    save_requested = Signal()

    def __init__(self, model: AttendanceModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceTable")
        self.setModel(model)
        self._model = model
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setItemDelegateForColumn(AttendanceModel.COL_STATUS, StatusDelegate(self))
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        self.setTabKeyNavigation(False)
        h = self.horizontalHeader()
        h.setSectionResizeMode(AttendanceModel.COL_MEMBER, QHeaderView.ResizeMode.Stretch)
        for c in range(1, model.columnCount()):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.setAccessibleName("Attendance, one row per member")
        self.setAccessibleDescription(SHORTCUT_HINT)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        row = self.currentIndex().row()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            mods == Qt.KeyboardModifier.ControlModifier
        ):
            self.save_requested.emit()
            event.accept()
            return
        if row >= 0 and not self._model.read_only and mods == Qt.KeyboardModifier.NoModifier:
            key = event.key()
            if key in STATUS_KEYS:
                status = STATUS_KEYS[key]
                self._model.set_status(row, status)
                if status is AttendanceStatus.LATE:
                    self._edit_minutes(row, AttendanceModel.COL_LATE)
                elif status is AttendanceStatus.LEFT_EARLY:
                    self._edit_minutes(row, AttendanceModel.COL_LEFT)
                elif row + 1 < self._model.rowCount():
                    self.setCurrentIndex(self._model.index(row + 1, AttendanceModel.COL_STATUS))
                event.accept()
                return
            if key == Qt.Key.Key_Space:
                cur = AttendanceStatus(self._model.index(row, 0).data(StatusRole))
                self._model.set_status(row, CYCLE[(CYCLE.index(cur) + 1) % len(CYCLE)])
                event.accept()
                return
            if event.text().isdigit():
                col = self.currentIndex().column()
                if col not in (AttendanceModel.COL_LATE, AttendanceModel.COL_LEFT):
                    status = self._model.index(row, 0).data(StatusRole)
                    col = (
                        AttendanceModel.COL_LEFT
                        if status == AttendanceStatus.LEFT_EARLY.value
                        else AttendanceModel.COL_LATE
                    )
                    idx = self._model.index(row, col)
                    if self._model.flags(idx) & Qt.ItemFlag.ItemIsEditable:
                        self.setCurrentIndex(idx)
                    else:
                        event.accept()
                        return
        super().keyPressEvent(event)

    def _edit_minutes(self, row: int, col: int) -> None:
        idx = self._model.index(row, col)
        self.setCurrentIndex(idx)
        self.edit(idx)


class AttendanceView(QWidget):
    """The attendance of one occurrence: header, table, inline error, save."""

    attendance_saved = Signal(int)  # occurrence id

    def __init__(
        self,
        ctx: AppContext,
        series_id: int,
        recurrence_id: datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.series_id = series_id
        self.recurrence_id = recurrence_id
        self.sheet: AttendanceSheet | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("attendanceHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.state = QLabel(self)
        self.state.setObjectName("attendanceState")
        self.state.setWordWrap(True)
        lay.addWidget(self.state)
        self.model = AttendanceModel(self)
        self.table = AttendanceTable(self.model, self)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.all_present = QPushButton("All &present", self)
        self.all_present.setObjectName("allPresentButton")
        self.all_present.clicked.connect(self._on_all_present_clicked)
        row.addWidget(self.all_present)
        hint = QLabel(SHORTCUT_HINT, self)
        hint.setWordWrap(True)
        hint.setObjectName("attendanceHint")
        hint.setStyleSheet("color: palette(placeholder-text);")
        row.addWidget(hint, 1)
        lay.addLayout(row)
        self.error = FieldError(self)
        self.error.setObjectName("attendanceError")
        lay.addWidget(self.error)
        self.model.edited.connect(self._on_model_edited)
        self.reload()

    def reload(self) -> None:
        self.error.show_message("")
        try:
            sh = attendance.sheet(self.ctx.db, self.series_id, self.recurrence_id)
        except ConsultoryError as exc:
            self.sheet = None
            self.heading.setText("<b>This session cannot be found</b>")
            self.error.show_message(str(exc))
            self.model.read_only = True
            return
        self.sheet = sh
        self.model.read_only = sh.cancelled or sh.start_utc > self.ctx.clock.now()
        self.model.load(sh)
        local = sh.start_local
        when = f"{local:%A %d %B %Y, %H:%M} ({sh.timezone})"
        group = "" if sh.group_name == sh.title else f" · {_esc(sh.group_name)}"
        self.heading.setText(
            f"<b>{_esc(sh.title)}</b>{group}<br>{when} · "
            f"{sh.duration_minutes} min · {sh.group_kind.label}"
        )
        if sh.cancelled:
            state = "This session was cancelled: there is no attendance to take."
        elif sh.start_utc > self.ctx.clock.now():
            state = "This session has not started yet. Take attendance once it starts."
        elif sh.taken:
            state = "Attendance was recorded. Corrections are saved as audited edits."
        elif sh.partly_recorded:
            state = (
                "Not taken yet: those who said they could not come are excused, everyone "
                "else is marked present. Change who was not."
            )
        else:
            state = "Not taken yet: everyone is marked present. Change who was not."
        self.state.setText(state)
        self.all_present.setEnabled(not self.model.read_only)
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, AttendanceModel.COL_STATUS))

    def can_save(self) -> bool:
        return self.sheet is not None and not self.model.read_only and self.model.rowCount() > 0

    def save(self) -> bool:
        """Save; returns True on success. Errors are shown inline."""
        if not self.can_save():
            return False
        bad = self.model.first_error()
        if bad is not None:
            row, msg = bad
            self.error.show_message(f"{self.model.member_name(row)}: {msg}")
            self.table.setCurrentIndex(self.model.index(row, AttendanceModel.COL_STATUS))
            return False
        try:
            sh = attendance.take(
                self.ctx.db, self.series_id, self.recurrence_id, self.model.marks()
            )
        except StaleEditError as exc:
            self.error.show_message(f"{exc} Your entries are still here; reload to compare.")
            return False
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return False
        self.error.show_message("")
        self.sheet = sh
        self.model.load(sh)
        self.ctx.notify_changed("attendance")
        self.attendance_saved.emit(sh.occurrence_id or 0)
        return True

    def _on_all_present_clicked(self) -> None:
        self.model.set_all(AttendanceStatus.PRESENT)
        self.table.setFocus()

    def _on_model_edited(self) -> None:
        bad = self.model.first_error()
        if bad is None:
            self.error.show_message("")


def _esc(text: str) -> str:
    return html.escape(text)


class AttendanceDialog(QDialog):
    """Take or correct the attendance of one occurrence."""

    def __init__(
        self,
        ctx: AppContext,
        series_id: int,
        recurrence_id: datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceDialog")
        self.setWindowTitle("Attendance")
        self.resize(720, 460)
        lay = QVBoxLayout(self)
        self.view = AttendanceView(ctx, series_id, recurrence_id, self)
        lay.addWidget(self.view, 1)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(
            "&Save attendance", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("saveAttendanceButton")
        self.save_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.save_button.setEnabled(self.view.can_save())
        if self.view.sheet is not None:
            self.setWindowTitle(f"Attendance — {self.view.sheet.title}")
        for seq in ("Ctrl+Return", "Ctrl+Enter", "Ctrl+S"):
            sc = QShortcut(QKeySequence(seq), self)
            sc.activated.connect(self._on_buttons_accepted)
        self.view.table.save_requested.connect(self._on_buttons_accepted)
        self.view.table.setFocus()

    def _on_buttons_accepted(self) -> None:
        if not self.view.can_save():
            self.accept()
            return
        if self.view.save():
            self.accept()

    def confirm_discard(self) -> bool:
        """Ask before throwing typed attendance away (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "Discard attendance?",
            "You changed the attendance of this session. Save it before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.view.save()
        return answer == QMessageBox.StandardButton.Discard

    def reject(self) -> None:
        if self.view.model.is_dirty() and not self.confirm_discard():
            return
        super().reject()
