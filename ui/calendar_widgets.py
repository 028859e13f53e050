"""Calendar pieces: the grid-cell delegate (coloured session chips, today marker), the
group legend, and the details panel for the selected session."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.practice import GroupInfo
from app.services.schedule import CalendarItem, ConflictInfo
from app.store.models import DutyRole
from ui.calendar_models import (
    DEFAULT_COLOR,
    ConflictRole,
    DateRole,
    InPeriodRole,
    IsTodayRole,
    ItemsRole,
    duty_text,
    local,
    time_range,
)

Index = QModelIndex | QPersistentModelIndex


class GridCellDelegate(QStyledItemDelegate):
    """Paints a week or month cell: day number (month), one coloured chip per session,
    a ring around today and muted days outside the shown month."""

    def __init__(self, tz: ZoneInfo, show_day: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.show_day = show_day

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        n = len(index.data(ItemsRole) or [])
        h = option.fontMetrics.height()
        return QSize(110, (h + 4) * (n + (1 if self.show_day else 0)) + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        pal = option.palette
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        in_period = index.data(InPeriodRole)
        base = pal.color(QPalette.ColorRole.Base)
        if in_period is False:
            base = pal.color(QPalette.ColorRole.AlternateBase)
        painter.fillRect(rect, base)
        if selected:
            tint = QColor(pal.color(QPalette.ColorRole.Highlight))
            tint.setAlpha(70)
            painter.fillRect(rect, tint)
        fm = option.fontMetrics
        line = fm.height() + 4
        y = rect.top() + 3
        today = bool(index.data(IsTodayRole))
        text_color = pal.color(QPalette.ColorRole.Text)
        if in_period is False:
            text_color = pal.color(QPalette.ColorRole.PlaceholderText)
        if self.show_day:
            d = index.data(DateRole)
            label = str(d.day) if d is not None else ""
            f = QFont(option.font)
            f.setBold(today)
            painter.setFont(f)
            box = QRect(rect.left() + 4, y, fm.horizontalAdvance("00") + 10, line - 2)
            if today:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawRoundedRect(box, 8, 8)
                painter.setPen(pal.color(QPalette.ColorRole.HighlightedText))
            else:
                painter.setPen(text_color)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
            y += line
        elif today:
            painter.fillRect(
                QRect(rect.left(), rect.top(), 3, rect.height()),
                pal.color(QPalette.ColorRole.Highlight),
            )
        painter.setFont(option.font)
        items: list[CalendarItem] = index.data(ItemsRole) or []
        warned = index.data(ConflictRole) or set()
        for it in items:
            mark = "⚠ " if it.key in warned else ""
            if y + line > rect.bottom() + 2:
                painter.setPen(text_color)
                painter.drawText(
                    QRect(rect.left() + 6, y - line, rect.width() - 8, line),
                    Qt.AlignmentFlag.AlignRight,
                    "…",
                )
                break
            # a lone session in a tall enough cell gets two lines: time range, then title
            two = len(items) == 1 and rect.bottom() - y >= 2 * line
            chip = QRect(rect.left() + 3, y, rect.width() - 6, (2 * line if two else line) - 2)
            color = QColor(it.color or DEFAULT_COLOR)
            fill = QColor(color)
            fill.setAlpha(60 if it.cancelled else 200)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(chip, 3, 3)
            painter.setPen(QColor("#ffffff") if not it.cancelled else text_color)
            f = QFont(option.font)
            f.setStrikeOut(it.cancelled)
            painter.setFont(f)
            width = chip.width() - 6
            left = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
            if two:
                top = QRect(chip.left() + 4, chip.top(), width, line - 2)
                painter.drawText(
                    top,
                    left,
                    fm.elidedText(time_range(it, self.tz), Qt.TextElideMode.ElideRight, width),
                )
                painter.drawText(
                    top.translated(0, line - 2),
                    left,
                    fm.elidedText(it.title, Qt.TextElideMode.ElideRight, width),
                )
                y += 2 * line
                continue
            label = f"{mark}{local(it.start_utc, self.tz):%H:%M} {it.title}"
            painter.drawText(
                chip.adjusted(4, 0, -2, 0),
                left,
                fm.elidedText(label, Qt.TextElideMode.ElideRight, width),
            )
            y += line
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(pal.color(QPalette.ColorRole.Highlight))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.restore()


class Legend(QWidget):
    """Group colours; each is a checkable button that shows or hides that group."""

    filter_changed = Signal()
    PER_ROW = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarLegend")
        self._lay = QGridLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setHorizontalSpacing(6)
        self._lay.setVerticalSpacing(4)
        self._buttons: dict[int, QToolButton] = {}
        self._hidden: set[int] = set()
        self._shape: list[int] = []
        self._row_layouts: list[QHBoxLayout] = []
        self._title = QLabel("Groups:", self)
        self._lay.addWidget(self._title, 0, 0)
        self._lay.setColumnStretch(1, 1)

    def set_groups(self, groups: list[GroupInfo]) -> None:
        for b in self._buttons.values():
            self._lay.removeWidget(b)
            b.deleteLater()
        self._buttons = {}
        for g in groups:
            b = QToolButton(self)
            b.setCheckable(True)
            b.setChecked(g.id not in self._hidden)
            b.setToolTip(f"Show or hide {g.name}'s sessions")
            b.setAccessibleName(f"Show {g.name}")
            color = g.color or DEFAULT_COLOR
            b.setStyleSheet(
                "QToolButton { border: 1px solid palette(mid); border-radius: 9px; "
                f"padding: 1px 8px; color: palette(text); }} QToolButton:checked {{ "
                f"border-color: {color}; }} "
                # muted but readable in both palettes (palette(mid) vanished on dark)
                "QToolButton:!checked { color: palette(placeholder-text); }"
            )
            b.setText(g.name.replace("&", "&&"))
            b.setIcon(_swatch(color))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.toggled.connect(lambda on, gid=g.id: self._on_button_toggled(gid, on))
            self._buttons[g.id] = b
        self._shape: list[int] = []
        self._place_buttons()

    def _rows_that_fit(self) -> list[list[QToolButton]]:
        """Chips packed greedily into rows as wide as the legend, so names aren't elided."""
        spacing = self._lay.horizontalSpacing()
        room = self.width() - self._title.sizeHint().width() - spacing
        rows: list[list[QToolButton]] = [[]]
        used = 0
        for b in self._buttons.values():
            w = b.sizeHint().width()
            if rows[-1] and (used + spacing + w > room or len(rows[-1]) >= self.PER_ROW):
                rows.append([])
                used = 0
            used += (spacing if rows[-1] else 0) + w
            rows[-1].append(b)
        return rows

    def _place_buttons(self) -> None:
        rows = self._rows_that_fit()
        shape = [len(r) for r in rows]
        if shape == self._shape:
            return
        self._shape = shape
        for row_lay in self._row_layouts:
            while row_lay.count():
                row_lay.takeAt(0)
            self._lay.removeItem(row_lay)
            row_lay.deleteLater()
        self._row_layouts = []
        for i, row in enumerate(rows):
            row_lay = QHBoxLayout()
            row_lay.setSpacing(self._lay.horizontalSpacing())
            for b in row:
                b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
                row_lay.addWidget(b)
            row_lay.addStretch(1)
            self._lay.addLayout(row_lay, i, 1)
            self._row_layouts.append(row_lay)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_buttons()

    def _on_button_toggled(self, group_id: int, on: bool) -> None:
        if on:
            self._hidden.discard(group_id)
        else:
            self._hidden.add(group_id)
        self.filter_changed.emit()

    def hidden_groups(self) -> set[int]:
        return set(self._hidden)

    def button(self, group_id: int) -> QToolButton:
        return self._buttons[group_id]

    def buttons(self) -> list[QToolButton]:
        """The chips in the order shown."""
        return list(self._buttons.values())


def _swatch(color: str) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(QColor(color))
    return QIcon(pm)


class DetailsPanel(QWidget):
    """The selected session: when (in my zone and the group's), where, agenda, rotation,
    conflicts, and what I can do with it."""

    edit_requested = Signal()
    cancel_requested = Signal()
    restore_requested = Signal()
    rotation_requested = Signal()
    postpone_requested = Signal()
    swap_requested = Signal()
    unavailable_toggled = Signal(bool)
    end_series_requested = Signal()
    remove_series_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarDetails")
        self.setMinimumWidth(270)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 0, 0, 0)
        self.title = QLabel(self)
        f = QFont(self.title.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.conflicts = QLabel(self)
        self.conflicts.setWordWrap(True)
        self.conflicts.setObjectName("calendarConflicts")
        self.conflicts.setStyleSheet("color: #b45309;")
        lay.addWidget(self.title)
        lay.addWidget(self.body)
        lay.addWidget(self.conflicts)
        self.edit_btn = QPushButton("&Edit or move…", self)
        self.cancel_btn = QPushButton("&Cancel this session", self)
        self.restore_btn = QPushButton("&Restore this session", self)
        self.rotation_btn = QPushButton("R&otation…", self)
        self.swap_btn = QPushButton("Swa&p presenter…", self)
        self.postpone_btn = QPushButton("Postpone m&y presentation", self)
        self.unavailable_btn = QPushButton("&I can't come", self)
        self.unavailable_btn.setCheckable(True)
        self.series_btn = QPushButton("&Series…", self)
        self.series_btn.setToolTip("End the series after this session, or remove it")
        menu = QMenu(self.series_btn)
        self.end_action = menu.addAction("End the series after this session…")
        self.remove_action = menu.addAction("Remove the whole series…")
        self.series_btn.setMenu(menu)
        self.buttons = (
            self.edit_btn,
            self.cancel_btn,
            self.restore_btn,
            self.rotation_btn,
            self.swap_btn,
            self.postpone_btn,
            self.unavailable_btn,
            self.series_btn,
        )
        for b in self.buttons:
            lay.addWidget(b)
        lay.addStretch(1)
        self.edit_btn.clicked.connect(self.edit_requested)
        self.cancel_btn.clicked.connect(self.cancel_requested)
        self.restore_btn.clicked.connect(self.restore_requested)
        self.rotation_btn.clicked.connect(self.rotation_requested)
        self.postpone_btn.clicked.connect(self.postpone_requested)
        self.swap_btn.clicked.connect(self.swap_requested)
        self.unavailable_btn.clicked.connect(self.unavailable_toggled)
        self.end_action.triggered.connect(self.end_series_requested)
        self.remove_action.triggered.connect(self.remove_series_requested)
        self.show_item(None, ZoneInfo("UTC"), None, [], future=False, rule_text="")

    def show_item(
        self,
        item: CalendarItem | None,
        tz: ZoneInfo,
        me_id: int | None,
        conflicts: list[ConflictInfo],
        *,
        future: bool,
        rule_text: str,
    ) -> None:
        if item is None:
            self.title.setText("No session selected")
            self.body.setText(
                "Pick a session to see its details. Use the arrow keys to move "
                "around, PageUp/PageDown for the previous or next period."
            )
            self.conflicts.setText("")
            for b in self.buttons:
                b.hide()
            return
        s = local(item.start_utc, tz)
        lines = [f"{item.group_name}", f"{s:%A %d %B %Y}, {time_range(item, tz)} ({tz.key})"]
        if item.timezone != tz.key and not item.all_day:
            g = item.start_utc.astimezone(ZoneInfo(item.timezone))
            lines.append(f"{g:%H:%M} in {item.timezone}, the group's zone")
        if rule_text:
            lines.append(f"Repeats: {rule_text}")
        if item.location:
            lines.append(f"Where: {item.location}")
        if item.video_url:
            lines.append(f"Video: {item.video_url}")
        if item.agenda:
            lines.append(f"Agenda: {item.agenda}")
        duties = duty_text(item)
        lines.append(duties or "Rotation: nobody assigned yet")
        if item.cancelled:
            lines.insert(0, "CANCELLED")
        elif item.moved:
            lines.insert(0, "Moved from its usual time")
        self.title.setText(item.title)
        self.body.setText("\n".join(lines))
        self.conflicts.setText("\n".join(f"⚠ {c.message}" for c in conflicts))
        presenting = me_id is not None and me_id in [
            d.member_id for d in item.duties if d.duty is DutyRole.PRESENTER
        ]
        self.edit_btn.setVisible(True)
        self.cancel_btn.setVisible(future and not item.cancelled)
        self.restore_btn.setVisible(item.cancelled)
        self.rotation_btn.setVisible(True)
        self.swap_btn.setVisible(
            future and not item.cancelled and bool(item.names(DutyRole.PRESENTER))
        )
        self.postpone_btn.setVisible(future and presenting and not item.cancelled)
        self.unavailable_btn.setVisible(future and me_id is not None and not item.cancelled)
        self.series_btn.setVisible(True)
        self.end_action.setEnabled(future and bool(rule_text))
        self.unavailable_btn.setChecked(me_id in item.absent_ids)
        self.unavailable_btn.setText(
            "&I can come after all" if me_id in item.absent_ids else "&I can't come"
        )
