"""Case notes in a small main window: nothing overflows and every side tab shows."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.pages.notes import NotesPage


def test_note_editor_fits_a_1024_window_with_all_side_tabs(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.resize(1024, 640)
    window.show_section("notes")
    page = window.page("notes")
    assert isinstance(page, NotesPage)
    page.new_note()
    page.editor.body.setPlainText("Client discussed a name, C-71.")
    page.editor.recheck_now()
    qtbot.wait(50)
    # nothing is pushed past the right edge of the window (Save and the side tabs were)
    save = page.editor.save_button
    right = save.mapTo(window, save.rect().topRight()).x()
    assert right <= window.width()
    tabs = page.editor.side_tabs
    bar = tabs.tabBar()
    assert bar.width() >= bar.sizeHint().width(), "side tabs hidden behind scroll arrows"
