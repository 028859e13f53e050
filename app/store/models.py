"""The schema. Portable across SQLite, SQLCipher and PostgreSQL: explicit string lengths,
no SQLite-only types, instants in UTC (``UTCDateTime``), wall-clock times as naive
datetimes next to the IANA zone that gives them meaning.

Editable rows carry ``version`` (SQLAlchemy's version counter): an UPDATE that finds a
different version raises StaleDataError, which services turn into StaleEditError.

Identity of a recurring occurrence is ``(series_id, recurrence_id)`` where
``recurrence_id`` is the *original* wall-clock start in the series' zone (iCalendar's
RECURRENCE-ID). An ``Occurrence`` row is only materialised when something attaches to
the occurrence: an override (cancel, move, other location), rotation roles, attendance,
notes or reminders.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.store.types import UTCDateTime


class GroupKind(enum.StrEnum):
    PEER_CONSULTATION = "peer_consultation"
    GROUP_SUPERVISION = "group_supervision"
    INDIVIDUAL_SUPERVISION = "individual_supervision"

    @property
    def label(self) -> str:
        return GROUP_KIND_LABELS[self]


GROUP_KIND_LABELS = {
    GroupKind.PEER_CONSULTATION: "Peer consultation",
    GroupKind.GROUP_SUPERVISION: "Group supervision",
    GroupKind.INDIVIDUAL_SUPERVISION: "Individual supervision",
}


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    FACILITATOR = "facilitator"
    SUPERVISOR = "supervisor"
    SUPERVISEE = "supervisee"
    PEER = "peer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OccurrenceStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class DutyRole(enum.StrEnum):
    """Per-occurrence rotation duties."""

    PRESENTER = "presenter"
    FACILITATOR = "facilitator"
    NOTE_TAKER = "note_taker"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    EXCUSED = "excused"


class Versioned(SQLModel):
    """Mixin: optimistic-locking version counter."""

    version: int = Field(default=1, sa_column_kwargs={"nullable": False})


# --- practice -----------------------------------------------------------------------------


class Setting(SQLModel, table=True):
    """Key/value settings that belong to this database (e.g. ``me_member_id``)."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", sa_type=Text)


class Group(Versioned, table=True):
    __tablename__ = "consult_group"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    kind: str = Field(max_length=32, default=GroupKind.PEER_CONSULTATION.value)
    description: str = Field(default="", sa_type=Text)
    color: str = Field(default="", max_length=9)
    retention_months: int | None = Field(default=None)
    archived: bool = Field(default=False)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Member(Versioned, table=True):
    __tablename__ = "member"
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=120, index=True)
    credential: str = Field(default="", max_length=60)
    email: str = Field(default="", max_length=254)
    timezone: str = Field(default="UTC", max_length=64)
    consultation_goal_days: int | None = Field(default=None)
    archived: bool = Field(default=False)
    created_at: datetime = Field(sa_type=UTCDateTime)


class LeavePeriod(SQLModel, table=True):
    __tablename__ = "leave_period"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    start_date: date
    end_date: date
    note: str = Field(default="", max_length=200)


class Membership(Versioned, table=True):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("group_id", "member_id", name="uq_membership_group_member"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="consult_group.id", index=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=32, default=Role.PEER.value)
    joined_on: date | None = None
    left_on: date | None = None


# --- scheduling ---------------------------------------------------------------------------


class SessionSeries(Versioned, table=True):
    """A recurring series (``rrule`` set) or a single session (``rrule`` empty).

    ``start_local`` is the wall-clock start of the first occurrence in ``timezone``.
    ``rrule`` is the RFC 5545 RRULE value (without the ``RRULE:`` prefix); UNTIL in it is
    floating wall-clock time in ``timezone`` (the iCalendar exporter converts it to UTC).
    """

    __tablename__ = "session_series"
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="consult_group.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    timezone: str = Field(max_length=64)
    start_local: datetime = Field(sa_type=DateTime(timezone=False))
    duration_minutes: int = Field(default=60)
    all_day: bool = Field(default=False)  # dates only (imported); duration in whole days
    rrule: str = Field(default="", max_length=500)
    location: str = Field(default="", max_length=300)
    video_url: str = Field(default="", max_length=500)
    agenda: str = Field(default="", sa_type=Text)
    uid: str = Field(max_length=255, index=True)
    parent_series_id: int | None = Field(default=None, foreign_key="session_series.id")
    archived: bool = Field(default=False)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Occurrence(Versioned, table=True):
    """A materialised occurrence: an override and/or something attached to it."""

    __tablename__ = "occurrence"
    __table_args__ = (
        UniqueConstraint("series_id", "recurrence_id", name="uq_occurrence_series_recurrence"),
        Index("ix_occurrence_start_utc", "start_utc"),
    )
    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="session_series.id", index=True, ondelete="CASCADE")
    # the original wall-clock start in the series' zone (iCalendar RECURRENCE-ID)
    recurrence_id: datetime = Field(sa_type=DateTime(timezone=False))
    status: str = Field(max_length=16, default=OccurrenceStatus.SCHEDULED.value)
    start_utc: datetime = Field(sa_type=UTCDateTime)  # actual start (after any move)
    end_utc: datetime = Field(sa_type=UTCDateTime)
    moved: bool = Field(default=False)
    title: str | None = Field(default=None, max_length=200)  # this occurrence only
    location: str | None = Field(default=None, max_length=300)
    video_url: str | None = Field(default=None, max_length=500)
    agenda: str | None = Field(default=None, sa_type=Text)


class OccurrenceDuty(SQLModel, table=True):
    """Rotation: presenter(s), facilitator and note-taker of one occurrence."""

    __tablename__ = "occurrence_duty"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "member_id", "duty", name="uq_duty_occ_member_duty"),
    )
    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="occurrence.id", index=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    duty: str = Field(max_length=16)


class Attendance(Versioned, table=True):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "member_id", name="uq_attendance_occ_member"),
    )
    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="occurrence.id", index=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    status: str = Field(max_length=16, default=AttendanceStatus.PRESENT.value)
    late_minutes: int = Field(default=0)
    left_early_minutes: int = Field(default=0)


# --- notes --------------------------------------------------------------------------------


class CaseNote(Versioned, table=True):
    """A de-identified note about a case, keyed by the therapist's alias (never a name)."""

    __tablename__ = "case_note"
    id: int | None = Field(default=None, primary_key=True)
    alias: str = Field(max_length=40, index=True)
    author_member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="consult_group.id", index=True)
    template: str = Field(default="case_presentation", max_length=60)
    title: str = Field(default="", max_length=200)
    body: str = Field(default="", sa_type=Text)
    tags: str = Field(default="", max_length=500)  # comma-separated, lower-case
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class NoteOccurrence(SQLModel, table=True):
    """Links a note to the occurrences where the case was discussed."""

    __tablename__ = "note_occurrence"
    note_id: int = Field(foreign_key="case_note.id", primary_key=True, ondelete="CASCADE")
    occurrence_id: int = Field(foreign_key="occurrence.id", primary_key=True, ondelete="CASCADE")


class FollowUp(Versioned, table=True):
    __tablename__ = "follow_up"
    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="case_note.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=500)
    due_date: date | None = None
    done: bool = Field(default=False)


class NoteTemplate(SQLModel, table=True):
    __tablename__ = "note_template"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    sections: str = Field(default="", sa_type=Text)  # JSON list of section headings
    builtin: bool = Field(default=False)


class PhiDismissal(SQLModel, table=True):
    """A finding the user marked "not identifying" (remembered per note by text hash)."""

    __tablename__ = "phi_dismissal"
    id: int | None = Field(default=None, primary_key=True)
    note_id: int | None = Field(default=None, foreign_key="case_note.id", ondelete="CASCADE")
    text_hash: str = Field(max_length=64, index=True)
    category: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)


class NoteDraft(SQLModel, table=True):
    """Autosaved editor drafts, offered back after a crash."""

    __tablename__ = "note_draft"
    id: int | None = Field(default=None, primary_key=True)
    note_id: int | None = Field(default=None, foreign_key="case_note.id", ondelete="CASCADE")
    payload: str = Field(default="", sa_type=Text)  # JSON of the editor's fields
    saved_at: datetime = Field(sa_type=UTCDateTime)


# --- hours --------------------------------------------------------------------------------


class HourEntry(Versioned, table=True):
    """A manual hour-log entry (attendance-derived hours are computed, not stored)."""

    __tablename__ = "hour_entry"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    on_date: date
    minutes: int
    category: str = Field(max_length=40)
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)


class PeriodLock(SQLModel, table=True):
    """A signed-off hour period: the hash of its entries at signing time."""

    __tablename__ = "period_lock"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    start_date: date
    end_date: date
    entries_hash: str = Field(max_length=64)
    locked_at: datetime = Field(sa_type=UTCDateTime)
    unlocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unlock_reason: str = Field(default="", max_length=500)


# --- reminders ----------------------------------------------------------------------------


class ReminderSetting(Versioned, table=True):
    """Reminder preferences for a member, optionally narrowed to one group.

    kind: ``evening_before`` (local_time), ``before_start`` (offset_minutes),
    ``presenter_prep`` (offset_days), ``cadence`` (goal in member.consultation_goal_days).
    """

    __tablename__ = "reminder_setting"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    group_id: int | None = Field(default=None, foreign_key="consult_group.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    enabled: bool = Field(default=True)
    offset_minutes: int | None = None
    offset_days: int | None = None
    local_time: str | None = Field(default=None, max_length=5)  # "HH:MM"
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    include_coordinated: bool = Field(default=False)


class ReminderDelivery(SQLModel, table=True):
    """Delivery state of one planned reminder; ``key`` is the planner's stable id."""

    __tablename__ = "reminder_delivery"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="CASCADE")
    series_id: int | None = Field(default=None, foreign_key="session_series.id", ondelete="CASCADE")
    recurrence_id: datetime | None = Field(default=None, sa_type=DateTime(timezone=False))
    due_utc: datetime = Field(sa_type=UTCDateTime)
    state: str = Field(max_length=16)  # delivered, acknowledged, snoozed, missed
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    via_digest: bool = Field(default=False)
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- audit --------------------------------------------------------------------------------


class AuditLog(SQLModel, table=True):
    """Append-only: action, table, row id, time. Never content. UPDATE/DELETE are refused
    by database triggers (see the initial migration)."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    action: str = Field(max_length=40)
    table_name: str = Field(max_length=40)
    row_id: int | None = None
    actor_member_id: int | None = None


VERSIONED_TABLES: tuple[type[SQLModel], ...] = (
    Group,
    Member,
    Membership,
    SessionSeries,
    Occurrence,
    Attendance,
    CaseNote,
    FollowUp,
    HourEntry,
    ReminderSetting,
)


def _enable_version_counters() -> None:
    """Make ``version`` SQLAlchemy's version counter on every editable table.

    SQLModel builds the Table after the class body runs, so the column cannot be named in
    ``__mapper_args__``; it is attached to the mapper here, once, at import.
    """
    for cls in VERSIONED_TABLES:
        mapper = cls.__mapper__  # type: ignore[attr-defined]
        mapper.version_id_col = cls.__table__.c.version  # type: ignore[attr-defined]


_enable_version_counters()
