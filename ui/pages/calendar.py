"""Calendar: agenda (default), week and month views of every group's sessions, in my
own time zone, coloured by group, with the series dialog and per-session actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError
from app.services import practice, schedule
from app.services.schedule import CalendarItem, ChangeResult, ConflictInfo
from app.store.engine import touch_private
from app.store.models import DutyRole
from ui.calendar_dialogs import RotationDialog, SeriesDialog, ask_scope
from ui.calendar_models import (
    AgendaModel,
    DateRole,
    ItemRole,
    ItemsRole,
    MonthModel,
    WeekModel,
)
from ui.calendar_widgets import DetailsPanel, GridCellDelegate, Legend
from ui.context import AppContext
from ui.widgets import EmptyOr, EmptyState, page_header

AGENDA_DAYS = 28
VIEWS = ("agenda", "week", "month")


def viewer_zone(ctx: AppContext) -> ZoneInfo:
    """My zone (from "me"'s profile), else the system's, else UTC."""
    if ctx.me_id is not None:
        try:
            return ZoneInfo(practice.get_member(ctx.db, ctx.me_id).timezone)
        except (ConsultoryError, ValueError, KeyError, OSError):
            pass
    name = getattr(datetime.now().astimezone().tzinfo, "key", None)
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def _table(parent: QWidget, name: str, label: str) -> QTableView:
    v = QTableView(parent)
    v.setObjectName(name)
    v.setAccessibleName(label)
    v.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    v.setTabKeyNavigation(False)
    return v


class CalendarPage(QWidget):
    page_ready = Signal()
    session_changed = Signal(int, object)  # series_id, recurrence_id (after any change)
    view_changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("calendarPage")
        self.tz = ZoneInfo("UTC")
        self.view = "agenda"
        self.anchor = date.today()
        self._groups: list[practice.GroupInfo] = []
        self._selected_key: tuple[int, datetime] | None = None
        self._dialog: QDialog | None = None
        self._window_conflicts: dict[tuple[int, datetime], list[ConflictInfo]] = {}

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)  # as every other page: titles don't jump
        self.header = page_header("Calendar", "Times in your time zone", self)
        lay.addWidget(self.header)
        found = self.header.findChild(QLabel, "pageSubtitle")
        assert found is not None
        self.zone_label = found

        bar = QHBoxLayout()
        self.prev_btn = QToolButton(self)
        self.prev_btn.setText("◀")
        self.prev_btn.setToolTip("Previous period (PageUp)")
        self.prev_btn.setAccessibleName("Previous period")
        # a tool button like its neighbours: a push button's 80 px minimum pushed the
        # toolbar past a 1024-wide window and clipped the period ("… 18 Dec 202")
        self.today_btn = QToolButton(self)
        self.today_btn.setText("&Today")
        self.today_btn.setToolTip("Go to today (Home)")
        self.next_btn = QToolButton(self)
        self.next_btn.setText("▶")
        self.next_btn.setToolTip("Next period (PageDown)")
        self.next_btn.setAccessibleName("Next period")
        self.period_label = QLabel(self)
        self.period_label.setObjectName("periodLabel")
        f = self.period_label.font()
        f.setBold(True)
        self.period_label.setFont(f)
        bar.addWidget(self.prev_btn)
        bar.addWidget(self.today_btn)
        bar.addWidget(self.next_btn)
        bar.addSpacing(4)
        bar.addWidget(self.period_label)
        bar.addStretch(1)
        self.view_buttons = QButtonGroup(self)
        for i, (key, label) in enumerate(
            (("agenda", "&Agenda"), ("week", "&Week"), ("month", "&Month"))
        ):
            b = QToolButton(self)
            b.setText(label)
            b.setCheckable(True)
            b.setObjectName(f"view_{key}")
            b.setToolTip(f"{label.replace('&', '')} view (Alt+{label[1]})")
            self.view_buttons.addButton(b, i)
            bar.addWidget(b)
        self.view_buttons.button(0).setChecked(True)
        bar.addSpacing(6)
        self.import_btn = QToolButton(self)
        self.import_btn.setText("Import .ics…")
        self.import_btn.setToolTip(
            "Import sessions from a calendar file (Google, Outlook, Apple Calendar, Thunderbird)"
        )
        self.export_btn = QToolButton(self)
        self.export_btn.setText("Export .ics…")
        self.export_btn.setToolTip(
            "Save every series as a calendar file for your calendar "
            "app. Titles only: no agendas or notes."
        )
        bar.addWidget(self.import_btn)
        bar.addWidget(self.export_btn)
        self.new_btn = QPushButton("&New series…", self)
        self.new_btn.setObjectName("newSeriesButton")
        bar.addWidget(self.new_btn)
        lay.addLayout(bar)

        self.legend = Legend(self)
        lay.addWidget(self.legend)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.stack = QStackedWidget(split)
        # agenda
        self.agenda_model = AgendaModel(self)
        self.agenda_view = _table(self.stack, "agendaView", "Agenda: sessions in time order")
        self.agenda_view.setModel(self.agenda_model)
        self.agenda_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.agenda_view.verticalHeader().hide()
        self.agenda_view.setShowGrid(False)
        self.agenda_view.setAlternatingRowColors(True)
        hh = self.agenda_view.horizontalHeader()
        hh.setStretchLastSection(False)
        hh.setHighlightSections(False)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(self.agenda_model.column("title"), QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(
            self.agenda_model.column("group"), QHeaderView.ResizeMode.Interactive
        )
        hh.resizeSection(self.agenda_model.column("group"), 190)
        self.agenda_view.setWordWrap(False)
        self.agenda_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.agenda_empty = EmptyState(
            "No sessions in these four weeks",
            "Set up a repeating session once and Consultory keeps every occurrence, in each "
            "member's own time zone.",
            "New series…",
            self._on_new_btn_clicked,
            self.stack,
        )
        self.agenda_box = EmptyOr(self.agenda_view, self.agenda_empty, self.stack)
        self.stack.addWidget(self.agenda_box)
        # week
        self.week_model = WeekModel(self)
        self.week_view = _table(self.stack, "weekView", "Week: hours by days")
        self.week_view.setModel(self.week_model)
        self.week_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.week_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.week_view.verticalHeader().setDefaultSectionSize(44)
        self.week_delegate = GridCellDelegate(self.tz, False, self.week_view)
        self.week_view.setItemDelegate(self.week_delegate)
        self.stack.addWidget(self.week_view)
        # month
        self.month_model = MonthModel(self)
        self.month_view = _table(self.stack, "monthView", "Month: weeks by days")
        self.month_view.setModel(self.month_model)
        self.month_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.month_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.month_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.month_view.verticalHeader().hide()
        self.month_delegate = GridCellDelegate(self.tz, True, self.month_view)
        self.month_view.setItemDelegate(self.month_delegate)
        self.stack.addWidget(self.month_view)
        for v in (self.week_view, self.month_view):
            v.setDragEnabled(True)
            v.setAcceptDrops(True)
            v.setDropIndicatorShown(True)
            v.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
            v.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.week_model.occurrence_dropped.connect(self._on_grid_occurrence_dropped)
        self.month_model.occurrence_dropped.connect(self._on_grid_occurrence_dropped)
        self.details = DetailsPanel(split)
        split.addWidget(self.stack)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)
        self.content_split = split

        self.no_groups = EmptyState(
            "No groups yet",
            "Sessions belong to a consultation or supervision group. Create one under "
            "Groups & members, then come back to schedule its sessions.",
            parent=self,
        )
        lay.addWidget(self.no_groups, 1)
        self.no_groups.hide()

        # signals
        self.prev_btn.clicked.connect(self._on_prev_btn_clicked)
        self.next_btn.clicked.connect(self._on_next_btn_clicked)
        self.today_btn.clicked.connect(self._on_today_btn_clicked)
        self.new_btn.clicked.connect(self._on_new_btn_clicked)
        self.import_btn.clicked.connect(self._on_import_btn_clicked)
        self.export_btn.clicked.connect(self._on_export_btn_clicked)
        self.view_buttons.idClicked.connect(self._on_view_buttons_clicked)
        self.legend.filter_changed.connect(self._on_legend_filter_changed)
        for v in (self.agenda_view, self.week_view, self.month_view):
            v.activated.connect(self._on_view_activated)
        self.agenda_view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.week_view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.month_view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.details.edit_requested.connect(self._on_details_edit_requested)
        self.details.cancel_requested.connect(self._on_details_cancel_requested)
        self.details.restore_requested.connect(self._on_details_restore_requested)
        self.details.rotation_requested.connect(self._on_details_rotation_requested)
        self.details.postpone_requested.connect(self._on_details_postpone_requested)
        self.details.swap_requested.connect(self._on_details_swap_requested)
        self.details.unavailable_toggled.connect(self._on_details_unavailable_toggled)
        self.details.end_series_requested.connect(self._on_details_end_series_requested)
        self.details.remove_series_requested.connect(self._on_details_remove_series_requested)
        for keys, slot in (
            (QKeySequence.StandardKey.MoveToPreviousPage, self._on_prev_btn_clicked),
            (QKeySequence.StandardKey.MoveToNextPage, self._on_next_btn_clicked),
        ):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        home = QShortcut(QKeySequence(Qt.Key.Key_Home), self)
        home.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        home.activated.connect(self._on_today_btn_clicked)
        new = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        new.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new.activated.connect(self._on_new_btn_clicked)

    # --- data --------------------------------------------------------------------------------
    def today(self) -> date:
        return self.ctx.clock.now().astimezone(self.tz).date()

    def refresh(self) -> None:
        self.tz = viewer_zone(self.ctx)
        self.week_delegate.tz = self.month_delegate.tz = self.tz
        if not getattr(self, "_anchored", False):
            self.anchor = self.today()
            self._anchored = True
        self._groups = practice.list_groups(self.ctx.db)
        self.legend.set_groups(self._groups)
        # the chips sit between the toolbar and the agenda, so Tab visits them there
        # (being created last, they came after the details panel's buttons)
        prev: QWidget = self.new_btn
        for chip in self.legend.buttons():
            QWidget.setTabOrder(prev, chip)
            prev = chip
        QWidget.setTabOrder(prev, self.agenda_view)
        has_groups = bool(self._groups)
        self.no_groups.setVisible(not has_groups)
        # Without groups only "No groups yet" shows: the agenda's own empty state offered
        # a "New series…" button that could do nothing, under an empty "Groups:" legend.
        self.content_split.setVisible(has_groups)
        self.legend.setVisible(has_groups)
        self.new_btn.setEnabled(has_groups)
        self.zone_label.setText(f"Times in {self.tz.key} (your time zone)")
        self.zone_label.show()
        self._load()
        self.page_ready.emit()

    def period(self) -> tuple[date, date]:
        """First and last day (inclusive) of the current view's period."""
        a = self.anchor
        if self.view == "agenda":
            return a, a + timedelta(days=AGENDA_DAYS - 1)
        if self.view == "week":
            start = a - timedelta(days=a.weekday())
            return start, start + timedelta(days=6)
        first = a.replace(day=1)
        start = MonthModel.grid_start(first)
        return start, start + timedelta(days=41)

    def _window(self) -> tuple[datetime, datetime]:
        lo, hi = self.period()
        start = datetime.combine(lo, time(0), tzinfo=self.tz).astimezone(UTC)
        end = datetime.combine(hi + timedelta(days=1), time(0), tzinfo=self.tz).astimezone(UTC)
        return start, end

    def _load(self) -> None:
        start, end = self._window()
        hidden = self.legend.hidden_groups()
        groups = {g.id for g in self._groups} - hidden
        items = schedule.calendar_items(self.ctx.db, start, end, groups, include_cancelled=True)
        conflicts = self._conflicts(start, end)
        self._window_conflicts = conflicts
        today = self.today()
        lo, hi = self.period()
        self.week_model.conflict_keys = self.month_model.conflict_keys = set(conflicts)
        if self.view == "agenda":
            messages = {k: [c.message for c in v] for k, v in conflicts.items()}
            self.agenda_model.set_items(items, self.tz, today, messages)
            self.agenda_box.set_empty(not items)
            self.period_label.setText(f"{lo:%d %b} – {hi:%d %b %Y}")
        elif self.view == "week":
            self.week_model.set_week(lo, items, self.tz, today)
            self.period_label.setText(f"Week of {lo:%d %b %Y}")
        else:
            self.month_model.set_month(self.anchor.replace(day=1), items, self.tz, today)
            self.period_label.setText(f"{self.anchor:%B %Y}")
        self._restore_selection()

    def _conflicts(
        self, start: datetime, end: datetime
    ) -> dict[tuple[int, datetime], list[ConflictInfo]]:
        """Upcoming conflicts in the window (past sessions are history: no warnings)."""
        lo = max(start, self.ctx.clock.now())
        if lo >= end:
            return {}
        out: dict[tuple[int, datetime], list[ConflictInfo]] = {}
        for c in schedule.list_conflicts(self.ctx.db, lo, end):
            out.setdefault((c.series_id, c.recurrence_id), []).append(c)
        return out

    def _current_view(self) -> QTableView:
        return {"agenda": self.agenda_view, "week": self.week_view, "month": self.month_view}[
            self.view
        ]

    def _restore_selection(self) -> None:
        v = self._current_view()
        idx = QModelIndex()
        if self.view == "agenda":
            row = self.agenda_model.row_of(self._selected_key) if self._selected_key else -1
            if row < 0:
                row = next(
                    (
                        i
                        for i, it in enumerate(self.agenda_model.items())
                        if it.end_utc >= self.ctx.clock.now()
                    ),
                    0,
                )
            if self.agenda_model.rowCount():
                idx = self.agenda_model.index(row, 0)
        elif self.view == "week":
            col = (self.anchor - self.period()[0]).days
            first_hour = next((h for h in range(24) if self.week_model.cell_items(h, col)), 8)
            if self._selected_key is not None:
                for h in range(24):
                    if any(i.key == self._selected_key for i in self.week_model.cell_items(h, col)):
                        first_hour = h
            idx = self.week_model.index(first_hour, col)
        else:
            pos = self.month_model.position_of(self.anchor)
            if pos is not None:
                idx = self.month_model.index(*pos)
        if idx.isValid():
            self._restoring = True
            try:
                flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
                if self.view == "agenda":
                    flags |= QItemSelectionModel.SelectionFlag.Rows
                v.selectionModel().setCurrentIndex(idx, flags)
            finally:
                self._restoring = False
            v.scrollTo(idx)
        if self.view == "week":
            # the working day first; the selected session stays visible
            top = min(7, idx.row()) if idx.isValid() else 7
            self.week_view.scrollTo(
                self.week_model.index(top, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )
        self._show_details(self._item_at(idx))

    def _item_at(self, idx: QModelIndex) -> CalendarItem | None:
        if not idx.isValid():
            return None
        if self.view == "agenda":
            item: CalendarItem | None = idx.data(ItemRole)
            return item
        items: list[CalendarItem] = idx.data(ItemsRole) or []
        if self._selected_key is not None:
            for it in items:
                if it.key == self._selected_key:
                    return it
        return items[0] if items else None

    def selected_item(self) -> CalendarItem | None:
        return self._item_at(self._current_view().currentIndex())

    def _show_details(self, item: CalendarItem | None) -> None:
        key = item.key if item is not None else None
        self.week_model.drag_key = self.month_model.drag_key = key
        conflicts: list[ConflictInfo] = []
        rule_text = ""
        if item is not None:
            self._selected_key = item.key
            try:
                rule_text = schedule.get_series(self.ctx.db, item.series_id).rule_text
            except ConsultoryError:
                pass
        future = item is not None and item.start_utc > self.ctx.clock.now()
        if item is not None and future:  # computed with the window in _load
            conflicts = self._window_conflicts.get(item.key, [])
        self.details.show_item(
            item,
            self.tz,
            self.ctx.me_id,
            conflicts,
            future=future,
            rule_text="" if rule_text == "Once" else rule_text,
        )

    # --- navigation ------------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(view)
        sel = self.selected_item()
        if sel is not None:
            self.anchor = sel.start_utc.astimezone(self.tz).date()
        self.view = view
        self.view_buttons.button(VIEWS.index(view)).setChecked(True)
        self.stack.setCurrentIndex(VIEWS.index(view))
        self._load()
        self._current_view().setFocus()
        self.view_changed.emit(view)

    def go(self, steps: int) -> None:
        if self.view == "agenda":
            self.anchor += timedelta(days=AGENDA_DAYS * steps)
        elif self.view == "week":
            self.anchor += timedelta(weeks=steps)
        else:
            m = self.anchor.month - 1 + steps
            self.anchor = date(self.anchor.year + m // 12, m % 12 + 1, 1)
        self._selected_key = None
        self._load()

    def go_to_today(self) -> None:
        self.go_to_date(self.today())

    def go_to_date(self, day: date) -> None:
        self.anchor = day
        self._selected_key = None
        self._load()

    def show_occurrence(self, series_id: int, recurrence_id: datetime) -> None:
        """Jump to one session (from Today or a conflict notice) and select it."""
        try:
            item = schedule.get_item(self.ctx.db, series_id, recurrence_id)
        except ConsultoryError:
            return
        self.anchor = item.start_utc.astimezone(self.tz).date()
        self._selected_key = item.key
        self._load()

    def open_target(self, target: str) -> bool:
        """Open an attention target ``calendar:<series id>:<ISO recurrence id>``."""
        kind, _, rest = target.partition(":")
        sid, _, rid = rest.partition(":")
        if kind != "calendar" or not sid.isdigit():
            return False
        try:
            when = datetime.fromisoformat(rid)
        except ValueError:
            return False
        self.show_occurrence(int(sid), when)
        return True

    def _on_prev_btn_clicked(self) -> None:
        self.go(-1)

    def _on_next_btn_clicked(self) -> None:
        self.go(1)

    def _on_today_btn_clicked(self) -> None:
        self.go_to_today()

    def _on_view_buttons_clicked(self, button_id: int) -> None:
        self.set_view(VIEWS[button_id])

    def _on_legend_filter_changed(self) -> None:
        self._load()

    def _on_view_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if getattr(self, "_restoring", False):
            return  # _restore_selection shows the details itself
        if self.view != "agenda" and current.isValid():
            d = current.data(DateRole)
            if d is not None and (self.view == "week" or d.month == self.anchor.month):
                self.anchor = d
            self._selected_key = None
        self._show_details(self._item_at(current))

    def _on_view_activated(self, index: QModelIndex) -> None:
        item = self._item_at(index)
        if item is not None:
            self._edit(item)
        elif self.view != "agenda":
            d = index.data(DateRole)
            hour = index.row() if self.view == "week" else 12
            self._new(datetime.combine(d, time(hour, 0)) if d else None)

    # --- actions ---------------------------------------------------------------------------
    def _after_change(self, result: ChangeResult, what: str) -> None:
        self._selected_key = (
            (result.series_id, result.recurrence_id) if result.recurrence_id else None
        )
        self.ctx.notify_changed("schedule")
        self._load()
        if result.recurrence_id is not None:
            self.session_changed.emit(result.series_id, result.recurrence_id)
        if result.warnings:
            QMessageBox.warning(
                self,
                f"{what} — please check",
                "Saved. These conflicts need a look:\n\n"
                + "\n".join(
                    f"• {w.start_utc.astimezone(self.tz):%a %d %b %H:%M}: {w.message}"
                    for w in result.warnings[:12]
                )
                + ("\n…" if len(result.warnings) > 12 else ""),
            )

    def _default_zone(self) -> str:
        return self.tz.key

    def _on_new_btn_clicked(self) -> None:
        self._new(None)

    def _new(self, start: datetime | None) -> None:
        if not self._groups:
            return
        dlg = SeriesDialog(self.ctx.db, self._groups, self._default_zone(), self, start=start)
        dlg.saved.connect(lambda r: self._after_change(r, "New series"))
        dlg.open()
        self._dialog = dlg

    def _edit(self, item: CalendarItem) -> None:
        try:
            detail = schedule.get_series(self.ctx.db, item.series_id)
        except ConsultoryError as exc:
            QMessageBox.information(self, "Session", str(exc))
            return
        dlg = SeriesDialog(
            self.ctx.db, self._groups, self._default_zone(), self, detail=detail, item=item
        )
        dlg.saved.connect(lambda r: self._after_change(r, "Session changed"))
        dlg.open()
        self._dialog = dlg

    def _on_details_edit_requested(self) -> None:
        item = self.selected_item()
        if item is not None:
            self._edit(item)

    def _run(self, what: str, fn: Callable[[], ChangeResult]) -> None:
        try:
            result = fn()
        except ConsultoryError as exc:
            QMessageBox.information(self, what, str(exc))
            return
        self._after_change(result, what)

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_details_cancel_requested(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        if self._confirm(
            "Cancel session",
            f"Cancel “{item.title}” on {item.start_utc.astimezone(self.tz):%A %d %B}? "
            "It can be restored later.",
        ):
            self._run(
                "Cancel session",
                lambda: schedule.cancel_occurrence(self.ctx.db, item.series_id, item.recurrence_id),
            )

    def _on_details_restore_requested(self) -> None:
        item = self.selected_item()
        if item is not None:
            self._run(
                "Restore session",
                lambda: schedule.restore_occurrence(
                    self.ctx.db, item.series_id, item.recurrence_id
                ),
            )

    def _on_details_end_series_requested(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        if self._confirm(
            "End the series",
            f"End “{item.title}” after the session of "
            f"{item.start_utc.astimezone(self.tz):%A %d %B %Y}? Later sessions are removed "
            "from the calendar; past ones stay.",
        ):
            self._run(
                "End the series",
                lambda: schedule.end_series(self.ctx.db, item.series_id, item.recurrence_id),
            )

    def _on_details_remove_series_requested(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        if not self._confirm(
            "Remove the series",
            f"Remove every session of “{item.title}” from the calendar? Attendance and notes "
            "of past sessions are kept for your hours.",
        ):
            return
        try:
            schedule.remove_series(self.ctx.db, item.series_id)
        except ConsultoryError as exc:
            QMessageBox.information(self, "Remove the series", str(exc))
            return
        self._selected_key = None
        self.ctx.notify_changed("schedule")
        self._load()

    def _on_details_rotation_requested(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        dlg = RotationDialog(self.ctx.db, item.series_id, item.group_id, item.group_name, self)
        dlg.planned.connect(self._on_rotation_planned)
        dlg.open()
        self._dialog = dlg

    def _on_rotation_planned(self) -> None:
        self.ctx.notify_changed("schedule")
        self._load()

    def _on_details_postpone_requested(self) -> None:
        item = self.selected_item()
        if item is None or self.ctx.me_id is None:
            return
        me = self.ctx.me_id
        self._run(
            "Postpone presentation",
            lambda: schedule.postpone_presentation(
                self.ctx.db, item.series_id, item.recurrence_id, me
            ),
        )

    def _on_details_swap_requested(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        mine = next((d for d in item.duties if d.duty is DutyRole.PRESENTER), None)
        if mine is None:
            return
        now = self.ctx.clock.now()
        later = [
            i
            for i in schedule.calendar_items(
                self.ctx.db,
                now,
                now + timedelta(weeks=26),
                {item.group_id},
                include_cancelled=False,
            )
            if i.series_id == item.series_id and i.key != item.key and i.names(DutyRole.PRESENTER)
        ]
        if not later:
            QMessageBox.information(
                self,
                "Swap presenter",
                "No other upcoming session of this series has a presenter "
                "yet. Plan the rotation first.",
            )
            return
        labels = [
            f"{i.start_utc.astimezone(self.tz):%a %d %b %H:%M} — "
            f"{', '.join(i.names(DutyRole.PRESENTER))}"
            for i in later
        ]
        choice, ok = QInputDialog.getItem(
            self, "Swap presenter", f"Swap {mine.member_name}'s turn with:", labels, 0, False
        )
        if not ok:
            return
        other = later[labels.index(choice)]
        theirs = next(d for d in other.duties if d.duty is DutyRole.PRESENTER)
        self._run(
            "Swap presenter",
            lambda: schedule.swap_duties(
                self.ctx.db,
                DutyRole.PRESENTER,
                (item.series_id, item.recurrence_id, mine.member_id),
                (other.series_id, other.recurrence_id, theirs.member_id),
            ),
        )

    def _on_details_unavailable_toggled(self, unavailable: bool) -> None:
        item = self.selected_item()
        if item is None or self.ctx.me_id is None:
            return
        me = self.ctx.me_id
        self._run(
            "Attendance",
            lambda: schedule.set_unavailable(
                self.ctx.db, item.series_id, item.recurrence_id, me, unavailable
            ),
        )

    def import_file(self, path: str, group_name: str | None = None) -> None:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            report = schedule.import_ics(self.ctx.db, data, group_name, self.tz.key)
        except OSError as exc:
            QMessageBox.warning(self, "Import", f"Cannot read that file: {exc.strerror}.")
            return
        except ConsultoryError as exc:
            QMessageBox.warning(self, "Import", str(exc))
            return
        self.ctx.notify_changed("schedule")
        self.refresh()
        text = (
            f"Imported into “{report.group_name}”: {report.created} new series, "
            f"{report.updated} updated, {report.exceptions} changed or cancelled sessions."
        )
        if report.problems:
            text += "\n\nNotes:\n" + "\n".join(f"• {p}" for p in report.problems[:10])
        QMessageBox.information(self, "Import", text)

    def _on_import_btn_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a calendar file", "", "Calendar files (*.ics *.ical *.ifb);;All files (*)"
        )
        if not path:
            return
        names = [g.name for g in self._groups]
        default = Path(path).stem
        name, ok = QInputDialog.getItem(
            self,
            "Import into group",
            "Import the sessions into this group (type a new name to create one):",
            [default, *names],
            0,
            True,
        )
        if ok and name.strip():
            self.import_file(path, name.strip())

    def _on_export_btn_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export sessions", "consultory.ics", "Calendar files (*.ics)"
        )
        if not path:
            return
        try:
            data = schedule.export_ics(self.ctx.db)
            tmp = Path(path + ".part")
            touch_private(tmp)  # 0600, like every file Consultory writes
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            QMessageBox.warning(self, "Export", f"Cannot write that file: {exc.strerror}.")
            return
        QMessageBox.information(
            self,
            "Export",
            f"Saved {data.count(b'BEGIN:VEVENT')} calendar entries. Import the file into your "
            "calendar app; exporting again later updates the same entries.",
        )

    def _on_grid_occurrence_dropped(self, key: tuple[int, datetime], day: date, hour: int) -> None:
        try:
            item = schedule.get_item(self.ctx.db, *key)
        except ConsultoryError:
            return
        old = item.start_utc.astimezone(self.tz)
        when = old.time() if hour < 0 else time(hour, old.minute)
        new_utc = datetime.combine(day, when, tzinfo=self.tz).astimezone(UTC)
        if new_utc == item.start_utc:
            return
        try:
            self.move_item(item, new_utc)
        except ConsultoryError as exc:
            QMessageBox.information(self, "Move session", str(exc))

    def move_item(self, item: CalendarItem, new_start_utc: datetime) -> ChangeResult | None:
        """Move a session (dragged, or from code) asking "this / following / all"."""
        zone = schedule.get_series(self.ctx.db, item.series_id).series.timezone
        local = new_start_utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        self._selected_key = item.key
        return self._move(item, local)

    def move_selected(self, new_start_local: datetime) -> ChangeResult | None:
        """Move the selected session, asking "this / following / all" for a series."""
        item = self.selected_item()
        if item is None:
            return None
        return self._move(item, new_start_local)

    def _move(self, item: CalendarItem, new_start_local: datetime) -> ChangeResult | None:
        detail = schedule.get_series(self.ctx.db, item.series_id)
        scope = ask_scope(self, "Move") if detail.series.rrule else schedule.EditScope.ALL
        if scope is None:
            return None
        start = new_start_local
        if scope is not schedule.EditScope.THIS:
            old = item.start_utc.astimezone(ZoneInfo(detail.series.timezone)).replace(tzinfo=None)
            start = item.recurrence_id + (new_start_local - old)
        result = schedule.edit_occurrence(
            self.ctx.db, item.series_id, item.recurrence_id, scope, start_local=start
        )
        self._after_change(result, "Session moved")
        return result
