"""Qt item models for the calendar: agenda (a list), week (hours x days) and month
(weeks x days). They hold plain ``CalendarItem`` values from app/services/schedule.py
and show them in the viewer's own zone; custom roles give views, delegates and tests the
items, dates and colours without parsing text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from app.services.schedule import CalendarItem
from app.store.models import DutyRole
from ui.models import swatch_icon

ItemRole = Qt.ItemDataRole.UserRole + 1  # CalendarItem (agenda) / first item (grids)
ItemsRole = Qt.ItemDataRole.UserRole + 2  # list[CalendarItem] in a grid cell
DateRole = Qt.ItemDataRole.UserRole + 3  # the cell's or row's date (viewer zone)
ColorRole = Qt.ItemDataRole.UserRole + 4  # the group's colour (QColor)
IsTodayRole = Qt.ItemDataRole.UserRole + 5  # bool: the cell/row is today
InPeriodRole = Qt.ItemDataRole.UserRole + 6  # bool: month cell inside the shown month
KeyRole = Qt.ItemDataRole.UserRole + 7  # (series_id, recurrence_id)
ConflictRole = Qt.ItemDataRole.UserRole + 8  # agenda: list[str]; grids: set of keys

Key = tuple[int, datetime]

Index = QModelIndex | QPersistentModelIndex
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_COLOR = "#64748b"


def group_color(item: CalendarItem) -> QColor:
    c = QColor(item.color or DEFAULT_COLOR)
    return c if c.isValid() else QColor(DEFAULT_COLOR)


def local(item_time: datetime, tz: ZoneInfo) -> datetime:
    return item_time.astimezone(tz)


def time_range(item: CalendarItem, tz: ZoneInfo) -> str:
    if item.all_day:
        return "All day"
    s, e = local(item.start_utc, tz), local(item.end_utc, tz)
    return f"{s:%H:%M}–{e:%H:%M}"


def duty_text(item: CalendarItem) -> str:
    parts = []
    pres = item.names(DutyRole.PRESENTER)
    if pres:
        parts.append("Presents: " + ", ".join(pres))
    fac = item.names(DutyRole.FACILITATOR)
    if fac:
        parts.append("Facilitates: " + ", ".join(fac))
    notes = item.names(DutyRole.NOTE_TAKER)
    if notes:
        parts.append("Notes: " + ", ".join(notes))
    return " · ".join(parts)


def status_text(item: CalendarItem) -> str:
    if item.cancelled:
        return "Cancelled"
    if item.moved:
        return "Moved"
    return ""


class AgendaModel(QAbstractTableModel):
    """One row per occurrence, in time order; the day is shown on its first row."""

    COLUMNS = ("day", "time", "title", "group", "where", "duties", "status")
    HEADERS = ("Day", "Time", "Session", "Group", "Where", "Rotation", "Status")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[CalendarItem] = []
        self._tz = ZoneInfo("UTC")
        self._today = date.today()
        self._conflicts: dict[Key, list[str]] = {}

    def set_items(
        self,
        items: Sequence[CalendarItem],
        tz: ZoneInfo,
        today: date,
        conflicts: dict[Key, list[str]] | None = None,
    ) -> None:
        self.beginResetModel()
        self._items = sorted(items, key=lambda i: (i.start_utc, i.series_id))
        self._tz = tz
        self._today = today
        self._conflicts = dict(conflicts or {})
        self.endResetModel()

    def items(self) -> list[CalendarItem]:
        return list(self._items)

    def item(self, row: int) -> CalendarItem:
        return self._items[row]

    def row_of(self, key: tuple[int, datetime]) -> int:
        for i, it in enumerate(self._items):
            if it.key == key:
                return i
        return -1

    def column(self, name: str) -> int:
        return self.COLUMNS.index(name)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

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

    def _day(self, row: int) -> date:
        return local(self._items[row].start_utc, self._tz).date()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        it = self._items[index.row()]
        col = self.COLUMNS[index.column()]
        day = self._day(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "day":
                if index.row() > 0 and self._day(index.row() - 1) == day:
                    return ""
                label = f"{day:%a %d %b}"
                return f"Today · {label}" if day == self._today else label
            if col == "time":
                return time_range(it, self._tz)
            if col == "title":
                return it.title
            if col == "group":
                return it.group_name
            if col == "where":
                return it.location or ("Video link" if it.video_url else "")
            if col == "duties":
                return duty_text(it)
            if col == "status":
                warn = "⚠ Conflict" if it.key in self._conflicts else ""
                return " · ".join(t for t in (status_text(it), warn) if t)
        if role == Qt.ItemDataRole.DecorationRole and col == "group":
            return swatch_icon(group_color(it))
        if role == Qt.ItemDataRole.ToolTipRole and col == "status" and it.key in self._conflicts:
            return "\n".join(self._conflicts[it.key])
        if role == ConflictRole:
            return list(self._conflicts.get(it.key, []))
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col == "status"
            and (it.key in self._conflicts and not it.cancelled)
        ):
            return QColor("#b45309")
        if role == Qt.ItemDataRole.ToolTipRole:
            zone_note = ""
            if it.timezone != self._tz.key:
                s = it.start_utc.astimezone(ZoneInfo(it.timezone))
                zone_note = f"\n{s:%H:%M} in {it.timezone} (the group's zone)"
            return f"{it.title} — {it.group_name}\n{time_range(it, self._tz)}{zone_note}"
        if role == Qt.ItemDataRole.FontRole:
            if it.cancelled:
                f = QFont()
                f.setStrikeOut(True)
                return f
            if day == self._today:
                f = QFont()
                f.setBold(True)
                return f
        if role == Qt.ItemDataRole.ForegroundRole and it.cancelled:
            return QColor(128, 128, 128)
        if role == ItemRole:
            return it
        if role == KeyRole:
            return it.key
        if role == DateRole:
            return day
        if role == ColorRole:
            return group_color(it)
        if role == IsTodayRole:
            return day == self._today
        return None


MIME_TYPE = "application/x-consultory-occurrence"


class _GridModel(QAbstractTableModel):
    """Shared by week and month: cells hold lists of items. A session can be dragged to
    another cell; the model only reports the drop (``occurrence_dropped``) and the page
    asks "this / following / all" and moves it through the service."""

    occurrence_dropped = Signal(object, object, int)  # key, target date, hour (-1: keep)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cells: list[list[list[CalendarItem]]] = []
        self._tz = ZoneInfo("UTC")
        self._today = date.today()
        self.drag_key: tuple[int, datetime] | None = None  # the session picked in the view
        self.conflict_keys: set[Key] = set()  # sessions with a conflict (chips get a ⚠)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base
        base |= Qt.ItemFlag.ItemIsDropEnabled
        if self._cells[index.row()][index.column()]:
            base |= Qt.ItemFlag.ItemIsDragEnabled
        return base

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_TYPE]

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        data = QMimeData()
        for idx in indexes:
            items = self._cells[idx.row()][idx.column()] if idx.isValid() else []
            if not items:
                continue
            chosen = next((i for i in items if i.key == self.drag_key), items[0])
            sid, rid = chosen.key
            data.setData(MIME_TYPE, QByteArray(f"{sid}|{rid.isoformat()}".encode()))
            break
        return data

    def drop_hour(self, row: int) -> int:
        return -1

    def dropMimeData(  # noqa: N802
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        if not data.hasFormat(MIME_TYPE) or not parent.isValid():
            return False
        raw = bytes(data.data(MIME_TYPE).data()).decode()
        sid, _, rid = raw.partition("|")
        key = (int(sid), datetime.fromisoformat(rid))
        target = self.cell_date(parent.row(), parent.column())
        self.occurrence_dropped.emit(key, target, self.drop_hour(parent.row()))
        return False  # the page reloads the model from the service

    def cell_items(self, row: int, column: int) -> list[CalendarItem]:
        return list(self._cells[row][column])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 7

    def cell_date(self, row: int, column: int) -> date:
        raise NotImplementedError

    def cell_text(self, row: int, column: int, items: list[CalendarItem]) -> str:
        raise NotImplementedError

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cells):
            return None
        r, c = index.row(), index.column()
        items = self._cells[r][c]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(r, c, items)
        if role == ItemsRole:
            return list(items)
        if role == ItemRole:
            return items[0] if items else None
        if role == KeyRole:
            return items[0].key if items else None
        if role == DateRole:
            return self.cell_date(r, c)
        if role == IsTodayRole:
            return self.cell_date(r, c) == self._today
        if role == ColorRole:
            return group_color(items[0]) if items else None
        if role == ConflictRole:
            return {i.key for i in items} & self.conflict_keys
        if role == Qt.ItemDataRole.ToolTipRole and items:
            return "\n".join(
                f"{time_range(i, self._tz)}  {i.title} ({i.group_name})"
                + (" — cancelled" if i.cancelled else "")
                for i in items
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            d = self.cell_date(r, c)
            what = "; ".join(f"{time_range(i, self._tz)} {i.title}" for i in items)
            return (
                f"{d:%A %d %B}"
                + (", today" if d == self._today else "")
                + (f": {what}" if what else ", no sessions")
            )
        return None


class WeekModel(_GridModel):
    """Rows are hours of the day (00–23), columns the seven days from ``start``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._start = date.today()

    def set_week(
        self, start: date, items: Sequence[CalendarItem], tz: ZoneInfo, today: date
    ) -> None:
        self.beginResetModel()
        self._start, self._tz, self._today = start, tz, today
        self._cells = [[[] for _ in range(7)] for _ in range(24)]
        for it in sorted(items, key=lambda i: i.start_utc):
            s = local(it.start_utc, tz)
            col = (s.date() - start).days
            if 0 <= col < 7:
                self._cells[0 if it.all_day else s.hour][col].append(it)
        self.endResetModel()

    def cell_date(self, row: int, column: int) -> date:
        return self._start + timedelta(days=column)

    def drop_hour(self, row: int) -> int:
        return row

    def cell_text(self, row: int, column: int, items: list[CalendarItem]) -> str:
        return "\n".join(
            f"{local(i.start_utc, self._tz):%H:%M} {i.title}"
            + (" (cancelled)" if i.cancelled else "")
            for i in items
        )

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 7:
            d = self._start + timedelta(days=section)
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{d:%a %d}" + (" · today" if d == self._today else "")
            if role == Qt.ItemDataRole.FontRole and d == self._today:
                f = QFont()
                f.setBold(True)
                return f
            if role == DateRole:
                return d
        if orientation == Qt.Orientation.Vertical and 0 <= section < 24:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{section:02d}:00"
        return None


class MonthModel(_GridModel):
    """Six weeks from the Monday on or before the 1st; cells outside the month are muted."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._first = date.today().replace(day=1)
        self._grid_start = self._first

    @staticmethod
    def grid_start(first_of_month: date) -> date:
        return first_of_month - timedelta(days=first_of_month.weekday())

    def set_month(
        self, first: date, items: Sequence[CalendarItem], tz: ZoneInfo, today: date
    ) -> None:
        self.beginResetModel()
        self._first, self._tz, self._today = first.replace(day=1), tz, today
        self._grid_start = self.grid_start(self._first)
        self._cells = [[[] for _ in range(7)] for _ in range(6)]
        for it in sorted(items, key=lambda i: i.start_utc):
            n = (local(it.start_utc, tz).date() - self._grid_start).days
            if 0 <= n < 42:
                self._cells[n // 7][n % 7].append(it)
        self.endResetModel()

    def cell_date(self, row: int, column: int) -> date:
        return self._grid_start + timedelta(days=row * 7 + column)

    def position_of(self, d: date) -> tuple[int, int] | None:
        n = (d - self._grid_start).days
        return (n // 7, n % 7) if 0 <= n < 42 else None

    def cell_text(self, row: int, column: int, items: list[CalendarItem]) -> str:
        d = self.cell_date(row, column)
        lines = [str(d.day)]
        lines += [f"{local(i.start_utc, self._tz):%H:%M} {i.title}" for i in items]
        return "\n".join(lines)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == InPeriodRole and index.isValid():
            return self.cell_date(index.row(), index.column()).month == self._first.month
        return super().data(index, role)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < 7
        ):
            return WEEKDAYS[section]
        return None
