"""The case-note editor with a live PHI guard.

As the user types, ``find_phi`` runs (debounced) over the title and body; findings are
highlighted in the body by ``PhiHighlighter`` and listed in a side panel. Hovering a
finding shows its category and the detector's reason; its context menu (or the side
panel) offers one-click replacements (a name → the case alias or a role, a date → its
year or "[date]", ...) and "Not identifying", which is remembered per note and audited.
Saving with unresolved findings asks first. Drafts autosave every few seconds; the Case
notes page offers a left-over draft back after a crash.

Offsets: the detector works on Python strings (code points); Qt documents count UTF-16
units. ``Utf16Map`` converts, so text with emoji still highlights the right characters.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QHelpEvent,
    QKeySequence,
    QPalette,
    QShortcut,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.deid import Finding
from app.errors import ConsultoryError, StaleEditError, ValidationError
from app.notes.guard import finding_hash, replacement_options, unresolved
from app.notes.templates import CASE_PRESENTATION, TemplateSpec, heading_spans, skeleton
from app.services import notes, sessions
from app.services.notes import FollowUpInfo, NoteInfo, SessionLink
from ui.context import AppContext
from ui.models import Column, RecordTableModel
from ui.pages.today import make_table
from ui.widgets import FieldError

CHECK_DELAY_MS = 200
AUTOSAVE_MS = 3000

CATEGORY_LABELS = {
    "NAME": "Name",
    "DATE": "Date",
    "AGE": "Age over 89",
    "PHONE": "Phone number",
    "FAX": "Fax number",
    "EMAIL": "Email address",
    "ADDRESS": "Street address",
    "LOCATION": "Place",
    "ZIP": "ZIP code",
    "SSN": "Social Security number",
    "ID": "Record or ID number",
    "URL": "Web address or handle",
    "IP": "IP address",
    "ORG": "School or employer",
}
# Colours as names: module-level QColor objects passed through Qt's implicit QColor→QBrush
# conversion on every block crash PySide at interpreter exit (a refcount bug).
FINDING_COLORS = {"NAME": "#fecaca", "DATE": "#fed7aa"}
DEFAULT_FINDING_COLOR = "#fde68a"
FINDING_UNDERLINE = "#dc2626"


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.title())


class Utf16Map:
    """Python string offsets ↔ Qt (UTF-16) document positions for one text."""

    def __init__(self, text: str) -> None:
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def to_qt(self, index: int) -> int:
        return index + bisect_right(self._astral, index - 1) if self._astral else index

    def from_qt(self, pos: int) -> int:
        if not self._astral:
            return pos
        # each astral char before the index adds one unit
        lo, hi = 0, pos
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.to_qt(mid) <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo


@dataclass(frozen=True)
class Mark:
    """A finding placed in the document (Qt positions)."""

    finding: Finding
    qt_start: int
    qt_end: int


# --- highlighting -------------------------------------------------------------------------


class PhiHighlighter(QSyntaxHighlighter):
    """Paints findings (background + red wavy underline) and section headings (bold)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._marks: list[Mark] = []
        self._headings: list[tuple[int, int]] = []
        self._heading_format = QTextCharFormat()
        self._heading_format.setFontWeight(QFont.Weight.Bold)
        self._formats: dict[str, QTextCharFormat] = {}

    def set_marks(self, marks: Sequence[Mark], headings: Sequence[tuple[int, int]]) -> None:
        self._marks = list(marks)
        self._headings = list(headings)
        self.rehighlight()

    def marks(self) -> list[Mark]:
        return list(self._marks)

    def format_for(self, category: str) -> QTextCharFormat:
        """One cached format per category (built once, reused for every block)."""
        fmt = self._formats.get(category)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setBackground(QBrush(QColor(FINDING_COLORS.get(category, DEFAULT_FINDING_COLOR))))
            fmt.setForeground(QBrush(QColor("#111111")))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(FINDING_UNDERLINE))
            self._formats[category] = fmt
        return fmt

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        block = self.currentBlock()
        start = block.position()
        end = start + block.length()
        for a, b in self._headings:
            if a < end and b > start:
                self.setFormat(
                    max(a, start) - start, min(b, end) - max(a, start), self._heading_format
                )
        for m in self._marks:
            if m.qt_start < end and m.qt_end > start:
                a = max(m.qt_start, start)
                self.setFormat(
                    a - start, min(m.qt_end, end) - a, self.format_for(m.finding.category)
                )


# --- the text area ------------------------------------------------------------------------


class NoteTextEdit(QPlainTextEdit):
    """Plain-text body with hover tooltips and a context menu for findings."""

    replacement_chosen = Signal(object, str)  # Mark, replacement text
    dismissal_requested = Signal(object)  # Mark

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noteBody")
        self.setTabChangesFocus(True)
        self.highlighter = PhiHighlighter(self.document())
        self.alias_provider: Callable[[], str] = lambda: ""
        self.refresh_marks: Callable[[], None] = lambda: None

    def mark_at(self, qt_pos: int) -> Mark | None:
        for m in self.highlighter.marks():
            if m.qt_start <= qt_pos < m.qt_end or (qt_pos == m.qt_end and qt_pos > m.qt_start):
                return m
        return None

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            cur = self.cursorForPosition(e.pos() - self.viewport().pos())
            m = self.mark_at(cur.position())
            if m is not None:
                QToolTip.showText(e.globalPos(), tooltip_for(m.finding), self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def finding_menu(self, m: Mark, parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        head = menu.addAction(f"{category_label(m.finding.category)} — {m.finding.reason}")
        head.setEnabled(False)
        for opt in replacement_options(m.finding, self.alias_provider()):
            act = menu.addAction(f"Replace with {opt.label}")
            act.triggered.connect(
                lambda _=False, mark=m, t=opt.text: self.replacement_chosen.emit(mark, t)
            )
        menu.addSeparator()
        dismiss = menu.addAction("Not identifying (remember for this note)")
        dismiss.triggered.connect(lambda _=False, mark=m: self.dismissal_requested.emit(mark))
        return menu

    def contextMenuEvent(self, e: QContextMenuEvent) -> None:  # noqa: N802
        self.refresh_marks()  # act on the text as it is now, not as of the last check
        if e.reason() == QContextMenuEvent.Reason.Keyboard:
            pos = self.textCursor().position()
            at = self.viewport().mapToGlobal(self.cursorRect().bottomLeft())
        else:
            pos = self.cursorForPosition(e.pos()).position()
            at = e.globalPos()
        m = self.mark_at(pos)
        if m is None:
            super().contextMenuEvent(e)
            return
        menu = self.finding_menu(m, self)
        menu.addSeparator()
        std = self.createStandardContextMenu()
        std.setParent(menu, std.windowFlags())
        for act in std.actions():
            menu.addAction(act)
        menu.exec(at)
        menu.deleteLater()


def tooltip_for(f: Finding) -> str:
    return f"<b>{category_label(f.category)}</b> ({f.category})<br>{f.reason}"


# --- findings list ------------------------------------------------------------------------

MarkRole = Qt.ItemDataRole.UserRole + 1
CategoryRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class FindingsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._marks: list[Mark] = []
        self._title: list[Finding] = []

    def set_marks(self, marks: Sequence[Mark], title_findings: Sequence[Finding] = ()) -> None:
        self.beginResetModel()
        self._marks = list(marks)
        self._title = list(title_findings)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._marks) + len(self._title)

    def _finding(self, row: int) -> tuple[Finding, Mark | None]:
        if row < len(self._title):
            return self._title[row], None
        m = self._marks[row - len(self._title)]
        return m.finding, m

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        f, m = self._finding(index.row())
        where = "title: " if m is None else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{category_label(f.category)} — {where}“{f.text}”"
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_for(f)
        if role == MarkRole:
            return m
        if role == CategoryRole:
            return f.category
        return None


# --- the editor ---------------------------------------------------------------------------


def _fu_due(f: FollowUpInfo) -> str:
    return f.due_date.isoformat() if f.due_date else "—"


class NoteEditor(QWidget):
    """Edits one note (or a new one). Owned by the Case notes page."""

    note_saved = Signal(int)
    note_deleted = Signal(int)
    dirty_changed = Signal(bool)
    findings_changed = Signal(int)  # unresolved count (title + body)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.note: NoteInfo | None = None
        self.draft_id: int | None = None
        self._templates: list[TemplateSpec] = []
        self._template_key = CASE_PRESENTATION
        self._dismissed: set[str] = set()
        self._pending_dismissals: list[tuple[str, str]] = []
        self._loaded: dict[str, Any] = {}
        self._loading = False
        self._dirty = False
        self._title_findings: list[Finding] = []
        #: asked before saving with unresolved findings (tests replace it)
        self.confirm_unresolved: Callable[[int], bool] = self._ask_unresolved

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("editorTitle")
        hf = self.heading.font()
        hf.setBold(True)
        hf.setPointSizeF(hf.pointSizeF() * 1.2)
        self.heading.setFont(hf)
        outer.addWidget(self.heading)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)

        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.alias_edit = QLineEdit(left)
        self.alias_edit.setObjectName("field_alias")
        self.alias_edit.setPlaceholderText("e.g. C-12 — never a name or initials")
        self.alias_edit.setMaxLength(12)
        self.alias_error = FieldError(left)
        self.title_edit = QLineEdit(left)
        self.title_edit.setObjectName("field_title")
        self.title_edit.setPlaceholderText("What the consultation is about")
        self.title_error = FieldError(left)
        row1 = QHBoxLayout()
        self.template_combo = QComboBox(left)
        self.template_combo.setObjectName("field_template")
        self.group_combo = QComboBox(left)
        self.group_combo.setObjectName("field_group")
        # sized by a few characters, not by the longest group name: their content width
        # made the editor 800 px wide at minimum and squeezed the note list and side tabs
        for combo in (self.template_combo, self.group_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(5)
        row1.addWidget(self.template_combo, 1)
        lab_g = QLabel("Gr&oup", left)  # "&g" is Ta&gs
        lab_g.setBuddy(self.group_combo)
        row1.addWidget(lab_g)
        row1.addWidget(self.group_combo, 1)
        self.tags_edit = QLineEdit(left)
        self.tags_edit.setObjectName("field_tags")
        self.tags_edit.setPlaceholderText("Comma-separated, e.g. anxiety, exposure")
        self.tags_error = FieldError(left)
        form.addRow("Case &alias", _stack(left, self.alias_edit, self.alias_error))
        form.addRow("&Title", _stack(left, self.title_edit, self.title_error))
        form.addRow("Te&mplate", row1)
        form.addRow("Ta&gs", _stack(left, self.tags_edit, self.tags_error))
        for lab_field in (self.alias_edit, self.title_edit, self.tags_edit):
            lab = form.labelForField(lab_field.parentWidget())
            if isinstance(lab, QLabel):
                lab.setBuddy(lab_field)
        lab_t = form.labelForField(row1)
        if isinstance(lab_t, QLabel):
            lab_t.setBuddy(self.template_combo)
        ll.addLayout(form)
        self.body = NoteTextEdit(left)
        self.body.setPlaceholderText(
            "Write the case presentation. Identifying details are highlighted as you type."
        )
        self.body.alias_provider = self._alias
        self.body.refresh_marks = self.recheck_now
        ll.addWidget(self.body, 1)
        self.body_error = FieldError(left)
        ll.addWidget(self.body_error)

        side = QTabWidget(split)
        side.setObjectName("noteSideTabs")
        self.side_tabs = side
        # identifiers tab
        ident = QWidget(side)
        il = QVBoxLayout(ident)
        self.guard_status = QLabel(ident)
        self.guard_status.setObjectName("guardStatus")
        self.guard_status.setWordWrap(True)
        il.addWidget(self.guard_status)
        self.findings_model = FindingsModel(self)
        self.findings_view = QListView(ident)
        self.findings_view.setObjectName("findingsList")
        self.findings_view.setModel(self.findings_model)
        self.findings_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.findings_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.findings_view.selectionModel().currentChanged.connect(self._on_findings_current)
        self.findings_view.activated.connect(self._on_findings_activated)
        il.addWidget(self.findings_view, 1)
        brow = QHBoxLayout()
        self.replace_button = QToolButton(ident)
        self.replace_button.setObjectName("replaceButton")
        self.replace_button.setText("&Replace")
        self.replace_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.replace_menu = QMenu(self.replace_button)
        self.replace_button.setMenu(self.replace_menu)
        self.replace_menu.aboutToShow.connect(self._on_replace_menu_about_to_show)
        self.dismiss_button = QPushButton("Not &identifying", ident)  # "&N": New case note
        self.dismiss_button.setObjectName("dismissButton")
        self.dismiss_button.clicked.connect(self._on_dismiss_clicked)
        brow.addWidget(self.replace_button)
        brow.addWidget(self.dismiss_button)
        brow.addStretch(1)
        il.addLayout(brow)
        hint = QLabel("F8 jumps to the next finding. Right-click a highlight for options.", ident)
        hint.setWordWrap(True)
        hint.setObjectName("guardHint")
        il.addWidget(hint)
        side.addTab(ident, "Identifiers")
        # sessions tab
        sess = QWidget(side)
        sl = QVBoxLayout(sess)
        self.sessions_model: RecordTableModel[SessionLink] = RecordTableModel(
            [
                Column("when", "When", lambda x: _local(x.start_utc, x.timezone)),
                Column("session", "Session", lambda x: f"{x.title} ({x.group_name})"),
            ],
            self,
        )
        self.sessions_view = make_table(sess, "noteSessions")
        self.sessions_view.setModel(self.sessions_model)
        sl.addWidget(self.sessions_view, 1)
        self.session_combo = QComboBox(sess)
        self.session_combo.setObjectName("sessionCombo")
        sl.addWidget(self.session_combo)
        self.link_button = QPushButton("&Link session", sess)
        self.unlink_button = QPushButton("Unlink", sess)
        sl.addLayout(
            _button_row(
                (self.link_button, self._on_link_clicked),
                (self.unlink_button, self._on_unlink_clicked),
            )
        )
        self.sessions_error = FieldError(sess)
        sl.addWidget(self.sessions_error)
        side.addTab(sess, "Sessions")
        # follow-ups tab
        fus = QWidget(side)
        fl = QVBoxLayout(fus)
        self.fu_model: RecordTableModel[FollowUpInfo] = RecordTableModel(
            [
                Column("done", "", lambda f: "✓" if f.done else ""),
                Column("due", "Due", _fu_due),
                Column("text", "Follow-up", lambda f: f.text),
            ],
            self,
        )
        self.fu_model.muted = lambda f: f.done
        self.fu_view = make_table(fus, "followUps")
        self.fu_view.setModel(self.fu_model)
        fl.addWidget(self.fu_view, 1)
        frow = QHBoxLayout()
        self.fu_text = QLineEdit(fus)
        self.fu_text.setObjectName("followUpText")
        self.fu_text.setPlaceholderText("Next step (shown on Today)")
        self.fu_due = QDateEdit(fus)
        self.fu_due.setCalendarPopup(True)
        self.fu_due.setDisplayFormat("yyyy-MM-dd")
        self.fu_add = QPushButton("&Add", fus)
        self.fu_add.clicked.connect(self._on_fu_add_clicked)
        self.fu_text.returnPressed.connect(self._on_fu_add_clicked)
        frow.addWidget(self.fu_text, 1)
        frow.addWidget(self.fu_due)
        frow.addWidget(self.fu_add)
        fl.addLayout(frow)
        self.fu_done = QPushButton("Mark &done", fus)
        self.fu_delete = QPushButton("Delete", fus)
        fl.addLayout(
            _button_row(
                (self.fu_done, self._on_fu_done_clicked),
                (self.fu_delete, self._on_fu_delete_clicked),
            )
        )
        self.fu_error = FieldError(fus)
        fl.addWidget(self.fu_error)
        side.addTab(fus, "Follow-ups")
        # Wide enough for all three tabs, so none hides behind scroll arrows ("Foll…" with
        # ◀ ▶ at the default split); the form on the left gives way instead.
        side.setMinimumWidth(
            side.tabBar().sizeHint().width() + side.fontMetrics().horizontalAdvance(" (9)") + 4
        )
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])  # room for the three side tabs at 1280 px

        self.general_error = FieldError(self)
        outer.addWidget(self.general_error)
        buttons = QHBoxLayout()
        self.autosave_label = QLabel(self)
        self.autosave_label.setObjectName("autosaveLabel")
        buttons.addWidget(self.autosave_label, 1)
        self.delete_button = QPushButton("Delete note", self)
        self.export_button = QPushButton("&Handout PDF…", self)
        self.export_button.setObjectName("exportButton")
        self.revert_button = QPushButton("Revert", self)
        self.save_button = QPushButton("&Save", self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save (Ctrl+S)")
        for b in (self.delete_button, self.export_button, self.revert_button, self.save_button):
            buttons.addWidget(b)
        outer.addLayout(buttons)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save_changes)

        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self.recheck_now)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave_now)

        self.alias_edit.textEdited.connect(self._on_field_edited)
        self.title_edit.textEdited.connect(self._on_field_edited)
        self.tags_edit.textEdited.connect(self._on_field_edited)
        self.group_combo.currentIndexChanged.connect(self._on_field_edited)
        self.group_combo.currentIndexChanged.connect(self._on_group_changed)
        self.template_combo.currentIndexChanged.connect(self._on_template_changed)
        self.body.textChanged.connect(self._on_field_edited)
        self.body.replacement_chosen.connect(self._on_body_replacement_chosen)
        self.body.dismissal_requested.connect(self._on_body_dismissal_requested)
        QShortcut(
            QKeySequence.StandardKey.Save,
            self,
            self.save_changes,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence(Qt.Key.Key_F8),
            self,
            self.next_finding,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        from app.services import practice

        self._loading = True
        try:
            self._templates = notes.list_templates(self.ctx.db)
            self.template_combo.clear()
            for t in self._templates:
                self.template_combo.addItem(t.name, t.key)
            self.group_combo.clear()
            self.group_combo.addItem("No group", None)
            for g in practice.list_groups(self.ctx.db):
                self.group_combo.addItem(g.name, g.id)
        finally:
            self._loading = False

    def _template(self, key: str) -> TemplateSpec | None:
        return next((t for t in self._templates if t.key == key), None)

    def new_note(self, template: str = CASE_PRESENTATION, group_id: int | None = None) -> None:
        self._fill_choices()
        spec = self._template(template) or self._templates[0]
        self.note = None
        self.draft_id = None
        self._dismissed = set()
        self._pending_dismissals = []
        self._load(
            {
                "alias": "",
                "title": "",
                "tags": "",
                "group_id": group_id,
                "template": spec.key,
                "body": skeleton(spec.sections),
            },
            "New case note",
        )
        self.alias_edit.setFocus()

    def open_note(self, note_id: int) -> None:
        self._fill_choices()
        n = notes.get_note(self.ctx.db, note_id)
        self._show_note(n)

    def _show_note(self, n: NoteInfo) -> None:
        self.note = n
        self.draft_id = None
        self._dismissed = set(n.dismissed)
        self._pending_dismissals = []
        if self.template_combo.findData(n.template) < 0:
            self.template_combo.addItem(n.template, n.template)  # a deleted user template
        self._load(
            {
                "alias": n.alias,
                "title": n.title,
                "tags": ", ".join(n.tags),
                "group_id": n.group_id,
                "template": n.template,
                "body": n.body,
            },
            f"Case {n.alias}" + (f" — {n.title}" if n.title else ""),
        )

    def restore_draft(self, draft: notes.DraftInfo) -> None:
        """Open a left-over draft (its note, if it still exists, with the draft's text)."""
        self._fill_choices()
        p = draft.payload
        base: NoteInfo | None = None
        if draft.note_id is not None:
            try:
                base = notes.get_note(self.ctx.db, draft.note_id)
            except ConsultoryError:
                base = None
        if base is not None:
            self._show_note(base)
        else:
            self.new_note(str(p.get("template") or CASE_PRESENTATION))
        self.draft_id = draft.id
        self._pending_dismissals = [
            (str(t), str(c)) for t, c in p.get("dismissals", []) if isinstance(t, str)
        ]
        self._dismissed |= {finding_hash(t, c) for t, c in self._pending_dismissals}
        if base is not None and p.get("version") not in (None, base.version):
            self.general_error.show_message(
                "This draft was written before the note's last save elsewhere; saving it "
                "replaces that newer version. Revert to keep the saved note instead."
            )
        self._set_values(
            {
                k: p.get(k, self._loaded.get(k))
                for k in ("alias", "title", "tags", "group_id", "template", "body")
            }
        )
        self._on_field_edited()

    def _load(self, values: dict[str, Any], heading: str) -> None:
        self._set_values(values)
        self._template_key = str(values["template"])
        self._loaded = self.values()
        self.heading.setText(heading)
        for e in (
            self.alias_error,
            self.title_error,
            self.tags_error,
            self.body_error,
            self.general_error,
            self.fu_error,
            self.sessions_error,
        ):
            e.show_message("")
        self._set_dirty(False)
        self.autosave_label.setText("")
        self._reload_side()
        self.recheck_now()

    def _set_values(self, v: dict[str, Any]) -> None:
        self._loading = True
        try:
            self.alias_edit.setText(str(v.get("alias") or ""))
            self.title_edit.setText(str(v.get("title") or ""))
            self.tags_edit.setText(str(v.get("tags") or ""))
            gi = self.group_combo.findData(v.get("group_id"))
            self.group_combo.setCurrentIndex(max(gi, 0))
            ti = self.template_combo.findData(v.get("template"))
            self.template_combo.setCurrentIndex(max(ti, 0))
            self._template_key = str(self.template_combo.currentData())
            if self.body.toPlainText() != v.get("body", ""):
                self.body.setPlainText(str(v.get("body") or ""))
        finally:
            self._loading = False

    def values(self) -> dict[str, Any]:
        return {
            "alias": self.alias_edit.text().strip(),
            "title": self.title_edit.text(),
            "tags": self.tags_edit.text(),
            "group_id": self.group_combo.currentData(),
            "template": self.template_combo.currentData(),
            "body": self.body.toPlainText(),
        }

    def _alias(self) -> str:
        return self.alias_edit.text().strip()

    # --- dirty state, autosave ---------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self._update_buttons()

    def _on_field_edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._set_dirty(self.values() != self._loaded or bool(self._pending_dismissals))
        self.alias_error.show_message("")
        if self._dirty and not self.autosave_timer.isActive():
            self.autosave_timer.start()
        self.check_timer.start()

    def draft_payload(self) -> dict[str, Any]:
        p = self.values()
        p["version"] = self.note.version if self.note else None
        p["dismissals"] = [list(x) for x in self._pending_dismissals]
        return p

    def autosave_now(self) -> None:
        if not self._dirty or self.ctx.db.read_only:
            return
        try:
            d = notes.save_draft(
                self.ctx.db,
                self.draft_payload(),
                note_id=self.note.id if self.note else None,
                draft_id=self.draft_id,
            )
        except ConsultoryError:
            self.autosave_label.setText("Draft could not be saved (database locked).")
            return
        self.draft_id = d.id
        self.autosave_label.setText(f"Draft saved {_clock_time(d.saved_at)}")

    # --- the guard -------------------------------------------------------------------------
    def recheck_now(self) -> None:
        """Run the detector over title and body now (normally debounced while typing)."""
        self.check_timer.stop()
        alias = self._alias()
        body = self.body.toPlainText()
        found = unresolved(body, self._dismissed, alias)
        umap = Utf16Map(body)
        marks = [Mark(f, umap.to_qt(f.start), umap.to_qt(f.end)) for f in found]
        spec = self._template(self._template_key)
        heads = heading_spans(body, spec.sections) if spec else []
        self.body.highlighter.set_marks(marks, [(umap.to_qt(a), umap.to_qt(b)) for a, b in heads])
        self._title_findings = unresolved(self.title_edit.text(), self._dismissed, alias)
        self.title_error.show_message(
            "The title looks identifying ("
            + ", ".join(category_label(f.category) for f in self._title_findings)
            + "). Use the alias or a topic."
            if self._title_findings
            else ""
        )
        self.findings_model.set_marks(marks, self._title_findings)
        n = self.unresolved_count()
        if n == 0:
            self.guard_status.setText("✓ No identifying details found.")
            self.guard_status.setStyleSheet(f"color: {self._status_color(ok=True)};")
        else:
            self.guard_status.setText(
                f"{n} possible identifier{'s' if n != 1 else ''}. Replace each, or mark it "
                "“not identifying” if it is not."
            )
            self.guard_status.setStyleSheet(f"color: {self._status_color(ok=False)};")
        self.side_tabs.setTabText(0, f"Identifiers ({n})" if n else "Identifiers ✓")
        self._update_buttons()
        self.findings_changed.emit(n)

    def _status_color(self, ok: bool) -> str:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        if ok:
            return "#4ade80" if dark else "#15803d"
        return "#f87171" if dark else "#b91c1c"

    def unresolved_count(self) -> int:
        return self.findings_model.rowCount()

    def marks(self) -> list[Mark]:
        return self.body.highlighter.marks()

    def replace_mark(self, m: Mark, text: str) -> bool:
        """Replace one finding in the body (one undo step). False if the text moved on."""
        cur = QTextCursor(self.body.document())
        cur.setPosition(m.qt_start)
        cur.setPosition(m.qt_end, QTextCursor.MoveMode.KeepAnchor)
        if cur.selectedText() != m.finding.text:
            self.recheck_now()
            return False
        cur.insertText(text)
        self.recheck_now()
        return True

    def dismiss(self, f: Finding) -> None:
        """Mark a finding "not identifying": stored (and audited) at once for a saved note,
        with the first save for a new one."""
        h = finding_hash(f.text, f.category)
        self._dismissed.add(h)
        if self.note is not None:
            try:
                n = notes.dismiss_finding(self.ctx.db, self.note.id, f.text, f.category)
            except ConsultoryError as exc:
                self.general_error.show_message(str(exc))
                return
            self._dismissed |= n.dismissed
        else:
            self._pending_dismissals.append((f.text, f.category))
            self._on_field_edited()
        self.recheck_now()

    def next_finding(self) -> None:
        marks = self.marks()
        if not marks:
            return
        pos = self.body.textCursor().selectionEnd()
        m = next((x for x in marks if x.qt_start >= pos), marks[0])
        self._select_mark(m)
        row = self.findings_model.rowCount() - len(marks) + marks.index(m)
        self.findings_view.setCurrentIndex(self.findings_model.index(row))
        self.body.setFocus()

    def _select_mark(self, m: Mark) -> None:
        cur = self.body.textCursor()
        cur.setPosition(m.qt_start)
        cur.setPosition(m.qt_end, QTextCursor.MoveMode.KeepAnchor)
        self.body.setTextCursor(cur)
        self.body.ensureCursorVisible()

    def _current_finding(self) -> tuple[Finding | None, Mark | None]:
        idx = self.findings_view.currentIndex()
        if not idx.isValid():
            if self.findings_model.rowCount() == 0:
                return None, None
            idx = self.findings_model.index(0)
        m = idx.data(MarkRole)
        if m is not None:
            return m.finding, m
        return self._title_findings[idx.row()], None

    def _on_findings_current(self, current: QModelIndex, _prev: QModelIndex) -> None:
        m = current.data(MarkRole) if current.isValid() else None
        if m is not None:
            self._select_mark(m)

    def _on_findings_activated(self, index: QModelIndex) -> None:
        m = index.data(MarkRole)
        if m is not None:
            self._select_mark(m)
            self.body.setFocus()
        else:
            self.title_edit.setFocus()

    def _on_replace_menu_about_to_show(self) -> None:
        self.replace_menu.clear()
        f, m = self._current_finding()
        if f is None:
            self.replace_menu.addAction("Nothing to replace").setEnabled(False)
            return
        for opt in replacement_options(f, self._alias()):
            act = QAction(f"Replace with {opt.label}", self.replace_menu)
            act.triggered.connect(
                lambda _=False, fi=f, mk=m, t=opt.text: self._replace_current(fi, mk, t)
            )
            self.replace_menu.addAction(act)

    def _replace_current(self, f: Finding, m: Mark | None, text: str) -> None:
        if m is not None:
            self.replace_mark(m, text)
        else:  # a title finding
            title = self.title_edit.text()
            if title[f.start : f.end] == f.text:
                self.title_edit.setText(title[: f.start] + text + title[f.end :])
                self._on_field_edited()
            self.recheck_now()

    def _on_dismiss_clicked(self) -> None:
        f, _m = self._current_finding()
        if f is not None:
            self.dismiss(f)

    def _on_body_replacement_chosen(self, m: Mark, text: str) -> None:
        self.replace_mark(m, text)

    def _on_body_dismissal_requested(self, m: Mark) -> None:
        self.dismiss(m.finding)

    # --- template and group ----------------------------------------------------------------
    def _on_template_changed(self, _i: int) -> None:
        if self._loading:
            return
        old = self._template(self._template_key)
        new = self._template(str(self.template_combo.currentData()))
        self._template_key = str(self.template_combo.currentData())
        if new is None:
            return
        body = self.body.toPlainText()
        if not body.strip() or (old is not None and body == skeleton(old.sections)):
            self.body.setPlainText(skeleton(new.sections))
        else:
            present = {h.casefold() for h in _present_headings(body, new.sections)}
            missing = [h for h in new.sections if h.casefold() not in present]
            if missing:
                self.body.appendPlainText("\n" + skeleton(missing).rstrip("\n"))
        self._on_field_edited()

    def _on_group_changed(self, _i: int) -> None:
        if not self._loading:
            self._reload_sessions_choices()

    # --- sessions and follow-ups -------------------------------------------------------
    def _reload_side(self) -> None:
        n = self.note
        saved = n is not None
        self.sessions_model.set_records(list(n.sessions) if n else [])
        self.fu_model.set_records(list(n.follow_ups) if n else [])
        self.fu_view.resizeColumnsToContents()
        self.sessions_view.resizeColumnsToContents()
        for w in (
            self.link_button,
            self.unlink_button,
            self.session_combo,
            self.fu_text,
            self.fu_due,
            self.fu_add,
            self.fu_done,
            self.fu_delete,
        ):
            w.setEnabled(saved)
        msg = "" if saved else "Save the note first to link sessions and add follow-ups."
        self.sessions_error.show_message(msg)
        self.fu_error.show_message(msg)
        today = self.ctx.clock.now().date()
        self.fu_due.setDate(QDate(today.year, today.month, today.day).addDays(14))
        self.side_tabs.setTabText(
            1, f"Sessions ({len(n.sessions)})" if n and n.sessions else "Sessions"
        )
        open_n = sum(1 for f in n.follow_ups if not f.done) if n else 0
        self.side_tabs.setTabText(2, f"Follow-ups ({open_n})" if open_n else "Follow-ups")
        self._reload_sessions_choices()

    def _reload_sessions_choices(self) -> None:
        self.session_combo.clear()
        gid = self.group_combo.currentData()
        if self.note is None:
            return
        now = self.ctx.clock.now()
        occs = sessions.list_occurrences(
            self.ctx.db,
            now - timedelta(days=120),
            now + timedelta(days=30),
            {int(gid)} if gid is not None else None,
        )
        linked = {x.occurrence_id for x in self.note.sessions}
        occs = [o for o in occs if o.occurrence_id is None or o.occurrence_id not in linked]
        occs.sort(key=lambda o: abs((o.start_utc - now).total_seconds()))
        for o in occs[:40]:
            self.session_combo.addItem(
                f"{_local(o.start_utc, o.timezone)} · {o.title}", (o.series_id, o.recurrence_id)
            )
        if not occs:
            self.session_combo.addItem("No sessions in the last four months", None)

    def _on_link_clicked(self) -> None:
        data = self.session_combo.currentData()
        if self.note is None or data is None:
            return
        try:
            n = notes.link_session(self.ctx.db, self.note.id, data[0], data[1])
        except ConsultoryError as exc:
            self.sessions_error.show_message(str(exc))
            return
        self._refresh_saved(n)
        self.ctx.notify_changed("notes")

    def _on_unlink_clicked(self) -> None:
        idx = self.sessions_view.currentIndex()
        if self.note is None or not idx.isValid():
            self.sessions_error.show_message("Select a linked session first.")
            return
        link = self.sessions_model.record(idx.row())
        self._refresh_saved(notes.unlink_session(self.ctx.db, self.note.id, link.occurrence_id))
        self.ctx.notify_changed("notes")

    def _on_fu_add_clicked(self) -> None:
        if self.note is None:
            return
        d = self.fu_due.date()
        try:
            notes.add_follow_up(
                self.ctx.db, self.note.id, self.fu_text.text(), date(d.year(), d.month(), d.day())
            )
        except ConsultoryError as exc:
            self.fu_error.show_message(str(exc))
            return
        self.fu_text.clear()
        self._refresh_saved(notes.get_note(self.ctx.db, self.note.id, audit_view=False))
        self.ctx.notify_changed("notes")

    def _selected_fu(self) -> FollowUpInfo | None:
        idx = self.fu_view.currentIndex()
        if not idx.isValid():
            self.fu_error.show_message("Select a follow-up first.")
            return None
        return self.fu_model.record(idx.row())

    def _on_fu_done_clicked(self) -> None:
        f = self._selected_fu()
        if f is None or self.note is None:
            return
        try:
            notes.update_follow_up(self.ctx.db, f.id, expected_version=f.version, done=not f.done)
        except ConsultoryError as exc:
            self.fu_error.show_message(str(exc))
        self._refresh_saved(notes.get_note(self.ctx.db, self.note.id, audit_view=False))
        self.ctx.notify_changed("notes")

    def _on_fu_delete_clicked(self) -> None:
        f = self._selected_fu()
        if f is None or self.note is None:
            return
        notes.delete_follow_up(self.ctx.db, f.id)
        self._refresh_saved(notes.get_note(self.ctx.db, self.note.id, audit_view=False))
        self.ctx.notify_changed("notes")

    def _refresh_saved(self, n: NoteInfo) -> None:
        """Side data changed (links, follow-ups): keep the typed text, update the rest."""
        self.note = n
        self._reload_side()

    # --- saving ----------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self._dirty)
        self.revert_button.setEnabled(self._dirty)
        self.delete_button.setEnabled(self.note is not None)
        clean = self.findings_model.rowCount() == 0
        self.export_button.setEnabled(self.note is not None and not self._dirty and clean)
        self.export_button.setToolTip(
            "Save the note first."
            if self._dirty or self.note is None
            else "Resolve every highlighted identifier first."
            if not clean
            else "A PDF handout of this note for the meeting."
        )
        n = self.findings_model.rowCount()
        self.dismiss_button.setEnabled(n > 0)
        self.replace_button.setEnabled(n > 0)

    def _ask_unresolved(self, count: int) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Possible identifiers")
        box.setText(f"This note still has {count} possible identifier{'s' if count != 1 else ''}.")
        box.setInformativeText(
            "Replace them, or mark each “not identifying”, so the note stays de-identified. "
            "Save anyway?"
        )
        save = box.addButton("Save anyway", QMessageBox.ButtonRole.AcceptRole)
        review = box.addButton("Review", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(review)
        box.exec()
        return box.clickedButton() is save

    def save_changes(self) -> bool:
        """Save (asking first when identifiers are unresolved). True when saved or clean."""
        if not self._dirty:
            return True
        self.recheck_now()
        n = self.unresolved_count()
        if n and not self.confirm_unresolved(n):
            self.findings_view.setFocus()
            return False
        v = self.values()
        for e in (
            self.alias_error,
            self.title_error,
            self.tags_error,
            self.body_error,
            self.general_error,
        ):
            e.show_message("")
        try:
            if self.note is None:
                saved = notes.create_note(
                    self.ctx.db,
                    alias=v["alias"],
                    title=v["title"],
                    body=v["body"],
                    template=v["template"],
                    group_id=v["group_id"],
                    tags=v["tags"],
                    author_member_id=self.ctx.me_id,
                    dismissals=self._pending_dismissals,
                    draft_id=self.draft_id,
                )
            else:
                saved = notes.update_note(
                    self.ctx.db,
                    self.note.id,
                    expected_version=self.note.version,
                    alias=v["alias"],
                    title=v["title"],
                    body=v["body"],
                    template=v["template"],
                    group_id=v["group_id"],
                    tags=v["tags"],
                    dismissals=self._pending_dismissals,
                    draft_id=self.draft_id,
                )
        except ValidationError as exc:
            target = {
                "alias": (self.alias_error, self.alias_edit),
                "title": (self.title_error, self.title_edit),
                "tags": (self.tags_error, self.tags_edit),
                "body": (self.body_error, self.body),
            }.get(exc.field)
            if target is not None:
                target[0].show_message(exc.message)
                target[1].setFocus()
            else:
                self.general_error.show_message(exc.message)
            return False
        except StaleEditError as exc:
            self.autosave_now()  # keep the typed text as a draft
            self.general_error.show_message(
                str(exc) + " Your text is kept as a draft; copy it before reloading."
            )
            return False
        except ConsultoryError as exc:
            self.general_error.show_message(str(exc))
            return False
        self.autosave_timer.stop()
        self._show_note(saved)
        self.note_saved.emit(saved.id)
        self.ctx.notify_changed("notes")
        return True

    def revert(self) -> None:
        if self.draft_id is not None:
            notes.discard_draft(self.ctx.db, self.draft_id)
        self.autosave_timer.stop()
        if self.note is not None:
            self._show_note(notes.get_note(self.ctx.db, self.note.id, audit_view=False))
        else:
            self._set_values(self._loaded)
            self.draft_id = None
            self._pending_dismissals = []
            self._dismissed = set()
            self._set_dirty(False)
            self.recheck_now()

    def discard_changes(self) -> None:
        self.revert()

    def _on_delete_clicked(self) -> None:
        if self.note is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete note",
            f"Delete the note for case {self.note.alias}, with its follow-ups and session "
            "links? This cannot be undone.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        nid = self.note.id
        try:
            notes.delete_note(self.ctx.db, nid, self.note.version)
        except ConsultoryError as exc:
            self.general_error.show_message(str(exc))
            return
        if self.draft_id is not None:
            notes.discard_draft(self.ctx.db, self.draft_id)
        self.note = None
        self.draft_id = None
        self._set_dirty(False)
        self.note_deleted.emit(nid)
        self.ctx.notify_changed("notes")

    def _on_export_clicked(self) -> None:
        if self.note is None:
            return
        from ui.note_handout import choose_and_export

        choose_and_export(self, self.ctx, self.note.id)


# --- helpers ------------------------------------------------------------------------------


def _button_row(*buttons: tuple[QPushButton, Callable[[], None]]) -> QHBoxLayout:
    row = QHBoxLayout()
    for button, slot in buttons:
        button.clicked.connect(slot)
        row.addWidget(button)
    row.addStretch(1)
    return row


def _stack(parent: QWidget, field: QWidget, error: FieldError) -> QWidget:
    box = QWidget(parent)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(field)
    lay.addWidget(error)
    return box


def _present_headings(body: str, headings: Sequence[str]) -> list[str]:
    return [body[a:b] for a, b in heading_spans(body, headings)]


def _local(instant: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        t = instant.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        t = instant
    return t.strftime("%Y-%m-%d %H:%M")


def _clock_time(instant: datetime) -> str:
    return instant.astimezone().strftime("%H:%M:%S")


def point_of(widget: QPlainTextEdit, qt_pos: int) -> QPoint:
    """Viewport point of a document position (tests hover and right-click with it)."""
    cur = QTextCursor(widget.document())
    cur.setPosition(qt_pos)
    return widget.cursorRect(cur).center()
