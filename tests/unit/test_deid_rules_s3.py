"""Unit tests for the general rules added after the session-3 blind batches zn-zr (app.deid)."""

from __future__ import annotations

import pytest

from app.deid import find_phi


def found(text: str) -> dict[str, str]:
    return {f.text: f.category for f in find_phi(text)}


def flagged(text: str) -> set[str]:
    return {w for f in find_phi(text) for w in f.text.split()}


# --- batch zo: supervision records and forms ---------------------------------------------


def test_contraction_typed_without_apostrophe_is_not_a_surname() -> None:
    got = flagged("pt brought up tyler again, says tyler doesnt text back, tyler hasnt called")
    assert "tyler" in got
    assert not {"doesnt", "hasnt"} & got


def test_form_columns_do_not_pair_a_label_with_a_name() -> None:
    got = flagged("Student: Anneliese Mbatha-Koenig   Student ID: U20418873")
    assert {"Anneliese", "Mbatha-Koenig", "U20418873"} <= got
    assert "Student" not in got


def test_possessive_relationship_word_before_a_common_noun() -> None:
    assert "story" not in flagged("She moves to solutions before exploring the client's story.")
    assert "destiny" in flagged("the client's daughter destiny lives in fresno")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("SUPERVISEE: DIALLO, MAMADOU   LGSW #LGSW-55120", "MAMADOU"),
        ("Client: Okafor, Chidubem\nDiagnosis: GAD", "Chidubem"),
        ("Site supervisor: Felicity Umeh, LPC", "Felicity"),
    ],
)
def test_form_field_first_names(text: str, name: str) -> None:
    assert name in flagged(text)


def test_form_field_acronym_list_is_not_a_name() -> None:
    assert found("Diagnosis: GAD, MDD\nPlan: CBT") == {}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("SUPERVISEE: DIALLO, MAMADOU   LGSW #LGSW-55120", "LGSW-55120"),
        ("Case # 884213 was opened.", "884213"),
    ],
)
def test_hash_sign_cues_an_identifier(text: str, value: str) -> None:
    assert found(text).get(value) == "ID"


def test_practicum_is_a_word() -> None:
    assert "Practicum" not in flagged("MINUTES - Practicum Site Liaison Meeting")


def test_date_range_after_a_word_starting_like_a_rating_cue() -> None:
    got = found("Benedikt will cover urgent consults 12/26-12/29; reach him by phone.")
    assert got.get("12/26") == "DATE" and got.get("12/29") == "DATE"


@pytest.mark.parametrize("text", ["mood 3/10 today, anxiety rated 7/10", "urges 4/10 after"])
def test_ratings_still_are_not_dates(text: str) -> None:
    assert not [f for f in find_phi(text) if f.category == "DATE"]


def test_org_name_with_of_the() -> None:
    assert found("Hospice: Mercy Hospice of the Valley in Fresno.").get(
        "Mercy Hospice of the Valley"
    ) == "ORG"


def test_eponym_possessive_after_a_work_cue_is_a_model() -> None:
    text = "We are working from Gottman's Sound Relationship House; heavy stonewalling."
    assert found(text) == {}
