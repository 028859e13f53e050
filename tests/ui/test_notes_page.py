"""The Case notes page: list, search with filters and highlights, drafts, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.services import notes, practice
from app.services.notes import NoteFilter
from tests.fakes import FakeClock
from ui.context import AppContext
from ui.pages.notes import NoteListModel, NotesPage, RetentionDialog, SnippetHtmlRole


@pytest.fixture
def page(qtbot: QtBot, me_ctx: AppContext) -> NotesPage:
    p = NotesPage(me_ctx)
    p.ask_restore_draft = lambda d: "later"
    qtbot.addWidget(p)
    p.resize(1300, 800)
    p.show()
    return p


def _seed(ctx: AppContext, clock: FakeClock) -> dict[str, int]:
    g = practice.create_group(ctx.db, "Tuesday peers")
    ids = {
        "panic": notes.create_note(
            ctx.db,
            alias="C-12",
            title="Panic at work",
            group_id=g.id,
            body="Panic attacks before presentations.",
            tags="anxiety",
        ).id,
    }
    clock.advance(days=100)
    ids["sleep"] = notes.create_note(
        ctx.db,
        alias="C-7",
        title="Sleep",
        body="Insomnia; sleep restriction discussed.",
        tags="sleep",
    ).id
    return ids


def test_empty_practice_shows_a_real_empty_state(page: NotesPage) -> None:
    page.refresh()
    assert page.list_stack.is_showing_empty()
    assert page.list_empty.title_label.text() == "No case notes yet"
    assert page.editor_stack.is_showing_empty()
    assert page.list_empty.action_button is not None
    page.list_empty.action_button.click()
    assert not page.editor_stack.is_showing_empty()
    assert page.editor.alias_edit.hasFocus() or page.editor.note is None


def test_search_highlights_matches_and_filters(
    qtbot: QtBot, page: NotesPage, me_ctx: AppContext, fake_clock: FakeClock
) -> None:
    ids = _seed(me_ctx, fake_clock)
    page.refresh()
    assert page.list_model.rowCount() == 2
    qtbot.keyClicks(page.search_edit, "panic")
    qtbot.waitUntil(lambda: page.list_model.rowCount() == 1, timeout=2000)
    html = page.list_model.data(page.list_model.index(0), SnippetHtmlRole)
    assert "<span style='background:#fde68a" in html and ">Panic</span>" in html
    page.search_edit.clear()
    page.reload_list()
    page.tag_filter.setCurrentIndex(page.tag_filter.findData("sleep"))
    assert [page.list_model.note(i).id for i in range(page.list_model.rowCount())] == [ids["sleep"]]
    page.tag_filter.setCurrentIndex(0)
    page.period_filter.setCurrentIndex(1)  # past month
    assert page.current_filter().date_from == fake_clock.now().date() - timedelta(days=31)
    assert page.list_model.rowCount() == 1
    page.search_edit.setText("nothing-like-this")
    page.reload_list()
    assert page.list_stack.is_showing_empty()
    assert page.list_empty.title_label.text() == "No notes match"


def test_selecting_a_note_opens_it_and_audits_the_view(
    page: NotesPage, me_ctx: AppContext, fake_clock: FakeClock
) -> None:
    ids = _seed(me_ctx, fake_clock)
    page.refresh()
    page.list_view.setCurrentIndex(page.list_model.index(page.list_model.row_of(ids["panic"])))
    assert page.editor.note is not None and page.editor.note.id == ids["panic"]
    assert page.editor.alias_edit.text() == "C-12"


def test_leaving_a_changed_note_asks_and_cancel_keeps_it(
    page: NotesPage, me_ctx: AppContext, fake_clock: FakeClock
) -> None:
    ids = _seed(me_ctx, fake_clock)
    page.refresh()
    page.open_note(ids["panic"])
    page.editor.body.setPlainText("typed work")
    page.ask_leave = lambda: "cancel"
    assert not page.open_note(ids["sleep"])
    assert page.editor.note is not None and page.editor.note.id == ids["panic"]
    assert page.editor.body.toPlainText() == "typed work"
    page.ask_leave = lambda: "save"
    assert page.open_note(ids["sleep"])
    assert notes.get_note(me_ctx.db, ids["panic"]).body == "typed work"


def test_a_draft_left_by_a_crash_is_offered_back(page: NotesPage, me_ctx: AppContext) -> None:
    notes.save_draft(
        me_ctx.db,
        {
            "alias": "C-9",
            "body": "Presenting concern:\nunsaved work\n",
            "template": "case_presentation",
            "dismissals": [],
        },
    )
    offered: list[str] = []

    def restore(d: notes.DraftInfo) -> str:
        offered.append(str(d.payload["alias"]))
        return "restore"

    page.ask_restore_draft = restore
    page.offer_drafts()
    assert offered == ["C-9"]
    assert page.editor.alias_edit.text() == "C-9"
    assert "unsaved work" in page.editor.body.toPlainText()
    assert page.has_unsaved_changes()
    assert page.save_changes()
    assert notes.pending_drafts(me_ctx.db) == []
    assert [n.alias for n in notes.list_notes(me_ctx.db)] == ["C-9"]


def test_retention_dialog_previews_then_deletes(
    qtbot: QtBot, page: NotesPage, me_ctx: AppContext, fake_clock: FakeClock
) -> None:
    ids = _seed(me_ctx, fake_clock)
    g = practice.find_group(me_ctx.db, "Tuesday peers")
    dlg = RetentionDialog(me_ctx, page)
    qtbot.addWidget(dlg)
    assert dlg.model.rowCount() == 0 and not dlg.delete_button.isEnabled()
    dlg.spins[g.id].setValue(2)
    assert [r[1].id for r in dlg.model.records()] == [ids["panic"]]
    assert "1 note past retention" in dlg.preview_label.text()
    assert len(notes.list_notes(me_ctx.db)) == 2  # nothing deleted by the preview
    dlg.confirm_delete = lambda n: False
    dlg.delete_button.click()
    assert len(notes.list_notes(me_ctx.db)) == 2
    dlg.confirm_delete = lambda n: True
    dlg.delete_button.click()
    assert [n.id for n in notes.list_notes(me_ctx.db)] == [ids["sleep"]]
    assert dlg.deleted == 1


def test_list_model_passes_the_model_tester(
    qtmodeltester: ModelTester, me_ctx: AppContext, fake_clock: FakeClock
) -> None:
    _seed(me_ctx, fake_clock)
    model = NoteListModel()
    model.set_notes(notes.search_notes(me_ctx.db, "sleep", NoteFilter()))
    qtmodeltester.check(model)


def test_open_target_from_today_opens_the_note(
    page: NotesPage, me_ctx: AppContext, fake_clock: FakeClock
) -> None:
    ids = _seed(me_ctx, fake_clock)
    page.refresh()
    page.open_target(f"notes:{ids['sleep']}")
    assert page.editor.note is not None and page.editor.note.id == ids["sleep"]


def test_window_save_never_prompts_and_keeps_unresolved_work_as_a_draft(
    page: NotesPage, me_ctx: AppContext
) -> None:
    def no_dialogs(n: int) -> bool:
        raise AssertionError("no modal question while locking or closing")

    page.refresh()
    page.new_note()
    page.editor.confirm_unresolved = no_dialogs
    page.editor.alias_edit.setText("C-30")
    page.editor.body.setPlainText("Presenting concern:\nMaria is stuck.\n")
    assert page.save_changes()
    assert notes.list_notes(me_ctx.db) == []
    assert notes.pending_drafts(me_ctx.db)[0].payload["alias"] == "C-30"
    page.editor.body.setPlainText("Presenting concern:\nThe client is stuck.\n")
    assert page.save_changes()
    assert [n.alias for n in notes.list_notes(me_ctx.db)] == ["C-30"]
    assert notes.pending_drafts(me_ctx.db) == []


def test_templates_dialog_offers_delete_only_for_your_own_template(
    qtbot: QtBot, page: NotesPage, me_ctx: AppContext
) -> None:
    from ui.pages.notes import TemplateDialog

    dlg = TemplateDialog(me_ctx, page)
    qtbot.addWidget(dlg)
    assert not dlg.delete_button.isEnabled()  # nothing selected
    builtin = next(i for i, t in enumerate(dlg.model.records()) if t.builtin)
    dlg.list_view.setCurrentIndex(dlg.model.index(builtin, 0))
    assert not dlg.delete_button.isEnabled()
    dlg.name_edit.setText("Ethics question")
    dlg.sections_edit.setPlainText("Dilemma\nOptions")
    dlg.add_button.click()
    mine = next(i for i, t in enumerate(dlg.model.records()) if t.name == "Ethics question")
    dlg.list_view.setCurrentIndex(dlg.model.index(mine, 0))
    assert dlg.delete_button.isEnabled()
