"""Word lists shipped in ``app/deid/data`` (loaded once, lazily)."""

from __future__ import annotations

from functools import cache
from importlib import resources


def _load(name: str) -> frozenset[str]:
    raw = resources.files("app.deid").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower()
        for line in raw.splitlines()
        if line.strip() and not line.startswith("#")
    )


class Lexicon:
    """All dictionaries used by the detector, as lower-case frozensets."""

    def __init__(self) -> None:
        self.english: frozenset[str] = _load("english_words.txt")
        self.clinical: frozenset[str] = _load("clinical_terms.txt")
        self.drugs: frozenset[str] = _load("drugs.txt")
        self.eponyms: frozenset[str] = _load("eponyms.txt")
        self.authors: frozenset[str] = _load("author_names.txt")
        self.first: frozenset[str] = _load("first_names.txt") | _load("first_names_extra.txt")
        self.last: frozenset[str] = _load("last_names.txt")
        self.word_names: frozenset[str] = _load("word_names.txt")
        self.non_phi: frozenset[str] = _load("non_phi_proper.txt")
        self.regions: frozenset[str] = _load("regions.txt")
        self.places: frozenset[str] = _load("places.txt") - self.regions
        self.never_name: frozenset[str] = self.clinical | self.drugs | self.non_phi
        # first names that are also ordinary words: need context to count as a name
        self.ambiguous_first: frozenset[str] = (self.first & self.english) | self.word_names
        # first-word -> longest phrase length, for multi-word phrase lookup
        chains = _load("employer_chains.txt")
        self.chains: frozenset[str] = frozenset(c for c in chains if not c.endswith("!"))
        self.chains_cued: frozenset[str] = frozenset(c[:-1] for c in chains if c.endswith("!"))
        self.chain_heads: dict[str, int] = {}
        for phrase in self.chains | self.chains_cued:
            parts = phrase.split()
            self.chain_heads[parts[0]] = max(self.chain_heads.get(parts[0], 0), len(parts))
        self.author_heads: dict[str, int] = {}
        for phrase in self.authors:
            parts = phrase.split()
            if len(parts) > 1:
                self.author_heads[parts[0]] = max(self.author_heads.get(parts[0], 0), len(parts))
        self.phrase_heads: dict[str, int] = {}
        for phrase in self.places | self.regions | self.authors:
            parts = phrase.split()
            if len(parts) > 1:
                head = parts[0]
                self.phrase_heads[head] = max(self.phrase_heads.get(head, 0), len(parts))


@cache
def lexicon() -> Lexicon:
    return Lexicon()
