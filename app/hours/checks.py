"""Counting hours under a requirement set's rules, progress toward its targets, and the
rules a ledger breaks.

Counting, per entry in date order (deterministic, and easy to explain):

1. an entry in a category with ``min_session_minutes`` that is shorter does not count;
2. its minutes are rounded down to ``round_down_to_minutes`` (if set) and turned into
   hours with the category's ``minutes_per_hour`` (e.g. 50: a 50-minute session = 1 h);
3. what goes past a category's weekly maximum, the weekly maximum of the total (for the
   total's categories) or a category's overall maximum does not count.

Logged minutes (the ledger, exact) and counted hours (after the rules) are both reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.hours.categories import ORDER, Category
from app.hours.ledger import LedgerEntry, fmt_hours
from app.hours.requirements import RequirementSet

EPS = 1e-9
MAX_LISTED = 3


@dataclass(frozen=True)
class TargetProgress:
    key: str  # "total" or a category value
    label: str
    kind: str  # "min" (a target to reach) or "max" (a cap)
    target_hours: float
    counted_hours: float
    logged_minutes: int

    @property
    def fraction(self) -> float:
        if self.target_hours <= 0:
            return 1.0
        return min(1.0, self.counted_hours / self.target_hours)

    @property
    def met(self) -> bool:
        return self.kind == "min" and self.counted_hours + EPS >= self.target_hours

    @property
    def remaining_hours(self) -> float:
        return max(0.0, self.target_hours - self.counted_hours)


@dataclass(frozen=True)
class RuleWarning:
    rule: str  # "weekly_max", "category_max", "ratio", "min_session", "period_ended"
    severity: str  # "warning" | "info"
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Evaluation:
    set_id: str
    set_name: str
    period_start: date | None
    period_end: date | None
    logged_minutes: dict[Category, int]
    counted_hours: dict[Category, float]
    counted_total_hours: float
    targets: tuple[TargetProgress, ...]
    warnings: tuple[RuleWarning, ...]

    @property
    def logged_total_minutes(self) -> int:
        return sum(self.logged_minutes.values())

    @property
    def broken(self) -> tuple[RuleWarning, ...]:
        return tuple(w for w in self.warnings if w.severity == "warning")


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def candidacy_period(
    rs: RequirementSet, first_entry: date | None, today: date
) -> tuple[date, date | None]:
    """The window the set's rules apply to: [start, end] (end None = open-ended)."""
    start = rs.period_start or first_entry or today
    end = add_months(start, rs.period_months) - timedelta(days=1) if rs.period_months else None
    return start, end


def _week(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _window_key(d: date, window: str) -> date:
    if window == "week":
        return _week(d)
    if window == "month":
        return d.replace(day=1)
    return date.min


def _window_label(key: date, window: str) -> str:
    if window == "week":
        return f"week of {key.isoformat()}"
    if window == "month":
        return key.strftime("%Y-%m")
    return "the period"


def _listing(items: Sequence[str], latest_first: bool = False) -> str:
    if latest_first:
        items = list(reversed(items))
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _weekly_warning(what: str, cap: float, weeks: Sequence[str]) -> RuleWarning:
    n = len(weeks)
    return RuleWarning(
        "weekly_max",
        "warning",
        f"{what} {fmt_hours(cap)} h/week in {n} week{'s' if n != 1 else ''}",
        f"Hours past the weekly maximum do not count ({_listing(weeks, True)}).",
    )


def evaluate(
    rs: RequirementSet,
    entries: Iterable[LedgerEntry],
    period_start: date | None = None,
    period_end: date | None = None,
    today: date | None = None,
    window_end: date | None = None,
) -> Evaluation:
    """Count ``entries`` within [period_start, period_end] under ``rs``.

    ``window_end`` is the end of the set's own period (the candidacy window): once
    ``today`` is past it, unmet targets are a broken rule."""
    todo = sorted(
        (
            e
            for e in entries
            if (period_start is None or e.on_date >= period_start)
            and (period_end is None or e.on_date <= period_end)
        ),
        key=lambda e: (e.on_date, e.key),
    )
    total_cats = set(rs.total_categories)
    logged: dict[Category, int] = {}
    counted: dict[Category, float] = {}
    raw_hours: dict[Category, float] = {}  # after per-entry rules, before caps
    week_cat: dict[tuple[date, Category], float] = {}
    week_total: dict[date, float] = {}
    over_week_cat: dict[Category, list[str]] = {}
    over_week_total: list[str] = []
    short: dict[Category, int] = {}
    per_window: dict[date, dict[Category, float]] = {}
    ratio_window = rs.ratio.window if rs.ratio else "period"
    step = rs.round_down_to_minutes

    for e in todo:
        cat = e.category
        logged[cat] = logged.get(cat, 0) + e.minutes
        rule = rs.rule(cat)
        if rule and rule.min_session_minutes and e.minutes < rule.min_session_minutes:
            short[cat] = short.get(cat, 0) + 1
            continue
        minutes = e.minutes - e.minutes % step if step else e.minutes
        hours = minutes / rs.minutes_per_hour_for(cat)
        raw_hours[cat] = raw_hours.get(cat, 0.0) + hours
        wk = _week(e.on_date)
        allowed = hours
        if rule and rule.weekly_max_hours is not None:
            room = rule.weekly_max_hours - week_cat.get((wk, cat), 0.0)
            if allowed > room + EPS:
                label = f"week of {wk.isoformat()}"
                weeks = over_week_cat.setdefault(cat, [])
                if not weeks or weeks[-1] != label:
                    weeks.append(label)
                allowed = max(0.0, room)
        if cat in total_cats and rs.total_weekly_max_hours is not None:
            room = rs.total_weekly_max_hours - week_total.get(wk, 0.0)
            if allowed > room + EPS:
                label = f"week of {wk.isoformat()}"
                if not over_week_total or over_week_total[-1] != label:
                    over_week_total.append(label)
                allowed = max(0.0, room)
        week_cat[(wk, cat)] = week_cat.get((wk, cat), 0.0) + allowed
        if cat in total_cats:
            week_total[wk] = week_total.get(wk, 0.0) + allowed
        if rule and rule.max_hours is not None:
            allowed = max(0.0, min(allowed, rule.max_hours - counted.get(cat, 0.0)))
        counted[cat] = counted.get(cat, 0.0) + allowed
        win = per_window.setdefault(_window_key(e.on_date, ratio_window), {})
        win[cat] = win.get(cat, 0.0) + allowed

    warnings: list[RuleWarning] = []
    for cat, n in short.items():
        rule = rs.rule(cat)
        assert rule is not None and rule.min_session_minutes is not None
        warnings.append(
            RuleWarning(
                "min_session",
                "warning",
                f"{n} {cat.label.lower()} session{'s' if n != 1 else ''} shorter than "
                f"{rule.min_session_minutes} min",
                f"Sessions of {cat.label.lower()} count only when they last at least "
                f"{rule.min_session_minutes} minutes; these were not counted.",
            )
        )
    for cat, weeks in over_week_cat.items():
        rule = rs.rule(cat)
        assert rule is not None and rule.weekly_max_hours is not None
        warnings.append(_weekly_warning(f"{cat.label} above", rule.weekly_max_hours, weeks))
    if over_week_total and rs.total_weekly_max_hours is not None:
        warnings.append(_weekly_warning("More than", rs.total_weekly_max_hours, over_week_total))
    for rule in rs.rules:
        have = raw_hours.get(rule.category, 0.0)
        if rule.max_hours is not None and have > rule.max_hours + EPS:
            warnings.append(
                RuleWarning(
                    "category_max",
                    "info",
                    f"{rule.category.label}: {fmt_hours(have)} h logged, at most "
                    f"{fmt_hours(rule.max_hours)} h count",
                    "Hours above the maximum stay in the log but do not count toward the total.",
                )
            )
    if rs.ratio is not None:
        ratio = rs.ratio
        failing: list[str] = []
        worst_need = 0.0
        for key, win in sorted(per_window.items()):
            direct = sum(win.get(c, 0.0) for c in ratio.direct)
            sup = sum(win.get(c, 0.0) for c in ratio.supervision)
            need = ratio.required(direct)
            if direct > EPS and sup + EPS < need:
                failing.append(_window_label(key, ratio.window))
                worst_need = max(worst_need, need - sup)
        if failing:
            rate = (
                f"{fmt_hours(ratio.supervision_hours)} h of supervision per "
                f"{fmt_hours(ratio.per_direct_hours)} h of direct contact"
            )
            if ratio.window == "period":
                title = f"Supervision below {rate}"
                detail = f"{fmt_hours(worst_need)} more hours of supervision are needed."
            else:
                n = len(failing)
                title = f"Supervision below {rate} in {n} {ratio.window}{'s' if n != 1 else ''}"
                detail = f"Short in {_listing(failing, True)}."
            warnings.append(RuleWarning("ratio", "warning", title, detail))

    counted_total = sum(v for c, v in counted.items() if c in total_cats)
    logged_total_cats = sum(m for c, m in logged.items() if c in total_cats)
    targets: list[TargetProgress] = []
    if rs.total_min_hours is not None:
        targets.append(
            TargetProgress(
                "total", "Total", "min", rs.total_min_hours, counted_total, logged_total_cats
            )
        )
    for rule in sorted(rs.rules, key=lambda r: ORDER.index(r.category)):
        c = rule.category
        if rule.min_hours is not None:
            targets.append(
                TargetProgress(
                    c.value, c.label, "min", rule.min_hours, counted.get(c, 0.0), logged.get(c, 0)
                )
            )
        elif rule.max_hours is not None:
            targets.append(
                TargetProgress(
                    c.value, c.label, "max", rule.max_hours, counted.get(c, 0.0), logged.get(c, 0)
                )
            )

    if window_end is not None and today is not None and today > window_end:
        unmet = [t for t in targets if t.kind == "min" and not t.met]
        if unmet:
            warnings.append(
                RuleWarning(
                    "period_ended",
                    "warning",
                    f"The period ended on {window_end.isoformat()} with targets unmet",
                    "Unmet: "
                    + _listing(
                        [
                            f"{t.label} {fmt_hours(t.counted_hours)}/{fmt_hours(t.target_hours)} h"
                            for t in unmet
                        ]
                    )
                    + ".",
                )
            )

    return Evaluation(
        set_id=rs.id,
        set_name=rs.name,
        period_start=period_start,
        period_end=period_end,
        logged_minutes={c: logged[c] for c in ORDER if c in logged},
        counted_hours={c: counted[c] for c in ORDER if c in counted},
        counted_total_hours=counted_total,
        targets=tuple(targets),
        warnings=tuple(warnings),
    )
