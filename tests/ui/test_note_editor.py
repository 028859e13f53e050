"""The note editor's live identifier guard, saving, drafts and the PDF handout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.errors import ValidationError
from app.notes.guard import finding_hash
from app.services import notes
from app.store.engine import transaction
from app.store.models import AuditLog
from ui.context import AppContext
from ui.note_editor import FindingsModel, NoteEditor, Utf16Map, point_of
from ui.note_handout import export_handout

NAME_TEXT = "Presenting concern:\nMaria reports panic before meetings.\n"


@pytest.fixture
def editor(qtbot: QtBot, me_ctx: AppContext) -> NoteEditor:
    e = NoteEditor(me_ctx)
    qtbot.addWidget(e)
    e.resize(1100, 700)
    e.show()
    e.new_note()
    return e


def _actions(ctx: AppContext, action: str) -> list[int | None]:
    with transaction(ctx.db.engine) as s:
        return [r.row_id for r in s.exec(select(AuditLog).where(AuditLog.action == action))]


def _formats_at(editor: NoteEditor, pos: int) -> list[str]:
    block = editor.body.document().findBlock(pos)
    off = pos - block.position()
    return [
        r.format.background().color().name()
        for r in block.layout().formats()
        if r.start <= off < r.start + r.length
    ]


def test_typing_a_name_highlights_it_after_a_short_pause(qtbot: QtBot, editor: NoteEditor) -> None:
    editor.body.setFocus()
    editor.body.moveCursor(editor.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.body, "Her brother Dominic visits weekly.")
    qtbot.waitUntil(lambda: any(m.finding.text == "Dominic" for m in editor.marks()), timeout=2000)
    m = next(m for m in editor.marks() if m.finding.text == "Dominic")
    assert m.finding.category == "NAME"
    assert _formats_at(editor, m.qt_start) == ["#fecaca"]
    assert "Identifiers (" in editor.side_tabs.tabText(0)
    assert "possible identifier" in editor.guard_status.text()


def test_hover_shows_category_and_reason(qtbot: QtBot, editor: NoteEditor) -> None:
    editor.body.setPlainText(NAME_TEXT)
    editor.recheck_now()
    m = editor.marks()[0]
    vp = point_of(editor.body, m.qt_start + 1)
    local = vp + editor.body.viewport().pos()
    ev = QHelpEvent(QEvent.Type.ToolTip, local, editor.body.mapToGlobal(local))
    editor.body.event(ev)
    assert "Name" in QToolTip.text() and m.finding.reason in QToolTip.text()


def test_one_click_replacement_uses_the_alias_and_is_one_undo_step(editor: NoteEditor) -> None:
    editor.alias_edit.setText("C-12")
    editor.body.setPlainText(NAME_TEXT)
    editor.recheck_now()
    m = editor.marks()[0]
    menu = editor.body.finding_menu(m, editor)
    labels = [a.text() for a in menu.actions()]
    assert labels[0].startswith("Name — ")
    alias_action = next(a for a in menu.actions() if "C-12" in a.text())
    alias_action.trigger()
    assert "C-12 reports panic" in editor.body.toPlainText()
    assert editor.unresolved_count() == 0
    assert "✓" in editor.side_tabs.tabText(0)
    editor.body.undo()
    assert "Maria reports" in editor.body.toPlainText()


def test_date_is_replaced_by_its_year_from_the_side_panel(editor: NoteEditor) -> None:
    editor.body.setPlainText("Relevant history:\nHospitalised on 3/14/2024 briefly.\n")
    editor.recheck_now()
    editor.findings_view.setCurrentIndex(editor.findings_model.index(0))
    editor._on_replace_menu_about_to_show()
    year = next(a for a in editor.replace_menu.actions() if "Year only" in a.text())
    year.trigger()
    assert "Hospitalised on 2024 briefly" in editor.body.toPlainText()


def test_not_identifying_on_a_new_note_is_stored_and_audited_with_the_first_save(
    editor: NoteEditor, me_ctx: AppContext
) -> None:
    editor.alias_edit.setText("C-3")
    editor._on_field_edited()
    editor.body.setPlainText(NAME_TEXT)
    editor.recheck_now()
    editor.findings_view.setCurrentIndex(editor.findings_model.index(0))
    editor.dismiss_button.click()
    assert editor.unresolved_count() == 0
    assert editor.save_changes()
    assert editor.note is not None
    assert finding_hash("Maria", "NAME") in editor.note.dismissed
    assert len(_actions(me_ctx, "phi_dismissed")) == 1
    # on a saved note a dismissal is stored at once
    editor.body.appendPlainText("She spoke with Dominic.")
    editor.recheck_now()
    editor.dismiss(editor.marks()[0].finding)
    assert len(_actions(me_ctx, "phi_dismissed")) == 2


def test_saving_with_unresolved_findings_needs_confirmation(
    editor: NoteEditor, me_ctx: AppContext
) -> None:
    asked: list[int] = []
    editor.confirm_unresolved = lambda n: asked.append(n) is not None  # refuse
    editor.alias_edit.setText("C-4")
    editor.body.setPlainText(NAME_TEXT)
    assert not editor.save_changes()
    assert asked == [1] and notes.list_notes(me_ctx.db) == []
    editor.confirm_unresolved = lambda n: True
    assert editor.save_changes()
    assert [n.alias for n in notes.list_notes(me_ctx.db)] == ["C-4"]
    assert not editor.has_unsaved_changes()


def test_invalid_alias_shows_inline_and_keeps_the_text(editor: NoteEditor) -> None:
    editor.alias_edit.setText("Maria")
    editor.body.setPlainText("Presenting concern:\nlow mood\n")
    assert not editor.save_changes()
    assert "name" in editor.alias_error.text()
    assert editor.has_unsaved_changes() and "low mood" in editor.body.toPlainText()


def test_drafts_autosave_and_are_cleared_by_saving(
    qtbot: QtBot, editor: NoteEditor, me_ctx: AppContext
) -> None:
    editor.autosave_timer.setInterval(20)
    editor.alias_edit.setText("C-5")
    qtbot.keyClicks(editor.body, "x")
    qtbot.waitUntil(lambda: bool(notes.pending_drafts(me_ctx.db)), timeout=2000)
    [d] = notes.pending_drafts(me_ctx.db)
    assert d.payload["alias"] == "C-5" and "Draft saved" in editor.autosave_label.text()
    assert editor.save_changes()
    assert notes.pending_drafts(me_ctx.db) == []


def test_stale_save_keeps_the_text_and_explains(editor: NoteEditor, me_ctx: AppContext) -> None:
    n = notes.create_note(me_ctx.db, alias="C-6", body="one")
    editor.open_note(n.id)
    notes.update_note(me_ctx.db, n.id, body="changed elsewhere")
    editor.body.setPlainText("my edit")
    assert not editor.save_changes()
    assert "changed elsewhere since you opened it" in editor.general_error.text()
    assert editor.body.toPlainText() == "my edit"
    assert notes.pending_drafts(me_ctx.db)[0].payload["body"] == "my edit"


def test_template_switch_fills_an_untouched_body(editor: NoteEditor) -> None:
    i = editor.template_combo.findData("supervision_record")
    editor.template_combo.setCurrentIndex(i)
    assert editor.body.toPlainText().startswith("Cases discussed:")
    editor.body.setPlainText("Cases discussed:\nthree cases\n")
    editor.template_combo.setCurrentIndex(editor.template_combo.findData("case_presentation"))
    text = editor.body.toPlainText()
    assert text.startswith("Cases discussed:\nthree cases") and "Presenting concern:" in text


def test_offsets_survive_emoji_before_a_finding(editor: NoteEditor) -> None:
    text = "Mood 😀😀 then Maria called.\n"
    umap = Utf16Map(text)
    i = text.index("Maria")
    assert umap.to_qt(i) == i + 2 and umap.from_qt(i + 2) == i
    editor.body.setPlainText(text)
    editor.recheck_now()
    m = editor.marks()[0]
    editor._select_mark(m)
    assert editor.body.textCursor().selectedText() == "Maria"


def test_findings_model_passes_the_model_tester(
    qtmodeltester: ModelTester, editor: NoteEditor
) -> None:
    editor.title_edit.setText("Update on Maria")
    editor.body.setPlainText(NAME_TEXT + "Call 555-123-4567.")
    editor.recheck_now()
    model: FindingsModel = editor.findings_model
    assert model.rowCount() >= 3
    assert "title" in model.data(model.index(0))
    qtmodeltester.check(model)


def test_handout_is_refused_until_the_guard_is_clean(
    editor: NoteEditor, me_ctx: AppContext, tmp_path: Path
) -> None:
    n = notes.create_note(me_ctx.db, alias="C-7", body=NAME_TEXT)
    editor.open_note(n.id)
    assert not editor.export_button.isEnabled()
    out = tmp_path / "handout.pdf"
    with pytest.raises(ValidationError, match="1 possible identifier"):
        export_handout(me_ctx, n.id, out)
    assert not out.exists()
    editor.replace_mark(editor.marks()[0], "[client]")
    assert not editor.export_button.isEnabled()  # unsaved
    assert editor.save_changes()
    assert editor.export_button.isEnabled()
    assert export_handout(me_ctx, n.id, out) == 1
    assert out.read_bytes().startswith(b"%PDF") and (out.stat().st_mode & 0o777) == 0o600
    assert _actions(me_ctx, "export") == [n.id]


def test_follow_ups_and_session_links_need_a_saved_note(
    editor: NoteEditor, me_ctx: AppContext
) -> None:
    assert not editor.fu_add.isEnabled()
    editor.alias_edit.setText("C-8")
    editor.body.setPlainText("Presenting concern:\nworry\n")
    assert editor.save_changes()
    assert editor.fu_add.isEnabled()
    editor.fu_text.setText("Bring the exposure hierarchy")
    editor.fu_add.click()
    assert [f.text for f in editor.fu_model.records()] == ["Bring the exposure hierarchy"]
    assert editor.side_tabs.tabText(2) == "Follow-ups (1)"
    editor.fu_text.setText("Call Maria")
    editor.fu_add.click()
    assert "identifying" in editor.fu_error.text()


def test_keyboard_f8_walks_the_findings(qtbot: QtBot, editor: NoteEditor) -> None:
    editor.body.setPlainText("Maria and Dominic argued.\n")
    editor.recheck_now()
    editor.body.setFocus()
    qtbot.keyClick(editor.body, Qt.Key.Key_F8)
    first = editor.body.textCursor().selectedText()
    qtbot.keyClick(editor.body, Qt.Key.Key_F8)
    assert {first, editor.body.textCursor().selectedText()} == {"Maria", "Dominic"}


def test_handout_lays_out_sections_escapes_text_and_names_the_next_session(
    me_ctx: AppContext,
) -> None:
    from datetime import date, datetime

    from app.services import practice, sessions
    from ui.note_handout import handout_html

    g = practice.create_group(me_ctx.db, "Peers & friends")
    sr = sessions.create_series(
        me_ctx.db, g.id, "Consult", datetime(2026, 3, 3, 12), 60, "UTC", "FREQ=WEEKLY"
    )
    n = notes.create_note(
        me_ctx.db,
        alias="C-9",
        group_id=g.id,
        title="Loops <b>",
        body="Presenting concern:\nx < y & z\n\nQuestion for the group:\nWhat next?\n",
    )
    notes.link_session(me_ctx.db, n.id, sr.id, datetime(2026, 3, 3, 12))
    n = notes.link_session(me_ctx.db, n.id, sr.id, datetime(2026, 3, 17, 12))
    spec = notes.get_template(me_ctx.db, "case_presentation")
    out = handout_html(n, spec.name, spec.sections, date(2026, 3, 10))
    assert "x &lt; y &amp; z" in out and "Loops &lt;b&gt;" in out
    assert out.index("Presenting concern</h2>") < out.index("Question for the group</h2>")
    assert "bgcolor='#eef4fb'" in out and "Peers &amp; friends" in out
    assert "for the session on 2026-03-17" in out
