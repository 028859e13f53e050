"""The digest: reminders that fell due while the app was closed or the machine slept,
shown once, together. Ones whose session is already over are listed as missed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models import Column, RecordTableModel

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class DigestRow:
    key: str
    due_utc: datetime
    due_text: str
    kind_label: str
    title: str
    session_text: str  # when the session is/was
    missed: bool
    can_open: bool


def _status(r: DigestRow) -> str:
    return "Missed — the session is over" if r.missed else "Not over yet"


DIGEST_COLUMNS: list[Column[DigestRow]] = [
    Column(
        "due",
        "Due",
        lambda r: r.due_text,
        sort=lambda r: r.due_utc,
    ),
    Column("kind", "Reminder", lambda r: r.kind_label),
    Column(
        "session",
        "Session",
        lambda r: f"{r.title} · {r.session_text}" if r.session_text else r.title,
    ),
    Column(
        "status",
        "Status",
        _status,
        tooltip=lambda r: (
            "This reminder fell due while Consultory was closed or asleep."
            if r.missed
            else "The session has not ended yet: you can still open it."
        ),
    ),
]


class DigestModel(RecordTableModel[DigestRow]):
    COL_DUE, COL_KIND, COL_SESSION, COL_STATUS = range(4)
    KeyRole = Qt.ItemDataRole.UserRole + 10
    MissedRole = Qt.ItemDataRole.UserRole + 11
    CanOpenRole = Qt.ItemDataRole.UserRole + 12

    def __init__(self, rows: list[DigestRow], parent: QWidget | None = None) -> None:
        super().__init__(DIGEST_COLUMNS, parent)
        self.set_records(rows)

    def row_at(self, row: int) -> DigestRow:
        return self.record(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        r = self.record(index.row())
        if role == self.KeyRole:
            return r.key
        if role == self.MissedRole:
            return r.missed
        if role == self.CanOpenRole:
            return r.can_open
        if role == Qt.ItemDataRole.FontRole and index.column() == self.COL_STATUS and not r.missed:
            f = QFont()
            f.setBold(True)
            return f
        return super().data(index, role)


class DigestDialog(QDialog):
    """Non-modal. "Acknowledge all" acknowledges every reminder listed; closing it keeps the
    ones still ahead in the banner."""

    open_requested = Signal(str)
    acknowledged_all = Signal(list)

    def __init__(
        self, rows: list[DigestRow], note: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reminderDigest")
        self.setWindowTitle("While you were away")
        self.resize(860, 380)
        lay = QVBoxLayout(self)
        missed = sum(r.missed for r in rows)
        ahead = len(rows) - missed
        parts = []
        if ahead:
            parts.append(f"{ahead} not over yet")
        if missed:
            parts.append(f"{missed} missed")
        head = QLabel(
            f"{len(rows)} reminder{'s' if len(rows) != 1 else ''} fell due while Consultory "
            f"was closed or this computer was asleep ({', '.join(parts)}).",
            self,
        )
        head.setWordWrap(True)
        lay.addWidget(head)
        if note:
            extra = QLabel(note, self)
            extra.setWordWrap(True)
            lay.addWidget(extra)
        self.model = DigestModel(rows, self)
        self.view = QTableView(self)
        self.view.setObjectName("digestTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(DigestModel.COL_SESSION, QHeaderView.ResizeMode.Stretch)
        self.view.setAccessibleName("Reminders that fell due")
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        lay.addWidget(self.view, 1)
        buttons = QDialogButtonBox(self)
        self.open_button = QPushButton("&Open session", self)
        self.open_button.setEnabled(False)
        self.ack_button = QPushButton("&Acknowledge all", self)
        self.ack_button.setDefault(True)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.ack_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("&Later", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self._on_open_clicked)
        lay.addWidget(buttons)
        sel = self.view.selectionModel()
        sel.currentRowChanged.connect(self._on_selection_current_row_changed)
        if rows:
            self.view.selectRow(0)
        self.view.setFocus()

    def _selected(self) -> DigestRow | None:
        idx = self.view.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def _on_selection_current_row_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        r = self.model.row_at(current.row()) if current.isValid() else None
        self.open_button.setEnabled(r is not None and r.can_open)

    def _on_open_clicked(self) -> None:
        r = self._selected()
        if r is not None and r.can_open:
            self.open_requested.emit(r.key)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and self.model.row_at(index.row()).can_open:
            self.open_requested.emit(self.model.row_at(index.row()).key)

    def _on_buttons_accepted(self) -> None:
        self.acknowledged_all.emit([self.model.row_at(i).key for i in range(self.model.rowCount())])
        self.accept()
