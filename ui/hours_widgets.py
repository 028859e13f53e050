"""Widgets of the Hours screen: the monthly chart (drawn with QPainter: QtCharts is not
part of PySide6-Essentials), target progress, and the manual-entry and unlock dialogs."""

from __future__ import annotations

import math
from datetime import date

from PySide6.QtCore import QDate, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, ValidationError
from app.hours.categories import CATEGORY_COLORS, MANUAL_CATEGORIES, ORDER, Category
from app.hours.checks import TargetProgress
from app.hours.ledger import LedgerEntry, fmt_hours, fmt_minutes
from app.services import hours
from app.services.hours import REASON_MIN, LockInfo
from app.store.database import Database
from ui.widgets import FieldError


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


# --- chart --------------------------------------------------------------------------------


class MonthlyChart(QWidget):
    """Stacked bars: hours per category per month, with a legend of exact totals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hoursChart")
        # small enough that the progress figures beside it fit in a 1024-wide window
        self.setMinimumSize(QSize(280, 220))
        self.setMouseTracking(True)
        self.months: list[tuple[date, dict[Category, int]]] = []
        self.totals: dict[Category, int] = {}
        self.setAccessibleName("Hours per category per month")

    def set_data(
        self, months: dict[date, dict[Category, int]], totals: dict[Category, int]
    ) -> None:
        self.months = sorted(months.items())
        self.totals = dict(totals)
        parts = [f"{c.label} {fmt_minutes(m)}" for c, m in self.totals.items()]
        self.setAccessibleDescription(
            f"{len(self.months)} months. " + ("; ".join(parts) if parts else "No hours.")
        )
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(560, 260)

    def _max_hours(self) -> float:
        top = max((sum(m.values()) for _, m in self.months), default=0) / 60
        if top <= 0:
            return 1.0
        step = _nice_step(top / 4)
        return step * math.ceil(top / step)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        grid = QColor(muted)
        grid.setAlpha(60)
        fm = QFontMetrics(self.font())
        small = self._small_font()
        sfm = QFontMetrics(small)

        # legend (exact totals) on top
        legend_h = self._paint_legend(p, text)
        if not self.months:
            p.setPen(muted)
            p.drawText(
                self.rect().adjusted(0, legend_h, 0, 0),
                int(Qt.AlignmentFlag.AlignCenter),
                "No hours in this period",
            )
            return
        top_h = self._max_hours()
        left = fm.horizontalAdvance("0000 h") + 8
        plot = self.plot_rect()
        if plot.height() < 20 or plot.width() < 20:
            return
        # grid and y labels
        step = _nice_step(top_h / 4)
        p.setFont(small)
        y_val = 0.0
        while y_val <= top_h + 1e-9:
            y = plot.bottom() - plot.height() * y_val / top_h
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(muted)
            p.drawText(
                QRectF(0, y - 8, left - 6, 16),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"{fmt_hours(y_val)} h",
            )
            y_val += step
        # bars
        n = len(self.months)
        slot = plot.width() / n
        bar_w = max(1.0, min(36.0, slot * 0.72))
        label_every = _label_every(n, slot, sfm.horizontalAdvance("Mmm 00") + 6)
        for i, (month, cats) in enumerate(self.months):
            x = plot.left() + i * slot + (slot - bar_w) / 2
            y = plot.bottom()
            for cat in ORDER:
                mins = cats.get(cat, 0)
                if not mins:
                    continue
                h = plot.height() * (mins / 60) / top_h
                p.fillRect(QRectF(x, y - h, bar_w, h), QColor(CATEGORY_COLORS[cat]))
                y -= h
            if i % label_every == 0:
                label = month.strftime("%b %y") if n <= 24 else month.strftime("%Y")
                # long ranges: a year label on each January (and on the first bar when the
                # next January is far enough away not to collide)
                if n > 24 and month.month != 1 and (i != 0 or month.month > 9):
                    continue
                p.setPen(muted)
                p.drawText(
                    QRectF(x + bar_w / 2 - 40, plot.bottom() + 2, 80, 18),
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                    label,
                )
        p.setPen(QPen(muted, 1))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

    def _small_font(self) -> QFont:
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        return small

    def _legend(self) -> tuple[list[tuple[QRectF, Category, str]], int]:
        """Legend items (text rect, category, text) and the legend's height."""
        fm = QFontMetrics(self._small_font())
        x, y, line_h = 4.0, 2.0, fm.height() + 4
        items = []
        for cat, mins in self.totals.items():
            label = f"{cat.label} {fmt_minutes(mins)}"
            w = fm.horizontalAdvance(label) + 22
            if x + w > self.width() and x > 4:
                x, y = 4.0, y + line_h
            items.append((QRectF(x, y, w, line_h), cat, label))
            x += w + 8
        return items, (int(y + line_h) if self.totals else 0)

    def plot_rect(self) -> QRectF:
        _items, legend_h = self._legend()
        left = QFontMetrics(self.font()).horizontalAdvance("0000 h") + 8
        return QRectF(left, legend_h + 8, self.width() - left - 8, self.height() - legend_h - 30)

    def _paint_legend(self, p: QPainter, text: QColor) -> int:
        p.setFont(self._small_font())
        items, height = self._legend()
        for rect, cat, label in items:
            p.fillRect(QRectF(rect.x(), rect.y() + 3, 10, 10), QColor(CATEGORY_COLORS[cat]))
            p.setPen(text)
            p.drawText(rect.adjusted(14, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter), label)
        return height

    def tooltip_at(self, x: float, y: float) -> str:
        """The breakdown of the month under (x, y), or ""."""
        plot = self.plot_rect()
        if not self.months or not plot.contains(QPointF(x, y)):
            return ""
        i = int((x - plot.left()) / (plot.width() / len(self.months)))
        if not 0 <= i < len(self.months):
            return ""
        month, cats = self.months[i]
        lines = [month.strftime("%B %Y")]
        lines += [
            f"{c.label}: {fmt_minutes(m)}"
            for c, m in sorted(cats.items(), key=lambda kv: ORDER.index(kv[0]))
        ]
        lines.append(f"Total: {fmt_minutes(sum(cats.values()))}")
        return "\n".join(lines)

    def event(self, e: object) -> bool:
        if isinstance(e, QHelpEvent):
            tip = self.tooltip_at(e.pos().x(), e.pos().y())
            if tip:
                QToolTip.showText(e.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)  # type: ignore[arg-type]


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _label_every(n: int, slot: float, label_w: float) -> int:
    if n <= 24:
        return max(1, math.ceil(label_w / max(slot, 1)))
    return 1  # yearly labels (January bars only)


# --- progress -----------------------------------------------------------------------------


class TargetsPanel(QWidget):
    """One progress bar per target of the requirement set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("targetsPanel")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(6)
        self.bars: dict[str, QProgressBar] = {}
        self.labels: dict[str, QLabel] = {}

    def set_targets(self, targets: tuple[TargetProgress, ...]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.bars.clear()
        self.labels.clear()
        if not targets:
            empty = QLabel("This requirement set has no targets.", self)
            self.grid.addWidget(empty, 0, 0)
            return
        for i, t in enumerate(targets):
            name = QLabel(t.label, self)
            bar = QProgressBar(self)
            bar.setObjectName(f"target_{t.key}")
            bar.setRange(0, 1000)
            bar.setValue(round(t.fraction * 1000))
            bar.setTextVisible(False)
            bar.setFixedHeight(10)
            bar.setAccessibleName(f"{t.label} progress")
            if t.kind == "min":
                text = f"{fmt_hours(t.counted_hours)} of {fmt_hours(t.target_hours)} h" + (
                    " ✓" if t.met else f" · {fmt_hours(t.remaining_hours)} to go"
                )
                color = "#16a34a" if t.met else "#3b82f6"
            else:
                text = f"{fmt_hours(t.counted_hours)} of at most {fmt_hours(t.target_hours)} h"
                color = "#9ca3af"
            bar.setStyleSheet(
                f"QProgressBar {{ border: 0; border-radius: 4px; background: palette(midlight); }}"
                f"QProgressBar::chunk {{ border-radius: 4px; background: {color}; }}"
            )
            value = QLabel(text, self)
            value.setObjectName(f"targetText_{t.key}")
            bar.setToolTip(f"{t.label}: {text}; logged {fmt_minutes(t.logged_minutes)}")
            self.grid.addWidget(name, i, 0)
            self.grid.addWidget(bar, i, 1)
            self.grid.addWidget(value, i, 2)
            self.bars[t.key] = bar
            self.labels[t.key] = value
        self.grid.setColumnStretch(1, 1)


# --- dialogs ------------------------------------------------------------------------------


class ManualEntryDialog(QDialog):
    """Add or edit a manual hour entry (direct contact, indirect work, other supervision)."""

    entry_saved = Signal(object)  # LedgerEntry

    def __init__(
        self,
        db: Database,
        member_id: int,
        entry: LedgerEntry | None = None,
        default_date: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("manualEntryDialog")
        self.setWindowTitle("Edit hour entry" if entry else "Add hour entry")
        self.db = db
        self.member_id = member_id
        self.entry = entry
        form = QFormLayout(self)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(qdate(entry.on_date if entry else (default_date or date.today())))
        form.addRow("&Date", self.date_edit)
        self.category = QComboBox(self)
        self.category.setObjectName("entryCategory")
        for c in MANUAL_CATEGORIES:
            self.category.addItem(c.label, c.value)
        if entry:
            self.category.setCurrentIndex(self.category.findData(entry.category.value))
        form.addRow("&Category", self.category)
        self.hours_spin = QSpinBox(self)
        self.hours_spin.setRange(0, 168)
        self.hours_spin.setSuffix(" h")
        self.minutes_spin = QSpinBox(self)
        self.minutes_spin.setRange(0, 59)
        self.minutes_spin.setSuffix(" min")
        if entry:
            self.hours_spin.setValue(entry.minutes // 60)
            self.minutes_spin.setValue(entry.minutes % 60)
        else:
            self.hours_spin.setValue(1)
        row = QWidget(self)
        rl = QGridLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.hours_spin, 0, 0)
        rl.addWidget(self.minutes_spin, 0, 1)
        form.addRow("D&uration", row)  # how long, not the time of day
        self.note = QLineEdit(self)
        self.note.setObjectName("entryNote")
        self.note.setMaxLength(hours.NOTE_MAX)
        self.note.setPlaceholderText("What it was, without client names (e.g. “Intakes, week 12”)")
        # wide enough to show the whole hint: "without client names" was cut off
        self.note.setMinimumWidth(
            self.note.fontMetrics().horizontalAdvance(self.note.placeholderText()) + 24
        )
        if entry:
            self.note.setText(entry.description)
        form.addRow("&Note", self.note)
        self.error = FieldError(self)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._initial = self._values()
        self._phi_accepted = entry.description if entry else ""

    def _values(self) -> tuple[date, str, int, str]:
        return (
            pydate(self.date_edit.date()),
            str(self.category.currentData()),
            self.hours_spin.value() * 60 + self.minutes_spin.value(),
            self.note.text(),
        )

    def is_dirty(self) -> bool:
        return self._values() != self._initial

    def phi_warning(self, note: str) -> str:
        """An inline warning when the note looks like it identifies someone, else ""."""
        from app.deid import find_phi

        kinds = sorted({f.category.lower() for f in find_phi(note)})
        if not kinds:
            return ""
        return (
            f"The note may identify a client ({', '.join(kinds)}). Hour-log notes go on "
            "printed reports: rephrase it, or press Save again to keep it as it is."
        )

    def save(self) -> bool:
        day, cat, minutes, note = self._values()
        if note.strip() and note != self._phi_accepted:
            warning = self.phi_warning(note)
            if warning:
                self._phi_accepted = note  # a second Save keeps it
                self.error.show_message(warning)
                self.note.setFocus()
                return False
        try:
            if self.entry is None:
                saved = hours.add_entry(self.db, self.member_id, day, minutes, cat, note)
            else:
                saved = hours.update_entry(
                    self.db,
                    self.entry.entry_id or 0,
                    expected_version=self.entry.version,
                    on_date=day,
                    minutes=minutes,
                    category=cat,
                    note=note,
                )
        except ValidationError as exc:
            self.error.show_message(exc.message)
            {"minutes": self.hours_spin, "note": self.note, "category": self.category}.get(
                exc.field, self.date_edit
            ).setFocus()
            return False
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return False
        self._initial = self._values()
        self.entry_saved.emit(saved)
        return True

    def _on_buttons_accepted(self) -> None:
        if self.save():
            self.accept()

    def confirm_discard(self) -> bool:
        return (
            QMessageBox.question(
                self,
                "Discard this entry?",
                "You typed an hour entry that is not saved. Discard it?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            == QMessageBox.StandardButton.Discard
        )

    def reject(self) -> None:
        if self.is_dirty() and not self.confirm_discard():
            return
        super().reject()


class UnlockDialog(QDialog):
    """Reopen a signed period: a reason is required (it is kept with the lock)."""

    def __init__(self, db: Database, lock: LockInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockDialog")
        self.setWindowTitle("Unlock signed period")
        self.db = db
        self.lock = lock
        lay = QVBoxLayout(self)
        intro = QLabel(
            f"The hours from {lock.start_date.isoformat()} to {lock.end_date.isoformat()} were "
            "signed and locked. Unlocking lets you change them; the reason is kept with the "
            "period and the unlock is recorded in the audit log.",
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        lay.addWidget(QLabel("&Reason for reopening:", self))
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("unlockReason")
        # says why Unlock stays greyed out while the reason is too short
        self.reason.setPlaceholderText(
            f"At least {REASON_MIN} characters, e.g. “Board asked for a corrected entry”"
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(70)
        lay.addWidget(self.reason)
        self.error = FieldError(self)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.unlock_button = self.buttons.addButton(
            "&Unlock", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.unlock_button.setEnabled(False)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.reason.textChanged.connect(self._on_reason_text_changed)
        label = lay.itemAt(1).widget()
        if isinstance(label, QLabel):
            label.setBuddy(self.reason)

    def _on_reason_text_changed(self) -> None:
        ok = len(" ".join(self.reason.toPlainText().split())) >= REASON_MIN
        self.unlock_button.setEnabled(ok)
        if ok:
            self.error.show_message("")

    def unlock(self) -> bool:
        try:
            hours.unlock_period(self.db, self.lock.id, self.reason.toPlainText())
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return False
        return True

    def _on_buttons_accepted(self) -> None:
        if self.unlock():
            self.accept()
