"""Case notes: search and filter the notes, edit one with the live identifier guard,
manage templates and retention. A draft left by a crash is offered back when the page
is first shown."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, ValidationError
from app.notes.search import marked_parts
from app.services import notes
from app.services.notes import DraftInfo, NoteFilter, NoteSummary
from ui.context import AppContext
from ui.models import Column, RecordTableModel
from ui.note_editor import NoteEditor
from ui.pages.today import make_table
from ui.widgets import EmptyOr, EmptyState, FieldError, page_header

SEARCH_DELAY_MS = 200
NoteRole = Qt.ItemDataRole.UserRole + 1
NoteIdRole = Qt.ItemDataRole.UserRole + 2
SnippetHtmlRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex

PERIODS: list[tuple[str, int | None]] = [
    ("Any time", None),
    ("Past month", 31),
    ("Past 3 months", 92),
    ("Past year", 366),
    ("Custom range…", -1),
]


def snippet_html(snippet: str, highlight: str = "#fde68a") -> str:
    """Escape a marked snippet and wrap its matches in a highlighted span."""
    return "".join(
        f"<span style='background:{highlight}; color:#111; font-weight:600'>{html.escape(t)}</span>"
        if hit
        else html.escape(t)
        for t, hit in marked_parts(snippet)
    )


class NoteListModel(QAbstractListModel):
    """Notes (or search hits) for the list on the left."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[NoteSummary] = []

    def set_notes(self, rows: list[NoteSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def note(self, row: int) -> NoteSummary:
        return self._rows[row]

    def row_of(self, note_id: int) -> int:
        return next((i for i, n in enumerate(self._rows) if n.id == note_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        n = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{n.alias} — {n.title}" if n.title else n.alias
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Case {n.alias}, last changed {n.updated_at.date().isoformat()}"
        if role == NoteRole:
            return n
        if role == NoteIdRole:
            return n.id
        if role == SnippetHtmlRole:
            return snippet_html(n.snippet) if n.snippet else ""
        return None


class NoteDelegate(QStyledItemDelegate):
    """Two or three lines per note: alias and title, group/date/tags, highlighted snippet."""

    def _doc(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument:
        n: NoteSummary = index.data(NoteRole)
        pal = option.palette  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        muted = pal.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        ).name()
        meta = [n.updated_at.date().isoformat()]
        if n.group_name:
            meta.append(html.escape(n.group_name))
        if n.tags:
            meta.append(html.escape(", ".join(n.tags)))
        if n.open_follow_ups:
            meta.append(f"{n.open_follow_ups} follow-up{'s' if n.open_follow_ups != 1 else ''}")
        title = f" — {html.escape(n.title)}" if n.title else ""
        parts = [
            f"<div><b>{html.escape(n.alias)}</b>{title}</div>",
            f"<div style='color:{muted}'>{' · '.join(meta)}</div>",
        ]
        snip = index.data(SnippetHtmlRole)
        if snip:
            parts.append(f"<div>{snip}</div>")
        doc = QTextDocument()
        doc.setDefaultFont(option.font)  # type: ignore[attr-defined]
        doc.setHtml("".join(parts))
        doc.setTextWidth(max(120, option.rect.width() - 12))  # type: ignore[attr-defined]
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # type: ignore[attr-defined]
        style = opt.widget.style() if opt.widget else None  # type: ignore[attr-defined]
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)  # type: ignore[attr-defined]
        doc = self._doc(option, index)
        painter.save()
        rect = option.rect  # type: ignore[attr-defined]
        painter.translate(rect.left() + 6, rect.top() + 4)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        ctx.palette.setColor(
            QPalette.ColorRole.Text,
            option.palette.color(  # type: ignore[attr-defined]
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            ),
        )
        ctx.clip = QRectF(0, 0, rect.width() - 12, rect.height() - 8)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        doc = self._doc(option, index)
        return QSize(int(doc.idealWidth()) + 12, int(doc.size().height()) + 8)


# --- dialogs ------------------------------------------------------------------------------


class TemplateDialog(QDialog):
    """Add a user-defined template (name + one heading per line) or delete one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Note templates")
        lay = QVBoxLayout(self)
        self.list_view = QListView(self)
        self.list_view.setObjectName("templateList")
        self.model: RecordTableModel[Any] = RecordTableModel(
            [
                Column(
                    "name", "Template", lambda t: t.name + ("" if not t.builtin else "  (built in)")
                )
            ],
            self,
        )
        self.list_view.setModel(self.model)
        list_label = QLabel("&Templates", self)
        list_label.setBuddy(self.list_view)
        lay.addWidget(list_label)
        lay.addWidget(self.list_view)
        self.delete_button = QPushButton("&Delete selected template", self)
        self.delete_button.setToolTip("Built-in templates cannot be deleted")
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.delete_button.setEnabled(False)  # until a template of your own is selected
        self.list_view.selectionModel().currentChanged.connect(
            self._on_list_view_current_changed
        )
        lay.addWidget(self.delete_button)
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("templateName")
        self.sections_edit = QPlainTextEdit(self)
        self.sections_edit.setObjectName("templateSections")
        self.sections_edit.setTabChangesFocus(True)
        self.sections_edit.setPlaceholderText("One section heading per line")
        form.addRow("&Name", self.name_edit)
        form.addRow("&Sections", self.sections_edit)
        lay.addLayout(form)
        self.error = FieldError(self)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.add_button = buttons.addButton("&Add template", QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button.clicked.connect(self._on_add_clicked)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.changed = False
        self._reload()

    def _reload(self) -> None:
        self.model.set_records(notes.list_templates(self.ctx.db))
        self._on_list_view_current_changed(self.list_view.currentIndex())

    def _on_list_view_current_changed(self, current: QModelIndex, *_: object) -> None:
        deletable = current.isValid() and not self.model.record(current.row()).builtin
        self.delete_button.setEnabled(deletable)

    def _on_add_clicked(self) -> None:
        try:
            notes.create_template(
                self.ctx.db, self.name_edit.text(), self.sections_edit.toPlainText().splitlines()
            )
        except ValidationError as exc:
            self.error.show_message(exc.message)
            return
        self.error.show_message("")
        self.name_edit.clear()
        self.sections_edit.clear()
        self.changed = True
        self._reload()

    def _on_delete_clicked(self) -> None:
        idx = self.list_view.currentIndex()
        if not idx.isValid():
            self.error.show_message("Select a template first.")
            return
        try:
            notes.delete_template(self.ctx.db, self.model.record(idx.row()).key)
        except ValidationError as exc:
            self.error.show_message(exc.message)
            return
        self.changed = True
        self._reload()


class RetentionDialog(QDialog):
    """Per-group retention, and a preview of the notes that would go before any delete."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.services import practice

        self.ctx = ctx
        self.setWindowTitle("Note retention")
        self.resize(640, 520)
        lay = QVBoxLayout(self)
        intro = QLabel(
            "Keep each group's case notes for a number of months after their last change. "
            "Notes past that are listed below and deleted only when you confirm.",
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.spins: dict[int, QSpinBox] = {}
        with_retention = {p.group_id: p.months for p in notes.retention_preview(ctx.db)}
        for g in practice.list_groups(ctx.db):
            spin = QSpinBox(self)
            spin.setObjectName(f"retention_{g.id}")
            spin.setRange(0, notes.RETENTION_MAX_MONTHS)
            spin.setSpecialValueText("Keep forever")
            spin.setSuffix(" months")
            spin.setValue(with_retention.get(g.id, 0))
            spin.valueChanged.connect(lambda v, gid=g.id: self._on_spin_changed(gid, v))
            form.addRow(g.name.replace("&", "&&"), spin)  # not a mnemonic
            self.spins[g.id] = spin
        lay.addLayout(form)
        self.error = FieldError(self)
        lay.addWidget(self.error)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("retentionSummary")
        lay.addWidget(self.preview_label)
        self.model: RecordTableModel[tuple[str, NoteSummary]] = RecordTableModel(
            [
                Column("group", "Group", lambda r: r[0]),
                Column("alias", "Case", lambda r: r[1].alias),
                Column("title", "Title", lambda r: r[1].title),
                Column("changed", "Last changed", lambda r: r[1].updated_at.date().isoformat()),
            ],
            self,
        )
        self.view = make_table(self, "retentionPreview")
        self.view.setModel(self.model)
        lay.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.delete_button = buttons.addButton(
            "Delete these notes…", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setObjectName("retentionDelete")
        self.delete_button.clicked.connect(self._on_delete_clicked)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        #: asked before deleting (tests replace it)
        self.confirm_delete = self._ask_delete
        self.deleted = 0
        self._preview()

    def _on_spin_changed(self, group_id: int, months: int) -> None:
        try:
            notes.set_retention(self.ctx.db, group_id, months or None)
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return
        self.error.show_message("")
        self._preview()

    def _preview(self) -> None:
        rows = [(p.group_name, n) for p in notes.retention_preview(self.ctx.db) for n in p.notes]
        self.model.set_records(rows)
        self.view.resizeColumnsToContents()
        self.preview_label.setText(
            f"{len(rows)} note{'s' if len(rows) != 1 else ''} past retention"
            + (" — review them before deleting." if rows else ".")
        )
        self.delete_button.setEnabled(bool(rows))

    def _ask_delete(self, count: int) -> bool:
        answer = QMessageBox.question(
            self,
            "Delete notes",
            f"Delete {count} note{'s' if count != 1 else ''} past retention? This cannot be "
            "undone.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_delete_clicked(self) -> None:
        ids = [n.id for _g, n in self.model.records()]
        if not ids or not self.confirm_delete(len(ids)):
            return
        self.deleted += notes.apply_retention(self.ctx.db, ids)
        self.ctx.notify_changed("notes")
        self._preview()


# --- the page -----------------------------------------------------------------------------


class NotesPage(QWidget):
    page_ready = Signal()
    note_opened = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._drafts_offered = False
        self._refreshing = False
        #: asked when a left-over draft is found (tests replace it)
        self.ask_restore_draft = self._ask_restore_draft
        #: asked when leaving a note with unsaved changes: "save" | "discard" | "cancel"
        self.ask_leave = self._ask_leave

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)  # as every other page: titles don't jump
        top = QHBoxLayout()
        top.addWidget(
            page_header(
                "Case notes",
                "De-identified notes for consultation. Identifying details are caught as you type.",
                self,
            ),
            1,
        )
        self.new_button = QPushButton("&New case note", self)
        self.new_button.setObjectName("newNoteButton")
        self.new_button.setToolTip("New case note (Ctrl+N)")
        self.templates_button = QPushButton("Templates…", self)
        self.retention_button = QPushButton("Retention…", self)
        for b in (self.templates_button, self.retention_button, self.new_button):
            top.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)

        filters = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("noteSearch")
        self.search_edit.setPlaceholderText('Search notes: words or "a phrase"  (Ctrl+F)')
        self.search_edit.setClearButtonEnabled(True)
        filters.addWidget(self.search_edit, 3)
        self.group_filter = QComboBox(self)
        self.group_filter.setObjectName("groupFilter")
        self.alias_filter = QComboBox(self)
        self.alias_filter.setObjectName("aliasFilter")
        self.tag_filter = QComboBox(self)
        self.tag_filter.setObjectName("tagFilter")
        self.period_filter = QComboBox(self)
        self.period_filter.setObjectName("periodFilter")
        for label, days in PERIODS:
            self.period_filter.addItem(label, days)
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        for d in (self.date_from, self.date_to):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.hide()
            d.dateChanged.connect(self._on_filter_changed)
        for label, w in (
            ("Group", self.group_filter),
            ("Case", self.alias_filter),
            ("Tag", self.tag_filter),
            ("When", self.period_filter),
        ):
            lab = QLabel(label, self)
            lab.setBuddy(w)
            filters.addWidget(lab)
            filters.addWidget(w, 1)
        filters.addWidget(self.date_from)
        filters.addWidget(self.date_to)
        lay.addLayout(filters)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        self.list_model = NoteListModel(self)
        self.list_view = QListView(split)
        self.list_view.setObjectName("noteList")
        self.list_view.setModel(self.list_model)
        self.list_view.setItemDelegate(NoteDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setUniformItemSizes(False)
        self.list_view.setWordWrap(True)
        self.list_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_empty = EmptyState(
            "No case notes yet",
            "Bring a case to your group: write the presenting concern and the question for "
            "the group under a case alias such as C-12 — never a name.",
            "New case note",
            self._on_new_clicked,
            self,
        )
        self.list_stack = EmptyOr(self.list_view, self.list_empty, split)
        self.editor = NoteEditor(ctx, split)
        self.editor_empty = EmptyState(
            "No note open",
            "Select a note on the left, or start a new one (Ctrl+N).",
            parent=self,
        )
        self.editor_stack = EmptyOr(self.editor, self.editor_empty, split)
        self.editor_stack.set_empty(True)
        split.addWidget(self.list_stack)
        split.addWidget(self.editor_stack)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([330, 900])
        lay.addWidget(split, 1)

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.reload_list)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.search_edit.returnPressed.connect(self.reload_list)
        for combo in (self.group_filter, self.alias_filter, self.tag_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.period_filter.currentIndexChanged.connect(self._on_period_changed)
        self.list_view.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.templates_button.clicked.connect(self._on_templates_clicked)
        self.retention_button.clicked.connect(self._on_retention_clicked)
        self.editor.note_saved.connect(self._on_editor_note_saved)
        self.editor.note_deleted.connect(self._on_editor_note_deleted)
        QShortcut(
            QKeySequence.StandardKey.New,
            self,
            self._on_new_clicked,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence.StandardKey.Find,
            self,
            self._focus_search,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        ctx.data_changed.connect(self._on_ctx_data_changed)

    # --- page protocol ---------------------------------------------------------------------
    def refresh(self) -> None:
        self._refreshing = True
        try:
            self._fill_filters()
        finally:
            self._refreshing = False
        self.reload_list()
        if not self._drafts_offered:
            self._drafts_offered = True
            QTimer.singleShot(0, self, self.offer_drafts)
        self.page_ready.emit()

    def has_unsaved_changes(self) -> bool:
        return self.editor.has_unsaved_changes()

    def save_changes(self) -> bool:
        """Called by the window (close) and by auto-lock: never opens a dialog. The typed
        text is written as a draft first; a note with unresolved identifiers stays a
        draft (saving it needs the user's explicit confirmation in the editor) and is
        offered back on the next start."""
        ed = self.editor
        if not ed.has_unsaved_changes():
            return True
        ed.autosave_now()
        ed.recheck_now()
        if ed.unresolved_count():
            return True
        return ed.save_changes()

    def discard_changes(self) -> None:
        self.editor.discard_changes()

    def open_target(self, target: str) -> None:
        """Go to ``notes:<id>`` or ``notes:retention`` (from Today's attention items)."""
        what = target.split(":", 1)[1] if ":" in target else ""
        if what == "retention":
            self._on_retention_clicked()
        elif what.isdigit():
            self.open_note(int(what))

    def _on_ctx_data_changed(self, area: str) -> None:
        if area in ("notes", "practice", "schedule") and self.isVisible():
            self.refresh()

    # --- filters and list ------------------------------------------------------------------
    def _fill_filters(self) -> None:
        from app.services import practice

        def fill(combo: QComboBox, first: str, items: list[tuple[str, Any]]) -> None:
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for label, data in items:
                combo.addItem(label, data)
            combo.setCurrentIndex(max(0, combo.findData(keep)))
            combo.blockSignals(False)

        fill(
            self.group_filter,
            "All groups",
            [(g.name, g.id) for g in practice.list_groups(self.ctx.db)],
        )
        fill(self.alias_filter, "All cases", [(a, a) for a in notes.aliases(self.ctx.db)])
        fill(self.tag_filter, "All tags", [(t, t) for t in notes.all_tags(self.ctx.db)])

    def current_filter(self) -> NoteFilter:
        days = self.period_filter.currentData()
        d_from: date | None = None
        d_to: date | None = None
        if days == -1:
            f, t = self.date_from.date(), self.date_to.date()
            d_from = date(f.year(), f.month(), f.day())
            d_to = date(t.year(), t.month(), t.day())
        elif days:
            d_from = self.ctx.clock.now().date() - timedelta(days=int(days))
        return NoteFilter(
            group_id=self.group_filter.currentData(),
            alias=self.alias_filter.currentData(),
            tag=self.tag_filter.currentData(),
            date_from=d_from,
            date_to=d_to,
        )

    def _on_search_text_changed(self, _t: str) -> None:
        self.search_timer.start()

    def _on_filter_changed(self, *_a: object) -> None:
        if not self._refreshing:
            self.reload_list()

    def _on_period_changed(self, _i: int) -> None:
        custom = self.period_filter.currentData() == -1
        if custom and not self.date_from.isVisible():
            today = self.ctx.clock.now().date()
            self.date_to.setDate(QDate(today.year, today.month, today.day))
            self.date_from.setDate(self.date_to.date().addMonths(-3))
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self._on_filter_changed()

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def reload_list(self) -> None:
        self.search_timer.stop()
        query = self.search_edit.text()
        filt = self.current_filter()
        try:
            rows = notes.search_notes(self.ctx.db, query, filt)
        except ConsultoryError:  # e.g. the store locked while a search was pending
            return
        current = self.editor.note.id if self.editor.note else None
        self.list_model.set_notes(rows)
        filtered = bool(query.strip()) or filt != NoteFilter()
        if not rows and filtered:
            self.list_empty.title_label.setText("No notes match")
            self.list_empty.text_label.setText(
                "Try fewer words, a shorter phrase, or clear the filters."
            )
            if self.list_empty.action_button:
                self.list_empty.action_button.hide()
        else:
            self.list_empty.title_label.setText("No case notes yet")
            self.list_empty.text_label.setText(
                "Bring a case to your group: write the presenting concern and the question "
                "for the group under a case alias such as C-12 — never a name."
            )
            if self.list_empty.action_button:
                self.list_empty.action_button.show()
        self.list_stack.set_empty(not rows)
        if current is not None:
            row = self.list_model.row_of(current)
            if row >= 0:
                sm = self.list_view.selectionModel()
                sm.blockSignals(True)
                self.list_view.setCurrentIndex(self.list_model.index(row))
                sm.blockSignals(False)

    # --- opening notes ---------------------------------------------------------------------
    def _leave_editor(self) -> bool:
        if not self.editor.has_unsaved_changes():
            if self.editor.draft_id is not None:
                notes.discard_draft(self.ctx.db, self.editor.draft_id)
                self.editor.draft_id = None
            return True
        answer = self.ask_leave()
        if answer == "save":
            return self.editor.save_changes()
        if answer == "discard":
            self.editor.discard_changes()
            return True
        return False

    def _ask_leave(self) -> str:
        answer = QMessageBox.question(
            self,
            "Unsaved note",
            "This note has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        return {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard",
        }.get(answer, "cancel")

    def open_note(self, note_id: int) -> bool:
        if self.editor.note is not None and self.editor.note.id == note_id:
            self.editor_stack.set_empty(False)
            return True
        if not self._leave_editor():
            self._reselect_current()
            return False
        try:
            self.editor.open_note(note_id)
        except ConsultoryError as exc:
            QMessageBox.information(self, "Note not available", str(exc))
            self.reload_list()
            return False
        self.editor_stack.set_empty(False)
        self.note_opened.emit(note_id)
        self._reselect_current()
        return True

    def new_note(self) -> bool:
        if not self._leave_editor():
            return False
        gid = self.group_filter.currentData()
        self.editor.new_note(group_id=gid)
        self.editor_stack.set_empty(False)
        self.list_view.clearSelection()
        self.editor.alias_edit.setFocus()
        return True

    def _reselect_current(self) -> None:
        nid = self.editor.note.id if self.editor.note else None
        row = self.list_model.row_of(nid) if nid is not None else -1
        sm = self.list_view.selectionModel()
        sm.blockSignals(True)
        if row >= 0:
            self.list_view.setCurrentIndex(self.list_model.index(row))
        else:
            self.list_view.clearSelection()
        sm.blockSignals(False)

    def _on_list_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if current.isValid():
            self.open_note(int(current.data(NoteIdRole)))

    def _on_new_clicked(self) -> None:
        self.new_note()

    def _on_editor_note_saved(self, note_id: int) -> None:
        self._fill_filters()
        self.reload_list()

    def _on_editor_note_deleted(self, _note_id: int) -> None:
        self.editor_stack.set_empty(True)
        self.refresh()

    # --- drafts ----------------------------------------------------------------------------
    def offer_drafts(self) -> None:
        """Offer drafts left by a crash (not the one this editor is writing)."""
        for d in notes.pending_drafts(self.ctx.db):
            if d.id == self.editor.draft_id:
                continue
            choice = self.ask_restore_draft(d)
            if choice == "restore":
                if not self._leave_editor():
                    return
                self.editor.restore_draft(d)
                self.editor_stack.set_empty(False)
                return  # one at a time; the rest are offered next start
            if choice == "discard":
                notes.discard_draft(self.ctx.db, d.id)

    def _ask_restore_draft(self, d: DraftInfo) -> str:
        alias = str(d.payload.get("alias") or "a new note")
        when = d.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        box = QMessageBox(self)
        box.setWindowTitle("Unsaved draft found")
        box.setText(
            f"A draft of {html.escape(alias)} from {when} was not saved — Consultory "
            "may have closed unexpectedly."
        )
        box.setInformativeText("Restore it to keep working on it?")
        restore = box.addButton("Restore draft", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard draft", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        return "restore" if clicked is restore else "discard" if clicked is discard else "later"

    # --- dialogs ---------------------------------------------------------------------------
    def _on_templates_clicked(self) -> None:
        dlg = TemplateDialog(self.ctx, self)
        dlg.exec()
        if dlg.changed and self.editor.note is None and not self.editor.has_unsaved_changes():
            self.editor_stack.set_empty(True)
        dlg.deleteLater()

    def _on_retention_clicked(self) -> None:
        dlg = RetentionDialog(self.ctx, self)
        dlg.exec()
        if dlg.deleted:
            open_note = self.editor.note
            if open_note is not None and open_note.id not in {
                n.id for n in notes.list_notes(self.ctx.db)
            }:
                self.editor.note = None
                self.editor.draft_id = None
                self.editor_stack.set_empty(True)
            self.refresh()
        dlg.deleteLater()
