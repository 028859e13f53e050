"""Tests for the offline PHI detector (app.deid)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.deid import CATEGORIES, Finding, find_phi
from tests.unit.deid_helpers import flagged, found

ROOT = Path(__file__).resolve().parents[2]


# --- positives -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "category"),
    [
        ("Maria reported low mood.", "Maria", "NAME"),
        ("We spoke with Maria's sister about it.", "Maria", "NAME"),
        ("Her husband Tom drinks daily.", "Tom", "NAME"),
        ("client Zelphine Okonkwo-Reyes presented today", "Zelphine Okonkwo-Reyes", "NAME"),
        ("Referred by Dr. Przybylski last week.", "Przybylski", "NAME"),
        ("typed fast: maria came in late", "maria", "NAME"),
        ("REFERRAL FOR MARIA LOPEZ", "MARIA LOPEZ", "NAME"),
        ("Her daughter Grace is 9.", "Grace", "NAME"),
        ("He goes by Bubba at work.", "Bubba", "NAME"),
        ("Mrs. Young is her neighbor.", "Young", "NAME"),
        ("Seen on 3/14 for intake.", "3/14", "DATE"),
        ("Admitted 14 March and discharged March 14th.", "14 March", "DATE"),
        ("Admitted 14 March and discharged March 14th.", "March 14th", "DATE"),
        ("DOB 04/17/1958", "04/17/1958", "DATE"),
        ("Next appointment is on the 9th.", "9th", "DATE"),
        ("She relapsed in March when she was discharged.", "March", "DATE"),
        ("It all fell apart on Thanksgiving.", "Thanksgiving", "DATE"),
        ("He drank heavily on Christmas Eve.", "Christmas Eve", "DATE"),
        ("Visited on 2024-03-14.", "2024-03-14", "DATE"),
        ("A 92-year-old widow lives alone.", "92-year-old", "AGE"),
        ("Her mother, aged 91, moved in.", "91", "AGE"),
        ("Her grandmother says she is 95 now.", "95", "AGE"),
        ("Call (555) 214-8870 after 5.", "(555) 214-8870", "PHONE"),
        ("Mobile 555-478-2290.", "555-478-2290", "PHONE"),
        ("Send records by fax 555-733-2018.", "555-733-2018", "FAX"),
        ("Email jane.doe@example.com with updates.", "jane.doe@example.com", "EMAIL"),
        ("She lives at 123 Maple Street, Apt 4B now.", "123 Maple Street, Apt 4B", "ADDRESS"),
        ("She grew up in Dayton before moving.", "Dayton", "LOCATION"),
        ("Springfield, IL 62704", "62704", "ZIP"),
        ("SSN 123-45-6789 on the form.", "123-45-6789", "SSN"),
        ("MRN 12345678 in the chart.", "12345678", "ID"),
        ("License plate 7ABC123 was reported.", "7ABC123", "ID"),
        (
            "See https://www.example.com/blog/12 for posts.",
            "https://www.example.com/blog/12",
            "URL",
        ),
        ("She posts as @sunnygirl99 online.", "@sunnygirl99", "URL"),
        ("Logged in from 192.168.1.20 last night.", "192.168.1.20", "IP"),
        ("He works at Acme Logistics on nights.", "Acme Logistics", "ORG"),
        ("She attends Lincoln High School.", "Lincoln High School", "ORG"),
        ("Admitted to Mercy Hospital overnight.", "Mercy Hospital", "ORG"),
        ('Client said, "Lupe was the golden child."', "Lupe", "NAME"),
        ("Attendees: Orrin, Beatriz, Imogen.", "Beatriz", "NAME"),
        ("He has a chosen name, Sparrow, and asked me to call them Sparrow.", "Sparrow", "NAME"),
        ("Inspector R. Delvecchio gave notice.", "R. Delvecchio", "NAME"),
        ("Leeds LS6 2HX", "LS6 2HX", "ZIP"),
        ("Her car is parked off Route 9 most nights.", "Route 9", "ADDRESS"),
        ("She attends St. Cyprian's every Sunday.", "St. Cyprian's", "ORG"),
        ("Mom works nights at Amazon now.", "Amazon", "ORG"),
        ("Mrs. Esperanza Quintero, 94, lives alone.", "94", "AGE"),
        ("He is a 93 yo retired carrier.", "93", "AGE"),
        ("pt dmitri volkov came late", "dmitri volkov", "NAME"),
        ("Since we spoke on the 2nd she has improved.", "2nd", "DATE"),
        ("She fasted and prayed during Ramadan.", "Ramadan", "DATE"),
        ("Next appt august 19 at noon.", "august 19", "DATE"),
        ("He grew up in Marlow Falls.", "Marlow Falls", "LOCATION"),
        ("Jun works 70 hours a week.", "Jun", "NAME"),
        ("Started CBT 3/14 with good effect.", "3/14", "DATE"),
        ("Client Maria de la Cruz came alone.", "Maria de la Cruz", "NAME"),
        ("Her daughter Georgia lives in Macon.", "Georgia", "NAME"),
        ("Client is Kenya Holloway, 15.", "Kenya Holloway", "NAME"),
        ("Snacks allowed. Grace, the co-leader, suggested a module.", "Grace", "NAME"),
        ("The Johnsons (Mark and Linda) adopted twins.", "Linda", "NAME"),
        ("Case 1 (Thomas): man with panic disorder.", "Thomas", "NAME"),
        ("After her promotion at Pfizer she panicked.", "Pfizer", "ORG"),
        ("He works for FedEx in Memphis.", "FedEx", "ORG"),
        ("April said she may come back.", "April", "NAME"),
        ("Seen 5/2023 for intake.", "5/2023", "DATE"),
        ("A 92F with dementia.", "92", "AGE"),
        ("Dev's mother, 91, lives with them.", "91", "AGE"),
        ("Kieran had been at Sober Living of Tempe.", "Sober Living of Tempe", "ORG"),
        ("SS# 078 05 1120 on file.", "078 05 1120", "SSN"),
        ("Policy No. BCX-8812-334 is active.", "BCX-8812-334", "ID"),
        ("His NPI 1234567893 was listed.", "1234567893", "ID"),
        ("Car: VIN 1HGCM82633A004352.", "1HGCM82633A004352", "ID"),
        (
            "Lives at 1600 Pennsylvania Ave NW, Apt. 12B.",
            "1600 Pennsylvania Ave NW, Apt. 12B",
            "ADDRESS",
        ),
        ("P.O. Box 4471, Springfield, MO 65801-4471.", "P.O. Box 4471", "ADDRESS"),
        ("IP 2001:db8:85a3::8a2e:370:7334 in the log.", "2001:db8:85a3::8a2e:370:7334", "IP"),
        ("Last seen on the twenty-first.", "twenty-first", "DATE"),
    ],
)
def test_positive(text: str, expected: str, category: str) -> None:
    got = found(text)
    assert expected in got, f"{expected!r} not flagged in {text!r}: {got}"
    assert got[expected] == category


# --- negatives -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "She takes sertraline 50 mg and quetiapine 25 mg at night.",
        "Sertraline was increased last week.",
        "Diagnoses F32.1 and 309.81; PHQ-9 17, GAD-7 of 12, PCL-5 of 48.",
        "We are on session 12 of 16.",
        "She prefers to meet on Tuesday.",
        "She first had panic attacks in 2019.",
        "A 34-year-old client in her 30s.",
        "An 89-year-old man, aged 89.",
        "Client A and Client B are in the same group.",
        "We used Gottman, Linehan, Beck and Rogers; Yalom, Bowlby and Ainsworth too.",
        "Motivational interviewing (Miller and Rollnick) and EMDR (Shapiro).",
        "Mindfulness per Kabat-Zinn; ACT (Hayes); Young's schema modes; Padesky.",
        "There is hope that she will find grace, faith and joy; she may rest.",
        "Hope is what keeps her going.",
        "Mark the date; he gave her a rose.",
        "April was a hard month for everyone.",
        "He moved from Texas to Ohio and then to California.",
        "She rated her anxiety 8/10 before exposure.",
        "Will follow up next week.",
        "The Beck Depression Inventory and the Columbia scale were used.",
        "CBT-E (Fairburn) and written exposure therapy (Sloan and Marx) were discussed.",
        "We discussed Clark's cognitive model and Bordin's tripartite model.",
        "Reading: Bernard and Goodyear on supervision models.",
        "Something closer to Yalom-style existential work.",
        "He attends NA on Thursdays and AA on Saturdays.",
        "Discussion of Ramadan and fasting with her medication schedule.",
        "We used the Stanley-Brown safety plan and Socratic questioning.",
        "Lives with her nan. The 5 Ps formulation. No PHI in this one.",
        "He enjoys reading Marcus Aurelius.",
        "It was rated 7/10, then 24/7 support, then 1/2 tablet.",
        "We read Herman's Trauma and Recovery chapter.",
        "Crisis resources: 988, or 1-800-273-8255, or 911.",
        "PHQ-9 9/27 today; attended 6/12 sessions; MoCA 26/30; drinks 5/7 days.",
        "Vanderbilt: inattention 8/9, hyperactivity 6/9.",
        "Journal club on the Dodo Bird verdict (Rosenzweig; Luborsky).",
        "Patel and colleagues' meta-analysis was mentioned.",
        "The counterpoint from Chambless and Hollon on empirically supported treatments.",
        "The role of the Catholic Church; they attend a Methodist church.",
        "The National Institute of Mental Health has guidance.",
        "We reviewed the Sobell timeline followback.",
        "Reading list: Judith Herman, Bessel van der Kolk, Peter Levine, Deb Dana.",
        "He attends Al-Anon and SMART Recovery; she uses Headspace.",
    ],
)
def test_negative(text: str) -> None:
    assert find_phi(text) == [], [(f.text, f.category, f.reason) for f in find_phi(text)]


def test_finding_shape() -> None:
    text = "Her son Tom called on 3/14."
    fs = find_phi(text)
    assert fs == sorted(fs, key=lambda f: f.start)
    for f in fs:
        assert isinstance(f, Finding)
        assert f.category in CATEGORIES
        assert f.text == text[f.start : f.end]
        assert f.reason
    with pytest.raises(AttributeError):
        fs[0].start = 3  # type: ignore[misc]


def test_possessive_not_in_span() -> None:
    fs = find_phi("Maria's husband is supportive.")
    assert [f.text for f in fs] == ["Maria"]


def test_name_propagates_to_other_mentions() -> None:
    words = flagged("Her daughter Hope visited. Later Hope said she was fine.")
    assert "Hope" in words
    assert len([f for f in find_phi("Her daughter Hope visited. Later Hope said so.")]) == 2


def test_empty() -> None:
    assert find_phi("") == []


def test_token_gates_match_text_scans() -> None:
    """The fast path (trigger words from the tokeniser) finds what the plain scans find."""
    from app.deid.lexicon import lexicon
    from app.deid.names import gate_hits, tokenize
    from app.deid.patterns import find_structured

    text = (
        "On Thanksgiving and Christmas Eve, the 3rd of May, mid-November, on the first, "
        "123 Maple Street Apt 4B, on Elm Street, 88 cedar st apt 2, during Ramadan, "
        "Martin Luther King Jr. Day, the Fourth of July, Rue Saint-Hubert."
    )
    gates = gate_hits(tokenize(text, lexicon()))
    assert set(find_structured(text)) == set(find_structured(text, gates))


def test_gc_state_restored() -> None:
    import gc

    assert gc.isenabled()
    find_phi("Her son Tom called on 3/14.")
    assert gc.isenabled()
    gc.disable()
    try:
        find_phi("Her son Tom called on 3/14.")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_warm_up() -> None:
    from app.deid import warm_up

    warm_up()
    assert find_phi("Her son Tom called.")[0].text == "Tom"


def test_non_overlapping_sorted() -> None:
    text = (
        "Maria Lopez (DOB 3/4/1950), 123 Main Street, Springfield, IL 62704, "
        "maria.lopez@example.com, 555-123-4567, seen at Mercy Hospital on March 3rd."
    )
    fs = find_phi(text)
    for a, b in zip(fs, fs[1:], strict=False):
        assert a.end <= b.start


# --- properties --------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_property_arbitrary_unicode(text: str) -> None:
    fs = find_phi(text)
    prev_end = 0
    for f in fs:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end]
        assert f.start >= prev_end
        prev_end = f.end


_WORDS = st.sampled_from(
    "Maria Tom hope Grace on 3/14 the 9th March in 2019 Dr. Smith 555-123-4567 at Acme Logistics "
    "aged 95 . , ' 's ( ) \n sertraline 50 mg PHQ-9 Mercy Hospital @handle x@example.com".split(" ")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=60))
def test_property_word_salad(words: list[str]) -> None:
    text = " ".join(words)
    for f in find_phi(text):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end].strip()


# --- corpus floor (regression guard) -----------------------------------------------------


def test_corpus_floors() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    try:
        import bench_deid
    finally:
        sys.path.pop(0)
    rows = bench_deid.load_corpus()
    assert len(rows) >= 400
    sc = bench_deid.evaluate(rows)
    recall, precision, _ = sc.overall()
    per = sc.per_category()
    # floors a little below the current scores on all 725 notes, including the deliberately
    # hard lower-case/ALL-CAPS batch zd (recall 0.980, precision 0.990, NAME recall 0.982 /
    # precision 0.984, DATE recall 0.996, ORG recall 0.939), so a regression fails CI
    assert recall >= 0.975, recall
    assert precision >= 0.985, precision
    assert per["NAME"][0] >= 0.975, per["NAME"]
    assert per["NAME"][1] >= 0.975, per["NAME"]
    assert per["DATE"][0] >= 0.99, per["DATE"]
    assert per["ORG"][0] >= 0.93, per["ORG"]


# --- CLI -------------------------------------------------------------------------------


def _run_cli(
    argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    from app.cli import cmd_deid

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    cmd_deid.register(sub)
    args = parser.parse_args(argv)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    rc = args.func(args)
    out = capsys.readouterr().out
    return rc, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_cli_findings(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    rc, rows = _run_cli(["deid-check", "-"], "Her son Tom called on 3/14.", monkeypatch, capsys)
    assert rc == 1
    assert {r["text"] for r in rows} == {"Tom", "3/14"}
    assert set(rows[0]) == {"start", "end", "category", "text"}


def test_cli_clean(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    rc, rows = _run_cli(
        ["deid-check", "-"], "PHQ-9 of 17 on sertraline 50 mg.", monkeypatch, capsys
    )
    assert rc == 0
    assert rows == []


def test_cli_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "note.txt"
    p.write_text("Email jane@example.com", encoding="utf-8")
    rc, rows = _run_cli(["deid-check", str(p)], "", monkeypatch, capsys)
    assert rc == 1
    assert rows[0]["category"] == "EMAIL"
