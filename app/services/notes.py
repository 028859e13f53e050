"""Case notes: CRUD with optimistic locking, links to sessions, follow-ups, "not
identifying" dismissals, autosaved drafts, full-text search, templates and retention.

Every public function is one transaction and returns frozen dataclasses. Viewing and
editing a note are audited (``note_viewed`` / ``note_edited``); the audit log holds ids,
never text. Error messages never quote note text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import text
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, or_, select

from app.clock import utcnow
from app.deid import find_phi
from app.errors import NotFoundError, StaleEditError, ValidationError
from app.notes import search as qlang
from app.notes.fields import normalize_tags, tags_from_column, tags_to_column, validate_alias
from app.notes.guard import finding_hash
from app.notes.templates import (
    BUILTIN_TEMPLATES,
    CASE_PRESENTATION,
    USER_PREFIX,
    TemplateSpec,
    builtin,
    clean_sections,
    sections_from_json,
    sections_to_json,
)
from app.services import audit, sessions
from app.services.attention import PROVIDERS, AttentionItem
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import (
    CaseNote,
    FollowUp,
    Group,
    NoteDraft,
    NoteOccurrence,
    NoteTemplate,
    Occurrence,
    PhiDismissal,
    SessionSeries,
)

TITLE_MAX = 200
BODY_MAX = 100_000
FOLLOW_UP_MAX = 500
RETENTION_MAX_MONTHS = 600
TABLE = "case_note"


# --- plain values -------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpInfo:
    id: int
    note_id: int
    text: str
    due_date: date | None
    done: bool
    version: int


@dataclass(frozen=True)
class SessionLink:
    occurrence_id: int
    series_id: int
    title: str
    group_name: str
    start_utc: datetime
    timezone: str


@dataclass(frozen=True)
class NoteInfo:
    id: int
    alias: str
    title: str
    body: str
    template: str
    group_id: int | None
    group_name: str
    author_member_id: int | None
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    version: int
    sessions: tuple[SessionLink, ...] = ()
    follow_ups: tuple[FollowUpInfo, ...] = ()
    dismissed: frozenset[str] = field(default_factory=frozenset)  # finding hashes


@dataclass(frozen=True)
class NoteSummary:
    id: int
    alias: str
    title: str
    template: str
    group_id: int | None
    group_name: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    version: int
    open_follow_ups: int = 0
    snippet: str = ""  # search results: text with MARK_START/MARK_END around matches


@dataclass(frozen=True)
class DraftInfo:
    id: int
    note_id: int | None
    payload: dict[str, Any]
    saved_at: datetime


@dataclass(frozen=True)
class RetentionPreview:
    group_id: int
    group_name: str
    months: int
    cutoff: date  # notes last changed before this date go
    notes: tuple[NoteSummary, ...]


@dataclass(frozen=True)
class NoteFilter:
    group_id: int | None = None
    alias: str | None = None
    tag: str | None = None
    date_from: date | None = None  # by the note's creation date (UTC)
    date_to: date | None = None


# --- helpers ------------------------------------------------------------------------------


def _get(s: Session, note_id: int) -> CaseNote:
    n = s.get(CaseNote, note_id)
    if n is None:
        raise NotFoundError(f"Case note #{note_id} does not exist (it may have been deleted).")
    return n


def _flush(s: Session, table: str, row_id: int) -> None:
    try:
        s.flush()
    except StaleDataError:
        raise StaleEditError(table, row_id) from None


def _group_names(s: Session) -> dict[int, str]:
    return {gid: name for gid, name in s.exec(select(Group.id, Group.name)).all() if gid}


def _check_group(s: Session, group_id: int | None) -> None:
    if group_id is not None and s.get(Group, group_id) is None:
        raise ValidationError("group", f"Group #{group_id} does not exist.")


def _clean_title(title: str) -> str:
    t = " ".join(title.split())
    if len(t) > TITLE_MAX:
        raise ValidationError("title", f"The title is too long (at most {TITLE_MAX}).")
    return t


def _clean_body(body: str) -> str:
    if len(body) > BODY_MAX:
        raise ValidationError("body", f"The note is too long (at most {BODY_MAX} characters).")
    return body


def _check_template(s: Session, key: str) -> str:
    if builtin(key) is not None:
        return key
    if key.startswith(USER_PREFIX) and key[len(USER_PREFIX) :].isdigit():
        if s.get(NoteTemplate, int(key[len(USER_PREFIX) :])) is not None:
            return key
    raise ValidationError("template", "Unknown template. Choose one from the list.")


def _summary(
    n: CaseNote, groups: dict[int, str], open_fu: int = 0, snippet: str = ""
) -> NoteSummary:
    return NoteSummary(
        id=n.id or 0,
        alias=n.alias,
        title=n.title,
        template=n.template,
        group_id=n.group_id,
        group_name=groups.get(n.group_id or 0, ""),
        tags=tags_from_column(n.tags),
        created_at=n.created_at,
        updated_at=n.updated_at,
        version=n.version,
        open_follow_ups=open_fu,
        snippet=snippet,
    )


def _follow_up_info(f: FollowUp) -> FollowUpInfo:
    return FollowUpInfo(
        id=f.id or 0,
        note_id=f.note_id,
        text=f.text,
        due_date=f.due_date,
        done=f.done,
        version=f.version,
    )


def _session_links(s: Session, note_id: int) -> tuple[SessionLink, ...]:
    rows = s.exec(
        select(Occurrence, SessionSeries, Group.name)
        .join(NoteOccurrence, col(NoteOccurrence.occurrence_id) == Occurrence.id)
        .join(SessionSeries, col(SessionSeries.id) == Occurrence.series_id)
        .join(Group, col(Group.id) == SessionSeries.group_id)
        .where(NoteOccurrence.note_id == note_id)
        .order_by(col(Occurrence.start_utc))
    ).all()
    return tuple(
        SessionLink(
            occurrence_id=o.id or 0,
            series_id=sr.id or 0,
            title=sr.title,
            group_name=gname,
            start_utc=o.start_utc,
            timezone=sr.timezone,
        )
        for o, sr, gname in rows
    )


def _dismissed(s: Session, note_id: int) -> frozenset[str]:
    return frozenset(
        s.exec(select(PhiDismissal.text_hash).where(PhiDismissal.note_id == note_id)).all()
    )


def _info(s: Session, n: CaseNote) -> NoteInfo:
    nid = n.id or 0
    groups = _group_names(s)
    fus = s.exec(
        select(FollowUp)
        .where(FollowUp.note_id == nid)
        .order_by(col(FollowUp.done), col(FollowUp.due_date), col(FollowUp.id))
    ).all()
    return NoteInfo(
        id=nid,
        alias=n.alias,
        title=n.title,
        body=n.body,
        template=n.template,
        group_id=n.group_id,
        group_name=groups.get(n.group_id or 0, ""),
        author_member_id=n.author_member_id,
        tags=tags_from_column(n.tags),
        created_at=n.created_at,
        updated_at=n.updated_at,
        version=n.version,
        sessions=_session_links(s, nid),
        follow_ups=tuple(_follow_up_info(f) for f in fus),
        dismissed=_dismissed(s, nid),
    )


def _add_dismissals(
    s: Session, db: Database, note_id: int, items: Iterable[tuple[str, str]]
) -> None:
    have = _dismissed(s, note_id)
    for finding_text, category in items:
        h = finding_hash(finding_text, category)
        if h in have:
            continue
        have |= {h}
        row = PhiDismissal(
            note_id=note_id, text_hash=h, category=category[:16], created_at=utcnow(db.clock)
        )
        s.add(row)
        s.flush()
        audit.record(s, "phi_dismissed", "phi_dismissal", row.id, db.clock)


def _drop_draft(s: Session, draft_id: int | None) -> None:
    if draft_id is not None:
        d = s.get(NoteDraft, draft_id)
        if d is not None:
            s.delete(d)


# --- notes --------------------------------------------------------------------------------


def create_note(
    db: Database,
    *,
    alias: str,
    title: str = "",
    body: str = "",
    template: str = CASE_PRESENTATION,
    group_id: int | None = None,
    tags: str | Iterable[str] = (),
    author_member_id: int | None = None,
    dismissals: Iterable[tuple[str, str]] = (),
    draft_id: int | None = None,
) -> NoteInfo:
    """Create a note. ``dismissals`` are (finding text, category) pairs the user marked
    "not identifying" before the note existed; ``draft_id`` is the autosave to clear."""
    a = validate_alias(alias)
    t = _clean_title(title)
    b = _clean_body(body)
    tg = normalize_tags(tags)
    now = utcnow(db.clock)
    with transaction(db.engine) as s:
        _check_group(s, group_id)
        tpl = _check_template(s, template)
        n = CaseNote(
            alias=a,
            author_member_id=author_member_id if author_member_id else audit.me_id(s),
            group_id=group_id,
            template=tpl,
            title=t,
            body=b,
            tags=tags_to_column(tg),
            created_at=now,
            updated_at=now,
        )
        s.add(n)
        s.flush()
        audit.record(s, "create", TABLE, n.id, db.clock)
        _add_dismissals(s, db, n.id or 0, dismissals)
        _drop_draft(s, draft_id)
        return _info(s, n)


_UNSET: Any = object()


def update_note(
    db: Database,
    note_id: int,
    *,
    expected_version: int | None = None,
    alias: str | None = None,
    title: str | None = None,
    body: str | None = None,
    template: str | None = None,
    group_id: int | None = _UNSET,
    tags: str | Iterable[str] | None = None,
    dismissals: Iterable[tuple[str, str]] = (),
    draft_id: int | None = None,
) -> NoteInfo:
    """Change a note. ``expected_version`` is the version the editor loaded: if the note
    changed since, StaleEditError (nothing is overwritten)."""
    a = validate_alias(alias) if alias is not None else None
    t = _clean_title(title) if title is not None else None
    b = _clean_body(body) if body is not None else None
    tg = normalize_tags(tags) if tags is not None else None
    with transaction(db.engine) as s:
        n = _get(s, note_id)
        if expected_version is not None and n.version != expected_version:
            raise StaleEditError("case note", note_id)
        if a is not None:
            n.alias = a
        if t is not None:
            n.title = t
        if b is not None:
            n.body = b
        if template is not None:
            n.template = _check_template(s, template)
        if group_id is not _UNSET:
            _check_group(s, group_id)
            n.group_id = group_id
        if tg is not None:
            n.tags = tags_to_column(tg)
        n.updated_at = utcnow(db.clock)
        s.add(n)
        _flush(s, "case note", note_id)
        audit.record(s, "note_edited", TABLE, note_id, db.clock)
        _add_dismissals(s, db, note_id, dismissals)
        _drop_draft(s, draft_id)
        return _info(s, n)


def get_note(db: Database, note_id: int, *, audit_view: bool = True) -> NoteInfo:
    """Open a note (audited as ``note_viewed`` unless ``audit_view`` is False, e.g. when
    the editor reloads the note it just saved)."""
    with transaction(db.engine) as s:
        n = _get(s, note_id)
        if audit_view and not db.read_only:
            audit.record(s, "note_viewed", TABLE, note_id, db.clock)
        return _info(s, n)


def delete_note(db: Database, note_id: int, expected_version: int | None = None) -> None:
    with transaction(db.engine) as s:
        n = _get(s, note_id)
        if expected_version is not None and n.version != expected_version:
            raise StaleEditError("case note", note_id)
        s.delete(n)
        _flush(s, "case note", note_id)
        audit.record(s, "delete", TABLE, note_id, db.clock)


def dismiss_finding(db: Database, note_id: int, finding_text: str, category: str) -> NoteInfo:
    """Remember that this text (in this category) is not identifying in this note."""
    with transaction(db.engine) as s:
        n = _get(s, note_id)
        _add_dismissals(s, db, note_id, [(finding_text, category)])
        return _info(s, n)


def dismissed_hashes(db: Database, note_id: int) -> frozenset[str]:
    with transaction(db.engine) as s:
        return _dismissed(s, note_id)


# --- listing and search -------------------------------------------------------------------


def _filter_sql(f: NoteFilter, params: dict[str, Any]) -> list[str]:
    """WHERE clauses on ``case_note`` (raw SQL, bound parameters only)."""
    where: list[str] = []
    if f.group_id is not None:
        where.append("case_note.group_id = :group_id")
        params["group_id"] = f.group_id
    if f.alias:
        where.append("lower(case_note.alias) = lower(:alias)")
        params["alias"] = f.alias.strip()
    if f.tag:
        where.append("(',' || case_note.tags || ',') LIKE :tag")
        params["tag"] = f"%,{f.tag.strip().lower()},%"
    if f.date_from is not None:
        where.append("case_note.created_at >= :date_from")
        params["date_from"] = f"{f.date_from.isoformat()} 00:00:00.000000"  # naive UTC text
    if f.date_to is not None:
        where.append("case_note.created_at < :date_to")
        params["date_to"] = f"{(f.date_to + timedelta(days=1)).isoformat()} 00:00:00.000000"
    return where


def _orm_filter(q: Any, f: NoteFilter) -> Any:
    if f.group_id is not None:
        q = q.where(CaseNote.group_id == f.group_id)
    if f.alias:
        q = q.where(func.lower(CaseNote.alias) == f.alias.strip().lower())
    if f.tag:
        q = q.where(("," + col(CaseNote.tags) + ",").like(f"%,{f.tag.strip().lower()},%"))
    if f.date_from is not None:
        q = q.where(col(CaseNote.created_at) >= datetime.combine(f.date_from, time(), UTC))
    if f.date_to is not None:
        q = q.where(
            col(CaseNote.created_at) < datetime.combine(f.date_to + timedelta(days=1), time(), UTC)
        )
    return q


def _without_body() -> Any:
    """Select notes for lists: the body (the large column) is loaded only when read."""
    return select(CaseNote).options(defer(CaseNote.body))  # type: ignore[arg-type]


def _open_follow_ups(s: Session, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = s.exec(
        select(FollowUp.note_id, func.count())
        .where(col(FollowUp.note_id).in_(ids), col(FollowUp.done).is_(False))
        .group_by(col(FollowUp.note_id))
    ).all()
    return {nid: int(c) for nid, c in rows}


def has_fts(s: Session) -> bool:
    """Whether the FTS5 index exists (SQLite databases migrated with it)."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        return False
    return (
        conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='note_fts'")
        ).first()
        is not None
    )


def list_notes(
    db: Database, filt: NoteFilter | None = None, limit: int = 1000
) -> list[NoteSummary]:
    """Notes, newest change first, optionally filtered."""
    f = filt or NoteFilter()
    with transaction(db.engine) as s:
        q = _orm_filter(_without_body(), f)
        rows = s.exec(q.order_by(col(CaseNote.updated_at).desc()).limit(limit)).all()
        groups = _group_names(s)
        counts = _open_follow_ups(s, [n.id or 0 for n in rows])
        return [_summary(n, groups, counts.get(n.id or 0, 0)) for n in rows]


def search_notes(
    db: Database,
    query: str,
    filt: NoteFilter | None = None,
    limit: int = 200,
    *,
    use_fts: bool | None = None,
) -> list[NoteSummary]:
    """Words and "phrases" (all must match), best match first, each with a marked snippet.
    An empty query lists the filtered notes. ``use_fts=False`` forces the LIKE fallback
    used on databases without FTS5."""
    terms = qlang.parse_query(query)
    if not terms:
        return list_notes(db, filt, limit)
    f = filt or NoteFilter()
    with transaction(db.engine) as s:
        fts = has_fts(s) if use_fts is None else use_fts
        groups = _group_names(s)
        if fts:
            params: dict[str, Any] = {"match": qlang.fts_match(terms), "limit": limit}
            where = ["note_fts MATCH :match", *_filter_sql(f, params)]
            sql = (
                "SELECT case_note.id, snippet(note_fts, -1, :ms, :me, :el, 24) "
                "FROM note_fts JOIN case_note ON case_note.id = note_fts.rowid "
                f"WHERE {' AND '.join(where)} ORDER BY bm25(note_fts, 8.0, 4.0, 1.0, 4.0), "
                "case_note.updated_at DESC LIMIT :limit"
            )
            params.update(ms=qlang.MARK_START, me=qlang.MARK_END, el=qlang.ELLIPSIS)
            hits = [(int(r[0]), str(r[1])) for r in s.connection().execute(text(sql), params)]
            notes = {
                n.id: n
                for n in s.exec(
                    _without_body().where(col(CaseNote.id).in_([h[0] for h in hits]))
                ).all()
            }
            counts = _open_follow_ups(s, [h[0] for h in hits])
            return [
                _summary(notes[i], groups, counts.get(i, 0), snip) for i, snip in hits if i in notes
            ]
        q = _orm_filter(select(CaseNote), f)
        for t in terms:
            like = f"%{t.text.lower()}%"
            q = q.where(
                or_(
                    func.lower(CaseNote.body).like(like),
                    func.lower(CaseNote.title).like(like),
                    func.lower(CaseNote.alias).like(like),
                    func.lower(CaseNote.tags).like(like),
                )
            )
        rows = s.exec(q.order_by(col(CaseNote.updated_at).desc()).limit(limit)).all()
        counts = _open_follow_ups(s, [n.id or 0 for n in rows])
        out = []
        for n in rows:
            text_all = f"{n.title}\n{n.body}" if n.title else n.body
            snip = qlang.make_snippet(text_all, terms)
            if qlang.MARK_START not in snip:
                snip = qlang.make_snippet(f"{n.alias} {n.tags.replace(',', ' ')}", terms)
            out.append(_summary(n, groups, counts.get(n.id or 0, 0), snip))
        return out


def _natural(value: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "C-2" before "C-10"."""
    return tuple(
        (0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", value.casefold()) if p
    )


def aliases(db: Database) -> list[str]:
    with transaction(db.engine) as s:
        return sorted(set(s.exec(select(CaseNote.alias)).all()), key=_natural)


def all_tags(db: Database) -> list[str]:
    with transaction(db.engine) as s:
        found: set[str] = set()
        for raw in s.exec(select(CaseNote.tags).distinct()).all():
            found.update(tags_from_column(raw))
        return sorted(found)


# --- sessions -----------------------------------------------------------------------------


def link_session(db: Database, note_id: int, series_id: int, recurrence_id: datetime) -> NoteInfo:
    """Link the note to one occurrence of a series (materialised if needed)."""
    with transaction(db.engine) as s:
        n = _get(s, note_id)
        occ = sessions.materialize(s, series_id, recurrence_id)
        if s.get(NoteOccurrence, (note_id, occ.id)) is None:
            s.add(NoteOccurrence(note_id=note_id, occurrence_id=occ.id or 0))
            s.flush()
            audit.record(s, "link", "note_occurrence", note_id, db.clock)
        return _info(s, n)


def unlink_session(db: Database, note_id: int, occurrence_id: int) -> NoteInfo:
    with transaction(db.engine) as s:
        n = _get(s, note_id)
        row = s.get(NoteOccurrence, (note_id, occurrence_id))
        if row is not None:
            s.delete(row)
            s.flush()
            audit.record(s, "unlink", "note_occurrence", note_id, db.clock)
        return _info(s, n)


# --- follow-ups ---------------------------------------------------------------------------


def _clean_follow_up(text_: str) -> str:
    t = " ".join(text_.split())
    if not t:
        raise ValidationError("follow_up", "Describe the follow-up (what to do next).")
    if len(t) > FOLLOW_UP_MAX:
        raise ValidationError(
            "follow_up", f"The follow-up is too long (at most {FOLLOW_UP_MAX} characters)."
        )
    found = find_phi(t)
    if found:
        raise ValidationError(
            "follow_up",
            f"The follow-up looks identifying ({found[0].category}); it is shown on Today, "
            "so use the case alias or a role instead.",
        )
    return t


def add_follow_up(db: Database, note_id: int, text_: str, due_date: date | None) -> FollowUpInfo:
    t = _clean_follow_up(text_)
    with transaction(db.engine) as s:
        _get(s, note_id)
        f = FollowUp(note_id=note_id, text=t, due_date=due_date)
        s.add(f)
        s.flush()
        audit.record(s, "create", "follow_up", f.id, db.clock)
        return _follow_up_info(f)


def update_follow_up(
    db: Database,
    follow_up_id: int,
    *,
    expected_version: int | None = None,
    text_: str | None = None,
    due_date: date | None = _UNSET,
    done: bool | None = None,
) -> FollowUpInfo:
    t = _clean_follow_up(text_) if text_ is not None else None
    with transaction(db.engine) as s:
        f = s.get(FollowUp, follow_up_id)
        if f is None:
            raise NotFoundError(f"Follow-up #{follow_up_id} does not exist.")
        if expected_version is not None and f.version != expected_version:
            raise StaleEditError("follow-up", follow_up_id)
        if t is not None:
            f.text = t
        if due_date is not _UNSET:
            f.due_date = due_date
        if done is not None:
            f.done = done
        s.add(f)
        _flush(s, "follow-up", follow_up_id)
        audit.record(s, "update", "follow_up", follow_up_id, db.clock)
        return _follow_up_info(f)


def delete_follow_up(db: Database, follow_up_id: int) -> None:
    with transaction(db.engine) as s:
        f = s.get(FollowUp, follow_up_id)
        if f is not None:
            s.delete(f)
            s.flush()
            audit.record(s, "delete", "follow_up", follow_up_id, db.clock)


# --- drafts -------------------------------------------------------------------------------


def save_draft(
    db: Database,
    payload: dict[str, Any],
    *,
    note_id: int | None = None,
    draft_id: int | None = None,
) -> DraftInfo:
    """Autosave the editor's fields (not audited: it runs every few seconds). Returns the
    draft, whose id the editor passes back on the next autosave and on save."""
    data = json.dumps(payload, ensure_ascii=False, default=str)
    now = utcnow(db.clock)
    with transaction(db.engine) as s:
        d = s.get(NoteDraft, draft_id) if draft_id is not None else None
        if d is None:
            d = NoteDraft(note_id=note_id, payload=data, saved_at=now)
        else:
            d.payload, d.saved_at, d.note_id = data, now, note_id
        if note_id is not None and s.get(CaseNote, note_id) is None:
            d.note_id = None
        s.add(d)
        s.flush()
        return DraftInfo(d.id or 0, d.note_id, dict(payload), now)


def pending_drafts(db: Database) -> list[DraftInfo]:
    """Drafts left behind (the editor closed without saving or discarding: a crash)."""
    with transaction(db.engine) as s:
        rows = s.exec(select(NoteDraft).order_by(col(NoteDraft.saved_at).desc())).all()
        out = []
        for d in rows:
            try:
                payload = json.loads(d.payload or "{}")
            except ValueError:
                payload = {}
            out.append(
                DraftInfo(
                    d.id or 0, d.note_id, payload if isinstance(payload, dict) else {}, d.saved_at
                )
            )
        return out


def discard_draft(db: Database, draft_id: int) -> None:
    with transaction(db.engine) as s:
        _drop_draft(s, draft_id)


# --- templates ----------------------------------------------------------------------------


def list_templates(db: Database) -> list[TemplateSpec]:
    with transaction(db.engine) as s:
        users = s.exec(select(NoteTemplate).order_by(func.lower(NoteTemplate.name))).all()
        return [
            *BUILTIN_TEMPLATES,
            *(
                TemplateSpec(
                    f"{USER_PREFIX}{t.id}", t.name, sections_from_json(t.sections), builtin=False
                )
                for t in users
            ),
        ]


def get_template(db: Database, key: str) -> TemplateSpec:
    for t in list_templates(db):
        if t.key == key:
            return t
    raise NotFoundError("That note template no longer exists. Choose another.")


def create_template(db: Database, name: str, sections: Sequence[str]) -> TemplateSpec:
    nm = " ".join(name.split())
    if not nm:
        raise ValidationError("name", "The template needs a name.")
    if len(nm) > 80:
        raise ValidationError("name", "The template name is too long (at most 80).")
    secs = clean_sections(sections)
    with transaction(db.engine) as s:
        taken = {t.name.casefold() for t in BUILTIN_TEMPLATES} | {
            n.casefold() for n in s.exec(select(NoteTemplate.name)).all()
        }
        if nm.casefold() in taken:
            raise ValidationError("name", "A template with that name already exists.")
        row = NoteTemplate(name=nm, sections=sections_to_json(secs), builtin=False)
        s.add(row)
        s.flush()
        audit.record(s, "create", "note_template", row.id, db.clock)
        return TemplateSpec(f"{USER_PREFIX}{row.id}", nm, secs, builtin=False)


def delete_template(db: Database, key: str) -> None:
    """Delete a user template; notes written with it keep their text (and fall back to
    showing it as plain sections)."""
    if not key.startswith(USER_PREFIX):
        raise ValidationError("template", "Built-in templates cannot be deleted.")
    with transaction(db.engine) as s:
        row = s.get(NoteTemplate, int(key[len(USER_PREFIX) :]))
        if row is not None:
            s.delete(row)
            s.flush()
            audit.record(s, "delete", "note_template", row.id, db.clock)


# --- retention ----------------------------------------------------------------------------


def set_retention(db: Database, group_id: int, months: int | None) -> None:
    """Keep a group's notes for ``months`` after their last change (None: forever)."""
    if months is not None and not (1 <= months <= RETENTION_MAX_MONTHS):
        raise ValidationError(
            "retention", f"Retention must be between 1 and {RETENTION_MAX_MONTHS} months."
        )
    with transaction(db.engine) as s:
        g = s.get(Group, group_id)
        if g is None:
            raise NotFoundError(f"Group #{group_id} does not exist.")
        g.retention_months = months
        s.add(g)
        _flush(s, "group", group_id)
        audit.record(s, "update", "consult_group", group_id, db.clock)


def retention_preview(db: Database, now: datetime | None = None) -> list[RetentionPreview]:
    """For each group with a retention period, the notes that are past it (nothing is
    deleted here)."""
    today = (now or utcnow(db.clock)).date()
    with transaction(db.engine) as s:
        groups = _group_names(s)
        out = []
        for g in s.exec(
            select(Group)
            .where(col(Group.retention_months).is_not(None))
            .order_by(func.lower(Group.name))
        ).all():
            months = g.retention_months or 0
            cutoff = today - relativedelta(months=months)
            rows = s.exec(
                _without_body()
                .where(
                    CaseNote.group_id == g.id,
                    col(CaseNote.updated_at) < datetime.combine(cutoff, time(), UTC),
                )
                .order_by(col(CaseNote.updated_at))
            ).all()
            out.append(
                RetentionPreview(
                    group_id=g.id or 0,
                    group_name=g.name,
                    months=months,
                    cutoff=cutoff,
                    notes=tuple(_summary(n, groups) for n in rows),
                )
            )
        return out


def apply_retention(db: Database, note_ids: Iterable[int], now: datetime | None = None) -> int:
    """Delete the previewed notes that are still past their group's retention (a note
    edited since the preview, or moved to another group, is kept). Returns the count."""
    today = (now or utcnow(db.clock)).date()
    wanted = set(note_ids)
    if not wanted:
        return 0
    deleted = 0
    with transaction(db.engine) as s:
        for n in s.exec(select(CaseNote).where(col(CaseNote.id).in_(wanted))).all():
            g = s.get(Group, n.group_id) if n.group_id is not None else None
            if g is None or g.retention_months is None:
                continue
            cutoff = today - relativedelta(months=g.retention_months)
            if n.updated_at >= datetime.combine(cutoff, time(), UTC):
                continue
            nid = n.id
            s.delete(n)
            s.flush()
            audit.record(s, "retention_delete", TABLE, nid, db.clock)
            deleted += 1
    return deleted


def retention_due(db: Database, me_id: int | None, now: datetime) -> list[AttentionItem]:
    """Today: groups whose notes are past retention (deleted only after the preview)."""
    items = []
    for p in retention_preview(db, now):
        if p.notes:
            n = len(p.notes)
            items.append(
                AttentionItem(
                    kind="retention",
                    severity="info",
                    title=f"{n} case note{'s' if n != 1 else ''} in {p.group_name} "
                    f"past {p.months}-month retention",
                    detail="Review the list in Case notes › Retention before they are deleted.",
                    due=p.cutoff,
                    target="notes:retention",
                )
            )
    return items


PROVIDERS.append(retention_due)
