"""Bookkeeping around the PHI detector for notes: which findings are still unresolved,
how a "not identifying" dismissal is remembered (a hash, never the text), and what a
finding can be replaced with in one click."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass

from app.deid import Finding, find_phi

# What a finding can become: (menu label, replacement text). The alias option is added
# for names by replacement_options().
_ROLE_NAMES = ("[client]", "[partner]", "[relative]", "[parent]", "[child]", "[person]")
_PLAIN: dict[str, tuple[str, ...]] = {
    "AGE": ("90+", "[age]"),
    "PHONE": ("[phone]",),
    "FAX": ("[fax]",),
    "EMAIL": ("[email]",),
    "ADDRESS": ("[address]",),
    "LOCATION": ("[place]", "[city]"),
    "ZIP": ("[zip]",),
    "SSN": ("[ssn]",),
    "ID": ("[id number]",),
    "URL": ("[link]",),
    "IP": ("[ip address]",),
    "ORG": ("[school]", "[employer]", "[organisation]"),
}
_YEAR_RE = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_APOSTROPHE_S = re.compile(r"['’]s$", re.IGNORECASE)


@dataclass(frozen=True)
class Replacement:
    label: str
    text: str


def finding_hash(text: str, category: str) -> str:
    """The key a dismissal is remembered by: category + case-folded, space-collapsed text."""
    norm = " ".join(text.split()).casefold()
    return hashlib.sha256(f"{category}\x1f{norm}".encode()).hexdigest()


def is_alias(finding_text: str, alias: str) -> bool:
    """The note's own alias (or its possessive) is never identifying: it was validated."""
    if not alias:
        return False
    t = _APOSTROPHE_S.sub("", finding_text.strip()).casefold()
    return t == alias.casefold()


def unresolved(text: str, dismissed: Collection[str] = (), alias: str = "") -> list[Finding]:
    """The detector's findings in ``text`` minus those dismissed as "not identifying" and
    mentions of the note's own alias."""
    return [
        f
        for f in find_phi(text)
        if finding_hash(f.text, f.category) not in dismissed and not is_alias(f.text, alias)
    ]


def replacement_options(finding: Finding, alias: str = "") -> list[Replacement]:
    """One-click replacements for a finding, best first."""
    cat = finding.category
    text = finding.text
    if cat == "NAME":
        possessive = bool(_APOSTROPHE_S.search(text))
        suffix = "'s" if possessive else ""
        opts = [Replacement(f"Case alias ({alias})", alias + suffix)] if alias else []
        opts += [Replacement(r, r + suffix) for r in _ROLE_NAMES]
        return opts
    if cat == "DATE":
        m = _YEAR_RE.search(text)
        opts = [Replacement(f"Year only ({m.group(1)})", m.group(1))] if m else []
        return [*opts, Replacement("[date]", "[date]"), Replacement("[month]", "[month]")]
    return [Replacement(r, r) for r in _PLAIN.get(cat, ("[redacted]",))]


def apply_replacement(text: str, finding: Finding, replacement: str) -> str:
    if text[finding.start : finding.end] != finding.text:
        raise ValueError("the finding no longer matches the text")
    return text[: finding.start] + replacement + text[finding.end :]


def note_findings(
    title: str, body: str, dismissed: Collection[str] = (), alias: str = ""
) -> list[Finding]:
    """Unresolved findings in a note's title and body (offsets are per field)."""
    return unresolved(title, dismissed, alias) + unresolved(body, dismissed, alias)
