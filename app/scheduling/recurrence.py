"""Recurrence rules: building them from the series dialog's choices, describing them in
words, normalising stored rules, and splitting a rule for "this and following" edits.

Rules are RFC 5545 RRULE values without the ``RRULE:`` prefix and are always evaluated by
python-dateutil (see :mod:`app.scheduling.expand`); this module only edits their text.
``UNTIL`` in a stored rule is floating wall-clock time in the series' zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from app.errors import ValidationError
from app.scheduling.expand import local_to_utc, parse_rule, utc_to_local

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}
FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
SUBDAILY = frozenset(FREQS[:3])
RULE_PARTS = frozenset(
    "FREQ UNTIL COUNT INTERVAL BYSECOND BYMINUTE BYHOUR BYDAY BYMONTHDAY BYYEARDAY "
    "BYWEEKNO BYMONTH BYSETPOS WKST".split()
)
# a session rule with more occurrences than this is absurd; imports are clamped to it
MAX_COUNT = 5000
# a rule must produce its first session within this horizon (guards impossible rules
# such as FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, which dateutil would search until 9999)
FIRST_SESSION_HORIZON = timedelta(days=366 * 10)


class RepeatKind(enum.StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY_DATE = "monthly_date"
    MONTHLY_WEEKDAY = "monthly_weekday"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Recurrence:
    """The series dialog's view of a rule. ``weekdays`` are 0=Monday..6=Sunday (weekly;
    empty means the start's weekday); ``nth`` is 1..5 or -1 for "last" (monthly by
    weekday; 0 means derived from the start). At most one of ``until``/``count``."""

    kind: RepeatKind = RepeatKind.NONE
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    nth: int = 0
    until: date | None = None
    count: int | None = None
    custom_rule: str = ""


def nth_of_month(d: date) -> int:
    """Which weekday-of-month ``d`` is: 1..4, or -1 when it is the last such weekday."""
    n = (d.day - 1) // 7 + 1
    if (d + timedelta(days=7)).month != d.month:
        return -1 if n >= 4 else n
    return n


def rule_parts(rule: str) -> dict[str, str]:
    """``FREQ=WEEKLY;BYDAY=TU`` -> ``{"FREQ": "WEEKLY", "BYDAY": "TU"}`` (order kept)."""
    out: dict[str, str] = {}
    for part in rule.strip().split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ValidationError("rrule", f"The recurrence rule part “{part}” has no value.")
        out[key.strip().upper()] = value.strip().upper()
    return out


def join_rule(parts: dict[str, str]) -> str:
    order = ["FREQ", "INTERVAL"]
    keys = [k for k in order if k in parts] + [k for k in parts if k not in order]
    return ";".join(f"{k}={parts[k]}" for k in keys)


def build_rule(rec: Recurrence, start_local: datetime) -> str:
    """The RRULE text for the dialog's choices ("" for a single session)."""
    if rec.kind is RepeatKind.NONE:
        return ""
    if rec.kind is RepeatKind.CUSTOM:
        return rec.custom_rule
    if rec.until is not None and rec.count is not None:
        raise ValidationError("until", "Choose either an end date or a number of sessions.")
    if not 1 <= rec.interval <= 52:
        raise ValidationError("interval", "Repeat every 1 to 52 periods.")
    parts: dict[str, str] = {}
    if rec.kind is RepeatKind.DAILY:
        parts["FREQ"] = "DAILY"
    elif rec.kind is RepeatKind.WEEKLY:
        parts["FREQ"] = "WEEKLY"
        days = sorted(set(rec.weekdays)) or [start_local.weekday()]
        parts["BYDAY"] = ",".join(WEEKDAYS[d] for d in days)
    elif rec.kind is RepeatKind.MONTHLY_DATE:
        parts["FREQ"] = "MONTHLY"
        parts["BYMONTHDAY"] = str(start_local.day)
    else:
        parts["FREQ"] = "MONTHLY"
        nth = rec.nth or nth_of_month(start_local.date())
        parts["BYDAY"] = f"{nth}{WEEKDAYS[start_local.weekday()]}"
    if rec.interval != 1:
        parts["INTERVAL"] = str(rec.interval)
    if rec.until is not None:
        if rec.until < start_local.date():
            raise ValidationError("until", "The series cannot end before its first session.")
        parts["UNTIL"] = f"{rec.until:%Y%m%d}T235959"
    if rec.count is not None:
        if not 1 <= rec.count <= MAX_COUNT:
            raise ValidationError("count", f"A series has 1 to {MAX_COUNT} sessions.")
        parts["COUNT"] = str(rec.count)
    return join_rule(parts)


def _until_date(value: str) -> date | None:
    try:
        return datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return None


def parse_recurrence(rule: str, start_local: datetime) -> Recurrence:
    """The dialog's view of a stored rule; rules it cannot show become CUSTOM."""
    if not rule:
        return Recurrence()
    custom = Recurrence(kind=RepeatKind.CUSTOM, custom_rule=rule)
    try:
        start_local = snap_start(rule, start_local)  # a stored start may precede the rule
    except (ValueError, TypeError, KeyError, IndexError):
        return custom
    try:
        parts = rule_parts(rule)
    except ValidationError:
        return custom
    known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}
    if set(parts) - known:
        return custom
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
    except ValueError:
        return custom
    until = _until_date(parts["UNTIL"]) if "UNTIL" in parts else None
    base = Recurrence(interval=interval, until=until, count=count)
    freq, byday = parts.get("FREQ"), parts.get("BYDAY", "")
    if freq == "DAILY" and not byday and "BYMONTHDAY" not in parts:
        return replace(base, kind=RepeatKind.DAILY)
    if freq == "WEEKLY" and "BYMONTHDAY" not in parts:
        days = [d for d in byday.split(",") if d] if byday else [WEEKDAYS[start_local.weekday()]]
        if all(d in WEEKDAYS for d in days):
            wds = tuple(sorted(WEEKDAYS.index(d) for d in days))
            return replace(base, kind=RepeatKind.WEEKLY, weekdays=wds)
    if freq == "MONTHLY":
        if not byday and parts.get("BYMONTHDAY", str(start_local.day)) == str(start_local.day):
            return replace(base, kind=RepeatKind.MONTHLY_DATE)
        if byday and "," not in byday and "BYMONTHDAY" not in parts:
            n_text, wd = byday[:-2], byday[-2:]
            if wd == WEEKDAYS[start_local.weekday()] and n_text.lstrip("+-").isdigit():
                nth = int(n_text)
                if nth in ORDINALS:
                    return replace(base, kind=RepeatKind.MONTHLY_WEEKDAY, nth=nth)
    return custom


def describe(rule: str, start_local: datetime) -> str:
    """The rule in words: "Every 2 weeks on Tuesday, until 30 Jun 2027"."""
    rec = parse_recurrence(rule, start_local)
    if rec.kind is RepeatKind.NONE:
        return "Once"
    start_local = snap_start(rule, start_local)
    if rec.kind is RepeatKind.CUSTOM:
        return f"Custom rule ({rule})"
    n = rec.interval
    if rec.kind is RepeatKind.DAILY:
        text = "Daily" if n == 1 else f"Every {n} days"
    elif rec.kind is RepeatKind.WEEKLY:
        days = ", ".join(WEEKDAY_NAMES[d] for d in rec.weekdays)
        text = ("Weekly" if n == 1 else f"Every {n} weeks") + f" on {days}"
    elif rec.kind is RepeatKind.MONTHLY_DATE:
        text = ("Monthly" if n == 1 else f"Every {n} months") + f" on day {start_local.day}"
    else:
        wd = WEEKDAY_NAMES[start_local.weekday()]
        text = ("Monthly" if n == 1 else f"Every {n} months") + f" on the {ORDINALS[rec.nth]} {wd}"
    if rec.until is not None:
        text += f", until {rec.until:%d %b %Y}"
    if rec.count is not None:
        text += f", {rec.count} times"
    return text


def normalize_rule(
    rule: str,
    start_local: datetime,
    timezone: str,
    *,
    allow_subdaily: bool = False,
    clamp: bool = False,
) -> tuple[str, list[str]]:
    """Validate ``rule`` and bring it to the stored form.

    Strips an ``RRULE:`` prefix, upper-cases, turns a UTC ``UNTIL`` (``...Z``) into
    floating wall-clock time in ``timezone`` and a DATE ``UNTIL`` on a timed series into
    the end of that day. Rules that repeat more often than daily are refused unless
    ``allow_subdaily`` (imports), and then must be bounded. With ``clamp`` (imports) an
    absurd COUNT or an unbounded sub-daily rule is bounded to MAX_COUNT sessions and a
    note says so; otherwise they are refused. Returns (rule, notes).
    """
    notes: list[str] = []
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        return "", notes
    parts = rule_parts(text)
    unknown = [k for k in parts if k not in RULE_PARTS]
    if unknown:
        if not clamp:
            raise ValidationError("rrule", f"The recurrence rule part {unknown[0]} is unknown.")
        for k in unknown:
            del parts[k]
        notes.append(f"unknown recurrence rule parts were ignored ({', '.join(unknown)})")
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 1000:
        raise ValidationError("rrule", "INTERVAL in the recurrence rule must be 1 to 1000.")
    freq = parts.get("FREQ", "")
    if freq not in FREQS:
        raise ValidationError("rrule", f"The recurrence frequency “{freq or '(none)'}” is unknown.")
    if freq in SUBDAILY and not allow_subdaily:
        raise ValidationError("rrule", "Sessions repeat at most daily; choose a daily rule.")
    until = parts.get("UNTIL")
    if until is not None:
        parts["UNTIL"] = _floating_until(until, start_local, timezone)
    if "UNTIL" in parts and "COUNT" in parts:
        raise ValidationError("rrule", "A recurrence rule cannot have both UNTIL and COUNT.")
    count = parts.get("COUNT")
    if count is not None:
        if not count.isdigit() or int(count) < 1:
            raise ValidationError(
                "rrule", "COUNT in the recurrence rule must be a positive number."
            )
        if int(count) > MAX_COUNT:
            if not clamp:
                raise ValidationError("rrule", f"A series has at most {MAX_COUNT} sessions.")
            parts["COUNT"] = str(MAX_COUNT)
            notes.append(f"its COUNT was reduced to {MAX_COUNT} sessions")
    if freq in SUBDAILY and "COUNT" not in parts:
        if not clamp:
            raise ValidationError("rrule", "A rule repeating more often than daily needs COUNT.")
        parts.pop("UNTIL", None)
        parts["COUNT"] = str(MAX_COUNT)
        notes.append(f"it repeats more often than daily; bounded to {MAX_COUNT} sessions")
    text = join_rule(parts)
    try:
        parse_rule(text, start_local)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError("rrule", f"The recurrence rule is not valid: {exc}.") from None
    if not _produces_soon(parts, start_local):
        raise ValidationError(
            "rrule", "The recurrence rule produces no session in its first ten years."
        )
    return text, notes


FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS")


def _produces_soon(parts: dict[str, str], start_local: datetime) -> bool:
    """Whether the rule's date filters allow any session within FIRST_SESSION_HORIZON.

    dateutil checks UNTIL only when a candidate matches, so an impossible daily rule
    would be searched day by day until the year 9999. The filters are probed instead with
    a yearly rule (at most one step per year), which matches whenever the original can.
    """
    if not any(k in parts for k in FILTERS):
        return True
    probe = {k: v for k, v in parts.items() if k in FILTERS or k in ("BYDAY", "WKST")}
    if parts.get("FREQ") in ("DAILY", "WEEKLY", *SUBDAILY) and "BYDAY" in probe:
        # "every Tuesday" style days carry no ordinal in these frequencies
        probe["BYDAY"] = ",".join(d[-2:] for d in probe["BYDAY"].split(","))
    probe["FREQ"] = "YEARLY"
    try:
        rule = parse_rule(join_rule(probe), start_local.replace(month=1, day=1))
    except (ValueError, TypeError, KeyError, IndexError):
        return True  # the real rule's own parse reports the error
    first = rule.after(start_local - timedelta(seconds=1), inc=True)
    return first is not None and first <= start_local + FIRST_SESSION_HORIZON


def _floating_until(value: str, start_local: datetime, timezone: str) -> str:
    """UNTIL as floating wall-clock time in ``timezone``."""
    value = value.strip().upper()
    try:
        if len(value) == 8:
            d = datetime.strptime(value, "%Y%m%d")
            return f"{d:%Y%m%d}T235959" if _is_timed(start_local) else value
        if value.endswith("Z"):
            instant = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            try:
                return f"{utc_to_local(instant, timezone):%Y%m%dT%H%M%S}"
            except OverflowError:  # the end of time (9999): as written
                return value[:-1]
        datetime.strptime(value, "%Y%m%dT%H%M%S")
        return value
    except ValueError:
        raise ValidationError("rrule", f"UNTIL “{value}” is not a date or date-time.") from None


def _is_timed(start_local: datetime) -> bool:
    return start_local.time() != datetime.min.time()


def until_utc(rule: str, timezone: str) -> str:
    """The rule with its floating UNTIL converted to UTC (RFC 5545 requires UTC when
    DTSTART has a TZID). DATE UNTILs (all-day series) are kept."""
    if "UNTIL=" not in rule.upper():
        return rule
    parts = rule_parts(rule)
    until = parts["UNTIL"]
    if len(until) == 15:
        instant = local_to_utc(datetime.strptime(until, "%Y%m%dT%H%M%S"), timezone)
        parts["UNTIL"] = f"{instant:%Y%m%dT%H%M%SZ}"
    return join_rule(parts)


def snap_start(rule: str, start_local: datetime) -> datetime:
    """The first occurrence of ``rule`` at or after ``start_local``. RFC 5545 counts
    DTSTART as an occurrence even when the rule would not produce it; saving series with a
    synchronised start keeps the app's expansion and every calendar app in agreement
    ("from Sunday, every Tuesday" starts on the Tuesday)."""
    if not rule:
        return start_local
    first = parse_rule(rule, start_local).after(start_local - timedelta(seconds=1), inc=True)
    return first if first is not None else start_local


def split_rule(rule: str, start_local: datetime, at: datetime) -> tuple[str, str]:
    """Split a series at occurrence ``at`` (a recurrence id): the rule that keeps the
    occurrences before it (UNTIL one second earlier, floating) and the rule for the
    occurrences from it on (COUNT reduced by the ones kept)."""
    head = rule_parts(rule)
    tail = dict(head)
    count = head.pop("COUNT", None)
    head["UNTIL"] = f"{at - timedelta(seconds=1):%Y%m%dT%H%M%S}"
    if count is not None:
        kept = _count_before(rule, start_local, at)
        tail["COUNT"] = str(max(1, int(count) - kept))
    return join_rule(head), join_rule(tail)


def _count_before(rule: str, start_local: datetime, at: datetime) -> int:
    n = 0
    for dt in parse_rule(rule, start_local):
        if dt >= at:
            break
        n += 1
    return n
