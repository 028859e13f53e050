"""Follow-up items from case notes that are due soon or overdue (shown on Today)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from app.services.attention import PROVIDERS, AttentionItem
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import CaseNote, FollowUp

HORIZON_DAYS = 7


def due_follow_ups(db: Database, me_id: int | None, now: datetime) -> list[AttentionItem]:
    today = now.date()
    with transaction(db.engine) as s:
        q = (
            select(FollowUp, CaseNote.alias)
            .join(CaseNote, col(CaseNote.id) == FollowUp.note_id)
            .where(
                col(FollowUp.done).is_(False),
                col(FollowUp.due_date).is_not(None),
                col(FollowUp.due_date) <= today + timedelta(days=HORIZON_DAYS),
            )
        )
        if me_id is not None:
            q = q.where(CaseNote.author_member_id == me_id)
        rows = s.exec(q.order_by(col(FollowUp.due_date))).all()
        items = []
        for fu, alias in rows:
            assert fu.due_date is not None
            overdue = fu.due_date < today
            items.append(
                AttentionItem(
                    kind="follow_up",
                    severity="warning" if overdue else "info",
                    title=f"Follow-up for case {alias}" + (" (overdue)" if overdue else ""),
                    detail=fu.text,
                    due=fu.due_date,
                    target=f"notes:{fu.note_id}",
                )
            )
        return items


PROVIDERS.append(due_follow_ups)
