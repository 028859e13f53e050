"""The :class:`Finding` value type returned by :func:`app.deid.find_phi`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

Category = Literal[
    "NAME",
    "DATE",
    "AGE",
    "PHONE",
    "FAX",
    "EMAIL",
    "ADDRESS",
    "LOCATION",
    "ZIP",
    "SSN",
    "ID",
    "URL",
    "IP",
    "ORG",
]

CATEGORIES: Final[tuple[Category, ...]] = (
    "NAME",
    "DATE",
    "AGE",
    "PHONE",
    "FAX",
    "EMAIL",
    "ADDRESS",
    "LOCATION",
    "ZIP",
    "SSN",
    "ID",
    "URL",
    "IP",
    "ORG",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One suspected identifier: ``source[start:end]`` is the flagged text."""

    start: int
    end: int
    category: Category
    reason: str
    source: str = field(repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.source[self.start : self.end]

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "text": self.text,
        }
