"""Today: the next sessions and anything needing attention."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.scheduling.expand import Occ
from app.services import today as today_service
from app.services.attention import AttentionItem
from ui.context import AppContext
from ui.models import Column, RecordTableModel
from ui.widgets import EmptyOr, EmptyState, page_header, section_label

HORIZON_DAYS = 14


def local_zone(ctx: AppContext) -> ZoneInfo:
    """The zone of this desktop's user ("me"), else the system's."""
    with ctx.db.engine.connect() as conn:
        me = today_service.read_me(conn)
    return zone_or_system(me.timezone if me else None)


def zone_or_system(zone_name: str | None) -> ZoneInfo:
    """``zone_name`` if it is a valid zone, else the system's."""
    if zone_name:
        try:
            return ZoneInfo(zone_name)
        except (ValueError, KeyError, OSError):  # a bad zone falls back to the system's
            pass
    tz = datetime.now().astimezone().tzinfo
    name = getattr(tz, "key", None)
    return ZoneInfo(name) if name else ZoneInfo("UTC")


def format_when(o: Occ, tz: ZoneInfo, today: datetime) -> str:
    s = o.start_utc.astimezone(tz)
    e = o.end_utc.astimezone(tz)
    d = s.date()
    if d == today.date():
        day = "Today"
    elif d == (today + timedelta(days=1)).date():
        day = "Tomorrow"
    else:
        day = s.strftime("%a %d %b")
    return f"{day}, {s:%H:%M}–{e:%H:%M}"


def make_table(parent: QWidget, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setHighlightSections(False)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class TodayPage(QWidget):
    page_ready = Signal()  # the first time the page is populated
    refreshed = Signal()  # every time it is populated
    occurrence_activated = Signal(int, object)  # series_id, recurrence_id
    navigate_requested = Signal(str)  # a target: "section" or "section:detail"
    attendance_requested = Signal(int, object)  # series_id, recurrence_id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("todayPage")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        self.header = page_header("Today", "", self)
        lay.addWidget(self.header)
        self.greeting = QLabel(self)
        self.greeting.setObjectName("greeting")
        lay.addWidget(self.greeting)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        # next sessions
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 8, 8, 0)
        row = QHBoxLayout()
        row.addWidget(section_label(f"Next sessions ({HORIZON_DAYS} days)", left))
        row.addStretch(1)
        self.mine_only = QCheckBox("Only my groups", left)
        self.mine_only.setChecked(True)
        self.mine_only.toggled.connect(self._on_mine_only_toggled)
        row.addWidget(self.mine_only)
        ll.addLayout(row)
        self._tz = ZoneInfo("UTC")
        self._now = ctx.clock.now()
        self.sessions_model: RecordTableModel[Occ] = RecordTableModel(
            [
                Column(
                    "when",
                    "When",
                    lambda o: format_when(o, self._tz, self._now),
                    sort=lambda o: o.start_utc,
                ),
                Column(
                    "title",
                    "Session",
                    lambda o: o.title,
                    decoration=lambda o: self._group_colors.get(o.group_id),
                ),
                Column(
                    "where",
                    "Where",
                    lambda o: o.location or ("Video call" if o.video_url else "—"),
                    tooltip=lambda o: o.video_url or o.location,
                ),
            ],
            self,
        )
        self._group_colors: dict[int, QColor] = {}
        self.sessions_view = make_table(left, "nextSessions")
        self.sessions_view.setModel(self.sessions_model)
        self.sessions_view.activated.connect(self._on_sessions_view_activated)
        self.sessions_stack = EmptyOr(
            self.sessions_view,
            EmptyState(
                "No sessions in the next two weeks",
                "When your groups have sessions coming up, they appear here. "
                "Create a group in Groups & members, then schedule its sessions in Calendar.",
                "Go to Calendar",
                lambda: self.navigate_requested.emit("calendar"),
                left,
            ),
            left,
        )
        ll.addWidget(self.sessions_stack, 1)
        # needs attention
        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 8, 0, 0)
        rl.addWidget(section_label("Needs attention", right))
        self.attention_model: RecordTableModel[AttentionItem] = RecordTableModel(
            [
                Column(
                    "title",
                    "Item",
                    lambda a: a.title,
                    tooltip=lambda a: a.detail,
                    decoration=lambda a: (
                        QColor("#e0a800") if a.severity == "warning" else QColor("#3b82f6")
                    ),
                ),
                Column("due", "Due", lambda a: a.due.strftime("%d %b") if a.due else ""),
            ],
            self,
        )
        self.attention_view = make_table(right, "attention")
        self.attention_view.setWordWrap(True)
        self.attention_view.verticalHeader().setMinimumSectionSize(30)
        self.attention_view.setModel(self.attention_model)
        self.attention_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.attention_view.horizontalHeader().setStretchLastSection(False)
        self.attention_view.activated.connect(self._on_attention_view_activated)
        self.attention_stack = EmptyOr(
            self.attention_view,
            EmptyState(
                "All clear",
                "Nothing needs your attention: no overdue follow-ups, hour-rule warnings "
                "or missed reminders.",
                parent=right,
            ),
            right,
        )
        rl.addWidget(self.attention_stack, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay.addWidget(split, 1)
        self.loaded = False

    def refresh(self) -> None:
        # Paint first: before the window's first paint, wait for it; then load on the
        # next event-loop turn.
        win = self.window()
        if not getattr(win, "has_painted", True) and win.isVisible():
            win.first_painted.connect(self._on_window_first_painted)  # type: ignore[attr-defined]
            return
        QTimer.singleShot(0, self._load)

    def _on_window_first_painted(self) -> None:
        self.window().first_painted.disconnect(self._on_window_first_painted)  # type: ignore[attr-defined]
        QTimer.singleShot(0, self._load)

    def _on_mine_only_toggled(self, _checked: bool) -> None:
        self._load()

    def _load(self) -> None:
        """Fill the page from a Core-only snapshot (no ORM models needed); attention items
        come from the cache when nothing changed, and are recomputed right after."""
        ctx = self.ctx
        self._now = ctx.clock.now()
        me = None
        with ctx.db.engine.connect() as conn:
            me = today_service.read_me(conn)
        self._tz = zone_or_system(me.timezone if me else None)
        local_day = self._now.astimezone(self._tz).date()
        snap = today_service.snapshot(
            ctx.db, self._now, timedelta(days=HORIZON_DAYS), local_day,
            mine_only=self.mine_only.isChecked(),
        )
        self.greeting.setText(
            self._now.astimezone(self._tz).strftime("%A %d %B %Y")
            + (f" · {me.display_name}" if me else "")
            + f" · times shown in {self._tz.key}"
        )
        self._group_colors = {gid: QColor(c) for gid, c in snap.group_colors.items()}
        self.sessions_model.set_records(snap.occurrences)
        self.sessions_stack.set_empty(not snap.occurrences)
        self.sessions_view.resizeColumnsToContents()
        if snap.cached_attention is not None:
            self._show_attention(snap.cached_attention)
            self._mark_loaded()
            QTimer.singleShot(0, lambda: self._recompute_attention(me.id if me else None,
                                                                    local_day))
        else:
            self._recompute_attention(me.id if me else None, local_day)
            self._mark_loaded()

    def _recompute_attention(self, me_id: int | None, local_day: object) -> None:
        from app.services import attention

        items = attention.gather(self.ctx.db, me_id, self._now)
        self._show_attention(items)
        today_service.store_attention_cache(self.ctx.db, me_id, local_day,  # type: ignore[arg-type]
                                            items)

    def _show_attention(self, items: list[AttentionItem]) -> None:
        if items == self.attention_model.records() and self.loaded:
            return
        self.attention_model.set_records(items)
        self.attention_stack.set_empty(not items)
        self.attention_view.resizeColumnToContents(1)
        self.attention_view.resizeRowsToContents()  # long items wrap instead of eliding

    def _mark_loaded(self) -> None:
        first = not self.loaded
        self.loaded = True
        if first:
            self.page_ready.emit()
        self.refreshed.emit()

    def _on_sessions_view_activated(self, index: object) -> None:
        row = self.sessions_view.currentIndex().row()
        if row >= 0:
            o = self.sessions_model.record(row)
            self.occurrence_activated.emit(o.series_id, o.recurrence_id)

    def _on_attention_view_activated(self, index: object) -> None:
        row = self.attention_view.currentIndex().row()
        if row >= 0:
            item = self.attention_model.record(row)
            if item.kind == "attendance" and item.target.startswith("calendar:"):
                _, sid, rid = item.target.split(":", 2)
                self.attendance_requested.emit(int(sid), datetime.fromisoformat(rid))
            elif item.target:
                self.navigate_requested.emit(item.target)
