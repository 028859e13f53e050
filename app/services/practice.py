"""Groups, members, roles, leave and "me": the practice's people and their groups.

Every public function is one transaction and returns plain values (frozen dataclasses),
never ORM rows, so callers (CLI, UI) cannot reach into a session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.errors import NotFoundError, StaleEditError, ValidationError
from app.services import audit
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import (
    Group,
    GroupKind,
    LeavePeriod,
    Member,
    Membership,
    Role,
    Setting,
)

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
NAME_MAX = 120


# --- plain values -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    kind: GroupKind
    description: str
    color: str
    archived: bool
    version: int
    member_count: int = 0
    coordinator_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberInfo:
    id: int
    display_name: str
    credential: str
    email: str
    timezone: str
    archived: bool
    version: int
    consultation_goal_days: int | None = None
    group_names: tuple[str, ...] = ()
    is_me: bool = False


@dataclass(frozen=True)
class MembershipInfo:
    id: int
    group_id: int
    member_id: int
    member_name: str
    group_name: str
    role: Role
    version: int


@dataclass(frozen=True)
class LeaveInfo:
    id: int
    member_id: int
    start_date: date
    end_date: date
    note: str


# --- validation ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def is_valid_timezone(name: str) -> bool:
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def validate_timezone(name: str, field: str = "timezone") -> str:
    name = name.strip()
    if not is_valid_timezone(name):
        raise ValidationError(
            field, f"“{name}” is not a known time zone. Use an IANA name such as America/Chicago."
        )
    return name


def validate_email(email: str) -> str:
    email = email.strip()
    if email and not EMAIL_RE.match(email):
        raise ValidationError("email", "That email address looks malformed (expected name@host).")
    return email


def _clean_name(name: str, field: str, what: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(field, f"The {what} needs a name.")
    if len(name) > NAME_MAX:
        raise ValidationError(field, f"The {what} name is too long (at most {NAME_MAX}).")
    return name


def _kind(value: str | GroupKind) -> GroupKind:
    try:
        return GroupKind(value)
    except ValueError:
        raise ValidationError(
            "kind", "Group kind must be peer consultation, group or individual supervision."
        ) from None


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationError(
            "role", f"Unknown role “{value}”. Choose one of: {choices}."
        ) from None


def _check_stale(row: Group | Member | Membership, expected: int | None, table: str) -> None:
    if expected is not None and row.version != expected:
        raise StaleEditError(table, row.id or 0)


# --- groups -------------------------------------------------------------------------------


def _group_name_taken(s: Session, name: str, exclude_id: int | None) -> Group | None:
    q = select(Group).where(func.lower(Group.name) == name.lower())
    if exclude_id is not None:
        q = q.where(Group.id != exclude_id)
    return s.exec(q).first()


def _to_group_info(g: Group, people: list[tuple[str, str]]) -> GroupInfo:
    """``people``: (display name, role) of the group's active members."""
    return GroupInfo(
        id=g.id or 0,
        name=g.name,
        kind=GroupKind(g.kind),
        description=g.description,
        color=g.color,
        archived=g.archived,
        version=g.version,
        member_count=len(people),
        coordinator_names=tuple(sorted(n for n, r in people if r == Role.COORDINATOR.value)),
    )


def _group_info(s: Session, g: Group) -> GroupInfo:
    rows = s.exec(
        select(Member.display_name, Membership.role)
        .join(Membership, col(Membership.member_id) == Member.id)
        .where(Membership.group_id == g.id, col(Member.archived).is_(False))
    ).all()
    return _to_group_info(g, [(n, r) for n, r in rows])


def list_groups(db: Database, include_archived: bool = False) -> list[GroupInfo]:
    with transaction(db.engine) as s:
        q = select(Group)
        if not include_archived:
            q = q.where(col(Group.archived).is_(False))
        groups = s.exec(q.order_by(func.lower(Group.name))).all()
        people: dict[int, list[tuple[str, str]]] = {}
        for gid, name, role in s.exec(
            select(Membership.group_id, Member.display_name, Membership.role)
            .join(Member, col(Membership.member_id) == Member.id)
            .where(col(Member.archived).is_(False))
        ).all():
            people.setdefault(gid, []).append((name, role))
        return [_to_group_info(g, people.get(g.id or 0, [])) for g in groups]


def get_group(db: Database, group_id: int) -> GroupInfo:
    with transaction(db.engine) as s:
        g = s.get(Group, group_id)
        if g is None:
            raise NotFoundError(f"Group #{group_id} does not exist.")
        return _group_info(s, g)


def find_group(db: Database, name: str) -> GroupInfo:
    """Look a group up by name (case-insensitive). Raises NotFoundError."""
    with transaction(db.engine) as s:
        g = _group_name_taken(s, name.strip(), None)
        if g is None:
            raise NotFoundError(
                f"No group is named “{name}”. List them with: consultory groups list"
            )
        return _group_info(s, g)


GROUP_COLORS = (
    "#3b82f6",
    "#10b981",
    "#f59e0b",
    "#ef4444",
    "#8b5cf6",
    "#ec4899",
    "#14b8a6",
    "#f97316",
    "#6366f1",
    "#84cc16",
)


def create_group(
    db: Database,
    name: str,
    kind: str | GroupKind = GroupKind.PEER_CONSULTATION,
    description: str = "",
    color: str = "",
) -> GroupInfo:
    name = _clean_name(name, "name", "group")
    k = _kind(kind)
    with transaction(db.engine) as s:
        clash = _group_name_taken(s, name, None)
        if clash is not None:
            extra = " (archived — restore it instead)" if clash.archived else ""
            raise ValidationError("name", f"A group named “{clash.name}” already exists{extra}.")
        if not color:
            n = s.exec(select(func.count()).select_from(Group)).one()
            color = GROUP_COLORS[int(n) % len(GROUP_COLORS)]
        g = Group(
            name=name,
            kind=k.value,
            description=description.strip(),
            color=color,
            created_at=utcnow(db.clock),
        )
        s.add(g)
        s.flush()
        audit.record(s, "create", "consult_group", g.id, db.clock)
        return _group_info(s, g)


def update_group(
    db: Database,
    group_id: int,
    *,
    expected_version: int | None = None,
    name: str | None = None,
    kind: str | GroupKind | None = None,
    description: str | None = None,
    color: str | None = None,
    archived: bool | None = None,
) -> GroupInfo:
    with transaction(db.engine) as s:
        g = s.get(Group, group_id)
        if g is None:
            raise NotFoundError(f"Group #{group_id} does not exist.")
        _check_stale(g, expected_version, "group")
        if name is not None:
            name = _clean_name(name, "name", "group")
            clash = _group_name_taken(s, name, group_id)
            if clash is not None:
                raise ValidationError("name", f"A group named “{clash.name}” already exists.")
            g.name = name
        if kind is not None:
            g.kind = _kind(kind).value
        if description is not None:
            g.description = description.strip()
        if color is not None:
            g.color = color
        action = "update"
        if archived is not None and archived != g.archived:
            g.archived = archived
            action = "archive" if archived else "restore"
        s.add(g)
        try:
            s.flush()
        except StaleDataError:
            raise StaleEditError("group", group_id) from None
        audit.record(s, action, "consult_group", g.id, db.clock)
        return _group_info(s, g)


# --- members ------------------------------------------------------------------------------


def _member_name_taken(s: Session, name: str, exclude_id: int | None) -> Member | None:
    q = select(Member).where(func.lower(Member.display_name) == name.lower())
    if exclude_id is not None:
        q = q.where(Member.id != exclude_id)
    return s.exec(q).first()


def _member_info(s: Session, m: Member, me: int | None) -> MemberInfo:
    names = s.exec(
        select(Group.name)
        .join(Membership, col(Membership.group_id) == Group.id)
        .where(Membership.member_id == m.id, col(Group.archived).is_(False))
        .order_by(Group.name)
    ).all()
    return _to_member_info(m, tuple(names), me)


def _to_member_info(m: Member, groups: tuple[str, ...], me: int | None) -> MemberInfo:
    return MemberInfo(
        id=m.id or 0,
        display_name=m.display_name,
        credential=m.credential,
        email=m.email,
        timezone=m.timezone,
        archived=m.archived,
        version=m.version,
        consultation_goal_days=m.consultation_goal_days,
        group_names=groups,
        is_me=m.id == me,
    )


def list_members(
    db: Database, include_archived: bool = False, group_id: int | None = None
) -> list[MemberInfo]:
    with transaction(db.engine) as s:
        q = select(Member)
        if not include_archived:
            q = q.where(col(Member.archived).is_(False))
        if group_id is not None:
            q = q.join(Membership, col(Membership.member_id) == Member.id).where(
                Membership.group_id == group_id
            )
        members = s.exec(q.order_by(func.lower(Member.display_name))).all()
        groups: dict[int, list[str]] = {}
        for mid, gname in s.exec(
            select(Membership.member_id, Group.name)
            .join(Group, col(Membership.group_id) == Group.id)
            .where(col(Group.archived).is_(False))
            .order_by(Group.name)
        ).all():
            groups.setdefault(mid, []).append(gname)
        me = audit.me_id(s)
        return [_to_member_info(m, tuple(groups.get(m.id or 0, ())), me) for m in members]


def get_member(db: Database, member_id: int) -> MemberInfo:
    with transaction(db.engine) as s:
        m = s.get(Member, member_id)
        if m is None:
            raise NotFoundError(f"Member #{member_id} does not exist.")
        return _member_info(s, m, audit.me_id(s))


def find_member(db: Database, name: str) -> MemberInfo:
    with transaction(db.engine) as s:
        m = _member_name_taken(s, " ".join(name.split()), None)
        if m is None:
            raise NotFoundError(
                f"No member is named “{name}”. List them with: consultory members list"
            )
        return _member_info(s, m, audit.me_id(s))


def _goal(days: int | None) -> int | None:
    if days is not None and not 1 <= days <= 365:
        raise ValidationError("consultation_goal_days", "The goal must be 1 to 365 days.")
    return days


def create_member(
    db: Database,
    display_name: str,
    *,
    credential: str = "",
    email: str = "",
    timezone: str = "UTC",
    consultation_goal_days: int | None = None,
) -> MemberInfo:
    name = _clean_name(display_name, "display_name", "member")
    email = validate_email(email)
    tz = validate_timezone(timezone)
    goal = _goal(consultation_goal_days)
    with transaction(db.engine) as s:
        clash = _member_name_taken(s, name, None)
        if clash is not None:
            extra = " (archived — restore them instead)" if clash.archived else ""
            raise ValidationError(
                "display_name", f"A member named “{clash.display_name}” already exists{extra}."
            )
        m = Member(
            display_name=name,
            credential=credential.strip(),
            email=email,
            timezone=tz,
            consultation_goal_days=goal,
            created_at=utcnow(db.clock),
        )
        s.add(m)
        s.flush()
        audit.record(s, "create", "member", m.id, db.clock)
        return _member_info(s, m, audit.me_id(s))


_UNSET = object()


def update_member(
    db: Database,
    member_id: int,
    *,
    expected_version: int | None = None,
    display_name: str | None = None,
    credential: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
    consultation_goal_days: int | None | object = _UNSET,
    archived: bool | None = None,
) -> MemberInfo:
    with transaction(db.engine) as s:
        m = s.get(Member, member_id)
        if m is None:
            raise NotFoundError(f"Member #{member_id} does not exist.")
        _check_stale(m, expected_version, "member")
        if display_name is not None:
            name = _clean_name(display_name, "display_name", "member")
            clash = _member_name_taken(s, name, member_id)
            if clash is not None:
                raise ValidationError(
                    "display_name", f"A member named “{clash.display_name}” already exists."
                )
            m.display_name = name
        if credential is not None:
            m.credential = credential.strip()
        if email is not None:
            m.email = validate_email(email)
        if timezone is not None:
            m.timezone = validate_timezone(timezone)
        if consultation_goal_days is not _UNSET:
            assert consultation_goal_days is None or isinstance(consultation_goal_days, int)
            m.consultation_goal_days = _goal(consultation_goal_days)
        action = "update"
        if archived is not None and archived != m.archived:
            if archived and audit.me_id(s) == member_id:
                raise ValidationError(
                    "archived", "You cannot archive your own profile. Pick another “me” first."
                )
            m.archived = archived
            action = "archive" if archived else "restore"
        s.add(m)
        try:
            s.flush()
        except StaleDataError:
            raise StaleEditError("member", member_id) from None
        audit.record(s, action, "member", m.id, db.clock)
        return _member_info(s, m, audit.me_id(s))


# --- memberships --------------------------------------------------------------------------


def _membership_info(s: Session, ms: Membership) -> MembershipInfo:
    m = s.get(Member, ms.member_id)
    g = s.get(Group, ms.group_id)
    assert m is not None and g is not None
    return MembershipInfo(
        id=ms.id or 0,
        group_id=ms.group_id,
        member_id=ms.member_id,
        member_name=m.display_name,
        group_name=g.name,
        role=Role(ms.role),
        version=ms.version,
    )


def list_memberships(db: Database, group_id: int) -> list[MembershipInfo]:
    with transaction(db.engine) as s:
        rows = s.exec(
            select(Membership, Member.display_name, Group.name)
            .join(Member, col(Membership.member_id) == Member.id)
            .join(Group, col(Membership.group_id) == Group.id)
            .where(Membership.group_id == group_id, col(Member.archived).is_(False))
            .order_by(func.lower(Member.display_name))
        ).all()
        return [
            MembershipInfo(
                id=ms.id or 0,
                group_id=ms.group_id,
                member_id=ms.member_id,
                member_name=mname,
                group_name=gname,
                role=Role(ms.role),
                version=ms.version,
            )
            for ms, mname, gname in rows
        ]


def set_role(db: Database, group_id: int, member_id: int, role: str | Role) -> MembershipInfo:
    """Add the member to the group with ``role``, or change their role there."""
    r = _role(role)
    with transaction(db.engine) as s:
        g = s.get(Group, group_id)
        m = s.get(Member, member_id)
        if g is None:
            raise NotFoundError(f"Group #{group_id} does not exist.")
        if m is None:
            raise NotFoundError(f"Member #{member_id} does not exist.")
        if m.archived:
            raise ValidationError("member", "That member is archived; restore them first.")
        ms = s.exec(
            select(Membership).where(
                Membership.group_id == group_id, Membership.member_id == member_id
            )
        ).first()
        if ms is None:
            ms = Membership(group_id=group_id, member_id=member_id, role=r.value)
            action = "create"
        else:
            ms.role = r.value
            action = "update"
        s.add(ms)
        s.flush()
        audit.record(s, action, "membership", ms.id, db.clock)
        return _membership_info(s, ms)


def remove_from_group(db: Database, group_id: int, member_id: int) -> None:
    with transaction(db.engine) as s:
        ms = s.exec(
            select(Membership).where(
                Membership.group_id == group_id, Membership.member_id == member_id
            )
        ).first()
        if ms is None:
            raise NotFoundError("That member is not in this group.")
        audit.record(s, "delete", "membership", ms.id, db.clock)
        s.delete(ms)


# --- leave --------------------------------------------------------------------------------


def add_leave(db: Database, member_id: int, start: date, end: date, note: str = "") -> LeaveInfo:
    if end < start:
        raise ValidationError("end_date", "Leave must end on or after the day it starts.")
    with transaction(db.engine) as s:
        if s.get(Member, member_id) is None:
            raise NotFoundError(f"Member #{member_id} does not exist.")
        lp = LeavePeriod(member_id=member_id, start_date=start, end_date=end, note=note.strip())
        s.add(lp)
        s.flush()
        audit.record(s, "create", "leave_period", lp.id, db.clock)
        return LeaveInfo(lp.id or 0, member_id, start, end, lp.note)


def list_leave(db: Database, member_id: int) -> list[LeaveInfo]:
    with transaction(db.engine) as s:
        rows = s.exec(
            select(LeavePeriod)
            .where(LeavePeriod.member_id == member_id)
            .order_by(col(LeavePeriod.start_date))
        ).all()
        return [LeaveInfo(r.id or 0, r.member_id, r.start_date, r.end_date, r.note) for r in rows]


def remove_leave(db: Database, leave_id: int) -> None:
    with transaction(db.engine) as s:
        lp = s.get(LeavePeriod, leave_id)
        if lp is None:
            raise NotFoundError(f"Leave period #{leave_id} does not exist.")
        audit.record(s, "delete", "leave_period", leave_id, db.clock)
        s.delete(lp)


# --- me -----------------------------------------------------------------------------------


def get_me(db: Database) -> MemberInfo | None:
    with transaction(db.engine) as s:
        mid = audit.me_id(s)
        if mid is None:
            return None
        m = s.get(Member, mid)
        return None if m is None else _member_info(s, m, mid)


def set_me(db: Database, member_id: int) -> MemberInfo:
    with transaction(db.engine) as s:
        m = s.get(Member, member_id)
        if m is None or m.archived:
            raise NotFoundError(f"Member #{member_id} does not exist or is archived.")
        row = s.get(Setting, audit.ME_KEY) or Setting(key=audit.ME_KEY)
        row.value = str(member_id)
        s.add(row)
        s.flush()
        audit.record(s, "set_me", "setting", member_id, db.clock)
        return _member_info(s, m, member_id)


def setup_solo_practice(
    db: Database,
    display_name: str,
    *,
    credential: str = "",
    email: str = "",
    timezone: str = "UTC",
    group_name: str | None = None,
) -> MemberInfo:
    """First run: create "me" and (optionally) my first group, where I coordinate."""
    me = create_member(db, display_name, credential=credential, email=email, timezone=timezone)
    set_me(db, me.id)
    if group_name:
        g = create_group(db, group_name, GroupKind.PEER_CONSULTATION)
        set_role(db, g.id, me.id, Role.COORDINATOR)
    return get_member(db, me.id)


def get_setting(db: Database, key: str, default: str = "") -> str:
    with transaction(db.engine) as s:
        row = s.get(Setting, key)
        return default if row is None else row.value


def put_setting(db: Database, key: str, value: str) -> None:
    with transaction(db.engine) as s:
        row = s.get(Setting, key) or Setting(key=key)
        row.value = value
        s.add(row)
