"""The demo practice: a realistic, entirely synthetic group practice.

Built in its own data directory, marked by a DEMO-DATA.txt file, so it can never be
confused with (or written over) real data. Names are invented from generic first/last
name lists; notes use case aliases and contain no identifying details.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session

from app.clock import SYSTEM_CLOCK, Clock
from app.paths import DEMO_MARKER, ensure_private_dir
from app.scheduling.expand import SeriesSpec, local_to_utc, wall_clock_starts
from app.services import practice, sessions
from app.store.database import open_database
from app.store.engine import touch_private
from app.store.models import (
    Attendance,
    AttendanceStatus,
    CaseNote,
    DutyRole,
    FollowUp,
    GroupKind,
    HourEntry,
    NoteOccurrence,
    Occurrence,
    OccurrenceDuty,
    OccurrenceStatus,
    Role,
)

FIRST = (
    "Avery Blake Casey Dana Emerson Finley Harper Jordan Kendall Logan Morgan Parker Quinn "
    "Reese Riley Rowan Sage Skyler Taylor Tatum Marisol Priya Tomasz Ingrid Kwame Lucia Omar "
    "Mei Anders Noor Esperanza Dmitri Aiyana Farah Soren Imani Mateo Yuki Ruth Gideon"
).split()
LAST = (
    "Ashgrove Bellweather Castellano Delacroix Ellery Fairbanks Greenleaf Halvorsen Ingram "
    "Jaramillo Kowalczyk Lindqvist Marchetti Nakashima Okonkwo Pemberton Quintero Rasmussen "
    "Sandoval Thorne Underhill Valdivia Whitcombe Yarborough Zielinski Abernathy Brightwater "
    "Coldwell Dunmore Eastman Fitzgerald Galloway"
).split()
CREDENTIALS = (
    "LCSW",
    "LPC",
    "LMFT",
    "PsyD",
    "PhD",
    "LMHC",
    "LCSW",
    "LPC-Associate",
    "LMFT-Associate",
    "LSW",
)
ZONES = (
    ("America/New_York",) * 6
    + ("America/Chicago",) * 3
    + ("America/Denver", "America/Los_Angeles", "America/Los_Angeles", "Europe/London")
)

# title, kind, zone, weekday/rule, local start, minutes
GROUPS = (
    (
        "Trauma peer consultation",
        GroupKind.PEER_CONSULTATION,
        "America/New_York",
        "FREQ=MONTHLY;BYDAY=2TU",
        time(12, 0),
        90,
    ),
    (
        "DBT consultation team",
        GroupKind.PEER_CONSULTATION,
        "America/Chicago",
        "FREQ=WEEKLY;BYDAY=TH",
        time(8, 30),
        90,
    ),
    (
        "Associate group supervision",
        GroupKind.GROUP_SUPERVISION,
        "America/New_York",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        time(17, 0),
        120,
    ),
    (
        "Child & family case conference",
        GroupKind.PEER_CONSULTATION,
        "America/Los_Angeles",
        "FREQ=MONTHLY;BYDAY=-1FR",
        time(12, 0),
        60,
    ),
    (
        "Ethics & boundaries circle",
        GroupKind.PEER_CONSULTATION,
        "America/Denver",
        "FREQ=MONTHLY;BYDAY=1MO",
        time(18, 30),
        75,
    ),
    (
        "Couples therapy peer group",
        GroupKind.PEER_CONSULTATION,
        "America/New_York",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO",
        time(13, 0),
        90,
    ),
    (
        "Individual supervision: associate A",
        GroupKind.INDIVIDUAL_SUPERVISION,
        "America/New_York",
        "FREQ=WEEKLY;BYDAY=FR",
        time(9, 0),
        60,
    ),
    (
        "Individual supervision: associate B",
        GroupKind.INDIVIDUAL_SUPERVISION,
        "America/Chicago",
        "FREQ=WEEKLY;BYDAY=TU",
        time(15, 0),
        60,
    ),
)

CONCERNS = (
    "persistent low mood and withdrawal after a workplace injury",
    "panic attacks that began after a car accident",
    "escalating conflict between two parents over screen time",
    "an adolescent's school refusal and self-harm urges",
    "grief that has not eased after a parent's death",
    "alcohol use that increased during a long period of unemployment",
    "intrusive memories and nightmares related to childhood abuse",
    "a couple's repeated ruptures around trust after an affair",
    "obsessive checking that takes several hours a day",
    "an older adult's isolation and early memory complaints",
    "disordered eating in a college student",
    "anger outbursts that are straining a blended family",
)
QUESTIONS = (
    "How do I pace trauma processing when stabilisation keeps slipping?",
    "Am I colluding with avoidance, or respecting the client's window of tolerance?",
    "How would colleagues structure the next family session?",
    "What would you do about the missed sessions and the late cancellations?",
    "Is it time to refer for a medication evaluation?",
    "How do I hold the boundary around between-session contact?",
    "What safety planning would you add at this point?",
)
SUGGESTIONS = (
    "Return to grounding skills and track distress ratings each session.",
    "Consider a joint session to set shared goals before more individual work.",
    "Use a chain analysis for the last two episodes and look for common links.",
    "Discuss a referral for a psychiatric consultation and coordinate care.",
    "Revisit the treatment frame and the contract about cancellations.",
    "Add exposure hierarchy work once sleep improves.",
)
TAGS = (
    "trauma",
    "couples",
    "adolescent",
    "grief",
    "substance-use",
    "family",
    "ocd",
    "ethics",
    "risk",
    "eating",
)


@dataclass(frozen=True)
class DemoStats:
    groups: int
    members: int
    occurrences: int
    attendance: int
    notes: int


def _names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _note_body(rng: random.Random) -> str:
    weeks = rng.randint(3, 40)
    phq = rng.randint(5, 22)
    return (
        f"Presenting concern: {rng.choice(CONCERNS)}.\n\n"
        f"Relevant history: seen for {weeks} sessions so far; PHQ-9 {phq} at the last "
        f"review. Sleep and appetite are variable; no current plan or intent to harm self.\n\n"
        f"Question for the group: {rng.choice(QUESTIONS)}\n\n"
        f"What colleagues suggested: {rng.choice(SUGGESTIONS)}\n\n"
        "Follow-up: bring an update to the next meeting."
    )


def build_demo(
    target: Path, years: int = 3, seed: int = 7, clock: Clock = SYSTEM_CLOCK
) -> DemoStats:
    """Create the demo practice in ``target`` (which must be new or empty)."""
    rng = random.Random(seed)
    ensure_private_dir(target)
    marker = target / DEMO_MARKER
    touch_private(marker)
    marker.write_text(
        "This directory holds Consultory's synthetic DEMO practice. Nothing in it is real.\n"
    )
    db = open_database(target, clock=clock)
    now = clock.now()
    today = now.date()
    history_start = date(today.year - years, today.month, 1)

    names = _names(rng, 36)
    members = []
    for i, name in enumerate(names):
        cred = CREDENTIALS[i % len(CREDENTIALS)]
        handle = name.lower().replace(" ", ".")
        members.append(
            practice.create_member(
                db,
                name,
                credential=cred,
                email=f"{handle}@example.org",
                timezone=ZONES[i % len(ZONES)],
                consultation_goal_days=rng.choice((None, 14, 21, 30)),
            )
        )
    me = members[0]
    practice.set_me(db, me.id)
    practice.add_leave(
        db,
        members[5].id,
        today + timedelta(days=10),
        today + timedelta(days=24),
        "Parental leave (demo)",
    )
    practice.add_leave(db, members[9].id, today - timedelta(days=3), today + timedelta(days=4))

    groups = []
    roster: dict[int, list[tuple[int, Role]]] = {}
    pool = [m.id for m in members[1:]]
    for gi, (title, kind, *_rest) in enumerate(GROUPS):
        g = practice.create_group(db, title, kind, description=f"Demo group: {title.lower()}.")
        groups.append(g)
        if kind is GroupKind.INDIVIDUAL_SUPERVISION:
            sup, sue = me.id, pool[gi * 3 % len(pool)]
            people = [(sup, Role.SUPERVISOR), (sue, Role.SUPERVISEE)]
        elif kind is GroupKind.GROUP_SUPERVISION:
            sups = rng.sample(pool, 7)
            people = [(me.id, Role.SUPERVISOR)] + [(m, Role.SUPERVISEE) for m in sups]
        else:
            size = rng.randint(6, 10)
            others = rng.sample(pool, size)
            coord = me.id if gi in (0, 4) else others.pop()
            people = [(coord, Role.COORDINATOR), (others.pop(), Role.FACILITATOR)]
            people += [(m, Role.PEER) for m in others]
            if gi not in (0, 4) and gi != 1:
                people.append((me.id, Role.PEER))
        # every pool member belongs somewhere
        roster[g.id] = people
        for mid, role in people:
            practice.set_role(db, g.id, mid, role)
    placed = {mid for people in roster.values() for mid, _ in people}
    for i, mid in enumerate(m for m in pool if m not in placed):
        gid = groups[(i % 3) + 1].id
        roster[gid].append((mid, Role.PEER))
        practice.set_role(db, gid, mid, Role.PEER)

    series = []
    for g, (title, _kind, tz, rule, start_t, minutes) in zip(groups, GROUPS, strict=True):
        first = datetime.combine(history_start, start_t)
        series.append(
            sessions.create_series(
                db,
                g.id,
                title,
                first,
                minutes,
                tz,
                rule,
                location="Conference room B" if "Chicago" in tz else "",
                video_url="https://video.example.org/consultory-demo" if "York" in tz else "",
            )
        )

    n_occ = n_att = n_notes = 0
    with Session(db.engine) as s:
        for sr in series:
            spec = SeriesSpec(
                sr.id,
                sr.group_id,
                sr.title,
                sr.timezone,
                sr.start_local,
                sr.duration_minutes,
                sr.rrule,
            )
            people = roster[sr.group_id]
            rotation = [mid for mid, role in people if role is not Role.SUPERVISOR]
            rot_i = 0
            starts = wall_clock_starts(spec, spec.start_local, datetime.combine(today, time(0)))
            for rid in starts:
                start = local_to_utc(rid, sr.timezone)
                if start >= now:
                    break
                cancelled = rng.random() < 0.04
                occ = Occurrence(
                    series_id=sr.id,
                    recurrence_id=rid,
                    status=(
                        OccurrenceStatus.CANCELLED if cancelled else OccurrenceStatus.SCHEDULED
                    ).value,
                    start_utc=start,
                    end_utc=start + timedelta(minutes=sr.duration_minutes),
                )
                s.add(occ)
                s.flush()
                n_occ += 1
                if cancelled:
                    continue
                presenter = rotation[rot_i % len(rotation)]
                rot_i += 1
                s.add(
                    OccurrenceDuty(
                        occurrence_id=occ.id or 0,
                        member_id=presenter,
                        duty=DutyRole.PRESENTER.value,
                    )
                )
                for mid, _role in people:
                    r = rng.random()
                    if r < 0.80:
                        st, late, left = AttendanceStatus.PRESENT, 0, 0
                    elif r < 0.88:
                        st, late, left = AttendanceStatus.LATE, rng.choice((5, 10, 15)), 0
                    elif r < 0.92:
                        st, late, left = AttendanceStatus.LEFT_EARLY, 0, rng.choice((10, 20, 30))
                    elif r < 0.96:
                        st, late, left = AttendanceStatus.EXCUSED, 0, 0
                    else:
                        st, late, left = AttendanceStatus.ABSENT, 0, 0
                    s.add(
                        Attendance(
                            occurrence_id=occ.id or 0,
                            member_id=mid,
                            status=st.value,
                            late_minutes=late,
                            left_early_minutes=left,
                        )
                    )
                    n_att += 1
                if presenter == me.id or rng.random() < 0.25:
                    alias = f"C-{rng.randint(1, 60)}"
                    note = CaseNote(
                        alias=alias,
                        author_member_id=presenter,
                        group_id=sr.group_id,
                        template="case_presentation",
                        title=f"Case {alias}: consultation",
                        body=_note_body(rng),
                        tags=",".join(sorted(rng.sample(TAGS, 2))),
                        created_at=start,
                        updated_at=start,
                    )
                    s.add(note)
                    s.flush()
                    s.add(NoteOccurrence(note_id=note.id or 0, occurrence_id=occ.id or 0))
                    n_notes += 1
                    if (now - start).days < 45:
                        s.add(
                            FollowUp(
                                note_id=note.id or 0,
                                text="Share an update with the group",
                                due_date=today + timedelta(days=rng.randint(-3, 20)),
                            )
                        )
            if n_occ % 500 == 0:
                s.flush()
        for d in range(0, years * 365, 7):
            day = history_start + timedelta(days=d)
            if day >= today:
                break
            s.add(
                HourEntry(
                    member_id=me.id,
                    on_date=day,
                    minutes=rng.choice((600, 720, 900)),
                    category="direct_client_contact",
                    note="Weekly caseload (demo)",
                    created_at=datetime.combine(day, time(18), tzinfo=UTC),
                )
            )
        s.commit()
    db.dispose()
    return DemoStats(len(groups), len(members), n_occ, n_att, n_notes)
