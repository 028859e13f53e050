"""The Calendar page in a small window: group names and the period are not cut off."""

from __future__ import annotations

from app.services import practice
from tests.ui.test_calendar import page, practice_ctx  # noqa: F401  (fixtures)
from ui.pages.calendar import CalendarPage


def test_legend_chips_wrap_instead_of_eliding_names(qtbot, page: CalendarPage) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    db = page.ctx.db
    for name in ("Individual supervision: associate A",
                 "Individual supervision: associate B",
                 "Child & family case conference", "Couples therapy peer group",
                 "Ethics & boundaries circle", "Associate group supervision"):
        g = practice.create_group(db, name, color="#f97316").id
        practice.set_role(db, g, page.ctx.me_id or 0, "peer")
    page.refresh()
    for width in (760, 1000):
        page.resize(width, 640)
        qtbot.wait(20)
        assert page._groups
        for g in page._groups:
            b = page.legend.button(g.id)
            assert b.width() >= b.sizeHint().width(), g.name
        label = page.period_label
        assert label.width() >= label.sizeHint().width()


def test_tab_visits_the_legend_between_the_toolbar_and_the_agenda(page: CalendarPage) -> None:  # noqa: F811
    from PySide6.QtCore import Qt

    chips = page.legend.buttons()
    assert chips
    order = []
    w = page.new_btn.nextInFocusChain()
    while len(order) < len(chips) + 1:
        if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisible():
            order.append(w)
        w = w.nextInFocusChain()
    assert order == [*chips, page.agenda_view]
