"""Requirement sets: a board's (or supervisor's) rules for counting hours, as TOML data.

Built-in sets ship in ``resources/requirements/*.toml`` and are read-only; the user's own
sets live in ``<data dir>/requirements/*.toml`` and can be created, copied and edited.
A set's id is ``builtin:<stem>`` or ``user:<stem>``. Every file is validated strictly:
unknown keys and categories are errors that name the key, so a typo is never silently
ignored. See docs/HOURS.md for the format.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import ConsultoryError, NotFoundError
from app.hours.categories import Category, parse_category

BUILTIN_PREFIX = "builtin:"
USER_PREFIX = "user:"
USER_DIRNAME = "requirements"
DEFAULT_SET_ID = "builtin:example-associate"
RATIO_WINDOWS = ("period", "month", "week")
MAX_TEXT = 100_000


class RequirementSetError(ConsultoryError):
    """A requirement-set file is malformed; the message names the key or line."""


@dataclass(frozen=True)
class CategoryRule:
    category: Category
    min_hours: float | None = None
    max_hours: float | None = None
    weekly_max_hours: float | None = None
    min_session_minutes: int | None = None
    minutes_per_hour: int | None = None  # None: the set's default


@dataclass(frozen=True)
class RatioRule:
    supervision_hours: float
    per_direct_hours: float
    supervision: tuple[Category, ...]
    direct: tuple[Category, ...]
    window: str = "period"

    def required(self, direct_hours: float) -> float:
        return direct_hours * self.supervision_hours / self.per_direct_hours


@dataclass(frozen=True)
class RequirementSet:
    id: str
    name: str
    description: str = ""
    example: bool = False
    period_start: date | None = None
    period_months: int | None = None
    minutes_per_hour: int = 60
    round_down_to_minutes: int = 0
    total_min_hours: float | None = None
    total_weekly_max_hours: float | None = None
    total_categories: tuple[Category, ...] = ()
    rules: tuple[CategoryRule, ...] = ()
    ratio: RatioRule | None = None
    text: str = field(default="", repr=False, compare=False)

    @property
    def builtin(self) -> bool:
        return self.id.startswith(BUILTIN_PREFIX)

    def rule(self, category: Category) -> CategoryRule | None:
        for r in self.rules:
            if r.category is category:
                return r
        return None

    def minutes_per_hour_for(self, category: Category) -> int:
        r = self.rule(category)
        if r is not None and r.minutes_per_hour:
            return r.minutes_per_hour
        return self.minutes_per_hour


@dataclass(frozen=True)
class SetSummary:
    id: str
    name: str
    builtin: bool
    example: bool
    error: str = ""  # a user file that fails to load is listed with its error


# --- parsing ------------------------------------------------------------------------------


_TOP_KEYS = {"set", "period", "counting", "total", "categories", "supervision_ratio"}


def _table(doc: Mapping[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise RequirementSetError(f"[{key}] must be a table.")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise RequirementSetError(
            f"Unknown key “{unknown[0]}” in [{key}]. Allowed: {', '.join(sorted(allowed))}."
        )
    return value


def _num(t: Mapping[str, Any], key: str, where: str, *, integer: bool = False) -> Any:
    v = t.get(key)
    if v is None:
        return None
    ok = isinstance(v, int) if integer else isinstance(v, int | float)
    if isinstance(v, bool) or not ok:
        kind = "a whole number" if integer else "a number"
        raise RequirementSetError(f"{where}.{key} must be {kind}.")
    if v < 0:
        raise RequirementSetError(f"{where}.{key} cannot be negative.")
    return v


def _positive(t: Mapping[str, Any], key: str, where: str, *, integer: bool = False) -> Any:
    v = _num(t, key, where, integer=integer)
    if v is not None and v == 0:
        raise RequirementSetError(f"{where}.{key} must be greater than zero.")
    return v


def _cats(value: Any, where: str) -> tuple[Category, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise RequirementSetError(f"{where} must be a list of category names.")
    out = []
    for x in value:
        c = parse_category(x)
        if c is None:
            raise RequirementSetError(
                f"Unknown category “{x}” in {where}. Known: {', '.join(c.value for c in Category)}."
            )
        out.append(c)
    return tuple(out)


def _str(t: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
    v = t.get(key, default)
    if not isinstance(v, str):
        raise RequirementSetError(f"{where}.{key} must be text in quotes.")
    return v.strip()


DEFAULT_TOTAL_CATEGORIES = tuple(c for c in Category if c is not Category.PROVIDING_SUPERVISION)


def parse_set(text: str, set_id: str) -> RequirementSet:
    """Parse and validate a requirement set. Raises RequirementSetError."""
    if len(text) > MAX_TEXT:
        raise RequirementSetError("The requirement set is too long (at most 100,000 characters).")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RequirementSetError(f"Not valid TOML: {exc}.") from None
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise RequirementSetError(
            f"Unknown table or key “{unknown[0]}”. Allowed: {', '.join(sorted(_TOP_KEYS))}."
        )
    st = _table(doc, "set", {"name", "description", "example"})
    name = _str(st, "name", "set")
    if not name:
        raise RequirementSetError('The set needs a name: add name = "…" under [set].')
    example = st.get("example", False)
    if not isinstance(example, bool):
        raise RequirementSetError("set.example must be true or false.")

    pt = _table(doc, "period", {"start", "months"})
    start = pt.get("start")
    if start is not None and (not isinstance(start, date) or hasattr(start, "hour")):
        raise RequirementSetError("period.start must be a date such as 2025-01-01 (no quotes).")
    months = _positive(pt, "months", "period", integer=True)

    ct = _table(doc, "counting", {"minutes_per_hour", "round_down_to_minutes"})
    mph = _positive(ct, "minutes_per_hour", "counting", integer=True) or 60
    step = _num(ct, "round_down_to_minutes", "counting", integer=True) or 0

    tt = _table(doc, "total", {"min_hours", "weekly_max_hours", "categories"})
    total_cats = (
        _cats(tt["categories"], "total.categories")
        if "categories" in tt
        else DEFAULT_TOTAL_CATEGORIES
    )

    rules = []
    cats_doc = doc.get("categories", {})
    if not isinstance(cats_doc, dict):
        raise RequirementSetError("[categories] must be a table of [categories.NAME] tables.")
    allowed_rule = {
        "min_hours",
        "max_hours",
        "weekly_max_hours",
        "min_session_minutes",
        "minutes_per_hour",
    }
    for key in cats_doc:
        cat = parse_category(key)
        if cat is None:
            raise RequirementSetError(
                f"Unknown category [categories.{key}]. "
                f"Known: {', '.join(c.value for c in Category)}."
            )
        where = f"categories.{key}"
        rt = cats_doc[key]
        if not isinstance(rt, dict):
            raise RequirementSetError(f"[{where}] must be a table.")
        bad = sorted(set(rt) - allowed_rule)
        if bad:
            raise RequirementSetError(
                f"Unknown key “{bad[0]}” in [{where}]. Allowed: {', '.join(sorted(allowed_rule))}."
            )
        rule = CategoryRule(
            category=cat,
            min_hours=_num(rt, "min_hours", where),
            max_hours=_num(rt, "max_hours", where),
            weekly_max_hours=_num(rt, "weekly_max_hours", where),
            min_session_minutes=_num(rt, "min_session_minutes", where, integer=True),
            minutes_per_hour=_positive(rt, "minutes_per_hour", where, integer=True),
        )
        if (
            rule.min_hours is not None
            and rule.max_hours is not None
            and rule.min_hours > rule.max_hours
        ):
            raise RequirementSetError(f"{where}: min_hours is larger than max_hours.")
        rules.append(rule)

    ratio = None
    if "supervision_ratio" in doc:
        rt = _table(
            doc,
            "supervision_ratio",
            {"supervision_hours", "per_direct_hours", "supervision", "direct", "window"},
        )
        per = _positive(rt, "per_direct_hours", "supervision_ratio")
        if per is None:
            raise RequirementSetError("supervision_ratio.per_direct_hours is required.")
        window = _str(rt, "window", "supervision_ratio", "period")
        if window not in RATIO_WINDOWS:
            raise RequirementSetError(
                f"supervision_ratio.window must be one of: {', '.join(RATIO_WINDOWS)}."
            )
        ratio = RatioRule(
            supervision_hours=_positive(rt, "supervision_hours", "supervision_ratio") or 1,
            per_direct_hours=per,
            supervision=_cats(
                rt.get(
                    "supervision",
                    ["individual_supervision", "group_supervision", "other_supervision"],
                ),
                "supervision_ratio.supervision",
            ),
            direct=_cats(rt.get("direct", ["direct_client_contact"]), "supervision_ratio.direct"),
            window=window,
        )

    return RequirementSet(
        id=set_id,
        name=name,
        description=_str(st, "description", "set"),
        example=example,
        period_start=start,
        period_months=months,
        minutes_per_hour=mph,
        round_down_to_minutes=step,
        total_min_hours=_num(tt, "min_hours", "total"),
        total_weekly_max_hours=_num(tt, "weekly_max_hours", "total"),
        total_categories=total_cats,
        rules=tuple(rules),
        ratio=ratio,
        text=text,
    )


# --- storage ------------------------------------------------------------------------------


def builtin_dir() -> Path:
    import resources

    return Path(resources.__file__).resolve().parent / "requirements"


def user_dir(data_dir: Path) -> Path:
    return data_dir / USER_DIRNAME


_STEM_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def _path_for(data_dir: Path, set_id: str) -> Path:
    if set_id.startswith(BUILTIN_PREFIX):
        stem, base = set_id[len(BUILTIN_PREFIX) :], builtin_dir()
    elif set_id.startswith(USER_PREFIX):
        stem, base = set_id[len(USER_PREFIX) :], user_dir(data_dir)
    else:
        raise NotFoundError(f"“{set_id}” is not a requirement-set id (builtin:… or user:…).")
    if not _STEM_RE.match(stem):
        raise NotFoundError(f"“{set_id}” is not a requirement-set id.")
    return base / f"{stem}.toml"


def list_sets(data_dir: Path) -> list[SetSummary]:
    """Built-in sets first, then the user's own, each sorted by name."""
    out: list[SetSummary] = []
    for prefix, base in ((BUILTIN_PREFIX, builtin_dir()), (USER_PREFIX, user_dir(data_dir))):
        found = []
        for p in sorted(base.glob("*.toml")) if base.is_dir() else []:
            if not _STEM_RE.match(p.stem):
                continue
            sid = prefix + p.stem
            try:
                rs = parse_set(p.read_text(encoding="utf-8"), sid)
                found.append(SetSummary(sid, rs.name, rs.builtin, rs.example))
            except (RequirementSetError, OSError, UnicodeDecodeError) as exc:
                found.append(SetSummary(sid, p.stem, prefix == BUILTIN_PREFIX, False, str(exc)))
        out.extend(sorted(found, key=lambda s: s.name.lower()))
    return out


def read_text(data_dir: Path, set_id: str) -> str:
    """The set's file as text, valid or not (for the editor)."""
    path = _path_for(data_dir, set_id)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(
            f"The requirement set “{set_id}” does not exist. Pick another in Settings › Hours."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RequirementSetError(f"Cannot read the requirement set “{set_id}”: {exc}.") from None


def load_set(data_dir: Path, set_id: str) -> RequirementSet:
    return parse_set(read_text(data_dir, set_id), set_id)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50].strip("-")
    return slug or "my-requirements"


def _unique_stem(data_dir: Path, base: str) -> str:
    stem, n = base, 2
    while (user_dir(data_dir) / f"{stem}.toml").exists():
        stem = f"{base}-{n}"
        n += 1
    return stem


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def save_user_set(data_dir: Path, set_id: str | None, text: str) -> RequirementSet:
    """Validate ``text`` and write it as the user's set ``set_id`` (a new set if None)."""
    if set_id is not None and not set_id.startswith(USER_PREFIX):
        raise RequirementSetError("Built-in sets are read-only: copy the set and edit the copy.")
    rs = parse_set(text, set_id or "user:new")
    if set_id is None:
        set_id = USER_PREFIX + _unique_stem(data_dir, slugify(rs.name))
    _write_private(_path_for(data_dir, set_id), text)
    return parse_set(text, set_id)


_NAME_LINE = re.compile(r"^(\s*name\s*=\s*).*$", re.MULTILINE)
_EXAMPLE_LINE = re.compile(r"^(\s*example\s*=\s*)true\b", re.MULTILINE)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else " " for c in escaped) + '"'


def rename_text(text: str, new_name: str) -> str:
    """``text`` with its [set] name replaced (and ``example = true`` turned off)."""
    head, sep, rest = text.partition("[set]")
    if not sep:
        return f"[set]\nname = {_toml_string(new_name)}\n\n" + text
    rest = _NAME_LINE.sub(lambda m: m.group(1) + _toml_string(new_name), rest, count=1)
    rest = _EXAMPLE_LINE.sub(lambda m: m.group(1) + "false", rest, count=1)
    return head + sep + rest


def copy_set(data_dir: Path, source_id: str, new_name: str) -> RequirementSet:
    src = load_set(data_dir, source_id)
    new_name = " ".join(new_name.split()) or f"Copy of {src.name}"
    return save_user_set(data_dir, None, rename_text(src.text, new_name))


NEW_SET_TEMPLATE = """\
# A requirement set: the rules your board (or supervisor) applies to your hours.
# Every number here is yours to check against your board's current rules.

[set]
name = {name}
description = ""

[period]
# start = 2025-01-01     # first day the rules apply (default: your first logged hour)
# months = 48            # how long the window lasts (default: open-ended)

[counting]
minutes_per_hour = 60    # e.g. 45 if a 45-minute session counts as an hour
round_down_to_minutes = 0

[total]
min_hours = 3000
# weekly_max_hours = 40

[categories.direct_client_contact]
min_hours = 1500

[categories.individual_supervision]
min_hours = 100

[supervision_ratio]
supervision_hours = 1
per_direct_hours = 20
window = "period"        # or "month" / "week"
"""


def create_user_set(data_dir: Path, name: str) -> RequirementSet:
    name = " ".join(name.split()) or "My requirements"
    return save_user_set(data_dir, None, NEW_SET_TEMPLATE.format(name=_toml_string(name)))


def delete_user_set(data_dir: Path, set_id: str) -> None:
    if not set_id.startswith(USER_PREFIX):
        raise RequirementSetError("Built-in sets cannot be deleted.")
    path = _path_for(data_dir, set_id)
    try:
        path.unlink()
    except FileNotFoundError:
        raise NotFoundError(f"The requirement set “{set_id}” does not exist.") from None
