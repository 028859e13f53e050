from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox

from app.services import practice, sessions
from app.services.practice import GroupInfo
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.models import Column, IdRole, RecordRole, RecordTableModel
from ui.pages.groups import GroupsPage
from ui.pages.today import TodayPage
from ui.widgets import EmptyOr


def test_sidebar_lists_every_section_and_ctrl_number_switches(qtbot, window: MainWindow) -> None:
    labels = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert [lbl.split(maxsplit=1)[1] for lbl in labels] == [
        "Today", "Calendar", "Groups & members", "Case notes", "Hours", "Settings"]
    for i, key in enumerate(window.section_keys()):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + i), Qt.KeyboardModifier.ControlModifier)
        assert window.current_section() == key
        assert window.stack.currentWidget() is window.page(key)


def test_every_section_has_a_real_empty_state_on_a_new_practice(qtbot, window: MainWindow) -> None:
    today = window.page("today")
    assert isinstance(today, TodayPage)
    qtbot.waitUntil(lambda: today.loaded)
    assert today.sessions_stack.is_showing_empty()
    assert today.attention_stack.is_showing_empty()
    for key in window.section_keys():
        window.show_section(key)
        page = window.page(key)
        texts = [lbl.text() for lbl in page.findChildren(QLabel) if lbl.isVisible()]
        assert any(t.strip() for t in texts), key


def test_today_lists_upcoming_sessions_in_my_zone(qtbot, window: MainWindow,
                                                   me_ctx: AppContext) -> None:
    g = practice.list_groups(me_ctx.db)[0] if practice.list_groups(me_ctx.db) else \
        practice.create_group(me_ctx.db, "Peer group")
    assert me_ctx.me_id is not None
    practice.set_role(me_ctx.db, g.id, me_ctx.me_id, "coordinator")
    now = me_ctx.clock.now()
    # 12:00 New York, weekly; "me" lives in Chicago, so Today shows 11:00
    sessions.create_series(me_ctx.db, g.id, "Weekly consult", datetime(now.year, 1, 6, 12, 0),
                           90, "America/New_York", "FREQ=WEEKLY")
    today = window.page("today")
    assert isinstance(today, TodayPage)
    me_ctx.notify_changed("schedule")
    qtbot.waitUntil(lambda: today.sessions_model.rowCount() == 2)
    when = today.sessions_model.index(0, 0).data()
    assert "11:00–12:30" in when
    assert not today.sessions_stack.is_showing_empty()


def _groups_page(window: MainWindow) -> GroupsPage:
    window.show_section("groups")
    page = window.page("groups")
    assert isinstance(page, GroupsPage)
    return page


def test_create_group_with_inline_duplicate_name_validation(qtbot, window: MainWindow,
                                                            me_ctx: AppContext) -> None:
    page = _groups_page(window)
    tab = page.groups_tab
    before = tab.model.rowCount()
    tab.new_record()
    name = tab.editor.fields["name"]
    assert isinstance(name, QLineEdit)
    qtbot.keyClicks(name, "Ethics circle")
    assert tab.editor.save_button.isEnabled()
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == before + 1
    tab.new_record()
    qtbot.keyClicks(name, "ethics CIRCLE")
    err = tab.editor.errors["name"]
    assert err.isVisible() and "already exists" in err.text()
    assert not tab.editor.save_button.isEnabled()


def test_member_form_flags_bad_email_and_unknown_zone_inline(qtbot, window: MainWindow) -> None:
    page = _groups_page(window)
    page.tabs.setCurrentWidget(page.members_tab)
    tab = page.members_tab
    tab.new_record()
    qtbot.keyClicks(tab.editor.fields["display_name"], "New Colleague")
    qtbot.keyClicks(tab.editor.fields["email"], "new-colleague-at-example")
    assert "malformed" in tab.editor.errors["email"].text()
    tz = tab.editor.fields["timezone"]
    tz.setEditText("Atlantis/Capital")  # type: ignore[union-attr]
    assert "not a known time zone" in tab.editor.errors["timezone"].text()
    assert not tab.editor.save_button.isEnabled()
    tab.editor.fields["email"].setText("")  # type: ignore[union-attr]
    tab.editor._on_field_edited()
    tz.setEditText("Europe/Lisbon")  # type: ignore[union-attr]
    assert tab.editor.save_button.isEnabled()
    assert tab.editor.save_changes()
    assert any(m.display_name == "New Colleague" and m.timezone == "Europe/Lisbon"
               for m in practice.list_members(tab.ctx.db))


def test_assign_role_and_archive_group(qtbot, window: MainWindow, me_ctx: AppContext,
                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    g = practice.create_group(me_ctx.db, "Supervision circle", "group_supervision")
    practice.create_member(me_ctx.db, "Colleague One")
    page = _groups_page(window)
    tab = page.groups_tab
    tab.reload()
    tab.select_id(g.id)
    tab.show_record(practice.get_group(me_ctx.db, g.id))
    ed = tab.group_editor
    ed.add_member_combo.setCurrentText("Colleague One")
    ed.role_combo.setCurrentIndex(ed.role_combo.findData("supervisee"))
    qtbot.mouseClick(ed.add_button, Qt.MouseButton.LeftButton)
    roles = {m.member_name: m.role.value for m in practice.list_memberships(me_ctx.db, g.id)}
    assert roles == {"Colleague One": "supervisee"}
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(ed.archive_button, Qt.MouseButton.LeftButton)
    assert practice.get_group(me_ctx.db, g.id).archived
    assert all(r.id != g.id for r in tab.model.records())


def test_unsaved_edit_is_not_lost_when_switching_records(qtbot, window: MainWindow,
                                                         me_ctx: AppContext,
                                                         monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a = practice.create_group(me_ctx.db, "Alpha group")
    practice.create_group(me_ctx.db, "Beta group")
    page = _groups_page(window)
    tab = page.groups_tab
    tab.reload()
    tab.select_id(a.id)
    tab.show_record(practice.get_group(me_ctx.db, a.id))
    tab._selected_id = a.id
    desc = tab.editor.fields["description"]
    qtbot.keyClicks(desc, "typed but not saved")
    assert page.has_unsaved_changes()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Cancel)
    tab.new_record()  # cancelled: the typed text stays
    assert "typed but not saved" in desc.toPlainText()  # type: ignore[union-attr]
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Save)
    tab.new_record()
    assert practice.get_group(me_ctx.db, a.id).description == "typed but not saved"


def test_window_geometry_is_remembered(qtbot, window: MainWindow, me_ctx: AppContext) -> None:
    window.resize(781, 543)
    window.close()
    from ui.main import create_main_window

    again = create_main_window(me_ctx)
    qtbot.addWidget(again)
    again.restore_state(QSettings())
    assert (again.width(), again.height()) == (781, 543)


def test_record_table_model_passes_qtmodeltester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model: RecordTableModel[GroupInfo] = RecordTableModel([
        Column("name", "Name", lambda g: g.name),
        Column("members", "Members", lambda g: str(g.member_count), sort=lambda g: g.member_count),
    ])
    from app.store.models import GroupKind

    model.set_records([
        GroupInfo(1, "A", GroupKind.PEER_CONSULTATION, "", "#fff", False, 1, 3),
        GroupInfo(2, "B", GroupKind.GROUP_SUPERVISION, "", "", True, 1, 0),
    ])
    qtmodeltester.check(model)
    assert model.index(1, 0).data(IdRole) == 2
    assert model.index(0, 1).data(RecordRole).name == "A"


def test_empty_or_switches(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    from ui.widgets import EmptyState

    w = EmptyOr(QWidget(), EmptyState("Nothing", "here"))
    qtbot.addWidget(w)
    w.set_empty(True)
    assert w.is_showing_empty()
    w.set_empty(False)
    assert not w.is_showing_empty()


def test_open_target_goes_to_the_section_and_the_detail(qtbot, window: MainWindow,
                                                        me_ctx: AppContext) -> None:
    g = practice.create_group(me_ctx.db, "Target group")
    s = sessions.create_series(me_ctx.db, g.id, "Target series", datetime(2026, 3, 3, 12, 0), 60,
                               "America/New_York", "FREQ=WEEKLY")
    rid = datetime(2026, 3, 10, 12, 0)
    window.open_target(f"calendar:{s.id}:{rid.isoformat()}")
    assert window.current_section() == "calendar"
    page = window.page("calendar")
    assert getattr(page, "_selected_key", None) == (s.id, rid)
    window.open_target("hours")
    assert window.current_section() == "hours"
    window.open_target("nowhere:1")  # unknown targets are ignored
    assert window.current_section() == "hours"


def test_take_attendance_item_opens_the_attendance_dialog(qtbot, window: MainWindow,
                                                          me_ctx: AppContext,
                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui.attendance import AttendanceDialog

    opened: list[tuple[int, datetime]] = []
    monkeypatch.setattr(
        AttendanceDialog, "exec",
        lambda self: opened.append((self.view.series_id, self.view.recurrence_id)) or 0,
    )
    today = window.page("today")
    assert isinstance(today, TodayPage)
    rid = datetime(2026, 3, 1, 9, 0)
    g = practice.create_group(me_ctx.db, "Attendance group")
    s = sessions.create_series(me_ctx.db, g.id, "Past session", rid, 60, "UTC")
    today.attendance_requested.emit(s.id, rid)
    assert opened == [(s.id, rid)]


def test_first_run_creates_me_and_my_group_with_inline_errors(qtbot, ctx: AppContext) -> None:
    from ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.accept()  # no name yet
    assert not dialog.error.isHidden() and "needs a name" in dialog.error.text()
    assert practice.get_me(ctx.db) is None
    qtbot.keyClicks(dialog.name_edit, "Solo Therapist")
    dialog.tz_combo.setCurrentText("America/Denver")
    qtbot.keyClicks(dialog.group_edit, "Thursday peer consultation")
    dialog.accept()
    me = practice.get_me(ctx.db)
    assert me is not None and me.timezone == "America/Denver" and ctx.me_id == me.id
    groups = practice.list_groups(ctx.db)
    assert [(g.name, g.coordinator_names) for g in groups] == [
        ("Thursday peer consultation", ("Solo Therapist",))]


def test_a_hidden_window_still_loads_today_so_reminders_start(qtbot, me_ctx: AppContext) -> None:
    """--minimized (start in the tray): nothing is painted, Today must load all the same."""
    from ui.main import wire_window

    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show_section("today")
    wire_window(window, me_ctx)
    today = window.page("today")
    assert isinstance(today, TodayPage)
    with qtbot.waitSignal(today.page_ready, timeout=3000):
        pass
    assert not window.isVisible() and today.loaded


def test_group_swatch_keeps_its_colour_in_a_selected_row(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QIcon

    model: RecordTableModel[GroupInfo] = RecordTableModel([
        Column("name", "Name", lambda g: g.name, decoration=lambda g: QColor(g.color)),
    ])
    from app.store.models import GroupKind

    model.set_records([GroupInfo(1, "A", GroupKind.PEER_CONSULTATION, "", "#f97316", False, 1, 3)])
    icon = model.index(0, 0).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(icon, QIcon)
    selected = icon.pixmap(16, 16, QIcon.Mode.Selected).toImage().pixelColor(8, 8)
    assert selected.name() == "#f97316"


def test_group_names_stay_readable_in_a_small_window(qtbot, window: MainWindow,
                                                     me_ctx: AppContext) -> None:
    practice.create_group(me_ctx.db, "Individual supervision: associate A",
                          practice.GroupKind.INDIVIDUAL_SUPERVISION)
    page = _groups_page(window)
    tab = page.groups_tab
    tab.reload()
    window.resize(1024, 640)
    qtbot.wait(50)
    header = tab.view.horizontalHeader()
    # the name column gets at least as much room as the kind column
    assert header.sectionSize(0) >= header.sectionSize(1)
    line = tab.editor.add_member_combo.lineEdit()
    assert line is not None and line.placeholderText()
