"""Fair rotation of duties (presenter, facilitator, note-taker) over occurrences.

Pure functions over plain values; the service (app/services/schedule.py) loads the rows,
calls :func:`plan` for *future* occurrences only and writes the result, so past
occurrences never change.

Fairness: for each open duty, in date order, the eligible member with the fewest turns
at that duty (history plus what this plan already handed out) is picked; ties go to the
one whose last turn is longest ago, then to rotation order. A member on leave, marked
absent/excused, or already holding another duty in the same occurrence is skipped for
that occurrence, and because their count then lags they come first once available again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.store.models import DutyRole

# the scarcest duty first: facilitators are often a few named people
DUTY_ORDER: tuple[DutyRole, ...] = (
    DutyRole.FACILITATOR,
    DutyRole.PRESENTER,
    DutyRole.NOTE_TAKER,
)


@dataclass(frozen=True)
class Candidate:
    member_id: int
    order: int  # rotation order: smaller goes first on a full tie
    duties: frozenset[DutyRole]  # duties this member can take


@dataclass(frozen=True)
class Slot:
    """An occurrence that may need duties."""

    key: tuple[int, datetime]
    start_utc: datetime
    unavailable: frozenset[int] = frozenset()  # on leave, absent or excused
    assigned: Mapping[DutyRole, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    key: tuple[int, datetime]
    duty: DutyRole
    member_id: int


@dataclass(frozen=True)
class Gap:
    """A duty no eligible member could take."""

    key: tuple[int, datetime]
    duty: DutyRole
    missing: int


@dataclass
class Tally:
    """Turns per (member, duty) and when each member last took a duty."""

    counts: dict[tuple[int, DutyRole], int] = field(default_factory=dict)
    last: dict[tuple[int, DutyRole], datetime] = field(default_factory=dict)

    def add(self, member_id: int, duty: DutyRole, at: datetime) -> None:
        k = (member_id, duty)
        self.counts[k] = self.counts.get(k, 0) + 1
        if k not in self.last or self.last[k] < at:
            self.last[k] = at


def plan(
    slots: Sequence[Slot],
    candidates: Iterable[Candidate],
    tally: Tally,
    needs: Mapping[DutyRole, int],
) -> tuple[list[Assignment], list[Gap]]:
    """Fill each slot's open duties. ``needs`` maps duty -> people per occurrence
    (e.g. ``{PRESENTER: 1, FACILITATOR: 1}``). ``tally`` is updated in place."""
    cands = sorted(candidates, key=lambda c: c.order)
    out: list[Assignment] = []
    gaps: list[Gap] = []
    for slot in sorted(slots, key=lambda s: s.start_utc):
        busy: set[int] = {m for ms in slot.assigned.values() for m in ms}
        for duty in DUTY_ORDER:
            want = needs.get(duty, 0) - len(slot.assigned.get(duty, ()))
            for _ in range(max(0, want)):
                pick = _pick(cands, duty, slot, busy, tally)
                if pick is None:
                    gaps.append(Gap(slot.key, duty, want))
                    break
                busy.add(pick)
                tally.add(pick, duty, slot.start_utc)
                out.append(Assignment(slot.key, duty, pick))
                want -= 1
    return out, gaps


def _pick(
    cands: Sequence[Candidate], duty: DutyRole, slot: Slot, busy: set[int], tally: Tally
) -> int | None:
    best: tuple[int, datetime, int] | None = None
    best_id: int | None = None
    for c in cands:
        if duty not in c.duties or c.member_id in slot.unavailable or c.member_id in busy:
            continue
        k = (c.member_id, duty)
        score = (tally.counts.get(k, 0), tally.last.get(k, datetime.min), c.order)
        if best is None or _lt(score, best):
            best, best_id = score, c.member_id
    return best_id


def _lt(a: tuple[int, datetime, int], b: tuple[int, datetime, int]) -> bool:
    # datetime.min is naive; compare "never" as older than any instant
    def norm(t: tuple[int, datetime, int]) -> tuple[int, float, int]:
        return (t[0], float("-inf") if t[1].tzinfo is None else t[1].timestamp(), t[2])

    return norm(a) < norm(b)
