"""The append-only audit log: action, table, row id, time — never content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.clock import Clock, utcnow
from app.store.models import AuditLog, Setting

ME_KEY = "me_member_id"


def me_id(session: Session) -> int | None:
    row = session.get(Setting, ME_KEY)
    if row is None or not row.value:
        return None
    return int(row.value)


def record(
    session: Session,
    action: str,
    table: str,
    row_id: int | None,
    clock: Clock | None = None,
) -> None:
    """Append one audit entry in the caller's transaction."""
    session.add(
        AuditLog(
            at=utcnow(clock),
            action=action,
            table_name=table,
            row_id=row_id,
            actor_member_id=me_id(session),
        )
    )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    action: str
    table_name: str
    row_id: int | None
    actor_member_id: int | None


def recent(session: Session, limit: int = 200) -> list[AuditEntry]:
    rows = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)).all()
    return [
        AuditEntry(
            id=r.id or 0,
            at=r.at,
            action=r.action,
            table_name=r.table_name,
            row_id=r.row_id,
            actor_member_id=r.actor_member_id,
        )
        for r in rows
    ]
