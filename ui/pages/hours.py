"""Hours: progress toward licensure targets, a chart per category per month, the ledger
(attendance-derived + manual entries), broken-rule warnings, export and sign-off locks.

Totals shown here are the ledger's, to the minute; "counted" hours apply the requirement
set's rules (minutes per hour, caps, minimum session length).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from html import escape
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError
from app.hours import requirements as req
from app.hours.ledger import LedgerEntry, fmt_hours, fmt_minutes, monthly_totals, write_csv
from app.scheduling.expand import zone
from app.services import hours, practice
from app.services.hours import LockInfo, Overview
from ui.context import AppContext
from ui.hours_widgets import (
    ManualEntryDialog,
    MonthlyChart,
    TargetsPanel,
    UnlockDialog,
    pydate,
    qdate,
)
from ui.models import Column, RecordRole, RecordTableModel
from ui.pages.today import make_table
from ui.widgets import EmptyOr, EmptyState, FieldError, page_header, section_label

Index = QModelIndex | QPersistentModelIndex

PERIODS: list[tuple[str, str]] = [
    ("set", "Requirement period"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
    ("last_12", "Last 12 months"),
    ("all", "All time"),
    ("custom", "Custom dates"),
]
OPEN_START, OPEN_END = date(1970, 1, 1), date(9998, 1, 1)


def period_dates(key: str, today: date) -> tuple[date | None, date | None]:
    """(start, end) for a preset; (None, None) lets the requirement set decide."""
    first = today.replace(day=1)
    if key == "this_month":
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt - timedelta(days=1)
    if key == "last_month":
        end = first - timedelta(days=1)
        return end.replace(day=1), end
    if key == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if key == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if key == "last_12":
        return (first - timedelta(days=335)).replace(day=1), today
    if key == "all":
        return OPEN_START, OPEN_END
    return None, None


def _bounded(d: date | None) -> bool:
    return d is not None and OPEN_START < d < OPEN_END


class HoursPage(QWidget):
    page_ready = Signal()
    entry_saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("hoursPage")
        self.overview: Overview | None = None
        self._loading = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.addWidget(
            page_header(
                "Hours",
                "Taking attendance is the log: hours come from attendance and your manual "
                "entries, checked against your requirement set.",
                self,
            )
        )

        # filters
        bar = QHBoxLayout()
        self.member_combo = QComboBox(self)
        self.member_combo.setObjectName("hoursMember")
        self.member_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.member_combo.setMinimumContentsLength(16)
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("hoursPeriod")
        for key, label in PERIODS:
            self.period_combo.addItem(label, key)
        self.from_edit = QDateEdit(self)
        self.to_edit = QDateEdit(self)
        for e, name in ((self.from_edit, "hoursFrom"), (self.to_edit, "hoursTo")):
            e.setObjectName(name)
            e.setCalendarPopup(True)
            e.setDisplayFormat("yyyy-MM-dd")
        self.set_combo = QComboBox(self)
        self.set_combo.setObjectName("hoursSet")
        # Sized to its longest set name (the names say "illustrative, not legal advice",
        # which must not be cut off); it moves to a row of its own when that is too wide.
        self.set_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.set_combo.setMinimumContentsLength(22)
        self._filter_pairs: list[tuple[QLabel, QWidget]] = []
        for text, w in (
            ("&Member", self.member_combo),
            ("&Period", self.period_combo),
            ("&From", self.from_edit),
            ("&to", self.to_edit),
            ("C&hecked against", self.set_combo),  # "&a" is Add entry
        ):
            lab = QLabel(text, self)
            lab.setBuddy(w)
            bar.addWidget(lab)
            bar.addWidget(w)
            self._filter_pairs.append((lab, w))
        bar.addStretch(1)
        # In a small window the requirement set moves to a row of its own instead of
        # squeezing every filter (and clipping its labels) to fit one line.
        self._filter_bar = bar
        self._set_bar = QHBoxLayout()
        self._set_bar.addStretch(1)
        lay.addLayout(bar)
        lay.addLayout(self._set_bar)
        self.filter_error = FieldError(self)
        lay.addWidget(self.filter_error)

        # warnings
        self.warnings = QLabel(self)
        self.warnings.setObjectName("hoursWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.warnings.setFrameShape(QFrame.Shape.StyledPanel)
        self.warnings.setStyleSheet(
            "#hoursWarnings { background: rgba(217, 83, 79, 0.10); "
            "border: 1px solid rgba(217, 83, 79, 0.45); border-radius: 6px; padding: 6px; }"
        )
        self.warnings.hide()
        lay.addWidget(self.warnings)

        # content: progress + chart, ledger
        content = QWidget(self)
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        top = QSplitter(Qt.Orientation.Horizontal, content)
        left = QWidget(top)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 4, 12, 0)
        self.targets_title = section_label("Progress", left)
        ll.addWidget(self.targets_title)
        self.targets = TargetsPanel(left)
        ll.addWidget(self.targets)
        self.set_note = QLabel(left)
        self.set_note.setObjectName("hoursSetNote")
        self.set_note.setWordWrap(True)
        self.set_note.setStyleSheet("color: palette(placeholder-text);")
        ll.addWidget(self.set_note)
        ll.addStretch(1)
        right = QWidget(top)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(12, 4, 0, 0)
        rl.addWidget(section_label("Hours per category per month", right))
        self.chart = MonthlyChart(right)
        rl.addWidget(self.chart, 1)
        top.addWidget(left)
        top.addWidget(right)
        top.setStretchFactor(0, 2)
        top.setStretchFactor(1, 3)
        cl.addWidget(top, 2)

        head = QHBoxLayout()
        head.addWidget(section_label("Log", content))
        self.totals = QLabel(content)
        self.totals.setObjectName("hoursTotals")
        head.addWidget(self.totals, 1)
        self.lock_label = QLabel(content)
        self.lock_label.setObjectName("hoursLockState")
        head.addWidget(self.lock_label)
        cl.addLayout(head)
        self.model: RecordTableModel[LedgerEntry] = RecordTableModel(
            [
                Column(
                    "date",
                    "Date",
                    lambda e: ("🔒 " if self._is_locked(e.on_date) else "") + e.on_date.isoformat(),
                    sort=lambda e: e.on_date,
                ),
                Column("category", "Category", lambda e: e.category.label),
                Column(
                    "minutes",
                    "Minutes",
                    lambda e: str(e.minutes),
                    sort=lambda e: e.minutes,
                    align_right=True,
                ),
                Column(
                    "source",
                    "Source",
                    lambda e: (
                        "manual"
                        if e.manual
                        else "attendance"
                        + (f" ({e.status.replace('_', ' ')})" if e.status != "present" else "")
                    ),
                ),
                Column(
                    "description",
                    "Description",
                    lambda e: e.description,
                    tooltip=lambda e: (
                        "Enter: edit this entry"
                        if e.manual
                        else "Enter: open the session's attendance"
                    ),
                ),
            ],
            self,
        )
        self.model.muted = lambda e: self._is_locked(e.on_date)
        self.table = make_table(content, "hoursLedger")
        self.table.setModel(self.model)
        self.table.activated.connect(self._on_table_activated)
        self.table.setAccessibleName("Hour log entries")
        # size columns from a sample of rows: a decade of entries would take ~100 ms
        self.table.horizontalHeader().setResizeContentsPrecision(200)
        cl.addWidget(self.table, 3)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add entry…", content)
        self.add_button.setObjectName("addHourEntry")
        self.edit_button = QPushButton("&Edit…", content)
        self.delete_button = QPushButton("&Delete", content)
        self.csv_button = QPushButton("Export &CSV…", content)
        self.pdf_button = QPushButton("E&xport PDF…", content)  # "&D" is Delete
        self.lock_button = QPushButton("&Lock period…", content)
        self.lock_button.setObjectName("lockPeriod")
        self.unlock_button = QPushButton("&Unlock…", content)
        self.unlock_button.setObjectName("unlockPeriod")
        for b in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.csv_button, self.pdf_button, self.lock_button, self.unlock_button):
            buttons.addWidget(b)
        cl.addLayout(buttons)
        self.action_error = FieldError(content)
        cl.addWidget(self.action_error)

        self.empty = EmptyState(
            "No hours in this period",
            "Hours appear here as soon as you take attendance for a session (open it from "
            "Today or the Calendar), or add an entry for client contact, indirect work or "
            "other supervision.",
            "Add an hour entry…",
            self._on_add_clicked,
            self,
        )
        self.stack = EmptyOr(content, self.empty, self)
        lay.addWidget(self.stack, 1)

        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.csv_button.clicked.connect(self._on_csv_clicked)
        self.pdf_button.clicked.connect(self._on_pdf_clicked)
        self.lock_button.clicked.connect(self._on_lock_clicked)
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        self.member_combo.activated.connect(self._on_member_combo_activated)
        self.period_combo.activated.connect(self._on_period_combo_activated)
        self.from_edit.dateChanged.connect(self._on_date_edit_changed)
        self.to_edit.dateChanged.connect(self._on_date_edit_changed)
        self.set_combo.activated.connect(self._on_set_combo_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        add_sc = QShortcut(QKeySequence.StandardKey.New, self)
        add_sc.activated.connect(self._on_add_clicked)
        del_sc = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        del_sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        del_sc.activated.connect(self._on_delete_clicked)
        # refresh() is called by the main window when the page is shown and on
        # ctx.data_changed (the UI contract); only a change of "me" is followed here
        ctx.me_changed.connect(self._on_ctx_me_changed)
        self._fill_members()

    # --- state --------------------------------------------------------------------------
    def member_id(self) -> int | None:
        mid = self.member_combo.currentData()
        return None if mid is None else int(mid)

    def _today(self) -> date:
        now = self.ctx.clock.now()
        mid = self.member_id()
        tzname = self._member_tz.get(mid or 0, "UTC")
        return now.astimezone(zone(tzname)).date()

    def _fill_members(self) -> None:
        current = self.member_id() or self.ctx.me_id
        self.member_combo.blockSignals(True)
        self.member_combo.clear()
        self._member_tz: dict[int, str] = {}
        for m in practice.list_members(self.ctx.db):
            self.member_combo.addItem(m.display_name + (" (me)" if m.is_me else ""), m.id)
            self._member_tz[m.id] = m.timezone
        i = self.member_combo.findData(current)
        self.member_combo.setCurrentIndex(max(0, i))
        self.member_combo.blockSignals(False)

    def _fill_sets(self, current: str) -> None:
        self.set_combo.blockSignals(True)
        self.set_combo.clear()
        for sm in req.list_sets(self.ctx.db.data_dir):
            if sm.error:
                continue
            self.set_combo.addItem(sm.name + ("" if not sm.builtin else " (built-in)"), sm.id)
        i = self.set_combo.findData(current)
        if i < 0:
            self.set_combo.addItem(current, current)
            i = self.set_combo.count() - 1
        self.set_combo.setCurrentIndex(i)
        self.set_combo.setToolTip(self.set_combo.currentText())
        self.set_combo.blockSignals(False)

    def _is_locked(self, day: date) -> bool:
        if self.overview is None:
            return False
        return any(lk.active and lk.start_date <= day <= lk.end_date for lk in self.overview.locks)

    def _selected(self) -> LedgerEntry | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        rec = self.model.index(idx.row(), 0).data(RecordRole)
        return rec if isinstance(rec, LedgerEntry) else None

    # --- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        self._fill_members()  # members may have been added, renamed or archived
        mid = self.member_id()
        if mid is None:
            self.overview = None
            self.model.set_records([])
            self.empty.title_label.setText("No members yet")
            self.empty.text_label.setText(
                "Add yourself and your groups under Groups & members; hours follow from attendance."
            )
            self.stack.set_empty(True)
            self.page_ready.emit()
            return
        key = str(self.period_combo.currentData())
        if key == "custom":
            start: date | None = pydate(self.from_edit.date())
            end: date | None = pydate(self.to_edit.date())
        else:
            start, end = period_dates(key, self._today())
        try:
            ov = hours.overview(self.ctx.db, mid, start, end)
        except ConsultoryError as exc:
            self.filter_error.show_message(str(exc))
            return
        self.filter_error.show_message("")
        self.overview = ov
        self._loading = True
        if _bounded(ov.ledger.start):
            assert ov.ledger.start is not None
            self.from_edit.setDate(qdate(ov.ledger.start))
        if _bounded(ov.ledger.end):
            assert ov.ledger.end is not None
            self.to_edit.setDate(qdate(ov.ledger.end))
        elif ov.ledger.end is None or ov.ledger.end >= OPEN_END:
            self.to_edit.setDate(qdate(self._today()))
        self._loading = False
        self._fill_sets(ov.set_id)
        self._show(ov)
        self.page_ready.emit()

    def _show(self, ov: Overview) -> None:
        led, ev = ov.ledger, ov.evaluation
        self.model.set_records(led.entries)
        self.table.resizeColumnsToContents()
        self.table.scrollToBottom()  # the latest entries first in view
        self.chart.set_data(monthly_totals(led.entries), led.totals)
        self.targets.set_targets(ev.targets)
        rs_example = ov.set_id == req.DEFAULT_SET_ID
        period = self._period_text(ov)
        self.set_note.setText(
            f"Counted under “{escape(ev.set_name)}” over {period}."
            + (
                " This built-in set is an example, not your board's rules and not legal "
                "advice: copy it in Settings › Hours and check every number."
                if rs_example
                else ""
            )
        )
        self.totals.setText(
            f"{len(led.entries)} entries · <b>{fmt_minutes(led.total_minutes)}</b> logged · "
            f"{fmt_hours(ev.counted_total_hours)} h counted toward the total"
        )
        if ev.warnings:
            items = "".join(
                f"<li><b>{escape(w.title)}.</b> {escape(w.detail)}</li>"
                if w.severity == "warning"
                else f"<li>{escape(w.title)}. {escape(w.detail)}</li>"
                for w in ev.warnings
            )
            n = len(ev.broken)
            head = (
                f"{n} rule{'s' if n != 1 else ''} of the requirement set "
                f"{'are' if n != 1 else 'is'} broken in this period"
                if n
                else "Notes on counting"
            )
            self.warnings.setText(f"<b>⚠ {head}</b><ul style='margin:2px'>{items}</ul>")
            self.warnings.show()
        else:
            self.warnings.hide()
        self._show_lock(ov)
        self.stack.set_empty(not led.entries)
        if not led.entries:
            self.empty.title_label.setText("No hours in this period")
        self._on_table_row_changed()

    def _period_text(self, ov: Overview) -> str:
        s, e = ov.ledger.start, ov.ledger.end
        if not _bounded(s) and not _bounded(e):
            return "all time"
        a = s.isoformat() if s and _bounded(s) else "the beginning"
        b = e.isoformat() if e and _bounded(e) else "today"
        return f"{a} to {b}"

    def current_period(self) -> tuple[date, date] | None:
        """The displayed period when both ends are real dates (lockable, exportable)."""
        if self.overview is None:
            return None
        s, e = self.overview.ledger.start, self.overview.ledger.end
        if s is None or not _bounded(s):
            return None
        if e is None or not _bounded(e):
            e = self._today()
        return s, e

    def active_locks(self) -> list[LockInfo]:
        if self.overview is None:
            return []
        per = self.current_period()
        locks = [lk for lk in self.overview.locks if lk.active]
        if per is None:
            return locks
        return [lk for lk in locks if lk.start_date <= per[1] and lk.end_date >= per[0]]

    def _show_lock(self, ov: Overview) -> None:
        locks = self.active_locks()
        if not locks:
            self.lock_label.setText("Not locked")
            self.lock_label.setStyleSheet("")
        else:
            lk = locks[0]
            state = "entries unchanged" if lk.intact else "⚠ entries changed since signing"
            more = f" (+{len(locks) - 1} more)" if len(locks) > 1 else ""
            self.lock_label.setText(
                f"🔒 Locked {lk.start_date.isoformat()} to {lk.end_date.isoformat()}, signed "
                f"{lk.locked_at.date().isoformat()} · {state}{more}"
            )
            self.lock_label.setStyleSheet("" if lk.intact else "color: #d9534f;")
        self.unlock_button.setEnabled(bool(locks))
        self.lock_button.setEnabled(self.current_period() is not None)

    # --- actions ------------------------------------------------------------------------
    def open_entry_dialog(self, entry: LedgerEntry | None = None) -> ManualEntryDialog | None:
        mid = self.member_id()
        if mid is None:
            return None
        dlg = ManualEntryDialog(self.ctx.db, mid, entry, self._today(), self)
        dlg.entry_saved.connect(self._on_dialog_entry_saved)
        dlg.open()
        return dlg

    def open_attendance(self, entry: LedgerEntry) -> QWidget | None:
        if entry.series_id is None or entry.recurrence_id is None:
            return None
        from ui.attendance import AttendanceDialog

        dlg = AttendanceDialog(self.ctx, entry.series_id, entry.recurrence_id, self)
        dlg.open()
        return dlg

    def delete_selected(self, confirm: bool = True) -> bool:
        e = self._selected()
        if e is None or not e.manual:
            self.action_error.show_message(
                "Only manual entries can be deleted; correct attendance in the session instead."
            )
            return False
        if confirm and (
            QMessageBox.question(
                self,
                "Delete entry",
                f"Delete the {e.category.label.lower()} entry of {e.on_date.isoformat()} "
                f"({fmt_minutes(e.minutes)})?",
            )
            != QMessageBox.StandardButton.Yes
        ):
            return False
        try:
            hours.delete_entry(self.ctx.db, e.entry_id or 0, e.version)
        except ConsultoryError as exc:
            self.action_error.show_message(str(exc))
            return False
        self.action_error.show_message("")
        self.ctx.notify_changed("hours")
        return True

    def export_csv(self, path: Path) -> int:
        assert self.overview is not None
        from app.services import security

        security.record_event(self.ctx.db, "export", "member", self.member_id())
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            return write_csv(self.overview.ledger.entries, fh)

    def export_pdf(self, path: Path) -> int:
        from ui.hours_report import write_pdf

        per = self.current_period()
        mid = self.member_id()
        assert per is not None and mid is not None and self.overview is not None
        rep = hours.report(self.ctx.db, mid, per[0], per[1], set_id=self.overview.set_id)
        return write_pdf(rep, path)

    def lock_current(self, confirm: bool = True) -> LockInfo | None:
        per, mid = self.current_period(), self.member_id()
        if per is None or mid is None:
            self.action_error.show_message("Choose a period with a start and an end to lock.")
            return None
        if confirm and (
            QMessageBox.question(
                self,
                "Lock signed period",
                f"Lock the hours from {per[0].isoformat()} to {per[1].isoformat()}? Their "
                "fingerprint is stored, and changes inside the period are refused until it is "
                "unlocked with a reason.",
            )
            != QMessageBox.StandardButton.Yes
        ):
            return None
        try:
            lock = hours.lock_period(self.ctx.db, mid, per[0], per[1])
        except ConsultoryError as exc:
            self.action_error.show_message(str(exc))
            return None
        self.action_error.show_message("")
        self.ctx.notify_changed("hours")
        return lock

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_filter_bar()

    def _fit_filter_bar(self) -> None:
        spacing = max(self._filter_bar.spacing(), 6)
        need = sum(
            lab.sizeHint().width() + w.sizeHint().width() + 2 * spacing
            for lab, w in self._filter_pairs
        )
        margins = self.layout().contentsMargins()
        wrap = need > self.width() - margins.left() - margins.right()
        lab, w = self._filter_pairs[-1]
        target = self._set_bar if wrap else self._filter_bar
        if self._set_bar.indexOf(w) >= 0 if wrap else self._filter_bar.indexOf(w) >= 0:
            return
        for x in (lab, w):
            (self._filter_bar if wrap else self._set_bar).removeWidget(x)
        pos = 0 if wrap else self._filter_bar.count() - 1  # before the trailing stretch
        target.insertWidget(pos, lab)
        target.insertWidget(pos + 1, w)

    # --- slots --------------------------------------------------------------------------
    def _on_add_clicked(self) -> None:
        self.open_entry_dialog()

    def _on_edit_clicked(self) -> None:
        e = self._selected()
        if e is None:
            return
        if e.manual:
            self.open_entry_dialog(e)
        else:
            self.open_attendance(e)

    def _on_table_activated(self, _index: Index) -> None:
        self._on_edit_clicked()

    def _on_delete_clicked(self) -> None:
        self.delete_selected()

    def _on_table_row_changed(self, *_args: object) -> None:
        e = self._selected()
        self.edit_button.setEnabled(e is not None)
        self.delete_button.setEnabled(e is not None and e.manual)

    def _on_dialog_entry_saved(self, entry: object) -> None:
        self.entry_saved.emit(entry)
        self.ctx.notify_changed("hours")

    def _on_csv_clicked(self) -> None:
        if self.overview is None:
            return
        name = f"hours-{self._file_stub()}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export hours as CSV", name, "CSV (*.csv)")
        if path:
            try:
                n = self.export_csv(Path(path))
            except OSError as exc:
                self.action_error.show_message(f"Could not write {path}: {exc.strerror}.")
                return
            self.action_error.show_message("")
            self.totals.setToolTip(f"Exported {n} entries to {path}")

    def _on_pdf_clicked(self) -> None:
        if self.current_period() is None:
            self.action_error.show_message("Choose a period with a start to export a PDF.")
            return
        name = f"hours-{self._file_stub()}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Export sign-off PDF", name, "PDF (*.pdf)")
        if path:
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
            try:
                self.export_pdf(Path(path))
            except (OSError, ConsultoryError) as exc:
                self.action_error.show_message(f"Could not write the PDF: {exc}")
                return
            self.action_error.show_message("")

    def _file_stub(self) -> str:
        per = self.current_period()
        who = req.slugify(self.member_combo.currentText().replace(" (me)", ""))
        return f"{who}-{per[0]}-{per[1]}" if per else who

    def _on_lock_clicked(self) -> None:
        self.lock_current()

    def _on_unlock_clicked(self) -> None:
        locks = self.active_locks()
        if not locks:
            return
        dlg = UnlockDialog(self.ctx.db, locks[0], self)
        dlg.accepted.connect(self._on_unlock_dialog_accepted)
        dlg.open()

    def _on_unlock_dialog_accepted(self) -> None:
        self.ctx.notify_changed("hours")

    def _on_member_combo_activated(self, _i: int) -> None:
        self.refresh()

    def _on_period_combo_activated(self, _i: int) -> None:
        custom = self.period_combo.currentData() == "custom"
        self.from_edit.setEnabled(True)
        self.to_edit.setEnabled(True)
        if not custom:
            self.refresh()

    def _on_date_edit_changed(self, _d: object) -> None:
        if self._loading:
            return
        i = self.period_combo.findData("custom")
        if self.period_combo.currentIndex() != i:
            self.period_combo.setCurrentIndex(i)
        self.refresh()

    def _on_set_combo_activated(self, _i: int) -> None:
        mid, sid = self.member_id(), self.set_combo.currentData()
        if mid is None or sid is None:
            return
        try:
            hours.set_member_set(self.ctx.db, mid, str(sid))
        except ConsultoryError as exc:
            self.filter_error.show_message(str(exc))
            return
        self.ctx.notify_changed("hours")

    def _on_ctx_me_changed(self, member_id: object) -> None:
        self._fill_members()
        i = self.member_combo.findData(member_id)
        if i >= 0:
            self.member_combo.setCurrentIndex(i)
