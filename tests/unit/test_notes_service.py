"""Case notes service on a real migrated SQLite database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.errors import NotFoundError, StaleEditError, ValidationError
from app.notes.guard import finding_hash
from app.notes.search import MARK_END, MARK_START, strip_marks
from app.services import audit, notes, practice, sessions
from app.services.attention import gather
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import AuditLog, Occurrence
from tests.fakes import FakeClock

BODY = (
    "Presenting concern:\nPanic attacks before work presentations.\n\n"
    "Relevant history:\nTwelve sessions; PHQ-9 14 at intake.\n\n"
    "Question for the group:\nHow to pace interoceptive exposure?\n\n"
    "What colleagues suggested:\n\nFollow-up:\n"
)


def _actions(db: Database, action: str) -> list[tuple[str, int | None]]:
    with transaction(db.engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.action == action)).all()
        return [(r.table_name, r.row_id) for r in rows]


@pytest.fixture
def group(db: Database) -> practice.GroupInfo:
    return practice.create_group(db, "Tuesday peers")


def test_note_is_created_with_alias_tags_and_group(db: Database, group: practice.GroupInfo) -> None:
    n = notes.create_note(
        db,
        alias="C-12",
        title="Panic at work",
        body=BODY,
        group_id=group.id,
        tags="Anxiety, exposure",
    )
    assert (n.alias, n.group_name, n.tags, n.version) == (
        "C-12",
        "Tuesday peers",
        ("anxiety", "exposure"),
        1,
    )
    assert _actions(db, "create")[-1] == ("case_note", n.id)


def test_note_with_a_name_as_alias_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError) as err:
        notes.create_note(db, alias="Maria", body=BODY)
    assert err.value.field == "alias"


def test_stale_edit_is_refused_and_nothing_is_overwritten(db: Database) -> None:
    n = notes.create_note(db, alias="C-1", body="first")
    notes.update_note(db, n.id, expected_version=n.version, body="second")
    with pytest.raises(StaleEditError):
        notes.update_note(db, n.id, expected_version=n.version, body="third")
    assert notes.get_note(db, n.id).body == "second"


def test_view_and_edit_are_audited_by_id(db: Database) -> None:
    n = notes.create_note(db, alias="C-2", body="x")
    notes.get_note(db, n.id)
    notes.update_note(db, n.id, title="Sleep")
    notes.get_note(db, n.id, audit_view=False)
    assert _actions(db, "note_viewed") == [("case_note", n.id)]
    assert _actions(db, "note_edited") == [("case_note", n.id)]


def test_update_can_clear_the_group_and_change_template(
    db: Database, group: practice.GroupInfo
) -> None:
    n = notes.create_note(db, alias="C-3", group_id=group.id)
    n2 = notes.update_note(db, n.id, group_id=None, template="supervision_record")
    assert (n2.group_id, n2.template) == (None, "supervision_record")
    with pytest.raises(ValidationError):
        notes.update_note(db, n.id, template="nonsense")


def test_dismissal_is_remembered_by_hash_and_audited(db: Database) -> None:
    n = notes.create_note(
        db, alias="C-4", body="Grace was mentioned.", dismissals=[("Grace", "NAME")]
    )
    assert finding_hash("grace", "NAME") in n.dismissed
    n2 = notes.dismiss_finding(db, n.id, "Hope", "NAME")
    notes.dismiss_finding(db, n.id, "hope", "NAME")  # same finding: once
    assert len(n2.dismissed) == 2
    assert len(_actions(db, "phi_dismissed")) == 2
    assert notes.dismissed_hashes(db, n.id) == n2.dismissed


def test_note_links_to_a_session_occurrence(db: Database, group: practice.GroupInfo) -> None:
    series = sessions.create_series(
        db, group.id, "Peer consult", datetime(2026, 3, 3, 12), 60, "America/Chicago", "FREQ=WEEKLY"
    )
    n = notes.create_note(db, alias="C-5")
    rid = datetime(2026, 3, 10, 12)
    linked = notes.link_session(db, n.id, series.id, rid)
    linked = notes.link_session(db, n.id, series.id, rid)  # idempotent
    assert len(linked.sessions) == 1
    link = linked.sessions[0]
    assert (link.title, link.group_name) == ("Peer consult", "Tuesday peers")
    assert link.start_utc == datetime(2026, 3, 10, 17, tzinfo=UTC)
    with transaction(db.engine) as s:
        assert s.get(Occurrence, link.occurrence_id) is not None
    assert notes.unlink_session(db, n.id, link.occurrence_id).sessions == ()


def test_follow_ups_show_on_today_and_refuse_identifying_text(
    db: Database, fake_clock: FakeClock
) -> None:
    n = notes.create_note(db, alias="C-6")
    today = fake_clock.now().date()
    fu = notes.add_follow_up(db, n.id, "Bring the sleep diary review", today - timedelta(days=1))
    items = [i for i in gather(db, None, fake_clock.now()) if i.kind == "follow_up"]
    assert [(i.severity, i.target) for i in items] == [("warning", f"notes:{n.id}")]
    with pytest.raises(ValidationError) as err:
        notes.add_follow_up(db, n.id, "Call 555-123-4567", None)
    assert "555" not in str(err.value)
    notes.update_follow_up(db, fu.id, expected_version=fu.version, done=True)
    assert not [i for i in gather(db, None, fake_clock.now()) if i.kind == "follow_up"]
    with pytest.raises(StaleEditError):
        notes.update_follow_up(db, fu.id, expected_version=fu.version, done=False)


def _seed(db: Database, fake_clock: FakeClock, group: practice.GroupInfo) -> dict[str, int]:
    other = practice.create_group(db, "Supervision")
    ids = {}
    ids["panic"] = notes.create_note(
        db, alias="C-12", title="Panic at work", body=BODY, group_id=group.id, tags="anxiety"
    ).id
    fake_clock.advance(days=40)
    ids["grief"] = notes.create_note(
        db,
        alias="C-7",
        title="Grief",
        body="Complicated grief after a loss; sleep poor.",
        group_id=other.id,
        tags="grief,sleep",
    ).id
    ids["sleep"] = notes.create_note(
        db,
        alias="C-12",
        title="Sleep",
        body="Insomnia and early waking; sleep restriction.",
        group_id=group.id,
        tags="sleep",
    ).id
    return ids


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts5", "like-fallback"])
def test_search_finds_words_phrases_and_prefixes_with_highlights(
    db: Database, fake_clock: FakeClock, group: practice.GroupInfo, use_fts: bool
) -> None:
    ids = _seed(db, fake_clock, group)
    hits = notes.search_notes(db, "sleep", use_fts=use_fts)
    assert {h.id for h in hits} == {ids["grief"], ids["sleep"]}
    assert all(MARK_START in h.snippet and MARK_END in h.snippet for h in hits)
    assert [h.id for h in notes.search_notes(db, '"interoceptive exposure"', use_fts=use_fts)] == [
        ids["panic"]
    ]
    assert notes.search_notes(db, '"exposure interoceptive"', use_fts=use_fts) == []
    assert [h.id for h in notes.search_notes(db, "insom", use_fts=use_fts)] == [ids["sleep"]]
    both = notes.search_notes(db, "sleep grief", use_fts=use_fts)
    assert [h.id for h in both] == [ids["grief"]]
    assert "grief" in strip_marks(both[0].snippet).lower()


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts5", "like-fallback"])
def test_search_filters_by_group_alias_tag_and_date(
    db: Database, fake_clock: FakeClock, group: practice.GroupInfo, use_fts: bool
) -> None:
    ids = _seed(db, fake_clock, group)
    f = notes.NoteFilter
    assert [
        h.id for h in notes.search_notes(db, "sleep", f(group_id=group.id), use_fts=use_fts)
    ] == [ids["sleep"]]
    assert {h.id for h in notes.search_notes(db, "", f(alias="c-12"))} == {
        ids["panic"],
        ids["sleep"],
    }
    assert [h.id for h in notes.search_notes(db, "sleep", f(tag="grief"), use_fts=use_fts)] == [
        ids["grief"]
    ]
    start = fake_clock.now().date()
    assert {h.id for h in notes.search_notes(db, "sleep", f(date_from=start), use_fts=use_fts)} == {
        ids["grief"],
        ids["sleep"],
    }
    early = f(date_to=start - timedelta(days=1))
    assert notes.search_notes(db, "sleep", early, use_fts=use_fts) == []
    assert [h.id for h in notes.list_notes(db, early)] == [ids["panic"]]


def test_search_index_follows_edits_and_deletes(db: Database) -> None:
    n = notes.create_note(db, alias="C-8", body="rumination")
    notes.update_note(db, n.id, body="worry")
    assert notes.search_notes(db, "rumination") == []
    assert [h.id for h in notes.search_notes(db, "worry")] == [n.id]
    notes.delete_note(db, n.id)
    assert notes.search_notes(db, "worry") == []
    assert _actions(db, "delete")[-1] == ("case_note", n.id)


def test_fts_operators_in_a_query_are_plain_words(db: Database) -> None:
    notes.create_note(db, alias="C-9", body="near the end, or not")
    assert len(notes.search_notes(db, 'NEAR OR NOT "end')) == 1
    assert notes.search_notes(db, "*") == notes.list_notes(db)


def test_drafts_are_kept_until_saved_or_discarded(db: Database) -> None:
    d = notes.save_draft(db, {"alias": "C-10", "body": "typed"})
    d2 = notes.save_draft(db, {"alias": "C-10", "body": "typed more"}, draft_id=d.id)
    assert d2.id == d.id
    [pending] = notes.pending_drafts(db)
    assert pending.payload["body"] == "typed more"
    notes.create_note(db, alias="C-10", body="typed more", draft_id=d.id)
    assert notes.pending_drafts(db) == []
    d3 = notes.save_draft(db, {"body": "x"})
    notes.discard_draft(db, d3.id)
    assert notes.pending_drafts(db) == []


def test_user_templates_are_listed_after_builtins_and_usable(db: Database) -> None:
    t = notes.create_template(db, "Risk review", ["Concern", "Risk factors", "Plan"])
    keys = [x.key for x in notes.list_templates(db)]
    assert keys[:3] == ["case_presentation", "consultation_request", "supervision_record"]
    assert keys[-1] == t.key
    n = notes.create_note(db, alias="C-11", template=t.key)
    assert notes.get_template(db, n.template).sections == ("Concern", "Risk factors", "Plan")
    with pytest.raises(ValidationError, match="exists"):
        notes.create_template(db, "case presentation", ["A"])
    with pytest.raises(ValidationError):
        notes.delete_template(db, "case_presentation")
    notes.delete_template(db, t.key)
    with pytest.raises(NotFoundError):
        notes.get_template(db, t.key)


def test_retention_previews_before_deleting_and_rechecks(
    db: Database, fake_clock: FakeClock, group: practice.GroupInfo
) -> None:
    old = notes.create_note(db, alias="C-13", group_id=group.id).id
    edited = notes.create_note(db, alias="C-14", group_id=group.id).id
    fake_clock.advance(days=200)
    recent = notes.create_note(db, alias="C-15", group_id=group.id).id
    assert [p.notes for p in notes.retention_preview(db)] == []
    notes.set_retention(db, group.id, 6)
    [preview] = notes.retention_preview(db)
    assert preview.months == 6 and {n.id for n in preview.notes} == {old, edited}
    notes.update_note(db, edited, body="still active")  # after the preview
    assert notes.apply_retention(db, [n.id for n in preview.notes]) == 1
    assert {n.id for n in notes.list_notes(db)} == {edited, recent}
    assert _actions(db, "retention_delete") == [("case_note", old)]
    with pytest.raises(ValidationError):
        notes.set_retention(db, group.id, 0)


def test_aliases_and_tags_are_listed_for_filters(db: Database) -> None:
    notes.create_note(db, alias="C-2", tags="sleep,grief")
    notes.create_note(db, alias="c-10", tags="sleep")
    assert notes.aliases(db) == ["C-2", "c-10"]
    assert notes.all_tags(db) == ["grief", "sleep"]


def test_audit_rows_never_hold_note_text(db: Database) -> None:
    n = notes.create_note(db, alias="C-16", body="secret-ish words")
    notes.get_note(db, n.id)
    with transaction(db.engine) as s:
        for e in audit.recent(s):
            assert "secret" not in repr(e)


def test_today_follow_up_items_only_for_my_notes(db: Database, fake_clock: FakeClock) -> None:
    me = practice.setup_solo_practice(db, "Sample Therapist")
    other = practice.create_member(db, "Other Person")
    mine = notes.create_note(db, alias="C-17")
    theirs = notes.create_note(db, alias="C-18", author_member_id=other.id)
    day = fake_clock.now().date() + timedelta(days=2)
    notes.add_follow_up(db, mine.id, "Review plan", day)
    notes.add_follow_up(db, theirs.id, "Review plan", day)
    items = [i for i in gather(db, me.id, fake_clock.now()) if i.kind == "follow_up"]
    assert [i.target for i in items] == [f"notes:{mine.id}"]
    assert items[0].due == day and isinstance(items[0].due, date)


def test_notes_past_retention_show_on_today_without_being_deleted(
    db: Database, fake_clock: FakeClock, group: practice.GroupInfo
) -> None:
    notes.create_note(db, alias="C-19", group_id=group.id)
    notes.set_retention(db, group.id, 1)
    fake_clock.advance(days=40)
    items = [i for i in gather(db, None, fake_clock.now()) if i.kind == "retention"]
    assert [i.target for i in items] == ["notes:retention"]
    assert "1 case note in Tuesday peers" in items[0].title
    assert len(notes.list_notes(db)) == 1


def test_search_uses_fts5_on_an_encrypted_store(encrypted_db: Database) -> None:
    n = notes.create_note(encrypted_db, alias="C-20", body="Nightmares after the accident.")
    with transaction(encrypted_db.engine) as s:
        assert notes.has_fts(s)
    [hit] = notes.search_notes(encrypted_db, "nightmare")
    assert hit.id == n.id and MARK_START in hit.snippet
