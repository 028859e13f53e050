"""The hour ledger's plain entries, their totals, hash and CSV form.

A ledger is the attendance-derived entries (computed on the fly from attendance rows,
never stored) plus the manual ``HourEntry`` rows. Totals are whole minutes, so what the
screen, the CSV and the PDF show add up to the minute.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TextIO

from app.hours.categories import ORDER, Category

SOURCE_ATTENDANCE = "attendance"
SOURCE_MANUAL = "manual"


@dataclass(frozen=True)
class LedgerEntry:
    key: str  # "att:<attendance id>" or "man:<hour entry id>": stable across reloads
    source: str  # SOURCE_ATTENDANCE | SOURCE_MANUAL
    member_id: int
    on_date: date  # in the member's own time zone
    category: Category
    minutes: int
    description: str  # group and session title, or the manual entry's note
    status: str = ""  # attendance status (present, late, left_early)
    scheduled_minutes: int = 0  # attendance: the session's length
    group_id: int | None = None
    series_id: int | None = None
    recurrence_id: datetime | None = None
    entry_id: int | None = None  # manual: HourEntry.id
    version: int = 1

    @property
    def manual(self) -> bool:
        return self.source == SOURCE_MANUAL


def total_minutes(entries: Iterable[LedgerEntry]) -> int:
    return sum(e.minutes for e in entries)


def totals_by_category(entries: Iterable[LedgerEntry]) -> dict[Category, int]:
    out: dict[Category, int] = {}
    for e in entries:
        out[e.category] = out.get(e.category, 0) + e.minutes
    return {c: out[c] for c in ORDER if c in out}


def monthly_totals(entries: Iterable[LedgerEntry]) -> dict[date, dict[Category, int]]:
    """Minutes per category per month, keyed by the month's first day, in date order."""
    out: dict[date, dict[Category, int]] = {}
    for e in entries:
        month = out.setdefault(e.on_date.replace(day=1), {})
        month[e.category] = month.get(e.category, 0) + e.minutes
    return dict(sorted(out.items()))


def entries_hash(entries: Iterable[LedgerEntry]) -> str:
    """SHA-256 over a canonical form of the entries (order-independent).

    Covers what a signature vouches for: which entries, their dates, categories, minutes
    and (for manual entries) notes. Changing any of them changes the hash.
    """
    lines = sorted(
        "|".join(
            (
                e.key,
                e.on_date.isoformat(),
                e.category.value,
                str(e.minutes),
                hashlib.sha256(e.description.encode()).hexdigest() if e.manual else "",
            )
        )
        for e in entries
    )
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()


def fmt_minutes(minutes: int) -> str:
    """``1 h 05 min`` style (exact to the minute)."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h} h {m:02d} min"


def fmt_hours(hours: float) -> str:
    """Hours with at most two decimals, trailing zeros dropped (``12.5``)."""
    text = f"{hours:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


CSV_COLUMNS = (
    "date",
    "category",
    "minutes",
    "hours",
    "source",
    "status",
    "description",
)


def write_csv(entries: Iterable[LedgerEntry], out: TextIO) -> int:
    """Write one row per entry; returns the number of rows. Hours are exact decimals."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    n = 0
    for e in entries:
        w.writerow(
            (
                e.on_date.isoformat(),
                e.category.value,
                e.minutes,
                f"{e.minutes / 60:.2f}",
                e.source,
                e.status,
                _csv_safe(e.description),
            )
        )
        n += 1
    return n


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas (CSV injection) in free text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


ATTENDING = ("present", "late", "left_early")


def attended_minutes(status: str, scheduled: int, late: int, left_early: int) -> int:
    """Minutes actually attended: the session's length less late arrival and early leaving;
    nothing for absent or excused."""
    if status not in ATTENDING:
        return 0
    return max(0, scheduled - max(0, late) - max(0, left_early))
