"""Note templates. A note's body is plain text made of headed sections::

    Presenting concern:
    ...text...

    Relevant history: ...text on the same line is fine too...

Built-in templates live here (code, not rows); user-defined ones are ``NoteTemplate`` rows
whose ``sections`` column holds a JSON list of headings, addressed as ``user:<id>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.errors import ValidationError

CASE_PRESENTATION = "case_presentation"
USER_PREFIX = "user:"
HEADING_MAX = 60
SECTIONS_MAX = 12


@dataclass(frozen=True)
class TemplateSpec:
    key: str  # "case_presentation" or "user:<id>"
    name: str
    sections: tuple[str, ...]
    builtin: bool = True


BUILTIN_TEMPLATES: tuple[TemplateSpec, ...] = (
    TemplateSpec(
        CASE_PRESENTATION,
        "Case presentation",
        (
            "Presenting concern",
            "Relevant history",
            "Question for the group",
            "What colleagues suggested",
            "Follow-up",
        ),
    ),
    TemplateSpec(
        "consultation_request",
        "Consultation request",
        (
            "Reason for the request",
            "Background",
            "What I have tried",
            "Question",
            "How soon I need input",
        ),
    ),
    TemplateSpec(
        "supervision_record",
        "Supervision record",
        (
            "Cases discussed",
            "Supervisor feedback",
            "Ethical or legal issues",
            "Competencies addressed",
            "Plan and next steps",
        ),
    ),
)
BUILTIN_BY_KEY = {t.key: t for t in BUILTIN_TEMPLATES}


def builtin(key: str) -> TemplateSpec | None:
    return BUILTIN_BY_KEY.get(key)


def clean_sections(headings: Sequence[str]) -> tuple[str, ...]:
    """Validate user-defined headings: non-empty, short, no colon, no duplicates."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in headings:
        h = " ".join(raw.split()).rstrip(":").strip()
        if not h:
            continue
        if len(h) > HEADING_MAX:
            raise ValidationError(
                "sections", f"A section heading is too long (at most {HEADING_MAX} characters)."
            )
        if ":" in h:
            raise ValidationError("sections", "Section headings cannot contain a colon.")
        if h.casefold() in seen:
            raise ValidationError("sections", "Each section heading can appear only once.")
        seen.add(h.casefold())
        out.append(h)
    if not out:
        raise ValidationError("sections", "A template needs at least one section heading.")
    if len(out) > SECTIONS_MAX:
        raise ValidationError("sections", f"A template can have at most {SECTIONS_MAX} sections.")
    return tuple(out)


def sections_to_json(headings: Sequence[str]) -> str:
    return json.dumps(list(headings))


def sections_from_json(raw: str) -> tuple[str, ...]:
    try:
        data = json.loads(raw or "[]")
    except ValueError:
        return ()
    return tuple(str(h) for h in data) if isinstance(data, list) else ()


def skeleton(headings: Sequence[str]) -> str:
    """An empty body with one headed section per heading."""
    return "\n\n".join(f"{h}:\n" for h in headings).rstrip("\n") + "\n"


def _heading_re(headings: Sequence[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(h) for h in sorted(headings, key=len, reverse=True))
    return re.compile(rf"^[ \t]*({alts})[ \t]*:[ \t]*", re.IGNORECASE | re.MULTILINE)


def parse_sections(body: str, headings: Sequence[str]) -> list[tuple[str, str]]:
    """Split ``body`` into ``(heading, text)`` pairs in body order. Text before the first
    heading (or a body with no known heading) comes back under the heading ``""``."""
    if not headings:
        return [("", body.strip())] if body.strip() else []
    canon = {h.casefold(): h for h in headings}
    out: list[tuple[str, str]] = []
    matches = list(_heading_re(headings).finditer(body))
    lead = body[: matches[0].start()] if matches else body
    if lead.strip():
        out.append(("", lead.strip()))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        out.append((canon[m.group(1).casefold()], body[m.end() : end].strip()))
    return out


def heading_spans(body: str, headings: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of the section headings (for the editor's bold headings)."""
    if not headings:
        return []
    return [(m.start(1), m.end(1)) for m in _heading_re(headings).finditer(body)]
