"""Groups & members: create, edit, archive groups and members; assign roles; leave."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import QDate, QEvent, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError
from app.services import practice
from app.services.practice import GroupInfo, LeaveInfo, MemberInfo, MembershipInfo
from app.store.models import GROUP_KIND_LABELS, GroupKind, Role
from ui.context import AppContext
from ui.editor import RecordEditor
from ui.models import Column, RecordTableModel, SortRole
from ui.pages.today import make_table
from ui.widgets import EmptyOr, EmptyState, FieldError, page_header, section_label


@cache
def timezone_names() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def _proxy(model: RecordTableModel[Any], parent: QWidget) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    return proxy


# --- group editor -------------------------------------------------------------------------


class GroupEditor(RecordEditor):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.other_names: set[str] = set()
        self.add_field("name", "&Name", QLineEdit(self))
        kind = QComboBox(self)
        for k, label in GROUP_KIND_LABELS.items():
            kind.addItem(label, k.value)
        self.add_field("kind", "&Kind", kind)
        desc = QPlainTextEdit(self)
        desc.setFixedHeight(60)
        desc.setTabChangesFocus(True)
        self.add_field("description", "&Description", desc)
        self.archive_button = QPushButton("Archive group", self)
        self.archive_button.clicked.connect(self._on_archive_clicked)
        self.buttons_row.insertWidget(0, self.archive_button)

        # memberships
        self.extra.addSpacing(12)
        self.extra.addWidget(section_label("Members and roles", self))
        self.members_model: RecordTableModel[MembershipInfo] = RecordTableModel(
            [
                Column("member", "Member", lambda m: m.member_name),
                Column("role", "Role", lambda m: m.role.label),
            ],
            self,
        )
        self.members_view = make_table(self, "groupMembers")
        self.members_view.setModel(self.members_model)
        self.members_empty = EmptyOr(
            self.members_view,
            EmptyState("No members yet", "Add members below and give each a role.", parent=self),
            self,
        )
        self.extra.addWidget(self.members_empty, 1)
        row = QHBoxLayout()
        self.add_member_combo = QComboBox(self)
        self.add_member_combo.setObjectName("addMemberCombo")
        self.add_member_combo.setEditable(True)
        self.add_member_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.add_member_combo.setPlaceholderText("Member…")
        # An editable combo shows its line edit, whose own placeholder is what a person
        # sees; without it the picker is a blank box with no label.
        line = self.add_member_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("Member to add…")
        self.add_member_combo.setMinimumWidth(140)
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("roleCombo")
        for r in Role:
            self.role_combo.addItem(r.label, r.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.PEER.value))
        self.add_button = QPushButton("Add / set role", self)
        self.add_button.setObjectName("addMemberButton")
        self.remove_button = QPushButton("Remove from group", self)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.members_view.selectionModel().currentRowChanged.connect(self._on_member_row_changed)
        row.addWidget(self.add_member_combo, 2)
        row.addWidget(self.role_combo, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        self.extra.addLayout(row)
        self.membership_error = FieldError(self)
        self.extra.addWidget(self.membership_error)
        self.archived = False

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        name = " ".join(str(values["name"]).split())
        if not name:
            return {"name": "The group needs a name."}
        if name.lower() in self.other_names:
            return {"name": f"A group named “{name}” already exists."}
        return {}

    def persist(self, values: dict[str, Any]) -> int:
        if self.record_id is None:
            g = practice.create_group(
                self.ctx.db, values["name"], values["kind"], values["description"]
            )
        else:
            g = practice.update_group(
                self.ctx.db,
                self.record_id,
                expected_version=self.record_version,
                name=values["name"],
                kind=values["kind"],
                description=values["description"],
            )
        self.record_version = g.version
        self.ctx.notify_changed("practice")
        return g.id

    def show_group(
        self, g: GroupInfo | None, all_groups: list[GroupInfo], members: list[MemberInfo]
    ) -> None:
        self.other_names = {x.name.lower() for x in all_groups if g is None or x.id != g.id}
        if g is None:
            self.load_values(
                {"name": "", "kind": GroupKind.PEER_CONSULTATION.value, "description": ""},
                None,
                None,
                "New group",
            )
            self.archived = False
        else:
            self.load_values(
                {"name": g.name, "kind": g.kind.value, "description": g.description},
                g.id,
                g.version,
                g.name,
            )
            self.archived = g.archived
        self.archive_button.setText("Restore group" if self.archived else "Archive group")
        self.archive_button.setEnabled(g is not None)
        self.add_member_combo.clear()
        for m in members:
            self.add_member_combo.addItem(m.display_name, m.id)
        self.add_member_combo.setCurrentIndex(-1)
        self._reload_members()

    def _reload_members(self) -> None:
        has = self.record_id is not None
        for w in (self.add_member_combo, self.role_combo, self.add_button, self.remove_button):
            w.setEnabled(has)
        rows = practice.list_memberships(self.ctx.db, self.record_id) if has else []
        self.members_model.set_records(rows)
        self.members_view.resizeColumnsToContents()
        self.members_empty.set_empty(not rows)
        if not has:
            self.members_empty.empty.text_label.setText(
                "Save the group first, then add members and give each a role."
            )
        else:
            self.members_empty.empty.text_label.setText("Add members below and give each a role.")
        self.membership_error.show_message("")

    def _on_member_row_changed(self, current: Any, _prev: Any) -> None:
        if current.isValid():
            ms = self.members_model.record(current.row())
            self.add_member_combo.setCurrentIndex(self.add_member_combo.findData(ms.member_id))
            self.role_combo.setCurrentIndex(self.role_combo.findData(ms.role.value))

    def _selected_member_id(self) -> int | None:
        text = self.add_member_combo.currentText().strip()
        i = self.add_member_combo.findText(text, Qt.MatchFlag.MatchFixedString)
        return None if i < 0 else int(self.add_member_combo.itemData(i))

    def _on_add_clicked(self) -> None:
        if self.record_id is None:
            return
        mid = self._selected_member_id()
        if mid is None:
            self.membership_error.show_message("Choose a member from the list.")
            return
        try:
            practice.set_role(self.ctx.db, self.record_id, mid, self.role_combo.currentData())
        except ConsultoryError as exc:
            self.membership_error.show_message(str(exc))
            return
        self._reload_members()
        self.ctx.notify_changed("practice")

    def _on_remove_clicked(self) -> None:
        idx = self.members_view.currentIndex()
        if self.record_id is None or not idx.isValid():
            self.membership_error.show_message("Select a member in the list first.")
            return
        ms = self.members_model.record(idx.row())
        practice.remove_from_group(self.ctx.db, self.record_id, ms.member_id)
        self._reload_members()
        self.ctx.notify_changed("practice")

    def _on_archive_clicked(self) -> None:
        if self.record_id is None:
            return
        if not self.archived:
            answer = QMessageBox.question(
                self,
                "Archive group",
                "Archive this group? Its sessions stop appearing in calendars and reminders. "
                "History, attendance and hours are kept, and you can restore it later.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        g = practice.update_group(self.ctx.db, self.record_id, archived=not self.archived)
        self.record_version = g.version
        self.ctx.notify_changed("practice")


# --- member editor ------------------------------------------------------------------------


class MemberEditor(RecordEditor):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.other_names: set[str] = set()
        self.add_field("display_name", "&Display name", QLineEdit(self))
        cred = QLineEdit(self)
        cred.setPlaceholderText("e.g. LCSW, LPC-Associate, PsyD")
        self.add_field("credential", "&Credential", cred)
        email = QLineEdit(self)
        email.setPlaceholderText("name@example.org")
        self.add_field("email", "&Email", email)
        tz = QComboBox(self)
        tz.setEditable(True)
        tz.addItems(timezone_names())
        tz.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        comp = QCompleter(timezone_names(), tz)
        comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        tz.setCompleter(comp)
        self.add_field("timezone", "&Time zone", tz)
        goal = QSpinBox(self)
        goal.setRange(0, 365)
        goal.setSpecialValueText("No goal")
        goal.setSuffix(" days")
        goal.setToolTip("Consult at least this often; Today flags a longer gap.")
        self.add_field("goal", "Consultation &goal", goal)
        self.groups_label = QLabel(self)
        self.groups_label.setWordWrap(True)
        self.form.addRow("Groups", self.groups_label)
        self.archive_button = QPushButton("Archive member", self)
        self.archive_button.clicked.connect(self._on_archive_clicked)
        self.buttons_row.insertWidget(0, self.archive_button)
        self.archived = False

        self.extra.addSpacing(12)
        self.extra.addWidget(section_label("Leave", self))
        self.leave_model: RecordTableModel[LeaveInfo] = RecordTableModel(
            [
                Column("from", "From", lambda lp: lp.start_date.isoformat()),
                Column("to", "To", lambda lp: lp.end_date.isoformat()),
                Column("note", "Note", lambda lp: lp.note),
            ],
            self,
        )
        self.leave_view = make_table(self, "leaveTable")
        self.leave_view.setModel(self.leave_model)
        self.leave_empty = EmptyOr(
            self.leave_view,
            EmptyState(
                "No leave planned",
                "Leave keeps this member out of rotations and flags sessions that fall inside it.",
                parent=self,
            ),
            self,
        )
        self.extra.addWidget(self.leave_empty, 1)
        row = QHBoxLayout()
        today = QDate.currentDate()
        self.leave_from = QDateEdit(today, self)
        self.leave_to = QDateEdit(today.addDays(7), self)
        for d in (self.leave_from, self.leave_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.leave_note = QLineEdit(self)
        self.leave_note.setPlaceholderText("Note (optional)")
        self.add_leave_button = QPushButton("Add leave", self)
        self.remove_leave_button = QPushButton("Remove", self)
        self.add_leave_button.clicked.connect(self._on_add_leave_clicked)
        self.remove_leave_button.clicked.connect(self._on_remove_leave_clicked)
        row.addWidget(QLabel("From", self))
        row.addWidget(self.leave_from)
        row.addWidget(QLabel("to", self))
        row.addWidget(self.leave_to)
        row.addWidget(self.leave_note, 1)
        row.addWidget(self.add_leave_button)
        row.addWidget(self.remove_leave_button)
        self.extra.addLayout(row)
        self.leave_error = FieldError(self)
        self.extra.addWidget(self.leave_error)

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        name = " ".join(str(values["display_name"]).split())
        if not name:
            out["display_name"] = "The member needs a display name."
        elif name.lower() in self.other_names:
            out["display_name"] = f"A member named “{name}” already exists."
        email = str(values["email"]).strip()
        if email and not practice.EMAIL_RE.match(email):
            out["email"] = "That email address looks malformed (expected name@host)."
        tz = str(values["timezone"]).strip()
        if not practice.is_valid_timezone(tz):
            out["timezone"] = f"“{tz}” is not a known time zone (e.g. America/Chicago)."
        return out

    def persist(self, values: dict[str, Any]) -> int:
        goal = int(values["goal"]) or None
        if self.record_id is None:
            m = practice.create_member(
                self.ctx.db,
                values["display_name"],
                credential=values["credential"],
                email=values["email"],
                timezone=str(values["timezone"]).strip(),
                consultation_goal_days=goal,
            )
        else:
            m = practice.update_member(
                self.ctx.db,
                self.record_id,
                expected_version=self.record_version,
                display_name=values["display_name"],
                credential=values["credential"],
                email=values["email"],
                timezone=str(values["timezone"]).strip(),
                consultation_goal_days=goal,
            )
        self.record_version = m.version
        self.ctx.notify_changed("practice")
        return m.id

    def show_member(self, m: MemberInfo | None, all_members: list[MemberInfo]) -> None:
        self.other_names = {
            x.display_name.lower() for x in all_members if m is None or x.id != m.id
        }
        if m is None:
            default_tz = _system_zone()
            self.load_values(
                {
                    "display_name": "",
                    "credential": "",
                    "email": "",
                    "timezone": default_tz,
                    "goal": 0,
                },
                None,
                None,
                "New member",
            )
            self.archived = False
            self.groups_label.setText("—")
        else:
            title = m.display_name + ("  (me)" if m.is_me else "")
            self.load_values(
                {
                    "display_name": m.display_name,
                    "credential": m.credential,
                    "email": m.email,
                    "timezone": m.timezone,
                    "goal": m.consultation_goal_days or 0,
                },
                m.id,
                m.version,
                title,
            )
            self.archived = m.archived
            self.groups_label.setText(", ".join(m.group_names) or "Not in any group yet")
        self.archive_button.setText("Restore member" if self.archived else "Archive member")
        self.archive_button.setEnabled(m is not None and not m.is_me)
        self._reload_leave()

    def _reload_leave(self) -> None:
        has = self.record_id is not None
        for w in (
            self.leave_from,
            self.leave_to,
            self.leave_note,
            self.add_leave_button,
            self.remove_leave_button,
        ):
            w.setEnabled(has)
        rows = practice.list_leave(self.ctx.db, self.record_id) if has else []
        self.leave_model.set_records(rows)
        self.leave_empty.set_empty(not rows)
        self.leave_error.show_message("")

    def _on_add_leave_clicked(self) -> None:
        if self.record_id is None:
            return
        start: date = self.leave_from.date().toPython()  # type: ignore[assignment]
        end: date = self.leave_to.date().toPython()  # type: ignore[assignment]
        try:
            practice.add_leave(self.ctx.db, self.record_id, start, end, self.leave_note.text())
        except ConsultoryError as exc:
            self.leave_error.show_message(str(exc))
            return
        self.leave_note.clear()
        self._reload_leave()
        self.ctx.notify_changed("practice")

    def _on_remove_leave_clicked(self) -> None:
        idx = self.leave_view.currentIndex()
        if not idx.isValid():
            self.leave_error.show_message("Select a leave period first.")
            return
        practice.remove_leave(self.ctx.db, self.leave_model.record(idx.row()).id)
        self._reload_leave()
        self.ctx.notify_changed("practice")

    def _on_archive_clicked(self) -> None:
        if self.record_id is None:
            return
        try:
            m = practice.update_member(self.ctx.db, self.record_id, archived=not self.archived)
        except ConsultoryError as exc:
            self.general_error.show_message(str(exc))
            return
        self.record_version = m.version
        self.ctx.notify_changed("practice")


def _system_zone() -> str:
    from datetime import datetime

    tz = datetime.now().astimezone().tzinfo
    name = getattr(tz, "key", None)
    return name if isinstance(name, str) else "UTC"


# --- master/detail tabs -------------------------------------------------------------------


class _MasterDetail(QWidget):
    """A filterable list on the left, an editor on the right; guards unsaved edits."""

    def __init__(
        self,
        ctx: AppContext,
        noun: str,
        model: RecordTableModel[Any],
        editor: RecordEditor,
        empty_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.noun = noun
        self.model = model
        self.editor = editor
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 8, 0, 0)
        top = QHBoxLayout()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName(f"{noun}Filter")
        self.filter_edit.setPlaceholderText(f"Filter {noun}s…  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.show_archived = QCheckBox("Show archived", self)
        self.new_button = QPushButton(f"New {noun}", self)
        self.new_button.setObjectName(f"new_{noun}")
        self.new_button.setToolTip(f"New {noun} (Ctrl+N)")
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.show_archived)
        top.addWidget(self.new_button)
        lay.addLayout(top)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.proxy = _proxy(model, self)
        self.view: QTableView = make_table(split, f"{noun}List")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.installEventFilter(self)
        self.list_stack = EmptyOr(
            self.view,
            EmptyState(f"No {noun}s yet", empty_text, f"New {noun}", self.new_record, split),
            split,
        )
        split.addWidget(self.list_stack)
        editor.setParent(split)
        split.addWidget(editor)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([520, 560])
        lay.addWidget(split, 1)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.show_archived.toggled.connect(lambda _c: self.reload())
        self.new_button.clicked.connect(self.new_record)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_row_changed)
        editor.saved.connect(self._on_editor_saved)
        self._selected_id: int | None = None
        self._reverting_selection = False

    def selected_id(self) -> int | None:
        return self._selected_id

    def confirm_leave_editor(self) -> bool:
        """Ask what to do with unsaved edits; False means stay."""
        if not self.editor.has_unsaved_changes():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save your changes to this {self.noun} first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return self.editor.save_changes()
        self.editor.revert()
        return True

    def new_record(self) -> None:
        if not self.confirm_leave_editor():
            return
        self._selected_id = None
        self.view.clearSelection()
        self.show_record(None)
        first = next(iter(self.editor.fields.values()))
        first.setFocus()

    def _on_view_row_changed(self, current: Any, previous: Any) -> None:
        if self._reverting_selection or not current.isValid():
            return
        rec = self.model.record(self.proxy.mapToSource(current).row())
        if rec.id == self._selected_id:
            return
        if not self.confirm_leave_editor():
            self._reverting_selection = True
            self.view.setCurrentIndex(previous)
            self._reverting_selection = False
            return
        self._selected_id = rec.id
        self.show_record(rec)

    def _on_editor_saved(self, rid: int) -> None:
        self._selected_id = rid
        self.reload()

    def select_id(self, rid: int | None) -> None:
        if rid is None:
            return
        row = self.model.row_of(rid)
        if row >= 0:
            idx = self.proxy.mapFromSource(self.model.index(row, 0))
            self._reverting_selection = True
            self.view.setCurrentIndex(idx)
            self._reverting_selection = False

    def reload(self) -> None:
        records = self.fetch(self.show_archived.isChecked())
        self.model.set_records(records)
        self.list_stack.set_empty(not records)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(2, self.model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        if self.model.columnCount() > 1:
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self._fit_columns()
        keep = self._selected_id
        current = next((r for r in records if r.id == keep), None)
        if current is None and records and not self.editor.has_unsaved_changes():
            current = records[0]
        if current is not None:
            self._selected_id = current.id
            self.select_id(current.id)
            if not self.editor.has_unsaved_changes():
                self.show_record(current)
        elif not self.editor.has_unsaved_changes():
            self.show_record(None)

    def _fit_columns(self) -> None:
        """Give the second column its content width, but never more than 30% of the list.

        With every other column sized to contents, a narrow window squeezed the name
        column (which stretches into what is left) down to a few letters.
        """
        if self.model.columnCount() < 2:
            return
        header = self.view.horizontalHeader()
        want = max(self.view.sizeHintForColumn(1), header.sectionSizeHint(1))
        avail = self.view.width() - 2 * self.view.frameWidth()  # the viewport lags a Resize
        header.resizeSection(1, max(min(want, int(avail * 0.3)), header.sectionSizeHint(1)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    # for subclasses
    def fetch(self, include_archived: bool) -> list[Any]:
        raise NotImplementedError

    def show_record(self, rec: Any) -> None:
        raise NotImplementedError


class GroupsTab(_MasterDetail):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        model: RecordTableModel[GroupInfo] = RecordTableModel(
            [
                Column(
                    "name",
                    "Group",
                    lambda g: g.name + (" (archived)" if g.archived else ""),
                    sort=lambda g: g.name.lower(),
                    decoration=lambda g: QColor(g.color) if g.color else None,
                ),
                Column("kind", "Kind", lambda g: g.kind.label),
                Column(
                    "members",
                    "Members",
                    lambda g: str(g.member_count),
                    sort=lambda g: g.member_count,
                    align_right=True,
                    tooltip=lambda g: "Coordinator: "
                    + (", ".join(g.coordinator_names) or "none yet"),
                ),
            ]
        )
        model.muted = lambda g: g.archived
        self.group_editor = GroupEditor(ctx)
        super().__init__(
            ctx,
            "group",
            model,
            self.group_editor,
            "Groups are your consultation and supervision groups. Create one to "
            "add members, roles and sessions.",
            parent,
        )
        model.setParent(self)
        self._groups: list[GroupInfo] = []
        self._members: list[MemberInfo] = []

    def fetch(self, include_archived: bool) -> list[Any]:
        self._groups = practice.list_groups(self.ctx.db, include_archived=True)
        self._members = practice.list_members(self.ctx.db)
        return [g for g in self._groups if include_archived or not g.archived]

    def show_record(self, rec: Any) -> None:
        self.group_editor.show_group(rec, self._groups, self._members)


class MembersTab(_MasterDetail):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        model: RecordTableModel[MemberInfo] = RecordTableModel(
            [
                Column(
                    "name",
                    "Name",
                    lambda m: (
                        m.display_name
                        + (" (me)" if m.is_me else "")
                        + (" (archived)" if m.archived else "")
                    ),
                    sort=lambda m: m.display_name.lower(),
                ),
                Column("credential", "Credential", lambda m: m.credential),
                Column("timezone", "Time zone", lambda m: m.timezone),
                Column(
                    "groups",
                    "Groups",
                    lambda m: str(len(m.group_names)),
                    tooltip=lambda m: "\n".join(m.group_names),
                    align_right=True,
                ),
            ]
        )
        model.muted = lambda m: m.archived
        self.member_editor = MemberEditor(ctx)
        super().__init__(
            ctx,
            "member",
            model,
            self.member_editor,
            "Members are the colleagues in your groups (and you). Add them to "
            "assign roles and rotate presentations.",
            parent,
        )
        model.setParent(self)
        self._members: list[MemberInfo] = []

    def fetch(self, include_archived: bool) -> list[Any]:
        self._members = practice.list_members(self.ctx.db, include_archived=True)
        return [m for m in self._members if include_archived or not m.archived]

    def show_record(self, rec: Any) -> None:
        self.member_editor.show_member(rec, self._members)


class GroupsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("groupsPage")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.addWidget(
            page_header("Groups & members", "Who meets, in which groups, and in which role.", self)
        )
        self.tabs = QTabWidget(self)
        self.groups_tab = GroupsTab(ctx, self.tabs)
        self.members_tab = MembersTab(ctx, self.tabs)
        self.tabs.addTab(self.groups_tab, "&Groups")
        self.tabs.addTab(self.members_tab, "&Members")
        lay.addWidget(self.tabs, 1)
        QShortcut(QKeySequence.StandardKey.New, self, self._on_new_shortcut)
        QShortcut(QKeySequence.StandardKey.Find, self, self._on_find_shortcut)
        QShortcut(QKeySequence.StandardKey.Save, self, self._on_save_shortcut)

    def _current(self) -> _MasterDetail:
        w = self.tabs.currentWidget()
        assert isinstance(w, _MasterDetail)
        return w

    def _on_new_shortcut(self) -> None:
        self._current().new_record()

    def _on_find_shortcut(self) -> None:
        self._current().filter_edit.setFocus()

    def _on_save_shortcut(self) -> None:
        self._current().editor.save_changes()

    def refresh(self) -> None:
        self.groups_tab.reload()
        self.members_tab.reload()

    def has_unsaved_changes(self) -> bool:
        return any(t.editor.has_unsaved_changes() for t in (self.groups_tab, self.members_tab))

    def save_changes(self) -> bool:
        return all(t.editor.save_changes() for t in (self.groups_tab, self.members_tab))

    def discard_changes(self) -> None:
        for t in (self.groups_tab, self.members_tab):
            t.editor.revert()
