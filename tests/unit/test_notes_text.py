"""Pure parts of case notes: templates/sections, alias and tag validation, the guard's
replacements and dismissal hashes, and the search language."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.deid import find_phi
from app.errors import ValidationError
from app.notes import search as q
from app.notes.fields import normalize_tags, validate_alias
from app.notes.guard import apply_replacement, finding_hash, replacement_options, unresolved
from app.notes.templates import (
    BUILTIN_BY_KEY,
    CASE_PRESENTATION,
    clean_sections,
    heading_spans,
    parse_sections,
    skeleton,
)

CASE = BUILTIN_BY_KEY[CASE_PRESENTATION]


def test_case_presentation_has_the_five_sections_in_order() -> None:
    assert CASE.sections == (
        "Presenting concern",
        "Relevant history",
        "Question for the group",
        "What colleagues suggested",
        "Follow-up",
    )
    assert {"consultation_request", "supervision_record"} <= set(BUILTIN_BY_KEY)


def test_skeleton_parses_back_into_empty_sections() -> None:
    assert parse_sections(skeleton(CASE.sections), CASE.sections) == [
        (h, "") for h in CASE.sections
    ]


def test_sections_parse_inline_and_block_text_and_keep_leading_text() -> None:
    body = (
        "Intro line.\n\npresenting concern: low mood\n\nRelevant history:\nten sessions\n"
        "more history\nFollow-up: next month"
    )
    assert parse_sections(body, CASE.sections) == [
        ("", "Intro line."),
        ("Presenting concern", "low mood"),
        ("Relevant history", "ten sessions\nmore history"),
        ("Follow-up", "next month"),
    ]
    spans = heading_spans(body, CASE.sections)
    assert [body[a:b] for a, b in spans] == ["presenting concern", "Relevant history", "Follow-up"]


def test_user_sections_are_cleaned_and_checked() -> None:
    assert clean_sections([" Goals ", "", "Risk:"]) == ("Goals", "Risk")
    with pytest.raises(ValidationError, match="only once"):
        clean_sections(["Goals", "goals"])
    with pytest.raises(ValidationError, match="at least one"):
        clean_sections(["  "])


@pytest.mark.parametrize("alias", ["C-12", "Case K", "A1", "couple-3", "Client B"])
def test_short_codes_are_valid_aliases(alias: str) -> None:
    assert validate_alias(f"  {alias} ") == alias


@pytest.mark.parametrize("alias", ["Maria", "Client Maria", "J.S.", "3/14", "Tom7"])
def test_aliases_that_look_identifying_are_refused(alias: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_alias(alias)
    assert err.value.field == "alias"
    assert alias not in str(err.value)


@pytest.mark.parametrize("alias", ["", "C-12345678901", "C/12", "a b c"])
def test_malformed_aliases_are_refused(alias: str) -> None:
    with pytest.raises(ValidationError):
        validate_alias(alias)


def test_tags_are_normalised_and_identifying_tags_refused() -> None:
    assert normalize_tags(" Grief, couples ,grief,,DBT ") == ("grief", "couples", "dbt")
    with pytest.raises(ValidationError, match="identifying"):
        normalize_tags("grief, 555-123-4567")
    with pytest.raises(ValidationError):
        normalize_tags("a;b")


def test_name_replacements_offer_alias_and_roles_and_keep_possessive() -> None:
    text = "We talked about Maria's mother."
    f = next(f for f in find_phi(text) if f.category == "NAME")
    opts = replacement_options(f, "C-12")
    assert opts[0].text.startswith("C-12")
    assert "[client]" in [o.text.removesuffix("'s") for o in opts]
    if f.text.endswith("'s"):
        assert opts[0].text == "C-12's"
    new = apply_replacement(text, f, opts[0].text)
    assert "Maria" not in new and "C-12" in new


def test_date_replacement_offers_the_year_then_placeholder() -> None:
    text = "Admitted on 3/14/2024 after the crisis."
    f = next(f for f in find_phi(text) if f.category == "DATE")
    assert [o.text for o in replacement_options(f)][:2] == ["2024", "[date]"]


def test_replacement_refuses_a_stale_finding() -> None:
    text = "Call 555-123-4567 today."
    f = find_phi(text)[0]
    with pytest.raises(ValueError):
        apply_replacement("Call me later today, please.", f, "[phone]")


def test_dismissal_hash_ignores_case_and_spacing_but_not_category() -> None:
    assert finding_hash("Grace", "NAME") == finding_hash(" grace ", "NAME")
    assert finding_hash("Grace", "NAME") != finding_hash("Grace", "ORG")


def test_unresolved_drops_dismissed_findings_only() -> None:
    text = "Maria called from 555-123-4567."
    all_found = unresolved(text)
    name = next(f for f in all_found if f.category == "NAME")
    left = unresolved(text, {finding_hash(name.text, "NAME")})
    assert [f.category for f in left] == [f.category for f in all_found if f is not name]


def test_the_notes_own_alias_is_not_a_finding() -> None:
    text = "Client C-12 said the week was hard."
    assert unresolved(text, alias="C-12") == []


def test_query_parses_words_and_phrases_and_drops_punctuation() -> None:
    assert q.parse_query('sleep "panic attack" PHQ-9') == [
        q.Term("sleep", False),
        q.Term("panic attack", True),
        q.Term("PHQ", False),
        q.Term("9", False),
    ]
    assert q.parse_query('"unclosed phrase') == [q.Term("unclosed phrase", True)]
    assert q.parse_query('  "" ') == []


def test_fts_expression_quotes_every_term() -> None:
    terms = q.parse_query('grief "family system" NEAR')
    assert q.fts_match(terms) == '"grief"* AND "family system" AND "NEAR"*'


@given(st.text(max_size=60))
def test_any_query_becomes_a_safe_fts_expression(text: str) -> None:
    expr = q.fts_match(q.parse_query(text))
    # every double quote in the expression is part of a quoted term
    assert expr.count('"') % 2 == 0


def test_snippet_marks_matches_and_splits_back() -> None:
    body = "Long history. " * 20 + "Recent panic attacks at work; panic worse at night."
    snip = q.make_snippet(body, q.parse_query("panic"))
    parts = q.marked_parts(snip)
    assert [t for t, hit in parts if hit] == ["panic", "panic"]
    assert snip.startswith(q.ELLIPSIS)
    assert q.strip_marks(snip).replace(q.ELLIPSIS, "") in " ".join(body.split())
