"""Unit tests for the general rules added after the session-4 blind batches zp-zt (app.deid).

Each rule has a positive case (the identifier is found) and a negative case (the clinical or
generic look-alike is left alone). All names, places and numbers are invented."""

from __future__ import annotations

import pytest

from app.deid import find_phi
from tests.unit.deid_helpers import flagged, found

# --- organisations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Placement agency is Riverbend Family Services; case worker assigned.",
        "Report made to Calder County Child Protective Services this morning.",
    ],
)
def test_public_agency_named_after_a_place_is_an_org(text: str) -> None:
    assert "ORG" in found(text).values()


def test_generic_public_agency_is_not_an_org() -> None:
    got = found(
        "A report to Adult Protective Services was made. The Minnesota Department of Human "
        "Services wrote back."
    )
    assert "ORG" not in got.values()


def test_lower_case_organisation_tail() -> None:
    assert found("call dr patel at riverside behavioral health re med change").get(
        "riverside behavioral health"
    ) == "ORG"
    assert found("anger at his supervisor at sunland auto parts who yelled").get(
        "sunland auto parts"
    ) == "ORG"
    assert "harbor" in flagged("connected w/ advocate at harbor house dv shelter today")


def test_generic_lower_case_care_is_not_an_org() -> None:
    text = "a minor can consent to outpatient mental health care at 16; she is at the shelter"
    assert not any(f.category == "ORG" for f in find_phi(text))


def test_ampersand_inside_an_organisation_name() -> None:
    got = found("prepared by his attorney's office, Kessler & Doane Disability Law, with notes")
    assert got.get("Kessler & Doane Disability Law") == "ORG"


def test_military_branch_is_not_an_employer() -> None:
    assert "Navy" not in flagged("He retired from the Navy in 2016 and works nights now.")


def test_capitalised_managing_starts_a_title_not_an_employer_cue() -> None:
    assert not flagged("Triple P Level 4, module 3 (Managing Misbehavior). Parents attended.")
    assert "Starbucks" in flagged("he is managing Starbucks near the station")


def test_sentence_opening_verb_is_not_part_of_an_org() -> None:
    got = flagged("Tuesday. Called Cascadia Health Plan behavioral health line.")
    assert "Cascadia" in got
    assert "Called" not in got


def test_national_acronym_heads_no_org() -> None:
    assert not flagged("We reviewed the AAP Family Media Plan tool with the parents.")


def test_method_framework_is_not_a_street() -> None:
    assert not flagged("Dyadic session. Using Circle of Security framework: being with")
    assert found("She lives on Sterling Circle now.").get("Sterling Circle") == "ADDRESS"


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("no plan, knows 988. nxt appt tues 3/4 4pm. call back", "3/4"),
        ("agreed to biweekly. nxt 12/11 then 1/8", "1/8"),
        ("weekly home visits, next one is the 19th", "19th"),
        ("next session is the twentieth, same time", "twentieth"),
        ("wants to go to the procession on 12 de diciembre", "12 de diciembre"),
        ("after a fall at Christmas 2022 she moved in", "Christmas 2022"),
    ],
)
def test_date_forms(text: str, date: str) -> None:
    assert found(text).get(date) == "DATE"


def test_fractions_and_doses_are_not_dates() -> None:
    got = flagged("she does this 3/4 of the time; next 1/2 tab at night; the next step")
    assert not {"3/4", "1/2"} & got


# --- names ------------------------------------------------------------------------------------


def test_english_word_surname_after_lower_case_first_name() -> None:
    assert "brooks" in flagged("billing mess for angela brooks - ssn on file is wrong")
    assert "has" not in flagged("carla has their number and the hotline")


def test_semicolon_citations_are_authors() -> None:
    assert not flagged("trauma literature (Brave Heart, 1998; Evans-Campbell, 2008) and more")
    assert "Rosa" in flagged("her mother (Rosa Diaz) came to session")


def test_trailing_and_leading_initials() -> None:
    assert "R" in flagged("He reports that Kyle R. and two others took his lunch.")
    got = flagged("Coordination of care - shared client R. Villanueva, following up")
    assert "Villanueva" in got


def test_initials_nickname_before_an_age() -> None:
    got = flagged("Parent consult re: JJ (3), who has been biting peers. JJ's language")
    assert "JJ" in got
    assert "PHQ-9" not in flagged("GAD (7) and PHQ-9 (12) at intake")


def test_form_labels_are_not_names_and_columns_do_not_merge() -> None:
    got = find_phi("Client: Desmond K. Achterberg    D.O.B. 11-04-1972\nAttn: Ms. Ana Ruiz")
    texts = {f.text: f.category for f in got}
    assert texts.get("Desmond K. Achterberg") == "NAME"
    assert "Attn" not in texts
    assert not any("D.O.B" in t for t in texts)


@pytest.mark.parametrize(
    "text",
    [
        "the role of lwa in Haitian Vodou was discussed in general terms",
        "Interpreters follow the NCIHC National Code of Ethics and CHIA standards.",
        "One clinician will enroll through PECOS after getting an NPI.",
        "She grew up in Jalisco and moved north in 2001.",
    ],
)
def test_cultural_terms_acronyms_and_foreign_states_are_not_phi(text: str) -> None:
    assert not flagged(text)


def test_age_after_relative_with_now() -> None:
    assert found("caring for her father, now 94, who moved in").get("94") == "AGE"
    assert "54" not in flagged("caring for her father, now 54, who moved in")


# --- ALL-CAPS notes and surnames that look like plurals --------------------------------


def test_all_caps_note_keeps_addresses_dates_orgs_and_names() -> None:
    got = found(
        "LEFT VM. IF NO CALLBACK BY FRI SEND DISCHARGE LTR TO 2218 N OAKWOOD AVE APT 3, "
        "MILWAUKEE WI 53212. MOM WANDERED OUT OF MAPLEWOOD SENIOR LIVING LAST NIGHT. "
        "SCHEDULED INTAKE MARCH 6 3:30. D/C NOTE - CL WILL HARGROVE, SEEN TODAY."
    )
    assert got.get("2218 N OAKWOOD AVE APT 3") == "ADDRESS"
    assert got.get("MAPLEWOOD SENIOR LIVING") == "ORG"
    assert got.get("MARCH 6") == "DATE"
    assert got.get("WILL HARGROVE") == "NAME"
    assert "CALLBACK" not in got


def test_all_caps_function_word_before_a_place_is_not_a_name() -> None:
    got = flagged("SON GARY IN ROCHESTER WANTS A HOSPICE EVAL. UNCLE TUNDE IN BROOKLYN PARK.")
    assert "IN" not in got
    assert {"GARY", "ROCHESTER"} <= got


def test_surname_that_is_english_only_by_a_suffix() -> None:
    assert "Morales" in flagged("I spoke with Morales yesterday about the plan.")
    assert not flagged("We discussed Strengths and Concerns and Goals.")


# --- batch zv (ordinary notes, scored after the rules above) ------------------------------


def test_toll_free_numbers_are_flagged_unless_national_hotlines() -> None:
    got = found("Notes faxed to 866-555-0139. Call 1-800-273-8255 or the plan at 1-800-555-0146.")
    assert got.get("866-555-0139") == "FAX"
    assert got.get("1-800-555-0146") == "PHONE"
    assert "1-800-273-8255" not in got


def test_see_after_a_subject_is_a_visit_not_a_citation() -> None:
    assert "Lily" in flagged("Consultation request. I see Lily Osei, age 9, for adjustment.")
    assert "Marco" in flagged("We see Marco weekly.")
    assert not flagged("For the model, see Linehan (1993); described by Laidlaw and Thompson.")


def test_pet_name_after_the_animal() -> None:
    assert "Rosie" not in flagged("She scheduled a short walk with her dog, Rosie, before work.")
    assert "Maria" in flagged("Her dog walker Maria came by.")


# --- batch zw (word-names, brands, public figures) ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "He has been playing the Johnny Cash records his grandfather loved.",
        "She wore an Aaron Rodgers jersey and misses Pat Sajak more than relatives.",
        "Reading Atomic Habits (James Clear); she is no Martha Stewart but cooked twice.",
        "Her cat, Dolly, is named after Dolly Parton.",
    ],
)
def test_public_figures_and_pets_are_not_phi(text: str) -> None:
    assert not flagged(text)


def test_public_figure_list_needs_the_full_name() -> None:
    assert "Cash" in flagged("Met with Melanie Cash and her mother today.")


def test_letter_salutation_is_not_a_street_and_keeps_the_date() -> None:
    got = found("Re: Mercedes Lund, DOB 2/9/1995 Dear Dr. Marchetti, I am referring her")
    assert got.get("2/9/1995") == "DATE"
    assert not any(c == "ADDRESS" for c in got.values())


def test_age_after_died_at_followed_by_a_place() -> None:
    assert found("his grandfather, who died at 94 at St. Brigid's Hospice").get("94") == "AGE"


def test_esquire_is_not_a_name() -> None:
    assert "Esq" not in flagged("Requested by: Priya Raman, Esq., Raman & Cole LLP")


# --- batch zu (supervision minutes) -------------------------------------------------------


def test_quoted_single_letter_after_client_is_an_alias() -> None:
    assert not flagged('Case 2: Client "J" (we agreed to keep the alias). Client "M" is 58.')
    assert "D" in flagged('She said her son, "D", was late again; D\'s teacher called.')


def test_case_aliases_and_scales_are_not_ids() -> None:
    got = found(
        "Case A-17: adult male. Case CF-2: couple. Case 1: PHQ-9 22 -> 9. Case # CW-24-08817."
    )
    assert got == {"CW-24-08817": "ID"}


def test_credentials_are_not_part_of_names() -> None:
    got = found("Present: Augustin Mbeki MD (psychiatry), Laurel Pennington-Ruiz LCPC")
    assert got.get("Augustin Mbeki") == "NAME"
    assert got.get("Laurel Pennington-Ruiz") == "NAME"


def test_generic_agencies_and_consultation_groups_are_not_orgs() -> None:
    got = flagged("Referral to the local Area Agency on Aging; minutes of the Trauma Peer Group.")
    assert not {"Area", "Agency", "Peer", "Group"} & got


def test_surname_after_a_cued_lower_case_first_name() -> None:
    assert "marsh" in flagged("quick note. client hope marsh came in 10 min late.")
    assert "park" in flagged("sunny (legal name soo-ah park), 16, junior")
    assert "left" not in flagged("client hope marsh left early; angela has left")


# --- batches zx and zy (second control; e-mail and chat requests) ------------------------


def test_address_units_building_lot_floor() -> None:
    assert found("915 Quarry Road, Bldg C, Milbrook Falls").get("915 Quarry Road, Bldg C")
    assert found("480 Linden Street, 2nd Floor, Northfield").get("480 Linden Street, 2nd Floor")
    assert found("She lives at 12 Oak St. Lot of stress lately.").get("12 Oak St.") == "ADDRESS"


def test_chat_line_name_before_a_timestamp() -> None:
    assert "Jasmine" in flagged("[Teams chat]\nJasmine Oduya 9:03 AM\nQuestion for whoever.")


def test_reply_after_a_speaker_label_is_not_a_name() -> None:
    assert not flagged("Supervisor: Good. Supervisor: Fine. Supervisor: Bring a genogram.")
    assert "Marco" in flagged("Client: Marco. Mother: Rose Baker")


def test_weekday_comma_ordinal_and_id_after_with_us() -> None:
    assert found("Luz called Tuesday, the 8th, to report").get("8th") == "DATE"
    assert found("His chart number with us is MG-20417.").get("MG-20417") == "ID"


def test_all_caps_phrases_inside_an_ordinary_note() -> None:
    got = found("anxiety too, school is HAWTHORNE ELEMENTARY. scheduled intake MARCH 6 3:30.")
    assert got.get("HAWTHORNE ELEMENTARY") == "ORG"
    assert got.get("MARCH 6") == "DATE"
    assert "vanderbilts" not in flagged("teacher vanderbilts attached, scored high")


def test_lower_case_address_does_not_start_at_her_place() -> None:
    got = found("visit with mrs dorothy kim who is 91 at her place 48 birchwood lane in fairhaven")
    assert got.get("48 birchwood lane") == "ADDRESS"
    assert "place" not in flagged("she is 91 at her place now")
