"""Build the synthetic, labelled de-identification development corpus.

Usage::

    python tests/deid_corpus/build_corpus.py        # writes tests/deid_corpus/corpus.jsonl

The corpus is the hand-written notes in ``handwritten_*.txt`` plus template-generated notes
(fixed seed).  Everything is invented: names are made up or drawn from generic lists,
phone numbers use 555, e-mails use example.com/.org/.net, addresses are fictitious.

Markup in the sources: ``[[CATEGORY:text]]`` marks a gold span.  Conventions:

* NAME spans cover the name only (no title such as "Dr.", no possessive "'s").
* DATE spans cover the date elements (no leading "on"/"the", no weekday).
* AGE spans cover the number, plus "-year-old" when written as one compound.
* ID / ZIP / SSN spans cover the number only, not the keyword.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK_RE = re.compile(r"\[\[([A-Z]+):(.+?)\]\]")
CATS = {
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
}


def parse_marked(marked: str) -> tuple[str, list[dict[str, object]]]:
    out: list[str] = []
    spans: list[dict[str, object]] = []
    pos = 0
    length = 0
    for m in MARK_RE.finditer(marked):
        chunk = marked[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        cat, value = m.group(1), m.group(2)
        if cat not in CATS:
            raise ValueError(f"bad category {cat!r}")
        spans.append({"start": length, "end": length + len(value), "category": cat})
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise ValueError(f"unbalanced markup in: {text[:80]}")
    return text, _propagate_names(text, spans)


def _propagate_names(text: str, spans: list[dict[str, object]]) -> list[dict[str, object]]:
    """Every later mention of a marked name word is a NAME too (annotate once, label all)."""
    covered = bytearray(len(text))
    for s in spans:
        covered[int(str(s["start"])) : int(str(s["end"]))] = b"\x01" * (
            int(str(s["end"])) - int(str(s["start"]))
        )
    words = {
        w
        for s in spans
        if s["category"] == "NAME"
        for w in re.findall(
            r"[^\W\d_]+(?:-[^\W\d_]+)*", text[int(str(s["start"])) : int(str(s["end"]))]
        )
        if len(w) >= 2
    }
    extra: list[dict[str, object]] = []
    for w in words:
        # "Hope" the name vs "hope" the word; short names only as written
        flags = 0 if w in WORD_FIRST or len(w) < 3 else re.IGNORECASE
        for m in re.finditer(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, flags):
            if not any(covered[m.start() : m.end()]):
                extra.append({"start": m.start(), "end": m.end(), "category": "NAME"})
                covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    return sorted(spans + extra, key=lambda s: int(str(s["start"])))


def load_handwritten(paths: list[Path] | None = None) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []
    for path in sorted(paths if paths is not None else HERE.glob("handwritten_*.txt")):
        cur_id: str | None = None
        buf: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            if line.startswith("=== "):
                if cur_id is not None:
                    notes.append((cur_id, "\n".join(buf).strip()))
                cur_id, buf = line[4:].strip(), []
            else:
                buf.append(line)
        if cur_id is not None:
            notes.append((cur_id, "\n".join(buf).strip()))
    return notes


# --------------------------------------------------------------------------------------
# template generator

FIRST = [
    # invented or rare names (not necessarily in any name list)
    "Zelphine",
    "Oriel",
    "Tamsin",
    "Kazimir",
    "Bexley",
    "Thaddeus",
    "Marisela",
    "Quillon",
    "Ysolde",
    "Corvin",
    "Lirael",
    "Dashiell",
    "Ottoline",
    "Pernille",
    "Caspian",
    "Wrenna",
    "Isidore",
    "Marit",
    "Anselm",
    "Delphine",
    "Evander",
    "Florian",
    "Henrike",
    "Jovanna",
    "Leopold",
    "Maelis",
    "Nikandros",
    "Orsolya",
    "Perpetua",
    "Radomir",
    "Saoirse",
    "Taavi",
    # common / diverse names
    "Maria",
    "James",
    "Keisha",
    "Wei",
    "Priya",
    "Mohammed",
    "Sofia",
    "Darnell",
    "Olga",
    "Luis",
    "Aaliyah",
    "Connor",
    "Mei",
    "Hamid",
    "Brianna",
    "Tyrone",
    "Svetlana",
    "Diego",
    "Fatima",
    "Ethan",
    "Chloe",
    "Imani",
    "Raj",
    "Valentina",
    "Trevor",
    "Yusuf",
    "Leticia",
    "Jasmine",
    "Nathaniel",
    "Guadalupe",
    "Kwame",
    "Ingrid",
    "Shanice",
    "Dmitri",
    "Carmen",
]
WORD_FIRST = ["Hope", "Grace", "Faith", "Joy", "Will", "Mark", "Rose", "Dawn", "Amber", "Hunter"]
LAST = [
    "Okonkwo",
    "Vasquez",
    "Lindqvist",
    "Thibodeaux",
    "Nakamura",
    "Brennan-Holt",
    "Abernathy",
    "Castellano",
    "Przybylski",
    "Oyelaran",
    "Featherstone",
    "McAllister",
    "Delacroix",
    "Halvorsen",
    "Quintanilla",
    "Szymanski",
    "Achterberg",
    "Obuya",
    "Fairbanks",
    "Nguyen",
    "Rosenthal",
    "Kowalczyk",
    "Haddad",
    "Iwasaki",
    "Olufemi",
    "Marchetti",
    "Van Buren",
    "Stoltzfus",
    "Gallagher",
    "Ramaswamy",
    "Dunleavy",
    "Kapoor",
    "Whitfield",
    "Esposito",
    "Brown",
    "Young",
    "White",
    "Miller",
    "Rogers",
    "Green",
    "King",
    "Hill",
]
RELATIONS = [
    "husband",
    "wife",
    "partner",
    "son",
    "daughter",
    "mother",
    "father",
    "sister",
    "brother",
    "grandmother",
    "grandson",
    "aunt",
    "uncle",
    "roommate",
    "boyfriend",
    "girlfriend",
    "stepfather",
    "best friend",
    "ex-wife",
    "ex-husband",
    "cousin",
    "niece",
    "coworker",
    "boss",
]
CITIES = [
    "Dayton",
    "Tacoma",
    "Duluth",
    "Scranton",
    "Fresno",
    "Boise",
    "Flagstaff",
    "Savannah",
    "Pueblo",
    "Saginaw",
    "Bozeman",
    "Chattanooga",
    "Allentown",
    "Kalamazoo",
    "Lubbock",
    "Marlow Falls",
    "Cedar Bluff",
    "Wexley Heights",
    "East Harwich",
    "Port Easton",
    "Hollis Grove",
    "Brookhaven",
    "Carver Mills",
    "Little Compton",
    "Fenwick",
]
STATES = [
    ("Ohio", "OH"),
    ("Washington", "WA"),
    ("Minnesota", "MN"),
    ("Oregon", "OR"),
    ("Texas", "TX"),
    ("Georgia", "GA"),
    ("Michigan", "MI"),
    ("Colorado", "CO"),
]
STREETS = [
    "Maple Street",
    "Culpepper Lane",
    "Old Mill Road",
    "Brindle Court",
    "Quarry Hill Road",
    "Sycamore Ave",
    "Heron Point Drive",
    "Elmwood Avenue",
    "Larkspur St.",
    "Tamarack Drive",
    "Ferris Street",
    "Kingfisher Way",
    "Orchard Lane",
    "Birchwood Blvd",
    "W 14th Street",
]
SCHOOLS = [
    "Lincoln High School",
    "Greenfield Elementary",
    "Harborview Middle School",
    "Ravensworth University",
    "Tillman College",
    "Saint Ambrose Academy",
    "Westover Prep",
    "Northfield High School",
    "Mapleton Elementary School",
    "Cloverdale Junior High",
    "Eastbrook Community College",
]
EMPLOYERS = [
    "Acme Logistics",
    "Brightline Freight",
    "Calloway Steel",
    "Quillfeather Analytics",
    "Halberd Packaging",
    "Harbinger Mutual Insurance",
    "Consolidated Rail",
    "Pinecrest Manor",
    "Dinah's Diner",
    "Walmart",
    "Target",
    "Bluewater Credit Union",
    "Northgate Pediatrics",
    "Sterling Auto Body",
    "Kessler Construction",
    "Orion Software",
]
HOSPITALS = [
    "Mercy Hospital",
    "Holy Cross Hospital",
    "St. Jude's Behavioral Health",
    "Lakeshore Recovery Center",
    "Bellhaven VA Medical Center",
    "Riverside Trauma Clinic",
    "Valley Presbyterian Hospital",
    "Sunrise Pavilion",
    "Northshore Hospice",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
HOLIDAYS = [
    "Thanksgiving",
    "Christmas Eve",
    "Christmas",
    "New Year's Eve",
    "Easter",
    "Halloween",
    "the Fourth of July",
    "Mother's Day",
    "Father's Day",
    "Labor Day",
    "Memorial Day",
    "Valentine's Day",
    "Hanukkah",
    "Passover",
    "Diwali",
]

CLEAN_SENTENCES = [
    "She takes sertraline 50 mg every morning and reports mild nausea.",
    "He was started on escitalopram 10 mg, titrated to 20 mg after four weeks.",
    "Current medications include quetiapine 25 mg at bedtime and lamotrigine 150 mg.",
    "PHQ-9 was 17 at intake and 11 today; GAD-7 of 12.",
    "Diagnoses: F32.1 major depressive disorder, moderate; 309.81 PTSD by history.",
    "We are on session 12 of a planned 16-session protocol.",
    "She prefers to meet on Tuesday mornings because of childcare.",
    "He first noticed panic symptoms in 2019 and again in 2021.",
    "Client A is a 34-year-old in her 30s working in retail.",
    "We reviewed Gottman's four horsemen and the repair attempts research.",
    "I used Linehan's chain analysis and the DEAR MAN skill.",
    "The case formulation draws on Beck's cognitive triad and Young's schema modes.",
    "Rogers' core conditions are the anchor of the work.",
    "Yalom's here-and-now focus was suggested by the group.",
    "Bowlby and Ainsworth's attachment ideas help explain her protest behavior.",
    "Motivational interviewing (Miller and Rollnick) has reduced discord.",
    "EMDR (Shapiro) was considered but postponed until stabilization.",
    "She has been practicing mindfulness exercises from Kabat-Zinn's MBSR program.",
    "ACT per Hayes might help with experiential avoidance.",
    "Padesky's Socratic questioning worked better than direct disputation.",
    "There is hope that she will feel better by the end of the semester.",
    "He said he will try, and that he may call the crisis line if needed.",
    "She found grace and joy in her garden, and her faith community helps.",
    "Mark the date on the calendar, he joked; he bought a rose for his wife.",
    "Hope is what keeps her coming back, she said.",
    "Will power is not the issue; the issue is shame.",
    "May we revisit the safety plan next time?",
    "April was a hard month in general, she noted about the weather.",
    "He lived in Texas and later in Georgia for work.",
    "Her C-SSRS screen was negative; no access to firearms.",
    "AUDIT-C 7, DAST-10 of 3; he drinks mostly on Saturdays.",
    "The team recommended weekly sessions for the next two months.",
    "She rated her anxiety 8/10 before the exposure and 3/10 after.",
    "Y-BOCS 24, consistent with moderate OCD.",
    "He is a 72-year-old retired mechanic in his 70s.",
    "The 45-year-old client described feeling numb since the accident.",
    "PCL-5 of 48 suggests probable PTSD; CAPS-5 is pending.",
    "She takes bupropion XL 300 mg and trazodone 50 mg as needed for sleep.",
    "We reviewed the Stanley-Brown safety plan together.",
    "On Friday she skipped work; on Sunday she stayed in bed.",
    "Sessions 1-4 focused on psychoeducation about the anxiety cycle.",
    "He scored 26 on the MoCA and 9 on the GDS-15.",
    "Group members suggested Bowen's family systems lens.",
    "The BDI-II dropped from 29 to 14 over eight weeks.",
    "He described a pattern of rumination most evenings.",
    "She went back to school in 2022 and finished her degree in 2024.",
]

PHI_TEMPLATES = [
    "{C} is a {agec} referred by {REL_PERSON} for low mood.",
    "Her {rel} {P} has been staying with them since {HOLIDAY}.",
    "{Cpos} {rel}, {P}, called the office on {DATE} to ask about scheduling.",
    "{C} lives at {ADDR} in {CITY}.",
    "The family moved from {CITY} to {CITY2}, {STATE} in {MONTHEV} after the layoff.",
    "{Cfirst} works at {EMP} as a shift supervisor.",
    "{Cfirst} attends {SCHOOL} and is in 9th grade.",
    "{Cfirst} was admitted to {HOSP} on {DATE} and discharged on {DATE2}.",
    "Contact number on file: {PHONE}; fax for records {FAX}.",
    "She emailed from {EMAIL} late at night.",
    "He posts under {HANDLE} and follows {URL}.",
    "MRN {MRN}; insurance member ID {MEMBER}.",
    "The car involved had license plate {PLATE}.",
    "SSN on the intake form was {SSN}.",
    "The platform logged the session from IP {IP}.",
    "{Cfirst}'s grandmother is {AGE90} and still lives alone.",
    "Her father, {AGE90B}, moved into memory care in {CITY}.",
    "{Cfirst} said that on {HOLIDAY} the arguments got worse.",
    "Mailing address: {ADDR}, {CITY}, {ST} {ZIP}.",
    "{Clower} texted me again asking to move the appointment to {DATE}.",
    "{Cfirst} and {rel} {P} fought on {DATE} about money.",
    "Dr. {LAST} from {HOSP} will coordinate meds.",
    "Her supervisor at {EMP}, Mr. {LAST}, has been supportive.",
    "{CAPS} was the name written on the referral form.",
    "Her nickname is {NICK}, which she prefers.",
    "Since {MONTHEV2} when she was discharged, she has not returned to work.",
    "We meet again on the {ORD} and will review homework then.",
    "{C} turned {AGE90N} last {MONTHEV3}.",
]


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def name_first(self) -> str:
        return self.r.choice(FIRST)

    def date(self) -> str:
        r = self.r
        m, d, y = r.randint(1, 12), r.randint(1, 28), r.randint(2015, 2025)
        mon = MONTHS[m - 1]
        fmt = r.randint(0, 9)
        if fmt == 0:
            return f"{m}/{d}"
        if fmt == 1:
            return f"{m}/{d}/{y}"
        if fmt == 2:
            return f"{mon} {d}"
        if fmt == 3:
            suf = "th" if d > 3 else ["st", "nd", "rd"][d - 1]
            return f"{mon} {d}{suf}"
        if fmt == 4:
            return f"{d} {mon}"
        if fmt == 5:
            return f"{mon} {d}, {y}"
        if fmt == 6:
            return f"{y}-{m:02d}-{d:02d}"
        if fmt == 7:
            return f"{mon[:3]}. {d}" if len(mon) > 4 else f"{mon} {d}"
        if fmt == 8:
            return f"{m:02d}/{d:02d}/{str(y)[2:]}"
        return f"{mon} {y}"

    def phone(self) -> str:
        r = self.r
        a, b = r.randint(100, 999), r.randint(1000, 9999)
        return r.choice([f"(555) {a}-{b}", f"555-{a}-{b}", f"555.{a}.{b}", f"+1 555 {a} {b}"])

    def fill(self, tpl: str, ctx: dict[str, str]) -> str:
        r = self.r

        def rep(m: re.Match[str]) -> str:
            key = m.group(1)
            if key in ctx:
                return ctx[key]
            if key == "rel":
                return r.choice(RELATIONS)
            if key == "P":
                return f"[[NAME:{r.choice(FIRST + WORD_FIRST)}]]"
            if key == "REL_PERSON":
                return f"her {r.choice(['PCP', 'doctor', 'pastor'])}, Dr. [[NAME:{r.choice(LAST)}]]"
            if key in ("CITY", "CITY2"):
                return f"[[LOCATION:{r.choice(CITIES)}]]"
            if key == "STATE":
                return r.choice(STATES)[0]
            if key in ("MONTHEV", "MONTHEV2", "MONTHEV3"):
                return f"[[DATE:{r.choice(MONTHS)}]]"
            if key in ("DATE", "DATE2"):
                return f"[[DATE:{self.date()}]]"
            if key == "HOLIDAY":
                h = r.choice(HOLIDAYS)
                if h.startswith("the "):
                    return f"the [[DATE:{h[4:]}]]"
                return f"[[DATE:{h}]]"
            if key == "ADDR":
                unit = r.choice(["", "", f", Apt {r.randint(1, 40)}{r.choice('ABC')}"])
                return f"[[ADDRESS:{r.randint(2, 9999)} {r.choice(STREETS)}{unit}]]"
            if key == "ST":
                return ctx.setdefault("ST", r.choice(STATES)[1])
            if key == "ZIP":
                return f"[[ZIP:{r.randint(10000, 99999)}]]"
            if key == "EMP":
                return f"[[ORG:{r.choice(EMPLOYERS)}]]"
            if key == "SCHOOL":
                return f"[[ORG:{r.choice(SCHOOLS)}]]"
            if key == "HOSP":
                return f"[[ORG:{r.choice(HOSPITALS)}]]"
            if key == "PHONE":
                return f"[[PHONE:{self.phone()}]]"
            if key == "FAX":
                return f"[[FAX:{self.phone()}]]"
            if key == "EMAIL":
                user = r.choice(FIRST).lower() + r.choice([".", "_", ""]) + r.choice(LAST).lower()
                user = user.replace(" ", "")
                dom = r.choice(["example.com", "example.org", "example.net", "mail.example.com"])
                return f"[[EMAIL:{user}{r.randint(1, 99)}@{dom}]]"
            if key == "HANDLE":
                return f"[[URL:@{r.choice(FIRST).lower()}_{r.choice(['xo', 'real', 'art', '99'])}]]"
            if key == "URL":
                path = f"{r.choice(['blog', 'u', 'p'])}/{r.randint(10, 9999)}"
                return f"[[URL:https://www.example.com/{path}]]"
            if key == "MRN":
                return f"[[ID:{r.randint(10000000, 99999999)}]]"
            if key == "MEMBER":
                return f"[[ID:{r.choice(['XQH', 'BCB', 'MDC'])}{r.randint(100000000, 999999999)}]]"
            if key == "PLATE":
                letters = "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
                return f"[[ID:{r.randint(1, 9)}{letters}{r.randint(100, 999)}]]"
            if key == "SSN":
                return f"[[SSN:{r.randint(100, 899)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}]]"
            if key == "IP":
                octets = [r.randint(11, 223), r.randint(0, 255)]
                octets += [r.randint(0, 255), r.randint(1, 254)]
                return f"[[IP:{'.'.join(map(str, octets))}]]"
            if key == "AGE90":
                a = r.randint(90, 104)
                return r.choice([f"[[AGE:{a}]] years old", f"a [[AGE:{a}-year-old]]"])
            if key == "AGE90B":
                return f"aged [[AGE:{r.randint(90, 99)}]]"
            if key == "AGE90N":
                return f"[[AGE:{r.randint(90, 100)}]]"
            if key == "LAST":
                return f"[[NAME:{r.choice(LAST)}]]"
            if key == "NICK":
                return f"[[NAME:{r.choice(['Bubba', 'Tink', 'Lulu', 'Scooter', 'Bitsy', 'Dodo'])}]]"
            if key == "ORD":
                d = r.randint(4, 20)
                return f"[[DATE:{d}th]]"
            raise KeyError(key)

        return re.sub(r"\{(\w+)\}", rep, tpl)

    def note(self, idx: int, clean: bool) -> str:
        r = self.r
        sents: list[str] = []
        opener = r.choice(
            [
                "Case presentation for peer consultation.",
                "Supervision note.",
                "Consult request.",
                "Peer group case.",
                "Brief consult.",
                "Group supervision.",
                "Consultation summary.",
                "Question for the group.",
            ]
        )
        sents.append(opener)
        if clean:
            sents += r.sample(CLEAN_SENTENCES, r.randint(7, 14))
            return self._pad(sents)
        first = r.choice(FIRST + WORD_FIRST[:4])
        last = r.choice(LAST)
        style = r.random()
        ctx = {
            "C": f"[[NAME:{first} {last}]]",
            "Cfirst": f"[[NAME:{first}]]",
            "Cpos": f"[[NAME:{first}]]'s",
            "Clower": f"[[NAME:{first.lower()}]]" if style < 0.5 else f"[[NAME:{first}]]",
            "CAPS": f"[[NAME:{first.upper()} {last.upper()}]]",
            "agec": r.choice(["34-year-old", "52-year-old", "19-year-old", "67-year-old"]),
        }
        phi = r.sample(PHI_TEMPLATES, r.randint(4, 9))
        clean_s = r.sample(CLEAN_SENTENCES, r.randint(3, 7))
        body = phi + clean_s
        r.shuffle(body)
        # keep the full-name introduction first when present
        intro = r.choice(
            [
                "{C} is the client presented today.",
                "Client: {C}.",
                "Presenting {C} for input.",
                "This is about {C}, seen weekly since the spring.",
                "I saw {C} again this week.",
                "{C}, referred last month, is stuck.",
            ]
        )
        sents.append(self.fill(intro, ctx))
        for t in body:
            sents.append(self.fill(t, ctx) if "{" in t else t)
        return self._pad(sents)

    def _pad(self, sents: list[str]) -> str:
        while len(" ".join(sents).split()) < 65:
            extra = self.r.choice(CLEAN_SENTENCES)
            if extra not in sents:
                sents.append(extra)
        return " ".join(sents)


def generate(n: int, seed: int = 20260601) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    g = Gen(rng)
    out = []
    for i in range(n):
        clean = i % 3 == 0
        out.append((f"g{i:03d}", g.note(i, clean)))
    return out


def build() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for nid, marked in load_handwritten() + generate(110):
        text, spans = parse_marked(marked)
        rows.append({"id": nid, "text": text, "spans": spans})
    return rows


def main() -> None:
    rows = build()
    with (HERE / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    words = [len(str(r["text"]).split()) for r in rows]
    clean = sum(1 for r in rows if not r["spans"])
    print(f"{len(rows)} notes, {clean} clean, words min {min(words)} max {max(words)}")


if __name__ == "__main__":
    main()
