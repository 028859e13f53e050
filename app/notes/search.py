"""The notes search language and highlighting helpers.

A query is words and "quoted phrases"; every term must match (AND). Words match as
prefixes (``insom`` finds "insomnia") so results follow typing. The same terms drive the
FTS5 MATCH expression on SQLite and the LIKE fallback elsewhere.

Matches are marked in snippets with MARK_START/MARK_END (control characters that never
occur in typed text); ``marked_parts`` splits a snippet for rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
_TOKEN_RE = re.compile(r'"([^"]*)"?|(\S+)')
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    text: str  # words joined by single spaces
    phrase: bool


def parse_query(query: str) -> list[Term]:
    """Split a query into terms. Punctuation inside words is dropped (as the FTS tokenizer
    does); an unclosed quote runs to the end of the query."""
    terms: list[Term] = []
    for m in _TOKEN_RE.finditer(query):
        if m.group(1) is not None:
            words = _WORD_RE.findall(m.group(1))
            if words:
                terms.append(Term(" ".join(words), phrase=len(words) > 1))
        else:
            for w in _WORD_RE.findall(m.group(2) or ""):
                terms.append(Term(w, phrase=False))
    return terms


def fts_match(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term quoted (no operator injection), words as
    prefixes."""
    parts = []
    for t in terms:
        quoted = '"' + t.text.replace('"', '""') + '"'
        parts.append(quoted if t.phrase else quoted + "*")
    return " AND ".join(parts)


def term_regex(terms: list[Term]) -> re.Pattern[str] | None:
    """A regex that finds the terms in text (used for the LIKE fallback's highlighting)."""
    if not terms:
        return None
    alts = []
    for t in sorted(terms, key=lambda t: -len(t.text)):
        body = r"\W+".join(re.escape(w) for w in t.text.split())
        alts.append(rf"\b{body}" + (r"\b" if t.phrase else r"\w*"))
    return re.compile("|".join(alts), re.IGNORECASE | re.UNICODE)


def make_snippet(text: str, terms: list[Term], width: int = 160) -> str:
    """A marked snippet around the first match (Python side; FTS5 has snippet())."""
    flat = " ".join(text.split())
    rx = term_regex(terms)
    first = rx.search(flat) if rx else None
    if first is None:
        return flat[:width] + (ELLIPSIS if len(flat) > width else "")
    start = max(0, first.start() - width // 3)
    end = min(len(flat), start + width)
    window = flat[start:end]
    assert rx is not None
    marked = rx.sub(lambda m: MARK_START + m.group(0) + MARK_END, window)
    return (ELLIPSIS if start else "") + marked + (ELLIPSIS if end < len(flat) else "")


def marked_parts(snippet: str) -> list[tuple[str, bool]]:
    """Split a marked snippet into (text, is_match) parts, markers removed."""
    parts: list[tuple[str, bool]] = []
    pos = 0
    while pos < len(snippet):
        a = snippet.find(MARK_START, pos)
        if a < 0:
            parts.append((snippet[pos:], False))
            break
        if a > pos:
            parts.append((snippet[pos:a], False))
        b = snippet.find(MARK_END, a + 1)
        if b < 0:
            b = len(snippet)
        parts.append((snippet[a + 1 : b], True))
        pos = b + 1
    return [p for p in parts if p[0]]


def strip_marks(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")
