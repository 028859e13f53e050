"""Settings → Reminders: when to remind me, quiet hours, per-group choices, the cadence
goal, and the desktop side (tray, start at login, which notification channels work).

Edits are kept in the form until Save (Revert drops them); the tab reports unsaved work
through ``has_unsaved_changes`` / ``save_changes`` like a page does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, ValidationError
from app.reminders.model import MAX_BEFORE_MINUTES, MAX_PREP_DAYS, Policy
from app.reminders.planner import GENERAL
from app.services import practice
from app.services import reminders as rs
from app.store.models import Role
from ui import tray
from ui.context import AppContext
from ui.models import Column, RecordTableModel
from ui.widgets import EmptyState, FieldError

TAB_TITLE = "&Reminders"
SESSION_KINDS = ("evening_before", "before_start", "presenter_prep")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class GroupChoice:
    group_id: int
    name: str
    role: str
    remind: bool
    minutes: int | None  # None: use my general setting
    has_rows: bool


def _role_label(c: GroupChoice) -> str:
    return Role(c.role).label if c.role in {r.value for r in Role} else c.role


GROUP_COLUMNS: list[Column[GroupChoice]] = [
    Column("group", "Group", lambda c: c.name),
    Column("role", "Your role", _role_label),
    Column("remind", "Remind me", lambda c: "Yes" if c.remind else "No"),
    Column(
        "minutes",
        "Minutes before",
        lambda c: "default" if c.minutes is None else str(c.minutes),
        tooltip=lambda c: "Minutes before each session of this group (-1: your general setting)",
    ),
]


class GroupChoiceModel(RecordTableModel[GroupChoice]):
    COL_NAME, COL_ROLE, COL_REMIND, COL_MINUTES = range(4)
    GroupIdRole = Qt.ItemDataRole.UserRole + 10
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(GROUP_COLUMNS, parent)

    def set_rows(self, rows: list[GroupChoice]) -> None:
        self.set_records(rows)

    def rows(self) -> list[GroupChoice]:
        return self.records()

    def flags(self, index: Index) -> Qt.ItemFlag:
        f = super().flags(index)
        if not index.isValid():
            return f
        if index.column() == self.COL_REMIND:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.COL_MINUTES and self._rows[index.row()].remind:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        r = self.record(index.row())
        c = index.column()
        if role == Qt.ItemDataRole.EditRole and c == self.COL_MINUTES:
            return -1 if r.minutes is None else r.minutes
        if role == Qt.ItemDataRole.CheckStateRole and c == self.COL_REMIND:
            return Qt.CheckState.Checked if r.remind else Qt.CheckState.Unchecked
        if role == self.GroupIdRole:
            return r.group_id
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        r = self._rows[index.row()]
        if index.column() == self.COL_REMIND and role == Qt.ItemDataRole.CheckStateRole:
            on = (
                Qt.CheckState(value) == Qt.CheckState.Checked
                if not isinstance(value, bool)
                else value
            )
            new = replace(r, remind=bool(on))
        elif index.column() == self.COL_MINUTES and role == Qt.ItemDataRole.EditRole:
            try:
                minutes = int(value)
            except (TypeError, ValueError):
                return False
            if minutes < 0:
                new = replace(r, minutes=None)
            elif minutes <= MAX_BEFORE_MINUTES:
                new = replace(r, minutes=minutes)
            else:
                return False
        else:
            return False
        self._rows[index.row()] = new
        left = self.index(index.row(), 0)
        right = self.index(index.row(), self.columnCount() - 1)
        self.dataChanged.emit(left, right)
        self.edited.emit()
        return True


def _qtime(t: time | None, default: time) -> QTime:
    t = t or default
    return QTime(t.hour, t.minute)


def _hhmm(q: QTime) -> str:
    return f"{q.hour():02d}:{q.minute():02d}"


class SettingsTab(QWidget):
    saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("reminderSettings")
        self._loading = False
        self._dirty = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.empty = EmptyState(
            "Who are you?",
            "Reminders are for this desktop's user. Choose yourself on the Profile tab first.",
            parent=self,
        )
        outer.addWidget(self.empty)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll = scroll
        outer.addWidget(scroll, 1)
        body = QWidget(scroll)
        scroll.setWidget(body)
        lay = QVBoxLayout(body)

        when = QGroupBox("When to remind me", body)
        form = QFormLayout(when)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.evening_on = QCheckBox("The &evening before, at", when)
        self.evening_time = QTimeEdit(when)
        self.evening_time.setDisplayFormat("HH:mm")
        self.evening_time.setAccessibleName("Evening reminder time")
        form.addRow(self.evening_on, self.evening_time)
        self.before_on = QCheckBox("&Before each session, minutes before:", when)
        self.before_minutes = QSpinBox(when)
        self.before_minutes.setRange(0, MAX_BEFORE_MINUTES)
        self.before_minutes.setSuffix(" min")
        self.before_minutes.setAccessibleName("Minutes before each session")
        form.addRow(self.before_on, self.before_minutes)
        self.prep_on = QCheckBox("When it is my turn to &present, days before:", when)
        prep_box = QHBoxLayout()
        self.prep_days = QSpinBox(when)
        self.prep_days.setRange(1, MAX_PREP_DAYS)
        self.prep_days.setSuffix(" days")
        self.prep_days.setAccessibleName("Days before my presentation")
        self.prep_time = QTimeEdit(when)
        self.prep_time.setDisplayFormat("HH:mm")
        self.prep_time.setAccessibleName("Preparation reminder time")
        prep_box.addWidget(self.prep_days)
        prep_box.addWidget(QLabel("at", when))
        prep_box.addWidget(self.prep_time)
        prep_box.addStretch(1)
        form.addRow(self.prep_on, prep_box)
        self.coordinated = QCheckBox(
            "Also remind me of sessions of groups I only &coordinate", when
        )
        form.addRow(self.coordinated)
        lay.addWidget(when)

        quiet = QGroupBox("Quiet hours", body)
        qform = QFormLayout(quiet)
        qform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.quiet_on = QCheckBox("&Quiet hours from", quiet)
        qbox = QHBoxLayout()
        self.quiet_start = QTimeEdit(quiet)
        self.quiet_start.setDisplayFormat("HH:mm")
        self.quiet_start.setAccessibleName("Quiet hours start")
        self.quiet_end = QTimeEdit(quiet)
        self.quiet_end.setDisplayFormat("HH:mm")
        self.quiet_end.setAccessibleName("Quiet hours end")
        qbox.addWidget(self.quiet_start)
        qbox.addWidget(QLabel("to", quiet))
        qbox.addWidget(self.quiet_end)
        qbox.addStretch(1)
        qform.addRow(self.quiet_on, qbox)
        self.quiet_error = FieldError(quiet)
        qform.addRow(self.quiet_error)
        hint = QLabel(
            "A reminder that would fall in quiet hours comes when they end — or just before "
            "they begin, if waiting would be too late for the session.",
            quiet,
        )
        hint.setWordWrap(True)
        qform.addRow(hint)
        lay.addWidget(quiet)

        cadence = QGroupBox("Staying connected", body)
        cform = QFormLayout(cadence)
        cform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.goal_on = QCheckBox("&Nudge me when I have not attended a consultation for", cadence)
        self.goal_days = QSpinBox(cadence)
        self.goal_days.setRange(1, 365)
        self.goal_days.setSuffix(" days")
        self.goal_days.setAccessibleName("Consultation goal in days")
        cform.addRow(self.goal_on, self.goal_days)
        self.goal_error = FieldError(cadence)
        cform.addRow(self.goal_error)
        lay.addWidget(cadence)

        groups = QGroupBox("Per group", body)
        gl = QVBoxLayout(groups)
        self.groups_model = GroupChoiceModel(groups)
        self.groups_view = QTableView(groups)
        self.groups_view.setObjectName("reminderGroups")
        self.groups_view.setModel(self.groups_model)
        self.groups_view.verticalHeader().hide()
        self.groups_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.groups_view.setAccessibleName("Reminders per group")
        hh = self.groups_view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(GroupChoiceModel.COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.groups_view.setMinimumHeight(150)
        self.groups_empty = QLabel("You are not in any group yet.", groups)
        gl.addWidget(self.groups_view)
        gl.addWidget(self.groups_empty)
        lay.addWidget(groups)

        desk = QGroupBox("On this desktop", body)
        dform = QFormLayout(desk)
        # the word-wrapped notifications line takes the width (it wrapped at ~240 px)
        dform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.close_to_tray = QCheckBox("Keep running in the &tray when the window is closed", desk)
        dform.addRow(self.close_to_tray)
        self.autostart = QCheckBox("Start Consultory when I &log in", desk)  # "&S": Save
        dform.addRow(self.autostart)
        self.channels = QLabel(desk)
        self.channels.setObjectName("notificationChannels")
        self.channels.setWordWrap(True)
        dform.addRow("Notifications", self.channels)
        lay.addWidget(desk)
        lay.addStretch(1)

        buttons = QHBoxLayout()
        self.status = QLabel(self)
        self.error = FieldError(self)
        self.revert_button = QPushButton("Re&vert", self)
        self.save_button = QPushButton("&Save reminders", self)
        self.save_button.setObjectName("saveReminders")
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        outer.addWidget(self.error)
        outer.addLayout(buttons)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)

        for w in (
            self.evening_on,
            self.before_on,
            self.prep_on,
            self.coordinated,
            self.quiet_on,
            self.goal_on,
            self.close_to_tray,
            self.autostart,
        ):
            w.toggled.connect(self._on_field_edited)
        for t in (self.evening_time, self.prep_time, self.quiet_start, self.quiet_end):
            t.timeChanged.connect(self._on_field_edited)
        for s in (self.before_minutes, self.prep_days, self.goal_days):
            s.valueChanged.connect(self._on_field_edited)
        self.groups_model.edited.connect(self._on_field_edited)
        self._set_dirty(False)
        self.refresh()

    # --- loading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._dirty:
            return  # never overwrite typed work; Revert reloads
        me = self.ctx.me_id
        self.empty.setVisible(me is None)
        self.scroll.setVisible(me is not None)
        self.save_button.setEnabled(me is not None and self._dirty)
        if me is None:
            return
        self._loading = True
        try:
            self._load(me)
        finally:
            self._loading = False
        self._set_dirty(False)

    def _load(self, me: int) -> None:
        db = self.ctx.db
        rows = rs.list_settings(db, me)
        pol: Policy = rs.effective_policy(db, me)
        self.evening_on.setChecked(pol.evening_before.enabled)
        self.evening_time.setTime(_qtime(pol.evening_before.local_time, time(17, 0)))
        self.before_on.setChecked(pol.before_start.enabled)
        self.before_minutes.setValue(pol.before_start.offset_minutes)
        self.prep_on.setChecked(pol.presenter_prep.enabled)
        self.prep_days.setValue(max(1, pol.presenter_prep.offset_days))
        self.prep_time.setTime(_qtime(pol.presenter_prep.local_time, time(9, 0)))
        self.coordinated.setChecked(pol.include_coordinated)
        self.quiet_on.setChecked(pol.quiet is not None)
        self.quiet_start.setTime(_qtime(pol.quiet.start if pol.quiet else None, time(22, 0)))
        self.quiet_end.setTime(_qtime(pol.quiet.end if pol.quiet else None, time(7, 0)))
        member = practice.get_member(db, me)
        self.goal_on.setChecked(member.consultation_goal_days is not None and pol.cadence.enabled)
        self.goal_days.setValue(member.consultation_goal_days or 14)
        by_group: dict[int, list[rs.ReminderSettingInfo]] = {}
        for r in rows:
            if r.group_id is not None:
                by_group.setdefault(r.group_id, []).append(r)
        choices = []
        for gid, name, role in rs.my_groups(db, me):
            grows = by_group.get(gid, [])
            default_on = role != Role.COORDINATOR.value or pol.include_coordinated
            remind = any(r.enabled for r in grows) if grows else default_on
            bs = next((r for r in grows if r.kind == "before_start"), None)
            minutes = bs.offset_minutes if bs is not None else None
            choices.append(GroupChoice(gid, name, role, remind, minutes, bool(grows)))
        self.groups_model.set_rows(choices)
        self.groups_view.setVisible(bool(choices))
        self.groups_empty.setVisible(not choices)
        self.close_to_tray.setChecked(tray.close_to_tray_enabled())
        self.close_to_tray.setEnabled(tray.tray_available())
        if not tray.tray_available():
            self.close_to_tray.setToolTip("This desktop has no system tray.")
        self.autostart.setChecked(tray.autostart_enabled())
        self.autostart.setEnabled(tray.autostart_supported())
        self.channels.setText(self._channel_text())
        self._loaded_goal = member.consultation_goal_days

    def _service(self) -> Any:
        return getattr(self.window(), "_reminders_service", None)

    def _channel_text(self) -> str:
        service = self._service()
        if service is None:
            return "Reminder delivery starts with the main window."
        parts = []
        labels = {
            "dbus": "Desktop notifications",
            "tray": "Tray messages",
            "banner": "In-app banner",
        }
        for name, reason in service.delivery.status():
            label = labels.get(name, name)
            parts.append(f"{label}: {'available' if reason is None else 'unavailable — ' + reason}")
        return "\n".join(parts)

    # --- dirty state -----------------------------------------------------------------------
    def _on_field_edited(self, *_args: object) -> None:
        if not self._loading:
            self._set_dirty(True)
            self._validate()

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.status.setText("Unsaved changes" if dirty else "")
        self.save_button.setEnabled(dirty and self.ctx.me_id is not None)
        self.revert_button.setEnabled(dirty)

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def _validate(self) -> bool:
        ok = True
        if self.quiet_on.isChecked() and self.quiet_start.time() == self.quiet_end.time():
            self.quiet_error.show_message("Quiet hours must end at a different time.")
            ok = False
        else:
            self.quiet_error.show_message("")
        self.save_button.setEnabled(ok and self._dirty)
        return ok

    # --- saving ----------------------------------------------------------------------------
    def save_changes(self) -> bool:
        me = self.ctx.me_id
        if me is None or not self._validate():
            return False
        db = self.ctx.db
        try:
            quiet = self.quiet_on.isChecked()
            rs.save_setting(
                db,
                me,
                GENERAL,
                quiet_start=_hhmm(self.quiet_start.time()) if quiet else None,
                quiet_end=_hhmm(self.quiet_end.time()) if quiet else None,
                include_coordinated=self.coordinated.isChecked(),
            )
            rs.save_setting(
                db,
                me,
                "evening_before",
                enabled=self.evening_on.isChecked(),
                local_time=_hhmm(self.evening_time.time()),
            )
            rs.save_setting(
                db,
                me,
                "before_start",
                enabled=self.before_on.isChecked(),
                offset_minutes=self.before_minutes.value(),
            )
            rs.save_setting(
                db,
                me,
                "presenter_prep",
                enabled=self.prep_on.isChecked(),
                offset_days=self.prep_days.value(),
                local_time=_hhmm(self.prep_time.time()),
            )
            goal = self.goal_days.value() if self.goal_on.isChecked() else None
            if goal != self._loaded_goal:
                practice.update_member(db, me, consultation_goal_days=goal)
            rs.save_setting(db, me, "cadence", enabled=self.goal_on.isChecked())
            for c in self.groups_model.rows():
                default_on = c.role != Role.COORDINATOR.value or self.coordinated.isChecked()
                if not c.has_rows and c.remind == default_on and c.minutes is None:
                    continue
                for kind in SESSION_KINDS:
                    rs.save_setting(
                        db,
                        me,
                        kind,
                        group_id=c.group_id,
                        enabled=c.remind,
                        offset_minutes=c.minutes if kind == "before_start" else None,
                    )
        except ValidationError as exc:
            self.error.show_message(str(exc))
            return False
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return False
        self.error.show_message("")
        tray.set_close_to_tray(self.close_to_tray.isChecked())
        if tray.autostart_supported() and self.autostart.isChecked() != tray.autostart_enabled():
            tray.set_autostart(self.autostart.isChecked(), self.ctx.db.data_dir)
        service = self._service()
        if service is not None and getattr(service, "tray", None) is not None:
            service.tray.settings_changed()
        self._set_dirty(False)
        self.status.setText("Saved")
        self.saved.emit()
        self.ctx.notify_changed("reminders")
        self.refresh()
        return True

    def _on_save_button_clicked(self) -> None:
        self.save_changes()

    def _on_revert_button_clicked(self) -> None:
        self._set_dirty(False)
        self.refresh()
