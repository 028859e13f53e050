"""Alt+letter reaches one control: no two visible controls on a page share a mnemonic."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow


def _mnemonics(root: QWidget) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    widgets: list[QAbstractButton | QLabel] = [
        *root.findChildren(QAbstractButton), *root.findChildren(QLabel)
    ]
    for w in widgets:
        m = re.search(r"&([^&\s])", w.text())
        if m and w.isVisible():
            seen.setdefault(m.group(1).lower(), []).append(w.text())
    return seen


@pytest.mark.parametrize("section", ["calendar", "notes", "hours"])
def test_no_two_visible_controls_share_a_mnemonic(
    qtbot: QtBot, window: MainWindow, section: str
) -> None:
    window.show_section(section)
    page = window.page(section)
    if section == "notes":
        page.new_note()  # type: ignore[attr-defined]
    qtbot.wait(20)
    dups = {k: v for k, v in _mnemonics(window).items() if len(v) > 1}
    assert not dups
