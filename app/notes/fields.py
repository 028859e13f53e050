"""Validation of a note's short fields: the case alias (never a name) and tags."""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.deid import find_phi
from app.errors import ValidationError

ALIAS_MAX = 12
ALIAS_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._#-]*$")
TAG_MAX = 30
TAGS_MAX = 12
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9 _/+-]*$")
ALIAS_HINT = "Use a short code such as “C-12” or “Case K”, never a name or initials."


def validate_alias(alias: str) -> str:
    """A short code like "C-12". Anything the PHI detector reads as identifying (a name,
    initials, a date...) is refused."""
    a = " ".join(alias.split())
    if not a:
        raise ValidationError("alias", "The note needs a case alias. " + ALIAS_HINT)
    if len(a) > ALIAS_MAX:
        raise ValidationError(
            "alias", f"The alias is too long (at most {ALIAS_MAX} characters). " + ALIAS_HINT
        )
    if not ALIAS_RE.match(a) or len(a.split()) > 2:
        raise ValidationError(
            "alias", "The alias may use letters, digits, “-”, “.”, “#”. " + ALIAS_HINT
        )
    # a first name glued to a number ("Tom7") is still a name: check each letter run
    from app.deid.lexicon import lexicon

    lex = lexicon()
    for run in re.findall(r"[^\W\d_]{3,}", a):
        w = run.lower()
        if w in lex.first and w not in lex.word_names and w not in lex.never_name:
            raise ValidationError("alias", "The alias looks like a name. " + ALIAS_HINT)
    for probe in (a, f"I saw {a} today."):
        for f in find_phi(probe):
            overlap = probe.find(a)
            if f.start < overlap + len(a) and f.end > overlap:
                what = "a name" if f.category == "NAME" else f"identifying ({f.category})"
                raise ValidationError("alias", f"The alias looks like {what}. " + ALIAS_HINT)
    return a


def normalize_tags(tags: str | Iterable[str]) -> tuple[str, ...]:
    """Lower-case, trimmed, de-duplicated tags in input order. Tags are free words, so
    they are PHI-checked too."""
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    out: list[str] = []
    for raw in items:
        t = " ".join(raw.split()).lower()
        if not t or t in out:
            continue
        if len(t) > TAG_MAX:
            raise ValidationError("tags", f"A tag is too long (at most {TAG_MAX} characters).")
        if not TAG_RE.match(t):
            raise ValidationError(
                "tags", "Tags may use letters, digits, spaces and - _ / + (comma-separated)."
            )
        out.append(t)
    if len(out) > TAGS_MAX:
        raise ValidationError("tags", f"A note can have at most {TAGS_MAX} tags.")
    for t in out:
        if find_phi(t.title()) and find_phi(t):
            raise ValidationError(
                "tags", "A tag looks identifying (a name, date or place). Use a topic instead."
            )
    return tuple(out)


def tags_to_column(tags: Iterable[str]) -> str:
    return ",".join(tags)


def tags_from_column(raw: str) -> tuple[str, ...]:
    return tuple(t for t in (raw or "").split(",") if t)
