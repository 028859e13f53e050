from __future__ import annotations

import pytest

from app.errors import StaleEditError, ValidationError
from app.services import audit, practice
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import GroupKind, Role


def test_create_group_rejects_duplicate_name_case_insensitively(db: Database) -> None:
    practice.create_group(db, "Trauma peer consultation")
    with pytest.raises(ValidationError) as err:
        practice.create_group(db, "  trauma PEER consultation ")
    assert err.value.field == "name"
    assert "already exists" in str(err.value)


def test_member_validation_rejects_malformed_email_and_unknown_zone(db: Database) -> None:
    with pytest.raises(ValidationError) as err:
        practice.create_member(db, "Test Person", email="not-an-email")
    assert err.value.field == "email"
    with pytest.raises(ValidationError) as err:
        practice.create_member(db, "Test Person", timezone="Mars/Olympus_Mons")
    assert err.value.field == "timezone"
    m = practice.create_member(db, "Test Person", email="t@example.org", timezone="Europe/Berlin")
    assert m.timezone == "Europe/Berlin"


def test_roles_archive_and_me(db: Database) -> None:
    g = practice.create_group(db, "Supervision", GroupKind.GROUP_SUPERVISION)
    a = practice.create_member(db, "Alex Sample")
    b = practice.create_member(db, "Bo Sample")
    practice.set_role(db, g.id, a.id, Role.SUPERVISOR)
    practice.set_role(db, g.id, b.id, "supervisee")
    practice.set_role(db, g.id, b.id, Role.PEER)  # change, not duplicate
    roles = {m.member_name: m.role for m in practice.list_memberships(db, g.id)}
    assert roles == {"Alex Sample": Role.SUPERVISOR, "Bo Sample": Role.PEER}
    practice.set_me(db, a.id)
    assert practice.get_me(db) is not None
    with pytest.raises(ValidationError):
        practice.update_member(db, a.id, archived=True)
    practice.update_member(db, b.id, archived=True)
    assert [m.display_name for m in practice.list_members(db)] == ["Alex Sample"]
    assert len(practice.list_members(db, include_archived=True)) == 2


def test_stale_edit_is_refused(db: Database) -> None:
    g = practice.create_group(db, "Peer group")
    practice.update_group(db, g.id, expected_version=g.version, description="first")
    with pytest.raises(StaleEditError):
        practice.update_group(db, g.id, expected_version=g.version, description="second")
    assert practice.get_group(db, g.id).description == "first"


def test_audit_log_records_ids_not_content_and_is_append_only(db: Database) -> None:
    m = practice.create_member(db, "Secret Markername", email="marker@example.org")
    with transaction(db.engine) as s:
        entries = audit.recent(s)
    assert entries[0].action == "create" and entries[0].row_id == m.id
    assert "Markername" not in repr(entries)
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")
