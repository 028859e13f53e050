"""Calendar dialogs: the series dialog (new series, or edit/move a session), the
"this / following / all" question, and the rotation dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, ValidationError
from app.scheduling.expand import parse_rule
from app.scheduling.recurrence import (
    ORDINALS,
    WEEKDAY_NAMES,
    Recurrence,
    RepeatKind,
    build_rule,
    describe,
    nth_of_month,
    parse_recurrence,
)
from app.services import schedule
from app.services.practice import GroupInfo
from app.services.schedule import CalendarItem, DutyCounts, EditScope, SeriesDetail
from app.store.database import Database
from app.store.models import DutyRole
from ui.models import Column, RecordTableModel
from ui.widgets import FieldError

REPEAT_CHOICES = (
    (RepeatKind.NONE, "Does not repeat"),
    (RepeatKind.DAILY, "Daily"),
    (RepeatKind.WEEKLY, "Weekly"),
    (RepeatKind.MONTHLY_DATE, "Monthly on the same date"),
    (RepeatKind.MONTHLY_WEEKDAY, "Monthly on the same weekday"),
)


@dataclass(frozen=True)
class SeriesForm:
    group_id: int
    title: str
    start_local: datetime
    duration_minutes: int
    timezone: str
    rrule: str
    location: str
    video_url: str
    agenda: str


def ask_scope(parent: QWidget, verb: str = "Change") -> EditScope | None:
    """ "Change only this session, this and the following ones, or all of them?" """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(f"{verb} a repeating session")
    box.setText(
        f"{verb} only this session, this and the following sessions, or all sessions of the series?"
    )
    box.setInformativeText("Sessions that already took place keep their time.")
    this = box.addButton("Only &this session", QMessageBox.ButtonRole.AcceptRole)
    following = box.addButton("This and &following", QMessageBox.ButtonRole.AcceptRole)
    every = box.addButton("&All sessions", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(this)
    box.exec()
    clicked = box.clickedButton()
    if clicked is this:
        return EditScope.THIS
    if clicked is following:
        return EditScope.FOLLOWING
    if clicked is every:
        return EditScope.ALL
    return None


class SeriesDialog(QDialog):
    """New series, or edit one session (and, by the scope question, its series).

    Validation messages appear under the field they concern; nothing typed is lost: a
    failed save keeps the dialog open, and closing with changes asks first.
    """

    saved = Signal(object)  # ChangeResult

    def __init__(
        self,
        db: Database,
        groups: list[GroupInfo],
        default_zone: str,
        parent: QWidget | None = None,
        *,
        detail: SeriesDetail | None = None,
        item: CalendarItem | None = None,
        start: datetime | None = None,
        scope_chooser: Callable[[QWidget], EditScope | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("seriesDialog")
        self.db = db
        self.viewer_zone = default_zone
        self.detail = detail
        self.item = item
        self._scope_chooser = scope_chooser or ask_scope
        self.setWindowTitle("Edit session" if item else "New session series")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        lay.addLayout(form)

        self.group = QComboBox(self)
        self.group.setObjectName("group")
        for g in groups:
            self.group.addItem(g.name, g.id)
        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("title")
        self.title_edit.setPlaceholderText("e.g. Trauma peer consultation")
        self.title_error = FieldError(self)
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.time_edit = QTimeEdit(self)
        self.time_edit.setObjectName("time")
        self.time_edit.setDisplayFormat("HH:mm")
        self.duration = QSpinBox(self)
        self.duration.setObjectName("duration")
        self.duration.setRange(5, 720)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.time_error = FieldError(self)
        self.zone = QComboBox(self)
        self.zone.setObjectName("zone")
        self.zone.setEditable(True)
        zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc"))
        self.zone.addItems(zones)
        comp = QCompleter(zones, self.zone)
        comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setCompleter(comp)
        self.zone_error = FieldError(self)

        self.repeat = QComboBox(self)
        self.repeat.setObjectName("repeat")
        for kind, label in REPEAT_CHOICES:
            self.repeat.addItem(label, kind)
        self.interval = QSpinBox(self)
        self.interval.setObjectName("interval")
        self.interval.setRange(1, 52)
        self.interval.setPrefix("every ")
        self.days_box = QWidget(self)
        days_lay = QHBoxLayout(self.days_box)
        days_lay.setContentsMargins(0, 0, 0, 0)
        self.day_buttons: list[QToolButton] = []
        self._days_group = QButtonGroup(self)
        self._days_group.setExclusive(False)
        for i, name in enumerate(WEEKDAY_NAMES):
            b = QToolButton(self.days_box)
            b.setText(name[:2])
            b.setCheckable(True)
            b.setAccessibleName(name)
            b.setToolTip(name)
            days_lay.addWidget(b)
            self._days_group.addButton(b, i)
            self.day_buttons.append(b)
        days_lay.addStretch(1)
        self.nth = QComboBox(self)
        self.nth.setObjectName("nth")
        self.ends = QComboBox(self)
        self.ends.setObjectName("ends")
        self.ends.addItem("Never", "never")
        self.ends.addItem("On a date", "until")
        self.ends.addItem("After a number of sessions", "count")
        self.until = QDateEdit(self)
        self.until.setObjectName("until")
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("ddd d MMM yyyy")
        self.count = QSpinBox(self)
        self.count.setObjectName("count")
        self.count.setRange(1, 5000)
        self.count.setValue(10)
        self.rule_error = FieldError(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("ruleSummary")
        self.summary.setWordWrap(True)
        self.custom_rule = ""

        self.location = QLineEdit(self)
        self.location.setObjectName("location")
        self.location.setPlaceholderText("Room, address or leave empty")
        self.video = QLineEdit(self)
        self.video.setObjectName("video")
        self.video.setPlaceholderText("https://…")
        self.video_error = FieldError(self)
        self.agenda = QPlainTextEdit(self)
        self.agenda.setObjectName("agenda")
        self.agenda.setPlaceholderText("Optional. Stays in Consultory: never exported.")
        self.agenda.setMaximumHeight(80)

        when = QHBoxLayout()
        when.addWidget(self.date_edit)
        when.addWidget(self.time_edit)
        when.addWidget(QLabel("for", self))
        when.addWidget(self.duration)
        rep = QHBoxLayout()
        rep.addWidget(self.repeat, 1)
        rep.addWidget(self.interval)
        rep.addWidget(self.nth)
        ends = QHBoxLayout()
        ends.addWidget(self.ends, 1)
        ends.addWidget(self.until)
        ends.addWidget(self.count)
        form.addRow("&Group", self.group)
        form.addRow("&Title", self.title_edit)
        form.addRow("", self.title_error)
        form.addRow(self._buddy("&When", self.date_edit), when)
        form.addRow("", self.time_error)
        form.addRow("Time &zone", self.zone)
        form.addRow("", self.zone_error)
        form.addRow(self._buddy("&Repeat", self.repeat), rep)
        form.addRow("On", self.days_box)
        form.addRow(self._buddy("&Ends", self.ends), ends)
        form.addRow("", self.rule_error)
        form.addRow("", self.summary)
        form.addRow("&Location", self.location)
        form.addRow("&Video link", self.video)
        form.addRow("", self.video_error)
        form.addRow("&Agenda", self.agenda)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        lay.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        self._fill(groups, default_zone, start)
        for w in (self.repeat, self.ends, self.nth):
            w.currentIndexChanged.connect(self._on_form_changed)
        for s in (self.interval, self.count, self.duration):
            s.valueChanged.connect(self._on_form_changed)
        self.date_edit.dateChanged.connect(self._on_form_changed)
        self.time_edit.timeChanged.connect(self._on_form_changed)
        self.until.dateChanged.connect(self._on_form_changed)
        self.zone.currentTextChanged.connect(self._on_form_changed)
        self._days_group.idToggled.connect(self._on_form_changed)
        # the rule changes only when the user touches the repeat controls (moving a
        # "2nd Tuesday" session to a Wednesday must not turn the rule into "2nd Wednesday")
        self.rule_touched = False
        for w in (self.repeat, self.ends, self.nth):
            w.activated.connect(self._on_rule_control_used)
        for sb in (self.interval, self.count):
            sb.valueChanged.connect(self._on_rule_control_used)
        self.until.dateChanged.connect(self._on_rule_control_used)
        self._days_group.idClicked.connect(self._on_rule_control_used)
        self._on_form_changed()
        self._initial = self._snapshot()
        self.title_edit.setFocus()

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    # --- filling ---------------------------------------------------------------------------
    def _fill(self, groups: list[GroupInfo], default_zone: str, start: datetime | None) -> None:
        if self.detail is not None and self.item is not None:
            s = self.detail.series
            self.group.setCurrentIndex(max(0, self.group.findData(s.group_id)))
            self.group.setEnabled(False)
            self.title_edit.setText(self.item.title)
            tz = ZoneInfo(s.timezone)
            local = self.item.start_utc.astimezone(tz).replace(tzinfo=None)
            self._set_when(local)
            self.duration.setValue(
                max(5, int((self.item.end_utc - self.item.start_utc).total_seconds() // 60))
            )
            self.zone.setCurrentText(s.timezone)
            rec = parse_recurrence(s.rrule, s.start_local)
            self._set_recurrence(rec, local)
            self.location.setText(self.item.location)
            self.video.setText(self.item.video_url)
            self.agenda.setPlainText(self.item.agenda)
            return
        first = start or datetime.combine(date.today() + timedelta(days=1), time(12, 0))
        self._set_when(first)
        self.duration.setValue(90)
        self.zone.setCurrentText(default_zone)
        self.repeat.setCurrentIndex(self.repeat.findData(RepeatKind.WEEKLY))
        self.day_buttons[first.weekday()].setChecked(True)
        self.until.setDate(QDate(first.year + 1, first.month, min(first.day, 28)))

    def _set_when(self, d: datetime) -> None:
        self.date_edit.setDate(QDate(d.year, d.month, d.day))
        self.time_edit.setTime(QTime(d.hour, d.minute))

    def _set_recurrence(self, rec: Recurrence, start: datetime) -> None:
        if rec.kind is RepeatKind.CUSTOM:
            self.custom_rule = rec.custom_rule
            self.repeat.addItem("Custom rule (from an import)", RepeatKind.CUSTOM)
        self.repeat.setCurrentIndex(self.repeat.findData(rec.kind))
        self.interval.setValue(rec.interval)
        for i, b in enumerate(self.day_buttons):
            b.setChecked(i in rec.weekdays)
        if rec.until is not None:
            self.ends.setCurrentIndex(1)
            self.until.setDate(QDate(rec.until.year, rec.until.month, rec.until.day))
        elif rec.count is not None:
            self.ends.setCurrentIndex(2)
            self.count.setValue(rec.count)
        else:
            self.until.setDate(QDate(start.year + 1, start.month, min(start.day, 28)))
        self._want_nth = rec.nth

    # --- reading ---------------------------------------------------------------------------
    def start_local(self) -> datetime:
        d = self.date_edit.date()
        t = self.time_edit.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def recurrence(self) -> Recurrence:
        kind = RepeatKind(self.repeat.currentData())
        if kind is RepeatKind.CUSTOM:
            return Recurrence(kind=kind, custom_rule=self.custom_rule)
        ends = self.ends.currentData()
        u = self.until.date()
        return Recurrence(
            kind=kind,
            interval=self.interval.value(),
            weekdays=tuple(i for i, b in enumerate(self.day_buttons) if b.isChecked()),
            nth=int(self.nth.currentData() or 0),
            until=date(u.year(), u.month(), u.day()) if ends == "until" else None,
            count=self.count.value() if ends == "count" else None,
        )

    def form(self) -> SeriesForm:
        start = self.start_local()
        return SeriesForm(
            group_id=int(self.group.currentData() or 0),
            title=self.title_edit.text(),
            start_local=start,
            duration_minutes=self.duration.value(),
            timezone=self.zone.currentText().strip(),
            rrule=build_rule(self.recurrence(), start),
            location=self.location.text(),
            video_url=self.video.text(),
            agenda=self.agenda.toPlainText(),
        )

    def _snapshot(self) -> tuple[object, ...]:
        try:
            rule = build_rule(self.recurrence(), self.start_local())
        except ValidationError:
            rule = "?"
        return (
            self.group.currentData(),
            self.title_edit.text(),
            self.start_local(),
            self.duration.value(),
            self.zone.currentText(),
            rule,
            self.location.text(),
            self.video.text(),
            self.agenda.toPlainText(),
        )

    def has_unsaved_changes(self) -> bool:
        return self._snapshot() != self._initial

    def _on_rule_control_used(self, *_args: object) -> None:
        self.rule_touched = True

    # --- live feedback ---------------------------------------------------------------------
    def _on_form_changed(self, *_args: object) -> None:
        kind = RepeatKind(self.repeat.currentData())
        start = self.start_local()
        repeating = kind is not RepeatKind.NONE
        self.interval.setVisible(
            kind
            in (
                RepeatKind.DAILY,
                RepeatKind.WEEKLY,
                RepeatKind.MONTHLY_DATE,
                RepeatKind.MONTHLY_WEEKDAY,
            )
        )
        unit = {RepeatKind.DAILY: "day(s)", RepeatKind.WEEKLY: "week(s)"}.get(kind, "month(s)")
        self.interval.setSuffix(f" {unit}")
        self.days_box.setEnabled(kind is RepeatKind.WEEKLY)
        self.nth.setVisible(kind is RepeatKind.MONTHLY_WEEKDAY)
        wd = WEEKDAY_NAMES[start.weekday()]
        natural = nth_of_month(start.date())
        options = {(start.day - 1) // 7 + 1, natural}
        want = getattr(self, "_want_nth", 0) or int(self.nth.currentData() or natural)
        self.nth.blockSignals(True)
        self.nth.clear()
        for n in sorted(options, key=lambda n: 9 if n < 0 else n):
            self.nth.addItem(f"on the {ORDINALS[n]} {wd}", n)
        idx = self.nth.findData(want)
        self.nth.setCurrentIndex(idx if idx >= 0 else 0)
        self.nth.blockSignals(False)
        self._want_nth = 0
        self.ends.setEnabled(repeating)
        self.until.setVisible(repeating and self.ends.currentData() == "until")
        self.count.setVisible(repeating and self.ends.currentData() == "count")
        self.rule_error.show_message("")
        try:
            rule = build_rule(self.recurrence(), start)
        except ValidationError as exc:
            self.rule_error.show_message(exc.message)
            self.summary.setText("")
            return
        text = describe(rule, start)
        nxt = self._next_sessions(rule, start)
        self.summary.setText(f"{text}. " + (f"First sessions: {nxt}" if nxt else ""))

    def _next_sessions(self, rule: str, start: datetime) -> str:
        """The first three sessions, and the first in my zone when the series has another."""
        tz = self.zone.currentText().strip()
        try:
            zone = ZoneInfo(tz)
        except Exception:  # noqa: BLE001 - an unknown zone is reported on save
            return ""
        if not rule:
            starts = [start]
        else:
            try:
                starts = list(parse_rule(rule, start).xafter(start, count=3, inc=True))
            except (ValueError, TypeError):
                return ""
        text = ", ".join(f"{d:%a %d %b %H:%M}" for d in starts)
        if starts and tz != self.viewer_zone:
            mine = starts[0].replace(tzinfo=zone).astimezone(ZoneInfo(self.viewer_zone))
            text += f" ({tz} time; the first is {mine:%a %H:%M} in {self.viewer_zone})"
        return text

    # --- saving ----------------------------------------------------------------------------
    def _show_error(self, exc: ConsultoryError) -> None:
        field = getattr(exc, "field", "")
        target = {
            "title": self.title_error,
            "start_local": self.time_error,
            "duration_minutes": self.time_error,
            "timezone": self.zone_error,
            "rrule": self.rule_error,
            "until": self.rule_error,
            "count": self.rule_error,
            "interval": self.rule_error,
            "video_url": self.video_error,
        }.get(field, self.time_error)
        target.show_message(str(exc))

    def _on_buttons_accepted(self) -> None:
        for e in (
            self.title_error,
            self.time_error,
            self.zone_error,
            self.rule_error,
            self.video_error,
        ):
            e.show_message("")
        try:
            f = self.form()
            result = self._save(f)
        except ConsultoryError as exc:
            self._show_error(exc)
            return
        if result is None:
            return  # the scope question was cancelled: stay open
        self.saved.emit(result)
        self._initial = self._snapshot()
        self.accept()

    def _save(self, f: SeriesForm) -> schedule.ChangeResult | None:
        db = self.db
        if self.item is None or self.detail is None:
            if not f.group_id:
                raise ValidationError("title", "Create a group first (Groups & members).")
            return schedule.create_series(
                db,
                f.group_id,
                f.title,
                f.start_local,
                f.duration_minutes,
                f.timezone,
                f.rrule,
                location=f.location,
                video_url=f.video_url,
                agenda=f.agenda,
            )
        s = self.detail.series
        item = self.item
        old_local = item.start_utc.astimezone(ZoneInfo(s.timezone)).replace(tzinfo=None)
        old_minutes = int((item.end_utc - item.start_utc).total_seconds() // 60)
        changes: dict[str, Any] = {}
        if f.start_local != old_local:
            changes["start_local"] = f.start_local
        if f.duration_minutes != old_minutes:
            changes["duration_minutes"] = f.duration_minutes
        for key, new, old in (
            ("location", f.location, item.location),
            ("video_url", f.video_url, item.video_url),
            ("agenda", f.agenda, item.agenda),
            ("title", " ".join(f.title.split()), item.title),
        ):
            if new != old:
                changes[key] = new
        series_level: dict[str, Any] = {}
        if self.rule_touched and f.rrule != s.rrule:
            series_level["rrule"] = f.rrule
        if f.timezone != s.timezone:
            series_level["timezone"] = f.timezone
        if not changes and not series_level:
            return schedule.ChangeResult(s.id, item.recurrence_id)
        scope = EditScope.ALL if not s.rrule else self._scope_chooser(self)
        if scope is None:
            return None
        if scope is EditScope.THIS and series_level:
            raise ValidationError(
                "rrule",
                "Repeat and time zone belong to the whole series: choose “this and "
                "following” or “all” to change them.",
            )
        if "start_local" in changes and scope is not EditScope.THIS:
            # a series-wide change shifts each session from its *original* time
            changes["start_local"] = item.recurrence_id + (f.start_local - old_local)
        return schedule.edit_occurrence(
            db, s.id, item.recurrence_id, scope, **changes, **series_level
        )

    def reject(self) -> None:
        if self.has_unsaved_changes():
            answer = QMessageBox.question(
                self,
                "Discard changes?",
                "You have typed changes that are not saved. Discard them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()


def _count(d: DutyCounts, duty: DutyRole) -> str:
    return f"{d.past[duty]} + {d.planned[duty]} planned"


COUNT_COLUMNS: list[Column[DutyCounts]] = [
    Column("member", "Member", lambda d: d.member_name + (" (on leave)" if d.on_leave_now else "")),
    Column(
        "presenter",
        "Presented",
        lambda d: _count(d, DutyRole.PRESENTER),
        sort=lambda d: d.past[DutyRole.PRESENTER] + d.planned[DutyRole.PRESENTER],
    ),
    Column(
        "facilitator",
        "Facilitated",
        lambda d: _count(d, DutyRole.FACILITATOR),
        sort=lambda d: d.past[DutyRole.FACILITATOR] + d.planned[DutyRole.FACILITATOR],
    ),
    Column(
        "note_taker",
        "Took notes",
        lambda d: _count(d, DutyRole.NOTE_TAKER),
        sort=lambda d: d.past[DutyRole.NOTE_TAKER] + d.planned[DutyRole.NOTE_TAKER],
    ),
]


class RotationDialog(QDialog):
    """Each member's turns, and "plan the next months" for the series."""

    planned = Signal()

    def __init__(
        self,
        db: Database,
        series_id: int,
        group_id: int,
        group_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rotationDialog")
        self.db = db
        self.series_id = series_id
        self.group_id = group_id
        self.setWindowTitle(f"Rotation — {group_name}")
        self.setMinimumSize(560, 380)
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Presenters, facilitators and note-takers take turns fairly: whoever has had the "
            "fewest turns goes next, skipping members on leave or who said they cannot come. "
            "Past sessions never change.",
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.model: RecordTableModel[DutyCounts] = RecordTableModel(COUNT_COLUMNS, self)
        self.view = QTableView(self)
        self.view.setObjectName("rotationCounts")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        lay.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Presenters per session:", self))
        self.presenters = QSpinBox(self)
        self.presenters.setRange(0, 5)
        self.presenters.setValue(1)
        row.addWidget(self.presenters)
        self.note_taker = QToolButton(self)
        self.note_taker.setText("Rotate note-taker too")
        self.note_taker.setCheckable(True)
        row.addWidget(self.note_taker)
        row.addStretch(1)
        self.plan_btn = QPushButton("&Plan the next six months", self)
        self.plan_btn.setObjectName("planButton")
        self.plan_btn.clicked.connect(self._on_plan_btn_clicked)
        row.addWidget(self.plan_btn)
        lay.addLayout(row)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.reload()

    def reload(self) -> None:
        self.model.set_records(schedule.duty_counts(self.db, self.group_id))
        self.view.resizeColumnsToContents()

    def _on_plan_btn_clicked(self) -> None:
        try:
            changed = schedule.plan_rotation(
                self.db,
                self.series_id,
                weeks_ahead=26,
                presenters=self.presenters.value(),
                note_taker=self.note_taker.isChecked(),
            )
        except ConsultoryError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(
            f"Assigned duties in {len(changed)} upcoming sessions."
            if changed
            else "Every upcoming session already has its duties."
        )
        self.reload()
        self.planned.emit()
