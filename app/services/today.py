"""Reading what the Today screen and the calendar show, with SQLAlchemy Core only.

This module deliberately avoids the ORM models: it is what the app runs right after its
first paint, so it must not pay for mapping twenty tables before the first screen is
filled. ``sessions.occurrences_in`` uses ``load_occurrences`` too, so occurrences are read
by one piece of code everywhere.

Today's "needs attention" items are computed by the areas' providers (ORM, slower). Their
last result is kept in a cache row keyed by a fingerprint (the newest audit-log id, the
local date and "me"): every data change is audited, so an unchanged fingerprint means the
same items. The UI shows the cached items at once and recomputes right after.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, DateTime, Integer, String, bindparam, text
from sqlalchemy.engine import Connection

from app.scheduling.expand import Occ, OverrideSpec, SeriesSpec, expand
from app.store.types import UTCDateTime

if TYPE_CHECKING:
    from app.services.attention import AttentionItem
    from app.store.database import Database

ME_KEY = "me_member_id"
ATTENTION_CACHE_PREFIX = "today_attention:"
# moved occurrences stay within a year of their original date
OVERRIDE_MARGIN = timedelta(days=370)


@dataclass(frozen=True)
class Me:
    id: int
    display_name: str
    timezone: str


def read_me(conn: Connection) -> Me | None:
    row = conn.execute(
        text(
            "SELECT m.id, m.display_name, m.timezone FROM setting s "
            "JOIN member m ON CAST(s.value AS INTEGER) = m.id "
            "WHERE s.key = :k AND s.value <> '' AND m.archived = :f"
        ).bindparams(k=ME_KEY, f=False)
    ).first()
    return None if row is None else Me(int(row[0]), str(row[1]), str(row[2]))


def my_group_ids(conn: Connection, member_id: int) -> set[int]:
    rows = conn.execute(
        text("SELECT group_id FROM membership WHERE member_id = :m").bindparams(m=member_id)
    )
    return {int(r[0]) for r in rows}


def group_colors(conn: Connection) -> dict[int, str]:
    rows = conn.execute(
        text("SELECT id, color FROM consult_group WHERE archived = :f").bindparams(f=False)
    )
    return {int(r[0]): str(r[1]) for r in rows if r[1]}


_SERIES_SQL = (
    "SELECT s.id, s.group_id, s.title, s.timezone, s.start_local, s.duration_minutes, "
    "s.rrule, s.location, s.video_url, s.agenda, s.all_day "
    "FROM session_series s JOIN consult_group g ON g.id = s.group_id "
    "WHERE s.archived = :f AND g.archived = :f"
)


def load_occurrences(
    conn: Connection,
    start_utc: datetime,
    end_utc: datetime,
    group_ids: Iterable[int] | None = None,
    include_cancelled: bool = False,
) -> list[Occ]:
    """All occurrences overlapping [start_utc, end_utc), sorted by start."""
    params: dict[str, Any] = {"f": False}
    clause = text(_SERIES_SQL)
    if group_ids is not None:
        ids = sorted(set(group_ids))
        if not ids:
            return []
        clause = text(_SERIES_SQL + " AND s.group_id IN :gids").bindparams(
            bindparam("gids", expanding=True)
        )
        params["gids"] = ids
    stmt = clause.columns(
        id=Integer(), group_id=Integer(), title=String(), timezone=String(),
        start_local=DateTime(), duration_minutes=Integer(), rrule=String(),
        location=String(), video_url=String(), agenda=String(), all_day=Boolean(),
    )
    series = [
        SeriesSpec(
            id=r.id, group_id=r.group_id, title=r.title, timezone=r.timezone,
            start_local=r.start_local, duration_minutes=r.duration_minutes, rrule=r.rrule,
            location=r.location, video_url=r.video_url, agenda=r.agenda or "",
            all_day=bool(r.all_day),
        )
        for r in conn.execute(stmt, params)
    ]
    overrides: dict[tuple[int, datetime], OverrideSpec] = {}
    if series:
        ostmt = (
            text(
                "SELECT id, series_id, recurrence_id, status, start_utc, end_utc, location, "
                "video_url, agenda, moved, title FROM occurrence "
                "WHERE series_id IN :sids AND start_utc < :hi AND end_utc > :lo"
            )
            .bindparams(bindparam("sids", expanding=True),
                        bindparam("hi", type_=UTCDateTime()),
                        bindparam("lo", type_=UTCDateTime()))
            .columns(
                id=Integer(), series_id=Integer(), recurrence_id=DateTime(), status=String(),
                start_utc=UTCDateTime(), end_utc=UTCDateTime(), location=String(),
                video_url=String(), agenda=String(), moved=Boolean(), title=String(),
            )
        )
        for o in conn.execute(
            ostmt,
            {"sids": [sp.id for sp in series], "hi": end_utc + OVERRIDE_MARGIN,
             "lo": start_utc - OVERRIDE_MARGIN},
        ):
            overrides[(o.series_id, o.recurrence_id)] = OverrideSpec(
                occurrence_id=o.id, series_id=o.series_id, recurrence_id=o.recurrence_id,
                status=o.status, start_utc=o.start_utc, end_utc=o.end_utc,
                location=o.location, video_url=o.video_url, agenda=o.agenda,
                moved=bool(o.moved), title=o.title,
            )
    return expand(series, overrides, start_utc, end_utc, include_cancelled)


# --- Today snapshot -----------------------------------------------------------------------


@dataclass(frozen=True)
class TodaySnapshot:
    me: Me | None
    group_colors: dict[int, str]
    occurrences: list[Occ]
    cached_attention: list[AttentionItem] | None  # None: not cached, compute it


def _fingerprint(conn: Connection, me_id: int | None, local_day: date) -> str:
    newest = conn.execute(text("SELECT MAX(id) FROM audit_log")).scalar()
    return f"{newest or 0}|{local_day.isoformat()}|{me_id}"


def snapshot(
    db: Database,
    now: datetime,
    horizon: timedelta,
    local_day: date,
    mine_only: bool = True,
) -> TodaySnapshot:
    with db.engine.connect() as conn:
        me = read_me(conn)
        gids = my_group_ids(conn, me.id) if (mine_only and me is not None) else None
        occs = load_occurrences(conn, now, now + horizon, gids)
        colors = group_colors(conn)
        cached = _read_attention_cache(conn, me.id if me else None, local_day)
    return TodaySnapshot(me, colors, occs, cached)


def _cache_key(me_id: int | None) -> str:
    return f"{ATTENTION_CACHE_PREFIX}{me_id or 0}"


def _read_attention_cache(
    conn: Connection, me_id: int | None, local_day: date
) -> list[AttentionItem] | None:
    raw = conn.execute(
        text("SELECT value FROM setting WHERE key = :k").bindparams(k=_cache_key(me_id))
    ).scalar()
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if data.get("fp") != _fingerprint(conn, me_id, local_day):
        return None
    from app.services.attention import AttentionItem

    items = []
    for d in data.get("items", []):
        due = date.fromisoformat(d["due"]) if d.get("due") else None
        items.append(AttentionItem(**{**d, "due": due}))
    return items


def store_attention_cache(
    db: Database, me_id: int | None, local_day: date, items: list[AttentionItem]
) -> None:
    """Remember ``items`` for this fingerprint (not audited: it is derived data)."""
    payload_items = [
        {**asdict(i), "due": i.due.isoformat() if i.due else None} for i in items
    ]
    with db.engine.begin() as conn:
        value = json.dumps({"fp": _fingerprint(conn, me_id, local_day), "items": payload_items})
        key = _cache_key(me_id)
        updated = conn.execute(
            text("UPDATE setting SET value = :v WHERE key = :k").bindparams(v=value, k=key)
        ).rowcount
        if not updated:
            conn.execute(
                text("INSERT INTO setting (key, value) VALUES (:k, :v)").bindparams(k=key, v=value)
            )
