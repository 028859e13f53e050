"""Entry point: :func:`find_phi`."""

from __future__ import annotations

import gc
import re
from typing import Final

from app.deid.finding import Category, Finding
from app.deid.lexicon import lexicon
from app.deid.names import Tok, find_names, gate_hits, recase_shouting, tokenize
from app.deid.patterns import (
    Span,
    digit_runs,
    find_keys,
    find_structured,
    merge_windows,
    scan_windows,
)

# Higher wins when two different categories overlap.
PRIORITY: Final[dict[Category, int]] = {
    "EMAIL": 100,
    "URL": 95,
    "IP": 90,
    "SSN": 85,
    "FAX": 80,
    "PHONE": 79,
    "ADDRESS": 70,
    "ZIP": 68,
    "DATE": 65,
    "AGE": 64,
    "ID": 60,
    "ORG": 50,
    "LOCATION": 45,
    "NAME": 40,
}
# Categories whose adjacent spans (separated only by blanks) are merged into one finding.
_MERGE_GAP: Final = frozenset({"NAME", "ORG", "LOCATION", "ADDRESS"})


_CONTRACTION_RE: Final = re.compile(r"(?:^|\s+)[A-Za-z]+(?:n['’]t|['’](?:re|ve|ll|d|m))$")


# National resources named like people or places: never PHI ("The Trevor Project").
_NATIONAL_RESOURCE_RE: Final = re.compile(
    r"(?i:trevor project|crisis text line|trans lifeline|mayo clinic diet|"
    r"salvation army|red cross|planned parenthood|meals on wheels|big brothers big sisters|"
    r"safe harbor|indian health service|stronghearts native helpline)"
)


# case-insensitive enough: the distinctive middle of each name (a cheap pre-check)
_NATIONAL_RESOURCE_KEYS: Final = (
    "roject", "ROJECT", "ifeline", "IFELINE", "ext Line", "ext line", "ayo Clinic",
    "ayo clinic", "alvation", "ed Cross", "ed cross", "arenthood", "heels", "rothers",
    "afe Harbor", "afe harbor", "ealth Service", "elpline",
)


def _national_resources(text: str) -> list[tuple[int, int]]:
    """Spans of national resources, looked for only around their key fragments (every
    phrase contains one and is under 40 characters long)."""
    wins = merge_windows(find_keys(text, _NATIONAL_RESOURCE_KEYS), text, 40, 40)
    return [m.span() for m in scan_windows(_NATIONAL_RESOURCE_RE, text, wins)]


def _national_resource(nat: list[tuple[int, int]], s: Span) -> bool:
    return s[2] in ("NAME", "ORG", "LOCATION") and any(a <= s[0] and s[1] <= b for a, b in nat)


def _trim_contraction(text: str, s: Span) -> Span:
    """A NAME never ends in a contraction: "jen hasn't" -> "jen"; "doesn't" -> nothing."""
    if s[2] != "NAME" or "'" not in text[s[0] : s[1]] and "’" not in text[s[0] : s[1]]:
        return s
    m = _CONTRACTION_RE.search(text[s[0] : s[1]])
    if m is None:
        return s
    if m.start() == 0 and not m.group().lower().endswith(("n't", "n’t")):
        return (s[0], s[1] - len(m.group().split("'")[-1].split("’")[-1]) - 1, s[2], s[3])
    return (s[0], s[0] + m.start(), s[2], s[3])


def _resolve(text: str, spans: list[Span]) -> list[Finding]:
    spans = [
        _trim_contraction(text, s) if s[2] == "NAME" else s
        for s in spans
        if 0 <= s[0] < s[1] <= len(text) and text[s[0] : s[1]].strip()
    ]
    nat = _national_resources(text)
    spans = [s for s in spans if s[0] < s[1] and not (nat and _national_resource(nat, s))]
    # keep the highest-priority, then longest, span of each overlapping group
    spans.sort(key=lambda s: (-PRIORITY[s[2]], -(s[1] - s[0]), s[0]))
    taken: list[Span] = []
    occupied = bytearray(len(text))
    for s in spans:
        if any(occupied[s[0] : s[1]]):
            continue
        taken.append(s)
        occupied[s[0] : s[1]] = b"\x01" * (s[1] - s[0])
    taken.sort(key=lambda s: s[0])
    merged: list[Span] = []
    for s in taken:
        if merged:
            p = merged[-1]
            gap = text[p[1] : s[0]]
            # two spaces at most: three or more (or a tab) separate form columns
            blank = gap == "" or (
                gap.isspace() and "\n" not in gap and len(gap) <= 2 and "\t" not in gap
            )
            if gap == ". " and p[2] == s[2]:
                prev_text = text[p[0] : p[1]].rsplit(" ", 1)[-1]
                # "St. Jude's", "R. Delvecchio"
                blank = prev_text in ("St", "Saint", "Mt", "Ft") or (
                    len(prev_text) == 1 and prev_text.isupper()
                )
            if gap == " & " and p[2] == s[2] == "ORG":
                blank = True  # "Kessler & Doane Disability Law"
            if p[2] == s[2] and p[2] in _MERGE_GAP and blank:
                merged[-1] = (p[0], s[1], p[2], p[3])
                continue
        merged.append(s)
    return [Finding(s, e, c, r, text) for s, e, c, r in merged]


_AGE_AFTER_NAME_RE: Final = re.compile(
    r"(?:\s*,\s*(?:now\s+|aged?\s+)?|\s*\(\s*|\s+(?:is|was|turned|turns|now)\s+)(\d{2,3})(?=\s*[),;(]|\s+(?:and|now|"
    r"today|this|last|next|years|yrs|y/o|yo)\b|\.\s|\s*$)"
)


def _ages_after_names(text: str, spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for _start, e, cat, _reason in spans:
        if cat != "NAME":
            continue
        end = e
        if text.startswith(("'s", "’s"), end):
            continue
        m = _AGE_AFTER_NAME_RE.match(text, end)
        if m and 90 <= int(m.group(1)) <= 125:
            out.append((m.start(1), m.end(1), "AGE", "age over 89 given after a name"))
    return out


_AGE_AFTER_PERSON_RE: Final = re.compile(
    r"\b(?:mother|father|mom|dad|mum|grandmother|grandfather|grandma|grandpa|husband|wife|"
    r"aunt|uncle|sister|brother|client|patient|widow|widower|neighbou?r|friend|resident|"
    r"partner|spouse|she|he|who|woman|man|lady|gentleman|veteran|widow|widower|"
    r"grandma|granny|nana)(?:'s)?"
    r"(?:\s*(?:,|\()\s*(?:now\s+|aged?\s+)?|(?:,[^,.;]{1,40},)?\s+(?:is|was|turned|turns)\s+)"
    r"(9\d|1[01]\d)"
    r"(?=\s*[),;.]|\s+(?:and|now|today|years|yrs|y/o|yo)\b)",
    re.IGNORECASE,
)


def _ages_after_persons(text: str, hits: list[tuple[int, int]]) -> list[Span]:
    out: list[Span] = []
    last_end = -1
    for ds, de in hits:
        if de - ds not in (2, 3) or not 90 <= int(text[ds:de]) <= 119 or ds < last_end:
            continue
        for m in _AGE_AFTER_PERSON_RE.finditer(text, max(0, ds - 70), de + 20):
            if m.start(1) == ds:
                out.append((m.start(1), m.end(1), "AGE", "age over 89 of a person"))
                last_end = m.end()
                break
    return out


def find_phi(text: str) -> list[Finding]:
    """Return suspected identifiers in ``text``, sorted by start and non-overlapping."""
    if not text:
        return []
    lex = lexicon()  # load outside the GC pause below
    # The detector allocates thousands of short-lived, acyclic objects; pausing the cyclic
    # garbage collector for the few milliseconds of a call avoids collection pauses
    # (reference counting still frees everything).
    gc_was_enabled = gc.isenabled()
    if gc_was_enabled:
        gc.disable()
    try:
        toks = tokenize(text, lex)
        recased = recase_shouting(text, toks)
        if recased is not None:
            # an ALL-CAPS note: detect on an ordinary-case copy (same offsets)
            found = _find(recased, tokenize(recased, lex))
            return [Finding(f.start, f.end, f.category, f.reason, text) for f in found]
        return _find(text, toks)
    finally:
        if gc_was_enabled:
            gc.enable()


def _find(text: str, toks: list[Tok]) -> list[Finding]:
    hits = digit_runs(text)
    spans = find_structured(text, gate_hits(toks), hits)
    names = find_names(text, toks)
    spans.extend(names)
    spans.extend(_ages_after_names(text, names))
    spans.extend(_ages_after_persons(text, hits))
    return _resolve(text, spans)


def warm_up() -> None:
    """Load the dictionaries and compile everything now (e.g. at application start-up)."""
    find_phi("Warm-up: Maria Lopez was seen on 3/14 at Mercy Hospital, 555-123-4567.")
