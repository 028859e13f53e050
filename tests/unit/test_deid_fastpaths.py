"""The detector's fast paths give exactly what the general code gives (property tests).

Texts whose word characters are all ASCII are tokenised with ASCII character classes, and
sentence starts are found with a regex that lets the engine skip ahead; both must agree
with the general Unicode patterns on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.deid import names, patterns

_ORIGINAL_SENT_START = re.compile(
    r"(?:\A|[.!?:;\n•*>|]|,\s*[\"“])[\s\"'“‘(\[\-–—*•]*(?:\d{1,3}[.)]\s+)?(?=[^\W\d_])"
)
# letters, digits, the punctuation the patterns care about, and a few non-ASCII characters
_ALPHABET = st.sampled_from(
    list("abcXYZ019 _-'’\".,;:!?()[]*•>|\n\t“‘–—")
    + ["é", "Ö", "ß", "\u00a0", "٣", "K"]
)
texts = st.text(_ALPHABET, max_size=60)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_ascii_word_regex_matches_the_unicode_one(text: str) -> None:
    if patterns.ascii_words(text):
        fast = [m.span() for m in names._ASCII_WORD_RE.finditer(text)]
        assert fast == [m.span() for m in names.WORD_RE.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_sentence_starts_match_the_original_regex(text: str) -> None:
    got = {m.end() for m in names._SENT_START_RE.finditer(text)}
    m0 = names._TEXT_START_RE.match(text)
    if m0 is not None:
        got.add(m0.end())
    assert got == {m.end() for m in _ORIGINAL_SENT_START.finditer(text)}


def test_ascii_words_detects_non_ascii_letters() -> None:
    assert patterns.ascii_words("She said “fine” – twice’")
    assert not patterns.ascii_words("José came")
    assert not patterns.ascii_words("room ٣")
