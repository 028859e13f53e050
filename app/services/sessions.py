"""Session series and their occurrences (the core used by Today, the demo and the CLI)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import NotFoundError, ValidationError
from app.scheduling.expand import (
    Occ,
    SeriesSpec,
    local_to_utc,
    occurrence_end_utc,
    parse_rule,
)
from app.services import audit
from app.services.practice import validate_timezone
from app.services.today import load_occurrences
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import Group, Membership, Occurrence, OccurrenceStatus, SessionSeries


@dataclass(frozen=True)
class SeriesInfo:
    id: int
    group_id: int
    title: str
    timezone: str
    start_local: datetime
    duration_minutes: int
    rrule: str
    location: str
    video_url: str
    agenda: str
    uid: str
    version: int


def _series_info(s: SessionSeries) -> SeriesInfo:
    return SeriesInfo(
        id=s.id or 0,
        group_id=s.group_id,
        title=s.title,
        timezone=s.timezone,
        start_local=s.start_local,
        duration_minutes=s.duration_minutes,
        rrule=s.rrule,
        location=s.location,
        video_url=s.video_url,
        agenda=s.agenda,
        uid=s.uid,
        version=s.version,
    )


def validate_rrule(rule: str, start_local: datetime) -> str:
    rule = rule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    if not rule:
        return ""
    try:
        parse_rule(rule, start_local)
    except (ValueError, TypeError) as exc:
        raise ValidationError("rrule", f"The recurrence rule is not valid: {exc}.") from None
    return rule


def create_series(
    db: Database,
    group_id: int,
    title: str,
    start_local: datetime,
    duration_minutes: int,
    timezone: str,
    rrule: str = "",
    *,
    location: str = "",
    video_url: str = "",
    agenda: str = "",
    uid: str | None = None,
) -> SeriesInfo:
    title = " ".join(title.split())
    if not title:
        raise ValidationError("title", "The session needs a title.")
    if start_local.tzinfo is not None:
        raise ValidationError("start_local", "Give the start as wall-clock time in its zone.")
    if not 5 <= duration_minutes <= 12 * 60:
        raise ValidationError("duration_minutes", "Duration must be 5 minutes to 12 hours.")
    tz = validate_timezone(timezone)
    rule = validate_rrule(rrule, start_local)
    with transaction(db.engine) as s:
        if s.get(Group, group_id) is None:
            raise NotFoundError(f"Group #{group_id} does not exist.")
        row = SessionSeries(
            group_id=group_id,
            title=title,
            timezone=tz,
            start_local=start_local.replace(second=0, microsecond=0),
            duration_minutes=duration_minutes,
            rrule=rule,
            location=location.strip(),
            video_url=video_url.strip(),
            agenda=agenda,
            uid=uid or f"{uuid.uuid4()}@consultory",
            created_at=utcnow(db.clock),
        )
        s.add(row)
        s.flush()
        audit.record(s, "create", "session_series", row.id, db.clock)
        return _series_info(row)


def list_series(db: Database, group_id: int | None = None) -> list[SeriesInfo]:
    with transaction(db.engine) as s:
        q = select(SessionSeries).where(col(SessionSeries.archived).is_(False))
        if group_id is not None:
            q = q.where(SessionSeries.group_id == group_id)
        return [_series_info(r) for r in s.exec(q.order_by(col(SessionSeries.id))).all()]


def _spec(r: SessionSeries) -> SeriesSpec:
    return SeriesSpec(
        id=r.id or 0,
        group_id=r.group_id,
        title=r.title,
        timezone=r.timezone,
        start_local=r.start_local,
        duration_minutes=r.duration_minutes,
        rrule=r.rrule,
        location=r.location,
        video_url=r.video_url,
        agenda=r.agenda,
        all_day=r.all_day,
    )


def occurrences_in(
    s: Session,
    start_utc: datetime,
    end_utc: datetime,
    group_ids: set[int] | None = None,
    include_cancelled: bool = False,
) -> list[Occ]:
    """All occurrences overlapping the window, within an open session (one reader for
    everything: app.services.today.load_occurrences)."""
    return load_occurrences(s.connection(), start_utc, end_utc, group_ids, include_cancelled)


def list_occurrences(
    db: Database,
    start_utc: datetime,
    end_utc: datetime,
    group_ids: set[int] | None = None,
    include_cancelled: bool = False,
) -> list[Occ]:
    with transaction(db.engine) as s:
        return occurrences_in(s, start_utc, end_utc, group_ids, include_cancelled)


def my_group_ids(db: Database, member_id: int) -> set[int]:
    with transaction(db.engine) as s:
        return set(
            s.exec(select(Membership.group_id).where(Membership.member_id == member_id)).all()
        )


def materialize(s: Session, series_id: int, recurrence_id: datetime) -> Occurrence:
    """The Occurrence row for (series, recurrence id), created from the rule if needed."""
    row = s.exec(
        select(Occurrence).where(
            Occurrence.series_id == series_id, Occurrence.recurrence_id == recurrence_id
        )
    ).first()
    if row is not None:
        return row
    series = s.get(SessionSeries, series_id)
    if series is None:
        raise NotFoundError(f"Session series #{series_id} does not exist.")
    start = local_to_utc(recurrence_id, series.timezone)
    row = Occurrence(
        series_id=series_id,
        recurrence_id=recurrence_id,
        status=OccurrenceStatus.SCHEDULED.value,
        start_utc=start,
        end_utc=occurrence_end_utc(_spec(series), recurrence_id, start),
    )
    s.add(row)
    s.flush()
    return row
