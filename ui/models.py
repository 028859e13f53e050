"""Generic Qt item models over the plain values that services return.

``RecordTableModel`` shows a list of frozen dataclasses (or any objects) with named
columns. Custom roles give views and tests the object and its id without parsing text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QPixmap

T = TypeVar("T")

RecordRole = Qt.ItemDataRole.UserRole + 1  # the whole record
IdRole = Qt.ItemDataRole.UserRole + 2  # record.id
SortRole = Qt.ItemDataRole.UserRole + 3  # a sortable value for the cell

Index = QModelIndex | QPersistentModelIndex

def swatch_icon(color: QColor) -> QIcon:
    """A colour square that keeps its colour in a selected row.

    A bare QColor decoration becomes a one-pixmap icon that the style tints with the
    highlight colour when the row is selected (orange turned brown under blue); giving
    the icon the same pixmap for the Selected mode keeps group colours recognisable.
    """
    pm = QPixmap(16, 16)
    pm.fill(color)
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(pm, mode)
    return icon


@dataclass(frozen=True)
class Column(Generic[T]):
    name: str  # stable key, used by tests and code
    header: str
    display: Callable[[T], str]
    sort: Callable[[T], Any] | None = None
    tooltip: Callable[[T], str] | None = None
    decoration: Callable[[T], QColor | None] | None = None
    align_right: bool = False


class RecordTableModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[T] = []
        self.muted: Callable[[T], bool] | None = None  # grey out (e.g. archived)

    # --- data in ---------------------------------------------------------------------------
    def set_records(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def records(self) -> list[T]:
        return list(self._rows)

    def record(self, row: int) -> T:
        return self._rows[row]

    def column_index(self, name: str) -> int:
        for i, c in enumerate(self._columns):
            if c.name == name:
                return i
        raise KeyError(name)

    def row_of(self, record_id: int) -> int:
        for i, r in enumerate(self._rows):
            if getattr(r, "id", None) == record_id:
                return i
        return -1

    # --- Qt interface ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        rec = self._rows[index.row()]
        col = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.display(rec)
        if role == RecordRole:
            return rec
        if role == IdRole:
            return getattr(rec, "id", None)
        if role == SortRole:
            return col.sort(rec) if col.sort else col.display(rec)
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
            return col.tooltip(rec)
        if role == Qt.ItemDataRole.DecorationRole and col.decoration:
            value = col.decoration(rec)
            return swatch_icon(value) if isinstance(value, QColor) else value
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self.muted and self.muted(rec):
            return QColor(128, 128, 128)
        return None
