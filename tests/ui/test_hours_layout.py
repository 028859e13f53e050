"""The Hours screen at small window sizes: nothing is clipped."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from tests.ui.test_hours_page import _page, pr  # noqa: F401  (fixture)


def test_filters_keep_their_labels_whole_in_a_small_window(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = _page(qtbot, ctx)
    for width in (780, 1200):
        page.resize(width, 640)
        qtbot.wait(20)
        for lab, w in page._filter_pairs:
            assert isinstance(lab, QLabel)
            assert lab.width() >= lab.sizeHint().width(), lab.text()
            assert w.width() >= w.minimumSizeHint().width(), lab.text()
    # the requirement set's full name ("… not legal advice") is not cut off
    combo = page.set_combo
    text_w = combo.fontMetrics().horizontalAdvance(combo.currentText())
    assert combo.width() > text_w


def test_manual_entry_shows_the_whole_privacy_hint(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = _page(qtbot, ctx)
    dlg = page.open_entry_dialog()
    assert dlg is not None
    qtbot.addWidget(dlg)
    qtbot.waitExposed(dlg)
    hint = dlg.note.placeholderText()
    assert "without client names" in hint
    assert dlg.note.width() > dlg.note.fontMetrics().horizontalAdvance(hint)
    dlg.reject()


def test_unlock_dialog_says_how_long_the_reason_must_be(qtbot, ctx, pr) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from datetime import date

    from app.services.hours import REASON_MIN
    from tests.ui.test_hours_page import _custom, _log
    from ui.hours_widgets import UnlockDialog

    _log(ctx, pr)
    page = _page(qtbot, ctx)
    _custom(page, date(2026, 1, 1), date(2026, 1, 31))
    lock = page.lock_current(confirm=False)
    assert lock is not None
    dlg = UnlockDialog(ctx.db, lock, page)
    qtbot.addWidget(dlg)
    assert not dlg.unlock_button.isEnabled()
    assert f"At least {REASON_MIN} characters" in dlg.reason.placeholderText()
