"""Token-based detection of person names, places and organisations.

The text is tokenised once (ordinary lower-case dictionary words that no rule looks at are
skipped); every token gets a few cheap features (capitalisation, sentence start,
possessive, the text gap before it) and :func:`find_names` runs ordered passes:

1. multi-word phrases: states/countries and cited authors (never PHI), gazetteer places;
2. organisations: capitalised runs ending in an organisation word, runs after an
   employer/school cue ("works at", "attends", "Employer:"), "at Valley Presbyterian",
   saint-named institutions, lower-case "essex county youth house";
3. per-token decisions: title/relationship cues, first-name and surname lists, capitalised
   words that are not English words, word-names in name position, places, lower-case
   first names; then cited authors/eponyms are removed again ("Clark's model");
4. multi-word places, surname pairing, middle initials, lists of names, particles;
5. propagation of a confirmed name to its other mentions; initials ("J.M.").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from app.deid.finding import Category
from app.deid.lexicon import Lexicon, lexicon
from app.deid.patterns import Gates, Span, ascii_words

WORD_RE: Final = re.compile(r"[^\W\d_][\w'’-]*")
# the same words in a text whose only non-ASCII characters are punctuation (cheaper)
_ASCII_WORD_RE: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9_'’-]*")

TITLES: Final = frozenset(
    "mr mrs ms miss mx dr prof professor sr sra srta mister madam sir dame rev reverend fr father"
    " pastor rabbi imam sister brother aunt auntie uncle grandma grandpa granny nana nanna"
    " nonna nonno oma opa bubbe zayde lola lolo abuelita abuelito yaya baba dedushka"
    " papa abuela abuelo tia tio officer detective judge coach principal nurse counselor"
    " counsellor deacon elder bishop captain sergeant sgt lt lieutenant det capt cpl pvt maj"
    " col gen cmdr chaplain tía tío padre madre doña señora señor hermano hermana avó avô vovó"
    " vovô tante oncle nani dadi".split()
) | frozenset(
    # kinship words from other languages, used as titles ("Khala Rubina", "Tito Boyet") or
    # on their own for a relative ("her yiayia", "Hooyo and Aabe"): never names themselves
    """amma appa ammi abba ummi umma abbu biji bauji dada dadu nanu nanaji
    naniji dadaji chacha chachi mamu mami mamaji khala khalu phuphi phupho bhua bua bhabhi
    hooyo aabe aabo ayeeyo awoowe halmoni halmeoni harabeoji omma eomma abeoji yiayia yiayiá
    pappou papou teta jiddo jeddo sitti sittu paati thatha ammamma achan amma-ji aunty
    babcia dziadek baba-ji obaachan ojiisan nainai yeye laolao laoye popo gonggong ahma
    akong lolo ate kuya manang manong bà ông nội ngoại cô chú dì""".split()
)
# Titles strong enough to override the eponym list (Mr. Miller is a person).
STRONG_TITLES: Final = frozenset("mr mrs ms miss mx mister dr".split())
RELATIONS: Final = frozenset(
    """husband wife partner spouse boyfriend girlfriend fiance fiancee fiancé fiancée ex
    ex-husband ex-wife ex-partner ex-boyfriend ex-girlfriend son daughter child kid baby
    infant toddler stepson stepdaughter brother sister sibling twin half-brother half-sister
    stepbrother stepsister mother father mom dad mum mommy daddy stepmother stepfather
    stepmom stepdad grandmother grandfather grandson granddaughter grandchild aunt uncle
    cousin niece nephew friend bestie roommate housemate flatmate boss supervisor manager
    coworker co-worker colleague teacher coach pastor priest rabbi imam therapist
    psychiatrist psychologist counselor counsellor doctor physician pcp caseworker
    neighbor neighbour landlord landlady client patient named called nicknamed aka sponsor
    attorney lawyer guardian caregiver carer aide nanny babysitter tutor mentor classmate
    peer girl boy man woman lady guy teen teenager adolescent youngster sweetheart lover
    mother-in-law father-in-law son-in-law daughter-in-law brother-in-law sister-in-law
    stepchild foster fostered adopted bf gf hubby mil fil dil sil bil grandbaby godmother
    godfather godson goddaughter officer worker nurse social parents kids children sons
    daughters siblings twins brothers sisters grandparents grandkids grandchildren cousins
    pt pts clt supervisee sup'ee intern trainee resident member bro sis gf bf caller buddy
    pal bestfriend informant facilitator co-facilitator cofacilitator evaluee examinee
    defendant respondent petitioner claimant""".split()
)
# Upper-case role abbreviations used like titles ("PO Ortiz", "SW Ybarra").
CAPS_TITLES: Final = frozenset("po sw cm rn np pcp lcsw cna pa gal casa".split())
# Titles written as abbreviations ("Dr." / "Mrs."): only these may be followed by a period.
ABBR_TITLES: Final = frozenset(
    "mr mrs ms mx dr prof sr sra srta rev fr sgt lt det capt st cpl pvt maj col gen cmdr".split()
)
NAME_CUE_WORDS: Final = frozenset("named called nicknamed aka name".split())
STRONG_CUES: Final = frozenset("named called nicknamed aka name nickname".split())
PERSON_VERBS: Final = frozenset(
    """said says reported reports told tells stated states described describes presented
    presents shared shares denied denies endorsed endorses disclosed discloses arrived came
    comes called calls texted texts cried cries became began begins has had have wants
    wanted feels felt lives lived works worked attends attended missed misses started
    starts stopped stops asked asks explained explains admitted admits agreed agrees
    refused refuses returned returns moved moves left leaves continues continued
    acknowledged acknowledges identified identifies noted notes recalled recalls remembers
    remembered believes believed thinks thought knows knew wrote writes emailed emails
    brought brings mentioned mentions appeared appears seemed seems looked looks sounded
    tends tended struggles struggled drinks drank uses used smokes smoked sleeps slept
    suggested suggests recommended recommends proposed proposes wondered wonders pointed
    cautioned cautions added adds observed observes raised raises encouraged encourages
    offered offers reminded reminds challenged challenges
    lost loses died dies passed married divorced separated graduated dropped joined quit
    got gets went goes is was will would could should can did does didn't doesn't isn't
    wasn't won't can't who and or agreed tried tries became""".split()
)
# Verbs after a word-name ("Hope reported") that make a person reading likely.
STRONG_PERSON_VERBS: Final = frozenset(
    """said says reported reports told tells stated states described describes presented
    presents shared shares denied denies endorsed endorses disclosed discloses texted texts
    cried cries wants wanted feels felt lives lived works worked attends attended asked asks
    explained explains admitted admits agreed agrees refused refuses returned moved
    mentioned mentions arrived acknowledged recalled remembers remembered believes thinks
    wrote emailed called calls yelled screamed laughed smiled nodded sobbed whispered
    insisted complained worries worried speaks spoke talks talked giggles whispers screams
    hides refuses sleeps plays suggested suggests recommended recommends proposed wondered
    cautioned found discovered noticed""".split()
)
LOC_AFFIXES: Final = frozenset(
    """falls heights grove mills bay park springs beach valley hills creek harbor harbour
    point landing junction crossing ridge lake city township county village bluff bluffs
    port fort mount mt east west north south little upper lower glen hollow station
    center centre""".split()
)
LOC_PREFIXES: Final = frozenset(
    "port fort ft mount mt lake east west north south new little upper lower saint st".split()
)
LOC_PREPS: Final = frozenset(
    "in from near outside around at to toward towards into via through visiting".split()
)
LOC_STRONG_PREPS: Final = frozenset("in from near outside around visiting".split())
ORG_SUFFIXES: Final = frozenset(
    """school academy college university institute hospital clinic center centre church
    temple synagogue mosque chapel cathedral parish inc inc. llc corp corporation company
    co logistics bank foods group partners associates industries services systems
    solutions technologies tech motors insurance pharmacy market diner cafe café restaurant
    bakery store stores depot construction manufacturing labs laboratories studios media
    agency department dept library ymca ywca elementary preschool montessori kindergarten
    seminary prep daycare shelter foundation ministries fellowship mission gym fitness
    consulting enterprises holdings airlines airways railroad transit logistics freight
    trucking plumbing electric roofing landscaping realty properties hotel inn resort
    casino factory plant mill warehouse farms farm dairy brewery winery grill pub bar
    salon spa firm llp pllc pc health healthcare medical behavioral wellness rehab
    network council club lodge union base station precinct jail prison penitentiary
    courthouse court hospice manor gardens pavilion rehabilitation district rail railway
    pediatrics dental counseling psychiatry living residence commons high
    middle junior elementary ministries autobody shop comprehensive practice co-op
    cooperative coop house surgery recovery police sheriff ems repair automotive garage
    correctional detention aesthetics initiatives initiative dermatology orthopedics
    cardiology oncology radiology chiropractic airport museum stadium arena zoo theater
    theatre mall cinema studio dojo energy utilities fertility imaging outfitters supply
    supplies analytics mutual transport transportation solar builders contractors tire
    tires lanes cleaners kennel veterinary bistro tavern brewing roasters grocery grocers
    mart outlet wholesale distributors distribution packaging steel aerospace software
    robotics telecom wireless communications publishing printing architects engineering
    staffing janitorial movers towing collision marine bancorp credit lending mortgage
    financial securities capital investments pizzeria taqueria cantina bbq nursery exteriors
    interiors remodeling homes roofing corps service hub collective hq headquarters
    collegiate polytechnic joinery ltd plc pty gmbh limited medicine probation claims
    adoption adoptions pantry law parts processing residences lines""".split()
)
# branches of the armed forces: "retired from the Navy" names no employer anyone could find
_MILITARY: Final = frozenset("navy army marines usmc usaf usn airforce guard".split())
_CUE_LAST: Final = frozenset("at for by from to with in the".split())
ORG_CUE_WORDS: Final = frozenset(
    """work works working worked employed job jobs hired fired laid interned interning
    internship volunteer volunteers volunteering volunteered shift shifts position career
    retired teaches taught teaching enrolled attends attending attended attend graduated
    studies studying student students manager nurse teacher cashier clerk driver admitted
    hospitalized hospitalised inpatient discharged transferred treated seen placed
    supervisor boss coworker coworkers co-worker co-workers colleague colleagues staff
    director employee employees chaplain therapist counselor psychiatrist doctor monitored
    evaluated shop store office branch site plant warehouse ed er waitress waiter server
    bartender barista cook mechanic technician tech aide cna rn lpn receptionist assistant
    intern resident fellow officer guard janitor custodian electrician contractor pharmacist
    dentist accountant engineer attorney lawyer paralegal chef housekeeper security
    salesperson associate analyst developer programmer grade grader freshman sophomore
    junior senior pupil semester roofer lineman linemen welder plumber carpenter machinist
    trucker courier dispatcher teller banker paramedic firefighter deputy trooper laborer
    landscaper painter loader stocker packer sorter butcher baker dishwasher busser hostess
    secretary administrator coordinator foreman superintendent groundskeeper caregiver
    professor lecturer librarian scientist researcher designer consultant executive
    apprentice representative rep realtor adjuster underwriter auditor inspector bouncer
    stylist hairdresser barber cosmetologist esthetician nanny babysitter mover dancer drives
    driving delivers delivering plays played playing travels travel traveling travelling
    applying applied trains contracts contracting consults freelance freelances freelancing
    pediatrician physician surgeon midwife dietitian psychologist specialist obgyn
    oncologist neurologist manages managed managing graduating graduate graduates let""".split()
)
ORG_FILLERS: Final = frozenset(
    """nights days weekends evenings mornings shifts part-time full-time overtime remotely
    now still currently there off doubles home go""".split()
)
_LOWER_ORG_RUN_RE: Final = re.compile(r"[ \t]+(?:the[ \t]+)?((?:[a-z][a-z'’&-]*[ \t]*){1,4})")
_ABBR_HEADS: Final = {"st": "saint", "ft": "fort", "mt": "mount"}
_LOWER_STATES: Final = frozenset(
    "ak az ar ct fl ga ia il ks ky mn nv nh nj nm ny nc nd ri sc sd tn tx ut vt va wa wv wi wy"
    " dc".split()
)
_JOIN_GAPS: Final = frozenset({" + ", " & ", "+", "&", " &", "& ", " +", "+ "})
_CLOSE_RELATIVES: Final = frozenset(
    """mom dad mum mother father wife husband son daughter brother sister sibling partner
    boyfriend girlfriend fiance fiancee fiancé fiancée grandmother grandfather grandma grandpa
    stepmom stepdad stepmother stepfather aunt uncle cousin twin kids children""".split()
)
_NEXT_LOWER_RE: Final = re.compile(r" ([a-z][a-z-]*)\b")
_GROUP_NOUNS: Final = frozenset(
    """family families household kids children twins case couple siblings brothers sisters
    boys girls parents clan house home""".split()
)
_PETS: Final = (
    "dog", "cat", "puppy", "kitten", "horse", "pony", "parrot", "rabbit", "hamster", "pet",
)
# animals that may come right before a pet's name ("her dog, Rosie", "our lab Max")
_ANIMAL_WORDS: Final = _PETS + ("lab", "labrador", "terrier", "beagle")
_PET_AFTER_RE: Final = re.compile(
    rf",?\s+(?:the|our|her|his|their|my)\s+(?:family\s+)?(?:{'|'.join(_PETS)})\b"
)
_PET_BEFORE_RE: Final = re.compile(
    r"\b(?:the|our|her|his|their|my|a|new)\s+(?:family\s+|rescue\s+|old\s+)?"
    rf"(?:{'|'.join(_ANIMAL_WORDS)})"
    r"(?:,\s*|\s+(?:named|called)\s+|\s+|\s*\(\s*|\s+\"|\s+“)$",
    re.IGNORECASE,
)
_QUOTED_ALIAS_HEADS: Final = frozenset("client clients patient pt cl case couple family".split())
_NAME_SUFFIXES: Final = frozenset("Jr Sr II III IV JR SR".split())
_NICK_GAPS: Final = frozenset({' ("', " (“", ' "', " “", " ('", " (‘", " ("})
_COMPOUND_LOWER_RE: Final = re.compile(r"[a-z]+(?:-[a-z]+)+")
_LOWER_AGE_RE: Final = re.compile(
    r"(?:['’]s)?\s*(?:\(\s*\d{1,2}\s*(?:y/?o|yrs?|[mf])?\s*\)|\(\s*(?:she|he|they|ze|xe)/\w+\s*\)"
    r"|,?\s*\d{1,2}\s*(?:yo|y/o|y\.o\.|yrs?|years?|mo|[mf]|male|female|nb)\b"
    r"|,\s*\d{1,2}\s*,)"
)
_DEPT_ACRONYMS: Final = frozenset(
    "it hr qa pr ops icu er ed or pacu nicu picu iop php ot pt ems dc aps cps dcfs dss dhs"
    " aau".split()
)
_LOWER_GENERIC: Final = frozenset(
    """different multiple several various local same other two three four many random odd
    home night nights work school church hospital office desk front back house place places
    job jobs company companies store stores shop restaurant restaurants bar bars club clubs
    factory plant warehouse site sites department level floor center centre clinic""".split()
)
_LOWER_ORG_STOP: Final = frozenset(
    """a an the and or but on in at for from to with since until till as last this that
    next now then when while because after before during about part full time night nights
    day days shift shifts week weeks year years yr yrs mo month months ago again still
    too also though tho lol so he she they his her him them it its who which where is was
    are were has had have be been being will would can could did does do not no yet""".split()
)


_LOWER_ORG_VERBS: Final = frozenset(
    """cut cuts said says told tells gave gives let lets made makes put puts got gets took
    takes kept keeps sent sends set sets wants want asked asks called calls fired fires
    hired hires pays paid owes quit quits closed closes moved moves won't wont doesn't
    didn't isn't wasn't hasn't can't never always""".split()
)


_NOT_SINGLE_EMPLOYER: Final = frozenset(
    """times least length random pace ease risk odds peace first once full best most home
    night nights night-shift work school church noon midnight dawn lunch dinner breakfast
    christmas thanksgiving easter weekends weekend bedtime recess camp college university
    hospital clinic daycare length large heart ease it all some any present capacity cost
    minimum maximum scale level baseline intake discharge admission""".split()
)


def _single_lower_employer(w: str) -> bool:
    """One dictionary word right after "works at"/"manager at" with no article is usually
    a brand ("cashier at target", "works at safeway")."""
    return (
        len(w) >= 4
        and w.isalpha()
        and w not in _NOT_SINGLE_EMPLOYER
        and not w.endswith(("ing", "ed", "ly", "ness", "tion"))  # "working at improving"
    )


def _lower_orgs(text: str, toks: list[Tok], consumed: list[bool]) -> list[Span]:
    """Lower-case employer/school names after a cue: "works at harmon freight", "fired from
    chipotle", "attends maple ridge elementary"."""
    lex = lexicon()
    out: list[Span] = []
    n = len(toks)
    trig = _LOWER_ORG_TRIGGERS
    for i in [x for x, tk in enumerate(toks) if tk.low in trig]:
        p = toks[i]
        facility_only = False
        if p.low in _DIRECT_ORG_CUES:
            pass
        elif p.low in ORG_PREPS and i > 0 and _tight(p.gap_before):
            q = i - 1
            if toks[q].low in ORG_FILLERS and q > 0 and _tight(toks[q].gap_before):
                q -= 1
            facility_only = toks[q].low in _FACILITY_CUES
            if (toks[q].low not in ORG_CUE_WORDS or toks[q].low in ("seen", "treated")) and (
                not facility_only
            ):
                continue
        else:
            continue
        m = _LOWER_ORG_RUN_RE.match(text, p.full_end)
        if m is None:
            continue
        words: list[tuple[str, int, int]] = []
        pos = m.start(1)
        for w in m.group(1).split():
            if w in _LOWER_ORG_STOP or w in FUNCTION_WORDS or w in _LOWER_ORG_VERBS:
                break
            if words and w.endswith("ed") and w not in ORG_SUFFIXES and _is_english(lex, w):
                break  # "my manager at target cut/fired/changed ..."
            k = text.index(w, pos)
            words.append((w, k, k + len(w)))
            pos = k + len(w)
        if not words:
            continue
        last_suffix = -1
        last_odd = -1
        for idx, (w, _, _) in enumerate(words):
            base = w.rstrip("'’")
            if base.endswith(("'s", "’s")):
                base = base[:-2]
            if base in ORG_SUFFIXES:
                last_suffix = idx
            elif (
                idx == 0
                and len(words) >= 1
                and base in lex.non_phi
                and base not in lex.regions
                and base not in IDENTITY_WORDS
                and base not in PROGRAMS
                and not _is_english(lex, base)
            ):
                last_odd = idx  # a brand: "works at starbucks"
            elif (
                len(base) >= 3
                and not _is_english(lex, base)
                and not _stem_english(base)
                and base not in lex.never_name
                and base not in lex.regions
                and base not in lex.first
            ):
                last_odd = idx
        if facility_only and last_suffix <= 0:
            continue  # "staying at" needs a facility word: "safe haven shelter"
        if last_suffix > 0 and (p.low != "in" or 0 <= last_odd < last_suffix):
            keep = words[: last_suffix + 1]
            if not any(w not in ORG_SUFFIXES for w, _, _ in keep):
                continue
            if " ".join(w for w, _, _ in keep) in METHOD_PHRASES:
                continue
            if text[m.start() : m.start(1)].strip() == "the" and all(
                w in ORG_SUFFIXES
                or (
                    _is_english(lex, w)
                    and (len(keep) == 2 or w not in lex.places)
                    and w not in lex.non_phi
                )
                for w, _, _ in keep
            ):
                continue  # "volunteering at the food bank": a kind of place, not a name
            if any(
                "-" in w and all(_is_english(lex, q) for q in w.split("-") if q)
                for w, _, _ in keep[:last_suffix]
            ):
                continue  # "a first-year college student"
        elif last_odd >= 0:
            keep = words[: last_odd + 1]
        elif (
            not facility_only
            and p.low in ("at", "for", "from")
            and not text[m.start() : m.start(1)].strip()  # no article
            and (
                2 <= len(words) <= 3
                or (len(words) == 1 and p.low == "at" and _single_lower_employer(words[0][0]))
            )
            and not any(
                w.rstrip("'’") in _LOWER_GENERIC or not w.replace("'", "").isalpha()
                for w, _, _ in words
            )
        ):
            keep = words  # "works at bright horizons", "his job back at pep boys"
        else:
            continue
        s0, e0 = keep[0][1], keep[-1][2]
        inside = []
        for x in range(i + 1, n):
            if toks[x].start >= e0:
                break
            if toks[x].start >= s0:
                inside.append(x)
        if any(consumed[x] for x in inside):
            continue
        for x in inside:
            consumed[x] = True
        out.append((s0, e0, "ORG", "lower-case organisation after an employer/school cue"))
    return out


ORG_PREPS: Final = frozenset("at for by from with in".split())
_FACILITY_CUES: Final = frozenset(
    "staying stays stayed living lives lived residing resides placed".split()
)
_METHOD_AUTHOR_RE: Final = re.compile(
    r"\s*\(\s*[A-Z][\w'’-]+(?:\s+(?:and|&)\s+[A-Z][\w'’-]+|\s+et al\.?)?"
    r"(?:,?\s*(?:19|20)\d\d)?\s*\)"
)
_MANAGE_CUES: Final = frozenset("manages managed managing".split())
_DIRECT_ORG_CUES: Final = _MANAGE_CUES | frozenset(
    "attends attending attended attend enrolled".split()
)
_LOWER_ORG_TRIGGERS: Final = ORG_PREPS | _DIRECT_ORG_CUES
ORG_LABEL_WORDS: Final = frozenset(
    "employer school workplace company agency facility hospital work job site placement"
    .split()
)


def _org_cued(toks: list[Tok], i: int) -> bool:
    """Is token i right after an employer/school cue ("works at", "attends", "Employer:")?"""
    t = toks[i]
    if i == 0:
        return False
    if t.gap_before.rstrip().endswith(":"):
        return toks[i - 1].low in ORG_LABEL_WORDS
    if not _tight(t.gap_before):
        return False
    j = i - 1
    if toks[j].low in ("the", "a", "an"):
        if j == 0 or not _tight(toks[j].gap_before):
            return False
        j -= 1
    if toks[j].low in ORG_CUE_WORDS:
        # "(Managing Misbehavior)": a capitalised "Managing" starts a title
        return toks[j].low in _DIRECT_ORG_CUES and not (
            toks[j].cap and toks[j].low in _MANAGE_CUES
        )
    if toks[j].low not in ORG_PREPS or j == 0 or not _tight(toks[j].gap_before):
        return False
    q = j - 1
    if toks[q].low in ORG_FILLERS and q > 0 and _tight(toks[q].gap_before):
        q -= 1
        if toks[q].low == "from" and toks[q + 1].low == "home" and q > 0:
            q -= 1  # "works from home for Zillow"
    return toks[q].low in ORG_CUE_WORDS


CONNECTORS: Final = frozenset("of and & the for de la del da von van der st st. saint".split())
MONTH_NAMES: Final = frozenset(
    "january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
WEEKDAYS: Final = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs"
    " fri sat sun mondays tuesdays wednesdays thursdays fridays saturdays sundays".split()
)
HOLIDAY_WORDS: Final = frozenset(
    "thanksgiving christmas xmas easter halloween hanukkah chanukah passover ramadan eid"
    " diwali kwanzaa juneteenth".split()
)
ALWAYS_SKIP: Final = frozenset(
    """i i'm i've i'd i'll a an the mom dad mum mommy daddy grandma grandpa god lord ok
    okay yes no hi hello dear re fwd cc bcc subject client clients patient supervisee
    supervisor therapist clinician counselor member members group session sessions
    note notes plan case consult consultation presenter presenting question questions
    summary update background history assessment formulation impression goals
    interventions risk safety next steps homework team dx tx rx hx sx pt pts s/p""".split()
)
_ENGLISH_SUFFIXES: Final = (
    "tion",
    "sion",
    "ment",
    "ness",
    "ity",
    "ism",
    "ist",
    "ing",
    "ed",
    "ly",
    "ize",
    "ise",
    "ive",
    "ous",
    "ical",
    "ic",
    "ology",
    "ogy",
    "phobia",
    "philia",
    "emia",
    "itis",
    "osis",
    "pathy",
    "therapy",
    "gram",
    "scope",
    "ance",
    "ence",
    "able",
    "ible",
    "ful",
    "less",
    "ship",
    "hood",
    "ward",
    "wards",
    "wise",
    "like",
    "esque",
    "ional",
    "ual",
    "ial",
    "ary",
    "ory",
)
_ENGLISH_PREFIXES: Final = (
    "hyper",
    "hypo",
    "dys",
    "psycho",
    "neuro",
    "pre",
    "post",
    "anti",
    "over",
    "under",
    "self",
    "non",
    "multi",
    "inter",
    "intra",
    "trans",
    "pseudo",
    "micro",
    "macro",
    "tele",
    "re",
    "un",
    "mis",
    "co",
)
FUNCTION_WORDS: Final = frozenset(
    """i me my we our you your he she it they them his her him its their a an the in on at
    to so see many man son long do go no yes oh ha ma pa la le de us am is be by or up as if
    of and but for not all any one two out too who why how now new old own yet then than
    this that with from into also just only very much more most some such each both what
    when where which while after before again there here well still even ever never
    always often soon back over down off once said says per via re vs etc mom dad mum
    nan gran gramps granny nana papa auntie uncle""".split()
)
SENT_END_CHARS: Final = frozenset(".!?:;\n•*>|")
# First names that are also dictionary words but are overwhelmingly used as names.
STRONG_NAMES: Final = frozenset(
    """maria marina john peter martin victor hector jasper derrick garret jarred barney waldo
    mickey mike matt tony billy bobby chad brad rick troy eddy homer phoebe rhea colleen
    sonny patsy patty dotty sibyl beryl emery ester hank noel tom josh nick harry jimmy
    sally terry roger dean ken jay gene earl lance wade warren drew dale glen guy herb
    chuck buck bud rob rod ray rich pat sue lee van curt brooks""".split()
)
# Of those, the ones safe to flag even in lower case.
LOWER_OK_NAMES: Final = frozenset(
    """maria john peter hector waldo mickey mike matt tony billy bobby chad troy eddy phoebe
    rhea colleen sonny patsy patty dotty sibyl beryl emery ester hank josh jimmy""".split()
)


class Tok:
    """One word token with the features the rules look at (hand-written ``__slots__``
    class: noticeably cheaper to construct than a dataclass, and there are thousands)."""

    __slots__ = (
        "start",
        "end",
        "text",
        "low",
        "cap",
        "allcaps",
        "sent_start",
        "possessive",
        "gap_before",
        "full_end",
        "label",
        "reason",
    )

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        low: str,
        cap: bool,
        allcaps: bool,
        sent_start: bool,
        possessive: bool,
        gap_before: str,
        full_end: int,
    ) -> None:
        self.start = start
        self.end = end  # end of the base form (possessive stripped)
        self.text = text  # base form
        self.low = low
        self.cap = cap  # Title-case or ALL-CAPS
        self.allcaps = allcaps
        self.sent_start = sent_start
        self.possessive = possessive
        self.gap_before = gap_before  # text between previous token and this one
        self.full_end = full_end  # end including a possessive suffix
        self.label: Category | None = None
        self.reason = ""

    def __repr__(self) -> str:
        return f"Tok({self.text!r}, {self.start}, {self.label})"


_SENT_START_RE: Final = re.compile(
    # (the first character class lets the regex engine skip ahead quickly; the start of the
    # text is handled by _TEXT_START_RE)
    r"[.!?:;\n•*>|,](?:(?<=,)\s*[\"“]|(?<!,))[\s\"'“‘(\[\-–—*•]*(?:\d{1,3}[.)]\s+)?(?=[^\W\d_])"
)
_TEXT_START_RE: Final = re.compile(r"[\s\"'“‘(\[\-–—*•]*(?:\d{1,3}[.)]\s+)?(?=[^\W\d_])")


def _sentence_start_ok(text: str, start: int, prev_low: str | None) -> bool:
    """Exclude "Dr. Smith" and "J. Smith" from the sentence starts found by the regex."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘([-–—*•":
        i -= 1
    if i >= 0 and text[i] == ".":
        if prev_low is not None and prev_low in TITLES:
            return False
        if i >= 2 and text[i - 2] in " .\n" and text[i - 1].isalpha():
            return False
    return True


def tokenize(text: str, lex: Lexicon | None = None) -> list[Tok]:
    """Word tokens.  With ``lex``, ordinary lower-case dictionary words that no rule looks
    at are skipped (their text still shows up in the next token's ``gap_before``)."""
    skip = _skip_set(lex) if lex is not None else frozenset()
    cache = _WORD_CACHE.setdefault(id(skip), {})
    if len(cache) > 200_000:
        cache.clear()
    starts = {m.end() for m in _SENT_START_RE.finditer(text)}
    m0 = _TEXT_START_RE.match(text)
    if m0 is not None:
        starts.add(m0.end())
    toks: list[Tok] = []
    append = toks.append
    prev_end = 0
    prev_low: str | None = None
    get = cache.get
    for m in (_ASCII_WORD_RE if ascii_words(text) else WORD_RE).finditer(text):
        raw = m.group()
        info = get(raw)
        if info is None:
            info = cache[raw] = _word_info(raw, skip)
        if not info[0]:
            continue  # _SKIPPED (compared by value: compiled code may copy constants)
        w, low, cap, allcaps, e_off, full_off, poss = info
        s = m.start()
        append(
            Tok(
                s,
                s + e_off,
                w,
                low,
                cap,
                allcaps,
                cap and s in starts and _sentence_start_ok(text, s, prev_low),
                poss,
                text[prev_end:s],
                s + full_off,
            )
        )
        prev_end = s + full_off
        prev_low = low
    return toks


_WordInfo = tuple[str, str, bool, bool, int, int, bool]
_SKIPPED: Final[_WordInfo] = ("", "", False, False, 0, 0, False)
_WORD_CACHE: dict[int, dict[str, _WordInfo]] = {}


def _word_info(raw: str, skip: frozenset[str]) -> _WordInfo:
    """Token features that depend only on the matched word (cached per distinct word)."""
    if raw in skip:
        return _SKIPPED
    w = raw.rstrip("'’-_") if raw[-1] in "'’-_" else raw
    full_off = len(w)
    e_off = full_off
    poss = False
    if len(w) > 2 and w[-2] in "'’" and w[-1] in "sS":
        w = w[:-2]
        e_off -= 2
        poss = True
    elif len(raw) > full_off and raw[full_off] in "'’" and w[-1] in "sS" and len(w) > 2:
        poss = True  # "James'"
    cap = w[0].isupper()
    low = w.lower()
    if not cap and low in skip:
        return _SKIPPED
    return (w, low, cap, cap and len(w) > 1 and w.isupper(), e_off, full_off, poss)


_SKIP_CACHE: dict[int, frozenset[str]] = {}


def _skip_set(lex: Lexicon) -> frozenset[str]:
    """Lower-case dictionary words that no rule looks at (skipped while tokenising)."""
    key = id(lex)
    got = _SKIP_CACHE.get(key)
    if got is None:
        got = frozenset(w for w in lex.english - _KEEP_LOWER - lex.first if w.islower())
        _SKIP_CACHE[key] = got
    return got


def _is_english(lex: Lexicon, low: str) -> bool:
    return _english_word(low)


# contractions typed without the apostrophe ("tyler doesnt text back")
_BARE_CONTRACTIONS: Final = frozenset(
    """dont doesnt didnt cant wont isnt wasnt arent werent hasnt havent hadnt shouldnt
    wouldnt couldnt mustnt neednt aint im ive youre youve youll youd theyre theyve theyll
    theyd weve wouldve couldve shouldve thats whats hows wheres theres heres shes hes""".split()
)


@lru_cache(maxsize=65536)
def _english_word(low: str) -> bool:
    lex = lexicon()
    if low in lex.english or low in lex.clinical or low in _BARE_CONTRACTIONS:
        return True
    for ap in ("'", "’"):
        if ap in low:
            head, _, tail = low.partition(ap)
            if tail in ("re", "ve", "ll", "d", "m", "t", "s") or not tail:
                if tail == "t" and head.endswith("n"):
                    return True  # isn't, doesn't, won't, can't
                return _is_english(lex, head) or head in ("i", "we", "you", "they")
    if "-" in low:
        parts = [p for p in low.split("-") if p]
        return all(
            _is_english(lex, p)
            or p in lex.never_name
            or p in lex.regions
            or p in MONTH_NAMES
            or p in _HYPHEN_PREFIXES
            for p in parts
        )
    for suf in ("s", "es", "ed", "ing", "er", "ers", "ly"):
        if low.endswith(suf) and len(low) - len(suf) >= 3 and low[: -len(suf)] in lex.english:
            return True
    if "our" in low or "is" in low or "tre" in low:
        us = low.replace("our", "or").replace("isation", "ization").replace("ise", "ize")
        us = us.replace("yse", "yze").replace("tre", "ter")
        if us != low and (us in lex.english or us in lex.clinical):
            return True  # British spelling: "behavioural", "organisation", "centre"
        if us != low and us.endswith("al") and us[:-2] in lex.english:
            return True
    return False


def _stem_english(low: str) -> bool:
    """Stricter than :func:`_looks_english`: the word minus an English suffix is a word."""
    english = lexicon().english
    for suf in _ENGLISH_SUFFIXES:
        if low.endswith(suf) and len(low) > len(suf) + 2:
            stem = low[: -len(suf)]
            if stem in english or stem + "e" in english or stem[:-1] in english:
                return True
    return False


_HYPHEN_PREFIXES: Final = frozenset(
    "co ex non pre re self anti semi sub mid multi post inter intra pro un de dis mis".split()
)


@lru_cache(maxsize=65536)
def _looks_english(low: str) -> bool:
    if low.endswith(_ENGLISH_SUFFIXES):
        return True
    if len(low) > 7 and low.startswith(_ENGLISH_PREFIXES):
        english = lexicon().english
        for p in _ENGLISH_PREFIXES:
            if low.startswith(p):
                rest = low[len(p) :].lstrip("-")
                if rest in english or _english_word(rest) or rest.endswith(_ENGLISH_SUFFIXES):
                    return True  # "psychoeducation", "hyperarousal"; not "Conceição"
    return False


def _is_name_listed(lex: Lexicon, low: str) -> bool:
    if low in lex.first or low in lex.last:
        return True
    if "-" in low:
        return any(p in lex.first or p in lex.last for p in low.split("-"))
    return False


def _hard_excluded(lex: Lexicon, t: Tok) -> bool:
    return _excluded_word(t.text, t.allcaps)


@lru_cache(maxsize=65536)
def _excluded_word(text: str, allcaps: bool) -> bool:
    lex = lexicon()
    low = text.lower()
    if len(low) < 2 or low in ALWAYS_SKIP or low in TITLES or low in RELATIONS:
        return True
    if any(c.isdigit() for c in low):
        return True  # case aliases such as "C-12", "P3"
    if low in MONTH_NAMES or low in WEEKDAYS or low in HOLIDAY_WORDS:
        return True
    if low in lex.never_name or low in lex.regions:
        return True
    if "-" in low:
        parts = low.split("-")
        if all(p in lex.never_name or p in lex.regions or p in lex.eponyms for p in parts if p):
            return True
        if parts[-1] in _ADJ_TAILS:
            return True  # Yalom-style, Beck-informed, Vietnam-era
    rest = text[1:]
    if not allcaps and rest and not rest.islower() and any(c.isupper() for c in rest):
        # internal capitals: ECGs, ProQOL, iPhone -- but keep McWilliams, DeShawn, O'Neil
        if not _NAME_PREFIX_RE.match(text):
            if not _compound_name(text):
                return True
    return False


METHOD_WORDS: Final = frozenset(
    """model models theory method methods approach protocol framework book books work
    scale inventory index questionnaire interview test criteria stages levels hierarchy
    triad modes chain paradigm technique techniques principles conditions concept typology
    taxonomy treatment therapy program programme plan checklist rating assessment
    seven-eyed four-category cognitive formulation procedure exercise worksheet workbook
    coding scoring system
    style informed based inspired approach screen screener screening manual handbook guide
    curriculum survey cbt dbt act
    ipt emdr cpt erp eft ifs cft mbct mbsr tf-cbt pcit fbt abft mst fft sfbt craft met""".split()
)
POSSESSIVE_METHOD_WORDS: Final = frozenset(
    """model theory framework book books typology paradigm stages hierarchy triad modes
    formulation conceptualisation perspective construct distinction account
    seven-eyed four-category cognitive protocol criteria method technique taxonomy
    conceptualization scale inventory questionnaire index measure checklist interview
    manual handbook cbt dbt act ipt emdr cpt erp eft ifs cft mbct mbsr
    tf-cbt pcit fbt abft sfbt tools template templates""".split()
)
# After the possessive of a word that is not a first name ("Tolin's meta-analysis",
# "Beutler's principles"): scholarly nouns.
POSSESSIVE_CITE_WORDS: Final = frozenset(
    """principles principle text textbook findings meta-analysis meta-analyses review
    study studies paper article chapter framing concept notion critique survey law rule
    effect hypothesis paradox phases steps levels tasks dimensions circumplex cycle wheel
    triangle classic seminal writings writing approach research work trial trials data meditation
    meditations teachings talks podcast quote quotes poem poems lectures category categories
    classification coding system""".split()
)
INSTRUMENT_WORDS: Final = frozenset(
    """scale inventory questionnaire index protocol model method technique criteria
    interview checklist paradigm screen screener screening style survey approach workbook
    manual handbook""".split()
)
READ_VERBS: Final = frozenset(
    "read reads reading reviewed recommended cited citing per according discussed following"
    " quoted quoting quotes".split()
)


_COORD_GAPS: Final = frozenset({", ", " and ", ", and ", " & ", " &", "; "})


def _prev_member(toks: list[Tok], j: int) -> int:
    if j <= 0:
        return -1
    p = toks[j - 1]
    if p.cap and toks[j].gap_before in _COORD_GAPS:
        return j - 1
    if p.low in ("and", "&") and _tight(toks[j].gap_before) and j >= 2:
        q = toks[j - 2]
        if q.cap and p.gap_before in (" ", ", "):
            return j - 2
    return -1


def _next_member(toks: list[Tok], j: int) -> int:
    n = len(toks)
    if j + 1 >= n:
        return -1
    p = toks[j + 1]
    if p.cap and p.gap_before in _COORD_GAPS:
        return j + 1
    if p.low in ("and", "&") and p.gap_before in (" ", ", ") and j + 2 < n:
        q = toks[j + 2]
        if q.cap and _tight(q.gap_before):
            return j + 2
    return -1


def _coordinated_with_eponym(toks: list[Tok], i: int, lex: Lexicon) -> bool:
    """Is token i in a list of capitalised words ("Allen, Fonagy and Bateman", "Main and
    Solomon's") in which another member is a known author or eponym?"""
    eponyms = 0
    j, steps = i, 0
    while steps < 5 and (j := _prev_member(toks, j)) >= 0:
        steps += 1
        if toks[j].low in lex.eponyms and not toks[j].possessive:
            eponyms += 1
    j, steps = i, 0
    while steps < 5 and not toks[j].possessive and (j := _next_member(toks, j)) >= 0:
        steps += 1
        if toks[j].low in lex.eponyms:
            eponyms += 1
    if eponyms >= 2:
        return True  # "Allen, Fonagy and Bateman"
    # one known author: only for a word that is no first name, or a co-author possessive
    # before a scholarly noun ("Main and Solomon's disorganized category")
    return eponyms == 1 and (toks[i].low not in lex.first or toks[i].possessive)


_WORK_OF_RE: Final = re.compile(
    r"\b(?:poster|posters|portrait|painting|paintings|print|prints|biography|memoir|album|"
    r"albums|songs?|films?|movies?|documentary|novels?|poems?|poetry|music|lyrics)\s+"
    r"(?:of|by)\s+$"
)
_THE_AUTHORS_WORK_RE: Final = re.compile(
    r"\b[Tt]he\s+([A-Z][\w'’-]+)(?:(?:\s+(?:and|&))?\s+([A-Z][\w'’-]+))?\s+(?:article|paper|"
    r"chapter|review|meta-analysis|metaanalysis|textbook|manual|monograph)s?\b"
)
_CASE_NOUNS: Final = r"(?:decision|ruling|privilege|precedent|holding|standard|doctrine|opinion)"
_CASE_TAIL_RE: Final = re.compile(
    rf"(?:\s+(?:of\s+)?[A-Z][\w'’.-]*){{0,5}}(?:\s+[a-z-]+)?\s+{_CASE_NOUNS}\b"
)
_CASE_V_AFTER_RE: Final = re.compile(
    rf"\s+vs?\.?\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:of\s+)?[A-Z][\w'’.-]*){{0,5}}"
    rf"(?:\s+[a-z-]+)?\s+{_CASE_NOUNS}\b"
)
_CASE_V_BEFORE_RE: Final = re.compile(r"[A-Z][\w'’-]*\s+vs?\.?\s+(?:the\s+)?$")


def _author_context(text: str, toks: list[Tok], i: int) -> bool:
    """Is token i a cited author / eponym (Clark's model, (Fairburn), Yalom-style)?"""
    t = toks[i]
    n = len(toks)
    fe = t.full_end
    if t.possessive and text[fe : fe + 1] in ("'", "’"):
        fe += 1  # "Moyers' MITI": the apostrophe is not part of the token
    nxt = toks[i + 1] if i + 1 < n else None
    # "the Cassidy and Mathews article", "the Hatfield paper": authors of a publication
    if t.cap and not t.possessive and "he " in text[max(0, t.start - 40) : t.start]:
        for mw in _THE_AUTHORS_WORK_RE.finditer(
            text, max(0, t.start - 40), min(len(text), t.end + 60)
        ):
            if mw.start(1) == t.start or mw.start(2) == t.start:
                return True
    # case law: "Jaffee v. Redmond", "Tarasoff v. Regents"
    if (
        (text.startswith((" v", " V"), t.full_end) and _CASE_V_AFTER_RE.match(text, t.full_end))
        or (
            " v" in text[max(0, t.start - 6) : t.start]
            and _CASE_V_BEFORE_RE.search(text, max(0, t.start - 30), t.start)
            and _CASE_TAIL_RE.match(text, t.full_end)
        )
    ) and t.low not in lexicon().first:
        return True
    # "Kuyken/Padesky/Dudley": names joined by slashes to a known author
    if "/" in t.gap_before or (nxt is not None and "/" in nxt.gap_before):
        lex = lexicon()
        for j in (i - 1, i + 1, i - 2, i + 2):
            if not 0 <= j < n:
                continue
            lo, hi = min(i, j), max(i, j)
            chain = all(
                toks[x].gap_before.strip() == "/" and toks[x].cap for x in range(lo + 1, hi + 1)
            )
            if chain and toks[j].low in lex.eponyms:
                return True
    # Yalom-style, Beck-informed
    if t.end < len(text) and text[t.end] == "-" and nxt is not None and nxt.low in METHOD_WORDS:
        return True
    if t.possessive and _POSS_METHOD_RE.match(text, fe):
        return True  # "Bordin's tripartite model"
    cond = _EPONYM_COND_RE.match(text, t.end)
    if cond and (not t.possessive or cond.group(2).lower() in _POSS_CONDITIONS):
        return True  # "Crohn's disease", "Bell's palsy", "Capgras delusion"
    if _CITE_YEAR_RE.match(text, fe):
        return True  # "Shedler (2010)", "Tolin's (2010)", "Foa, Hembree and Rothbaum (2007)"
    lex = lexicon()
    not_first = t.low not in lex.first
    if t.possessive:
        co = _POSS_AND_RE.match(text, fe)  # "Boschen's and Veale's work"
        if co and (_POSS_METHOD_RE.match(text, co.end()) or _POSS_CITE_RE.match(text, co.end())):
            return True
    if t.possessive and not_first:
        if _POSS_CITE_RE.match(text, fe) or _POSS_QUOTE_RE.match(text, fe):
            return True  # "Beutler's principles", 'Kleiman's "Dropping the Baby"'
    if not_first and _PAREN_TITLE_RE.match(text, fe):
        return True  # "Najavits (Seeking Safety)": an author and her book
    if not t.possessive:
        lp = _LIST_POSS_RE.match(text, fe)  # "Klonsky and May's three-step theory"
        if lp and (_POSS_METHOD_RE.match(text, lp.end()) or _POSS_CITE_RE.match(text, lp.end())):
            return True
    if not_first:
        words = _ON_CLINICAL_RE.match(text, fe)
        if words and any(
            w in lex.clinical or w in METHOD_WORDS for w in words.group(1).lower().split()
        ):
            return True  # "Eells on psychotherapy case formulation"
    if _coordinated_with_eponym(toks, i, lex) and (
        not t.possessive or _POSS_CITE_RE.match(text, fe) or _POSS_METHOD_RE.match(text, fe)
    ):
        return True  # "from Allen, Fonagy and Bateman", "Main and Solomon's category"
    if not_first and _LIST_ON_TOPIC_RE.match(text, fe):
        return True  # "Schauer, Neuner and Elbert on narrative exposure"
    # followed (after optional 's / co-authors) by a method word
    j = i + 1
    steps = 0
    while j < n and steps < 4 and _tight(toks[j].gap_before):
        w = toks[j]
        if t.possessive:
            if w.low in POSSESSIVE_METHOD_WORDS:
                return True
        elif w.low in METHOD_WORDS and (w.cap or j > i + 1 or w.low in INSTRUMENT_WORDS):
            return True
        if not (w.cap or w.low in ("and", "&", "cognitive", "unified", "brief")):
            break
        if w.possessive and w.low not in lex.eponyms:
            break  # "Gwendolyn Asare's plan": a person's, unless the owner is an author
        j += 1
        steps += 1
    # inside parentheses right after a method / acronym: "CBT-E (Fairburn)"
    k = text.rfind("(", max(0, t.start - 59), t.start)
    depth_ok = k != -1 and _PAREN_BREAK_RE.search(text, k + 1, t.start) is None
    if depth_ok:
        close = text.find(")", t.end)
        if close != -1 and close - t.end < 60:
            before = text[max(0, k - 30) : k].rstrip()
            m = _LAST_WORD_RE.search(before)
            if m:
                word = m.group(1)
                if word.isupper() or word.lower() in METHOD_WORDS:
                    return True
                if _CAPS2_RE.search(word):
                    return True
    if _citation_context(text, t):
        return True
    k = i
    while k > 0:
        before_k = toks[k - 1]
        if (before_k.cap or before_k.low in CONNECTORS) and toks[k].gap_before in (
            ", ",
            " & ",
            " ",
        ):
            k -= 1
        elif before_k.low in ("and", "&") and k > 1 and toks[k - 2].cap:
            k -= 2
        else:
            break
    lit = _lit_cue_start(text, max(0, toks[k].start - 20), toks[k].start)
    if lit >= 0 and not (
        text.startswith(("see", "See", "SEE"), lit)
        and _SEE_SUBJECT_RE.search(text, max(0, lit - 8), lit)
    ):
        return True  # "see X" cites an author, but "I see Lily", "we see Marco" is a client
    if _AUTHOR_TAIL_RE.match(text, fe):
        return True  # "Patel and colleagues", "Smith et al."
    if t.possessive and _BOOK_TITLE_RE.match(text, fe):
        return True  # "Falicov's Latino Families in Therapy"
    on_topic = _PAIR_ON_TOPIC_RE.match(text, fe)
    if on_topic and (on_topic.group(1) not in _DETERMINERS or not_first):
        if _PAIR_ON_TOPIC_BACK_RE.search(text, max(0, t.start - 40), t.start):
            return True  # "Chambless and Hollon on empirically supported treatments"
    fwd = _PAIR_FWD_RE.match(text, fe)
    if fwd and fwd.group(1) not in _DETERMINERS:
        return True
    if not t.possessive and _METHOD_AFTER_RE.match(text, fe):
        return True  # "Sobell timeline followback", "Columbia screen"
    # "a poster of Frida Kahlo", "songs by Morrissey": the artist of a work
    if text[max(0, t.start - 3) : t.start] in ("of ", "by ") and _WORK_OF_RE.search(
        text, max(0, t.start - 20), t.start
    ):
        return True
    # "per Linehan", "read Abramowitz", "according to Wampold"
    p = toks[i - 1] if i > 0 else None
    if p is not None and _tight(t.gap_before):
        if p.low in READ_VERBS and (not p.cap or p.low == "per") and not t.possessive:
            if p.low in ("per", "discussed", "following", "reviewed", "according"):
                return not (t.low in lex.first and t.low not in lex.eponyms)
            return True
        if p.low == "to" and i >= 2 and toks[i - 2].low == "according" and not_first:
            return True
    return False


STREET_WORDS: Final = frozenset(
    """street st avenue ave road rd boulevard blvd lane ln drive dr court ct way place pl
    terrace ter circle cir highway hwy parkway pkwy trail trl square sq loop alley pike
    route rte crescent close row plaza expressway turnpike""".split()
)
NATIONAL_WORDS: Final = frozenset(
    "national american world international federal united us u.s. centers global".split()
)
IDENTITY_WORDS: Final = frozenset(
    """catholic methodist baptist lutheran presbyterian episcopal episcopalian jewish muslim
    orthodox evangelical mormon pentecostal christian buddhist hindu sikh quaker unitarian
    anglican nondenominational reform conservative reformed adventist islamic black latino
    latina korean chinese vietnamese african american hispanic""".split()
)
PROGRAMS: Final = frozenset(
    """aa na ga oa ca ea slaa saa coda acoa al-anon alateen nar-anon smart nami celebrate
    refuge dharma bible scripture torah quran koran mass worship prayer sunday fmla ssdi ssi
    snap wic tanf medicaid medicare disability unemployment benefits alanon""".split()
)
LOWER_CUE_STOP: Final = frozenset(
    """will may can might must shall should would could did does do has had is was are were be
    been got gets rose grew saw felt went came said told asked reported and or but who also
    just still now then""".split()
)
NAME_PARTICLES: Final = frozenset(
    "de la del della di da van von der den du le bin ibn al el dos das ter ten ó ní nic ua uí"
    " mac abu bint".split()
)
CAP_PARTICLES: Final = frozenset("ó ní nic ua uí mac abu bin ibn bint al el".split())
_LOWER_RUN_RE: Final = re.compile(r"(?<![\w'-])(?:[a-z][a-z'-]*\s){1,3}$")
LOWER_ORG_SUFFIXES: Final = frozenset(
    """school academy college university hospital clinic center centre church manor plant hq
    prep montessori preschool
    middle high elementary house hospice pharmacy factory warehouse health living parts
    services shelter pediatrics psychiatry""".split()
)
# verbs whose object is a person: "do i have to tell crystal?" (for a name already found)
_OBJECT_PERSON_VERBS: Final = frozenset(
    """tell told ask asked text texted email emailed invite invited visit visited meet met
    hug hugged thank thanked warn warned remind reminded phone phoned contact contacted
    involve involved include included call""".split()
)
_PREV_WORD_RE: Final = re.compile(r"^.*?(?=\w+\s+$)|\s+$", re.S)
_STRONG_LOWER_SUFFIXES: Final = frozenset(
    "elementary academy university hospital clinic prep montessori preschool".split()
)
_GENERIC_SCHOOL_HEADS: Final = frozenset(
    """high middle grade elementary public private charter community medical summer night
    sunday day boarding grad graduate law nursing med dental art cooking driving home
    primary secondary junior senior catholic christian local free walk-in urgent care
    vet animal eye dog mental health psych psychiatric state county city children's kids
    military naval police fire beauty barber trade tech technical online virtual new old
    another other same different big small little""".split()
)
_LOWER_STRONG_ORG_RE: Final = re.compile(
    r"\b(?:at|from|to|attends|attending|attended|in)\s+([a-z][a-z'’-]+(?: [a-z][a-z'’-]+)?)\s+$"
)
# lower-case organisation tails that need a name before them: "at riverside behavioral
# health", "at sunland auto parts", "at harbor house dv shelter", "cedar ridge pediatrics"
_TAIL_LOWER_SUFFIXES: Final = frozenset(
    "health living parts services shelter pediatrics psychiatry".split()
)
_TAIL_SINGLE_OK: Final = frozenset("shelter pediatrics psychiatry".split())
_TAIL_MIDDLES: Final = frozenset(
    """behavioral family community mental senior auto women's womens counseling social human
    home student sober assisted independent care dv crisis recovery youth""".split()
)
_TAIL_GENERIC_HEADS: Final = frozenset(
    """outpatient inpatient residential intensive partial integrated school-based
    telehealth emergency specialty pediatric adult adolescent child general regular""".split()
)
_LOWER_TAIL_ORG_RE: Final = re.compile(
    r"\b(?:at|from|to|with|attends|attending|attended|called|call)\s+"
    r"([a-z][a-z'’-]+(?: [a-z][a-z'’-]+){0,2})\s+$"
)


def _lower_tail_org(text: str, start: int, lex: Lexicon) -> int:
    """How many lower-case words before ``start`` name an organisation, or -1."""
    pre = _LOWER_TAIL_ORG_RE.search(text, max(0, start - 50), start)
    if pre is None:
        return -1
    words = pre.group(1).split()
    tail = text[start:].split(None, 1)[0].lower().rstrip(".,;:!?)")
    head = words[0]
    if (
        head in FUNCTION_WORDS
        or head in _LOWER_GENERIC
        or head in _GENERIC_SCHOOL_HEADS
        or head in _TAIL_MIDDLES
        or head in _TAIL_GENERIC_HEADS
        or head in lex.regions
        or head in lex.never_name
        or any(w in FUNCTION_WORDS for w in words)
    ):
        return -1
    if len(words) == 1 and tail not in _TAIL_SINGLE_OK:
        return -1
    if tail not in _TAIL_SINGLE_OK and words[-1] not in _TAIL_MIDDLES:
        return -1
    return len(words)


_CHAIN_PREPS: Final = frozenset("at for from with behind near outside inside".split())
_CHAIN_AFTER_RE: Final = re.compile(
    r"\s+(?:the\s+|a\s+|an\s+)?([\w'’&.-]+(?:[ ][\w'’&.-]+){0,3})"
)
_NEXT_WORD_RE: Final = re.compile(r"\s+([a-zA-Z]+)")
_CHAIN_TAILS: Final = frozenset(
    "hq headquarters warehouse store distribution center hub corporate".split()
)
_WORK_CUE_RE: Final = re.compile(
    r"\b(?:work|works|worked|working|job|shift|shifts|hired|fired|manager|managers|cashier|"
    r"employer|employed|drives|drove|driver|pilot|quit|laid off|applying|applied|interview|"
    r"stocker|clerk|associate|career|promoted|retired|interns?|contractor|engineer|"
    r"research|researcher|attendant|agent|rep)\b[^.;!?\n]*$",
    re.I,
)
_LOWER_WORDS_RE: Final = re.compile(r"[a-z][a-z'’.-]*(?: [a-z][a-z'’.-]*){1,3}")
_RESIDE_BEFORE_RE: Final = re.compile(
    r"\b(?:lives?|living|lived|moved|moving|grew up|raised|born|based|stays?|staying|"
    r"resides?|residing|located|settled)\s+(?:\w+\s+)?$",
    re.I,
)
_AREA_AFTER_RE: Final = re.compile(r"\s+(?:area|neighbou?rhood|district|part of town)\b")
_PAREN_AGE_AT_RE: Final = re.compile(r" \((?:[1-9]|[1-8]\d)\)")
_DAY_OR_MONTH: Final = WEEKDAYS | MONTH_NAMES
_PLACE_RUN_PREPS: Final = frozenset("in from near outside around visiting to".split())
_TRIGGER_CACHE: dict[int, frozenset[str]] = {}


def _phrase_triggers(lex: Lexicon) -> frozenset[str]:
    """Lower-case words that start a lower-case author, place or chain look-up."""
    got = _TRIGGER_CACHE.get(id(lex))
    if got is None:
        got = _TRIGGER_CACHE[id(lex)] = frozenset(lex.author_heads) | _PHRASE_PREPS
    return got


def _tok_start(t: Tok) -> int:
    return t.start
_PHRASE_PREPS: Final = _PLACE_RUN_PREPS | _CHAIN_PREPS
# the word after a preposition, skipping an article (group 2); group 1 is the article
_FIRST_WORD_RE: Final = re.compile(r"(?:\s+(the|a|an)(?=\s))?\s+([\w'’&.-]+)")
_LOWER_PLACE_RUN_RE: Final = re.compile(
    r"(?:\s+of)?\s+([a-z][a-z'’-]*(?:[ ][a-z][a-z'’.-]*){1,3})"
)
_LANGUAGE_NOUNS: Final = frozenset(
    "interpreter interpreters translator translation speaker speakers speaking language "
    "dialect community".split()
)
PUBLIC_AGENCIES: Final = (
    "protective services",
    "social services",
    "human services",
    "family services",
    "children's services",
    "social security",
    "social security administration",
    "veterans affairs",
    "vocational rehabilitation",
    "child support services",
    "emergency services",
    "emergency medical services",
    "disability services",
    "area agency",
)
# words that may come before a public agency without making it specific
_AGENCY_GENERIC: Final = frozenset(
    """the a of and & county city state department dept division office bureau local adult
    adults child children children's youth juvenile family families community public
    regional district metro area health mental behavioral our your their his her""".split()
)


def _generic_agency(run_text: str, lex: Lexicon) -> bool:
    """A public agency every county has ("Adult Protective Services", "the Department of
    Human Services", "Minnesota Family Services") -- but not one named after a place or a
    founder ("Calder County Child Protective Services", "Riverbend Family Services")."""
    for ph in PUBLIC_AGENCIES:
        if run_text.endswith(ph):
            head = run_text[: -len(ph)].split()
            return all(w in _AGENCY_GENERIC or w in lex.regions for w in head)
    return False


METHOD_PHRASES: Final = (
    # the practice's own consultation groups: "the Perinatal Mental Health Peer Group"
    "peer group",
    "consultation group",
    "supervision group",
    "support group",
    "process group",
    "study group",
    "sound relationship house",
    "circle of security",
    "window of tolerance",
    "unified protocol",
    "good lives",
    "wise mind",
    "house-tree-person",
    "clinical practice",
    "best practice",
    "private practice",
    "evidence-based practice",
    "internal family systems",
    "family systems",
    "health questionnaire",
    "cognitive processing",
    "skills group",
)
ORG_STARTERS: Final = frozenset(
    """the then her his their our my your at in on from to after when since today both she
    he they we also and but so this that these those a an while during before each every
    yesterday tomorrow last next new mom dad client employer""".split()
)


def _org_word_ok(t: Tok) -> bool:
    low = t.low
    return not (
        low in ALWAYS_SKIP
        or low in MONTH_NAMES
        or low in WEEKDAYS
        or low in TITLES
        or (t.allcaps and len(low) > 4)
    )


def _keep_lower() -> frozenset[str]:
    words: set[str] = set()
    for group in (
        TITLES,
        RELATIONS,
        NAME_CUE_WORDS,
        PERSON_VERBS,
        STRONG_PERSON_VERBS,
        LOC_PREPS,
        LOC_AFFIXES,
        ORG_SUFFIXES,
        CONNECTORS,
        METHOD_WORDS,
        POSSESSIVE_METHOD_WORDS,
        INSTRUMENT_WORDS,
        READ_VERBS,
        _CUE_LAST,
        ORG_STARTERS,
        MONTH_NAMES,
        WEEKDAYS,
        ORG_CUE_WORDS,
        ORG_FILLERS,
        ORG_PREPS,
        ORG_LABEL_WORDS,
    ):
        words |= group
    words |= {"goes", "known", "as", "is", "by", "nickname", "name", "called", "at", "and", "or"}
    words |= {"call", "calls", "calling", "him", "her", "them", "me", "himself", "herself"}
    words |= {"themselves", "named"}
    words |= _FACILITY_CUES
    words |= NAME_PARTICLES
    words |= _MONTHISH | _STREET_GATE_WORDS | _HOLIDAY_GATE_WORDS | _OBSERVANCE_GATE_WORDS
    words |= _ORDINAL_WORDS
    return frozenset(words)


_CITE_NAME: Final = (
    r"(?:(?:Van|Von|De|Le|La|Du|Di)\s+)?[A-Z][\w'’-]+"
    r"(?:\s+(?:van|von|de|der|le|la|Le|La|De|Van|Von)\s+[A-Z][\w'’-]+)?"
)
_PAREN_CITE_RE: Final = re.compile(
    rf"\(\s*(?:{_CITE_NAME}(?:\s*(?:,\s*and|,|;|and|&)\s*{_CITE_NAME})*(?:\s+et al\.?)?"
    r"(?:,?\s*(?:19|20)\d\d[a-z]?)?"
    r"|[A-Z][\w'’-]+\s+[A-Z][\w'’-]+,\s*(?:19|20)\d\d[a-z]?)"  # "(Brave Heart, 1998"
    # further citations after a semicolon: "(Brave Heart, 1998; Evans-Campbell, 2008)"
    r"(?:\s*;\s*(?:[A-Z][\w'’-]+\s+)?"
    rf"{_CITE_NAME}(?:\s*(?:,\s*and|,|and|&)\s*{_CITE_NAME})*(?:\s+et al\.?)?"
    r",?\s*(?:19|20)\d\d[a-z]?)*"
    r"(?:\s+[A-Z]{2,6}(?:-[A-Z0-9]+)?)?"
    r"(?:\s+(?:manual|model|method|protocol|scale|guidelines|criteria|approach|book))?"
    r"(?:,\s*(?:[Tt]he\s+)?[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|of|and|the|in|for|to|a))*)?\s*\)"
)
_READING_CUE_RE: Final = re.compile(
    r"\b(?:read|reading|book|books|chapter|article|paper|recommend\w*|literature|cites?|"
    r"cited|per|according to|authors?|model of|work of|writings?)\b",
    re.IGNORECASE,
)
_CAP_WORD_RE: Final = re.compile(r"\b[A-Z][a-z'’-]+")
_PLURAL_PEOPLE: Final = frozenset(
    """kids children siblings parents twins sons daughters grandchildren grandkids friends
    adult person individual clients patients members both family""".split()
)


def _citation_context(text: str, t: Tok) -> bool:
    """Author citations: "(Fairburn)", "(Sloan and Marx)", "McWilliams on personality"."""
    open_i = text.rfind("(", max(0, t.start - 80), t.start)
    if open_i != -1 and ")" not in text[open_i : t.start]:
        close = text.find(")", t.end, t.end + 80)
        if close != -1 and _PAREN_CITE_RE.fullmatch(text, open_i, close + 1):
            before = text[max(0, open_i - 25) : open_i].split()
            raw_prev = before[-1].strip(",;:") if before else ""
            inner = text[open_i + 1 : close]
            multi = " and " in inner or "," in inner or "&" in inner
            if raw_prev[:1].isupper() and not raw_prev.isupper() and "-" not in raw_prev:
                if not multi and not (
                    _english_word(raw_prev.lower()) and raw_prev.lower() not in lexicon().first
                ):
                    return False  # "Clementine (Clem)": a nickname after a name
            prev_word = raw_prev.lower()
            if prev_word not in RELATIONS and prev_word not in _PLURAL_PEOPLE:
                if prev_word not in TITLES:
                    names_in = _CAP_WORD_RE.findall(inner)
                    lexi = lexicon()
                    if (
                        len(names_in) == 1
                        and names_in[0].lower() in lexi.first
                        and names_in[0].lower() not in lexi.eponyms
                        and inner.strip() == names_in[0]
                    ):
                        return False  # "Case 1 (Thomas)": a presenter's first name
                    if len(names_in) >= 2 and all(w.lower() in lexi.first for w in names_in):
                        return False  # "The Johnsons (Mark and Linda)": a family, not authors
                    return True
    # "X (and Y) on <topic>" in a sentence about reading
    m = _ON_TOPIC_RE.match(text, t.full_end, t.full_end + 120)
    if m and m.group(1) not in _DETERMINERS:
        sent_start = max(text.rfind(". ", 0, t.start), text.rfind("\n", 0, t.start), 0)
        if _READING_CUE_RE.search(text, max(sent_start, t.start - 100), t.start):
            return True
    return False


_DETERMINERS: Final = frozenset(
    """the a an her his their my our your its this that these those weekends weekdays
    monday tuesday wednesday thursday friday saturday sunday time call leave""".split()
)


_ADJ_TAILS: Final = frozenset(
    """style informed based like type esque inspired oriented focused era ian ish esque
    related specific friendly approved certified trained""".split()
)


_APPOSITIVE_RE: Final = re.compile(
    r",\s+(?:the|his|her|their|our|my|your|a|an)\s+(?:[a-z-]+\s+)?(?:co-leader|leader|"
    r"teammate|colleague|coworker|co-worker|friend|roommate|partner|husband|wife|boyfriend|"
    r"girlfriend|son|daughter|brother|sister|mother|father|mom|dad|cousin|aunt|uncle|nephew|"
    r"niece|grandson|granddaughter|grandmother|grandfather|neighbou?r|boss|supervisor|manager|"
    r"teacher|coach|classmate|client|patient|therapist|intern|trainee|sponsor|member)\b"
)
_AGE_AFTER_RE: Final = re.compile(
    r"(?:\s+(?:is|was|turned|turns)\s+|\s*,\s*|\s*\(\s*)\d{1,3}(?:\s*(?:,|\)|yo\b|y/o|"
    r"years?\b|-year-old)|\s+(?:and|with|has|presents|presented|is)\b)"
)
_LIT_CUES: Final = (
    "literature", "reading", "readings", "reading list", "reference", "references", "cf",
    "cf.", "per", "author", "authors", "see", "described by", "developed by", "proposed by",
    "outlined by", "book by", "books by", "recommended",
)


def _lit_cue_start(text: str, lo: int, hi: int) -> int:
    """Where a literature cue ("see", "per", "reading list"...) ending ``text[lo:hi]``
    starts (before spaces and a colon), after a word boundary; -1 if there is none."""
    end = len(text[lo:hi].rstrip()) + lo
    if end > lo and text[end - 1] == ":":
        end = len(text[lo : end - 1].rstrip()) + lo
    tail = text[lo:end].lower()
    for cue in _LIT_CUES:
        if tail.endswith(cue):
            start = end - len(cue)
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # "paper": no word boundary before the cue
            return start
    return -1


_SEE_SUBJECT_RE: Final = re.compile(
    r"\b(?:i|we|you|they|to|she|he|will|can|still|now)\s+$", re.IGNORECASE
)
_AUTHOR_TAIL_RE: Final = re.compile(
    r"(?:\s+and\s+[A-Z][\w'’-]+)?\s+(?:and\s+(?:colleagues|coworkers|co-workers|associates)"
    r"|et\s+al\b)"
)
_BOOK_TITLE_RE: Final = re.compile(
    r"\s+(?:The\s+)?[A-Z][a-z]+(?:\s+(?:and|of|in|the|for|to|That|That's))?\s+[A-Z][a-z]+"
)
_PAIR_ON_TOPIC_RE: Final = re.compile(r"\s+on\s+([a-z][\w-]+)")
_PAIR_FWD_RE: Final = re.compile(r"\s+(?:and|&)\s+[A-Z][\w'’-]+\s+on\s+([a-z][\w-]+)")
_METHOD_AFTER_RE: Final = re.compile(
    r"\s+(?:[a-z-]+\s+)?(?:scale|inventory|questionnaire|index|protocol|followback|method|"
    r"technique|criteria|interview|checklist|screen|screener|manual|paradigm|procedure)\b"
)
_CITE_YEAR_RE: Final = re.compile(
    r"(?:(?:\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+)(?:(?:van|von|de|der|le|la|Le|La|De|Di|Du|Da|Del|Van|Von)\s+)*"
    r"[A-Z][\w'’-]+)*(?:\s+et\s+al\.?)?(?:['’]s)?\s*,?\s*[(\[]\s*(?:19[3-9]\d|20[0-4]\d)[a-z]?"
    r"(?:\s*[,;/]\s*(?:19|20)\d\d[a-z]?)*\s*(?:,\s*p+\.\s*\d+)?[)\]]"
)
_POSS_CITE_RE: Final = re.compile(
    r"\s+(?:\(\s*(?:19|20)\d\d\s*\)\s+)?(?:(?:[a-z-]+|[0-9A-Z][\w-]{0,4})\s+){0,2}(?:"
    + "|".join(sorted(POSSESSIVE_CITE_WORDS, key=len, reverse=True))
    + r")\b"
)
_CONDITIONS: Final = (
    "disease|syndrome|palsy|phenomenon|effect|delusion|dementia|thyroiditis|tics?|triad|"
    "reflex|sign|law|paradox|fallacy|complex|disorder|aphasia|encephalopathy|psychosis|"
    "chorea|ataxia|decision|ruling|doctrine|scale|inventory|test|figure|area|quote|quotes"
)
_POSS_CONDITIONS: Final = frozenset(
    "disease syndrome palsy phenomenon law paradox fallacy complex triad reflex sign chorea"
    " thyroiditis aphasia encephalopathy ataxia".split()
)
_EPONYM_COND_RE: Final = re.compile(
    r"(['’]s?)?(?:-[A-Z][\w'’]+)*(?:\s+[A-Z][a-z'’-]+(?:['’]s)?)?\s+(?:[a-z]+\s+)?"
    rf"({_CONDITIONS})\b"
)
_LIST_POSS_RE: Final = re.compile(
    r"(?:\s*,\s*[A-Z][\w'’-]+)*\s*,?\s+(?:and|&)\s+(?:(?:Van|Von|De|Le|La|van|von|de)\s+)?"
    r"[A-Z][\w-]+['’]s?"
)
_ON_CLINICAL_RE: Final = re.compile(r"\s+on\s+((?:[a-z][\w-]*\s*){1,3})")
_POSS_AND_RE: Final = re.compile(r"\s+(?:and|&)\s+[A-Z][\w'’-]+['’]s")
_POSS_QUOTE_RE: Final = re.compile(r"\s+[\"“‘'][A-Z][\w'’-]*(?:\s+[\w'’-]+){0,6}[\"”’']")
_PAREN_TITLE_RE: Final = re.compile(
    r"\s*\(\s*[A-Z][a-z'’-]+(?:\s+(?:of|the|and|in|for|to|a))*\s+[A-Z][a-z]"
)
_LIST_ON_TOPIC_RE: Final = re.compile(
    r"(?:\s*,\s*[A-Z][\w'’-]+)*\s*,?\s+(?:and|&)\s+[A-Z][\w'’-]+\s+on\s+"
    r"(?:(?:the|a|an)\s+)?[a-z][\w-]+"
)
_PAIR_ON_TOPIC_BACK_RE: Final = re.compile(r"\b[A-Z][\w'’-]+\s+(?:and|&)\s+$")
_PREV_PERIOD_RE: Final = re.compile(r"\.\s*$")
_POSS_METHOD_RE: Final = re.compile(
    r"\s+(?:(?:[a-z-]+|[0-9A-Z][\w-]{0,4})\s+){0,3}(?:"
    + "|".join(sorted(POSSESSIVE_METHOD_WORDS, key=len, reverse=True))
    + r")\b"
)
_NAME_PREFIX_RE: Final = re.compile(r"(?:Mc|Mac|De|Di|Da|La|Le|Van|Von|O['’]|D['’])[A-Z][a-z]")
_PLACE_PARTICLES: Final = frozenset("des de du la le les sur upon on en in".split())
_COMPOUND_SPLIT_RE: Final = re.compile(r"[-'’]")


def _compound_place(text: str) -> bool:
    """Cedar-Riverside, Côte-des-Neiges, Stratford-upon-Avon: capitalised parts joined by
    hyphens, with lower-case particles allowed in the middle."""
    parts = text.split("-")
    return (
        len(parts) >= 2
        and parts[0][:1].isupper()
        and parts[-1][:1].isupper()
        and all(p[:1].isupper() or p in _PLACE_PARTICLES for p in parts)
    )


def _compound_name(text: str) -> bool:
    """Núñez-Ibarra, Mary-Kate, Ty'Asia, D'Andre: each part Capitalised."""
    parts = _COMPOUND_SPLIT_RE.split(text)
    if len(parts) < 2:
        return False
    return all(p and p[0].isupper() and (len(p) == 1 or p[1:].islower()) for p in parts)


_PAREN_BREAK_RE: Final = re.compile(r"[)\n.;:]")
_LAST_WORD_RE: Final = re.compile(r"([\w-]+)$")
_CAPS2_RE: Final = re.compile(r"[A-Z]{2,}")
_ON_TOPIC_RE: Final = re.compile(r"(?:\s*(?:,|and|&)\s*[A-Z][\w'’-]+)*\s+on\s+([a-z][\w-]+)")
_DOT_OR_NUM_RE: Final = re.compile(r"\.|\s*\d")


def _tight(gap: str) -> bool:
    """Tokens separated only by spaces (same line), maybe a middle initial."""
    # three or more blanks, or a tab, separate columns of a form ("Mbatha-Koenig   Student")
    return gap == " " or (len(gap) <= 2 and "\t" not in gap and gap.strip() == "")


def gate_hits(toks: list[Tok]) -> Gates:
    """Positions of the trigger words the regex detectors need, taken from the tokens."""
    month: list[tuple[int, int]] = []
    street: list[tuple[int, int]] = []
    holiday: list[tuple[int, int]] = []
    observance: list[tuple[int, int]] = []
    ordinal: list[tuple[int, int]] = []
    for t in toks:
        low = t.low
        if low not in _GATE_WORDS:
            if "-" in low and low.rsplit("-", 1)[-1] in _MONTHISH:
                month.append((t.start, t.end))  # "mid-November"
            continue
        span = (t.start, t.end)
        if low in _MONTHISH:
            month.append(span)
        if low in _STREET_GATE_WORDS:
            street.append(span)
        if low in _HOLIDAY_GATE_WORDS:
            holiday.append(span)
        if low in _OBSERVANCE_GATE_WORDS:
            observance.append(span)
        if low in _ORDINAL_WORDS:
            ordinal.append(span)
    return Gates(month, street, holiday, observance, ordinal)


_LIST_LABEL_RE: Final = re.compile(
    r"\b(?:present|absent|attendees|attending|attended|in attendance|participants|members|"
    r"group members|check-ins|no-shows?|attendance|regrets|apologies|excused|facilitators?|"
    r"presenters?|note-?takers?|chair|cc)\s*:\s*([^.;:\n]+)",
    re.IGNORECASE,
)
_LIST_ITEM_RE: Final = re.compile(r"[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)?")
_LIST_SPLIT_RE: Final = re.compile(r"\s*(?:,\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+)\s*")


# labels that end right before the colon of a list of people ("Present:", "Note-taker:")
_LIST_LABEL_TAILS: Final = tuple(
    """present absent attendees attending attended participants members check-ins
    no-show no-shows attendance regrets apologies excused facilitator facilitators
    presenter presenters notetaker notetakers note-taker note-takers chair cc""".split()
) + ("in attendance",)


def _has_list_label(text: str) -> bool:
    i = text.find(":")
    while i != -1:
        if text[max(0, i - 16) : i].rstrip().lower().endswith(_LIST_LABEL_TAILS):
            return True
        i = text.find(":", i + 1)
    return False


def _label_lists(text: str, toks: list[Tok]) -> list[Span]:
    """Every item of a short list of people after a label, once most items are names."""
    lex = lexicon()
    by_start = {t.start: t for t in toks}
    out: list[Span] = []
    prior_people = False  # an earlier list in the note was a list of people
    for m in _LIST_LABEL_RE.finditer(text):
        body_start = m.start(1)
        body = m.group(1)
        items: list[tuple[int, int, str]] = []
        pos = 0
        for part in _LIST_SPLIT_RE.split(body):
            k = body.find(part, pos)
            pos = k + len(part)
            im = _LIST_ITEM_RE.match(part)
            if im is None or not part.strip():
                continue
            items.append((body_start + k + im.start(), body_start + k + im.end(), im.group()))
        if not items:
            continue
        named = 0
        cands: list[tuple[int, int, str]] = []
        for s0, _e0, w in items:
            tk = by_start.get(s0)
            if tk is not None and tk.label == "NAME":
                named += 1
                continue
            first = w.split()[0]
            lw = first.lower()
            if (
                lw in FUNCTION_WORDS
                or lw in RELATIONS
                or lw in TITLES
                or lw in ALWAYS_SKIP
                or lw in lex.never_name
                or lw in WEEKDAYS
                or lw in HOLIDAY_WORDS
            ):
                continue
            capital = first[0].isupper() and not first.isupper()
            if _is_english(lex, lw) and lw not in lex.word_names and lw not in lex.first:
                if (len(lw) > 3 or named < 2) and not (prior_people and capital):
                    continue
            cands.append((s0, s0 + len(first), first))
        if named >= 2:
            prior_people = True
        if not cands:
            continue
        if len(items) < 3:
            if len(cands) < len(items) or (
                not prior_people and any(_is_english(lex, w.lower()) for _, _, w in cands)
            ):
                continue
        elif named * 2 < len(items):
            continue
        prior_people = True
        for s0, e0, _w in cands:
            tk = by_start.get(s0)
            if tk is not None:
                tk.label, tk.reason = "NAME", "in a list of people"
            else:
                out.append((s0, e0, "NAME", "in a list of people"))
    return out


_NAMING_HEADS: Final = frozenset("named nicknamed aka".split())
_CALLS: Final = frozenset("call calls called calling".split())
_CALLERS: Final = frozenset("everyone everybody people family friends they we all".split())
_NOT_NICKNAMES: Final = frozenset(
    """bus car train foot phone text email mail plane boat bike name names nickname back
    later tomorrow today tonight daily weekly often every each out over up again crazy
    stupid names mom dad sir maam ma'am buddy bro dear sweetie""".split()
)
_REAL_NAME_WORDS: Final = ("real", "legal", "birth", "given", "full")
_REAL_NAME_AFTER_RE: Final = re.compile(
    r"\b([a-z][a-z]+)\s*\((?:her|his|their|my|the)\s+(?:real|legal|birth|given|full)"
    r"\s+name\b"
)


_LOWER_NICK_RE: Final = re.compile(
    r"\b(?:(?P<head>nicknamed|named|aka|goes\s+by|go\s+by|going\s+by|known\s+as)"
    r"|(?P<is>(?:name|nickname)\s+is)"
    r"|(?P<caller>everyone|everybody|people|family|friends|they|we)\s+(?:all\s+)?"
    r"(?:calls?|called)\s+(?:her|him|them)|(?:call|calls)\s+me)"
    r"\s+(?P<q>[\"“'‘]?)(?P<w>[a-z][a-z]+(?:-[a-z]+)?)(?P<q2>[\"”'’]?)(?P<after>.?)",
)


_QUOTE_NAMING_CUES: Final = ("go", "nick", "aka", "a.k.a", "known", "call", "re")
_COUPLE_PAIR_RE: Final = re.compile(
    r"\bcouple(?:\s+is|\s+are|,|:)?\s+([a-z][a-z'’-]{1,})\s+(?:and|&|\+)\s+([a-z][a-z'’-]{1,})\b"
)
def _couple_pairs(text: str) -> Iterator[re.Match[str]]:
    """_COUPLE_PAIR_RE at each "couple" (cheaper than scanning the whole text)."""
    i = text.find("couple")
    while i != -1:
        if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
            m = _COUPLE_PAIR_RE.match(text, i)
            if m is not None:
                yield m
        i = text.find("couple", i + 6)


# after a found nickname: a possessive or a verb of a person; before it: a verb taking one
_NICK_NEXT_RE: Final = re.compile(
    r"['’]s\b|\s+(?:said|says|told|tells|asked|called|texted|came|left|cried|wants|wanted|did|"
    r"didn['’]t|doesn['’]t|is|was|works|worked|lives|lived|feels|felt|thinks|has|had|got|went|"
    r"goes|keeps|needs|agreed|refused|retired|started|stopped|still|just|relapsed|drinks|uses|"
    r"emailed|texts|calls)\b"
)
_NICK_PREV_RE: Final = re.compile(r"\b(?:calls|about|w/|told|asked) $")
_NICK_CONTINUATIONS: Final = frozenset(
    "since at in with and now because for on to mostly though but these these days".split()
)
_QUOTED_NICK_RE: Final = re.compile(
    r"\b(?P<cue>goes by|go by|going by|nicknamed|aka|a\.k\.a\.|known as|called|"
    r"calls (?:him|her|them)|cousin|brother|sister|uncle|aunt|friend|boyfriend|girlfriend|bf|"
    r"gf|partner|husband|wife|dad|mom|grandma|grandpa|nephew|niece|roommate|re)\s+[\"“]"
    r"(?P<nick>[a-z][\w'’-]*(?: [a-z][\w'’-]*){0,2})[\"”]"
)
_LOWER_AGE_PAREN_RE: Final = re.compile(
    r"(?<![\w'’-])([a-z][a-z'’-]{1,})\s*\((?:\d{1,2}|[mf])[,)\s]"
)


def _lower_age_parens(text: str) -> Iterator[re.Match[str]]:
    """Matches of _LOWER_AGE_PAREN_RE, tried only just before each "(" (cheap to find)."""
    i = text.find("(")
    while i != -1:
        if i + 1 < len(text) and (text[i + 1].isdigit() or text[i + 1] in "mf"):
            m = _LOWER_AGE_PAREN_RE.search(text, max(0, i - 30), i + 5)
            if m is not None:
                yield m
        i = text.find("(", i + 1)


def _quoted_nicks(text: str) -> Iterator[re.Match[str]]:
    """Matches of _QUOTED_NICK_RE, tried only just before each opening quote."""
    for q in ('"', "“"):
        i = text.find(q)
        while i != -1:
            m = _QUOTED_NICK_RE.search(text, max(0, i - 24), i + 40)
            if m is not None and m.start("nick") == i + 1:
                yield m
            i = text.find(q, i + 1)
_IS_RELATIVE_RE: Final = re.compile(
    r"(?<![\w'’-])([a-z][a-z]{2,})(?:['’]s|\s+is|\s+was)\s+(?:your|her|his|their|my|our)\s+"
    r"(?:(?:older|younger|big|little|baby|twin|half|step|best|oldest|youngest)\s+)?"
    r"(?:sister|brother|mom|dad|mother|father|son|daughter|aunt|uncle|cousin|niece|nephew|"
    r"grandma|grandpa|grandmother|grandfather|husband|wife|boyfriend|girlfriend|partner|"
    r"roommate|friend|sponsor)\b"
)
_NOT_RELATIVE_SUBJECTS: Final = frozenset(
    """that this there here what who which it she he one everyone someone nobody anyone
    mine yours hers his theirs ours who's whom where when why how each other another
    person child kid girl boy man woman lady guy baby stranger neighbor neighbour teacher
    former new real actual only""".split()
)
_CHURCH_RE: Final = re.compile(
    r"(?<![\w'’-])(?<!my )(?<!his )(?<!her )(?<!our )(?<!their )(?<!your )"
    r"((?:[Ff]irst|[Ss]econd|[Tt]hird|1st|2nd|3rd)\s+(?:[Uu]nited\s+)?"
    r"(?:[Bb]aptist|[Mm]ethodist|[Pp]resbyterian|[Ll]utheran|[Cc]ongregational|[Ee]piscopal|"
    r"[Rr]eformed|[Cc]hristian|AME|[Aa]me|[Ee]vangelical)"
    r"(?:\s+(?:[Cc]hurch|[Cc]hapel|[Tt]abernacle))?)\b"
)


_DENOMINATIONS: Final = (  # case-insensitive enough: the first letter is left out
    "aptist",
    "ethodist",
    "resbyterian",
    "utheran",
    "ongregational",
    "piscopal",
    "eformed",
    "vangelical",
    "irst christian",
    "irst Christian",
)


def _churches(text: str) -> list[Span]:
    """Congregations named by an ordinal and a denomination, in any case: "a wedding at
    first baptist", "First United Methodist"."""
    return [
        (m.start(1), m.end(1), "ORG", "congregation named by ordinal and denomination")
        for m in _CHURCH_RE.finditer(text)
    ]


_NICK_TRIGGERS: Final = frozenset("named nicknamed aka by as is called calls call calling".split())
_RELATIVE_TRIGGERS: Final = frozenset(
    """sister brother mom dad mother father son daughter aunt uncle cousin niece nephew grandma
    grandpa grandmother grandfather husband wife boyfriend girlfriend partner roommate friend
    sponsor""".split()
)


def _nick_windows(text: str, toks: list[Tok]) -> list[int]:
    """Start offsets of small windows that may hold a naming cue (cheap token test)."""
    starts: list[int] = []
    prev = ""
    for t in toks:
        low = t.low
        if low in _NICK_TRIGGERS and not t.cap:
            if low == "is" and prev not in ("name", "nickname"):
                pass
            elif low == "as" and prev != "known":
                pass
            elif low == "by":
                if text[max(0, t.start - 7) : t.start].rstrip().endswith(("go", "goes", "going")):
                    starts.append(max(0, t.start - 8))
            else:
                starts.append(max(0, t.start - 24))
        prev = low
    return starts


def _lower_nicknames(
    text: str, toks: list[Tok], lex: Lexicon, consumed_spans: set[int] | None = None
) -> list[Span]:
    """Lower-case nicknames after a naming cue, even when they are English words (such
    words are not tokenised): "nicknamed bear", "goes by "tank"", "her real name is
    hyun-joo", "everyone calls her honey)"; then the same word's mentions in name position
    ("bear's mom", "bear said")."""
    out: list[Span] = []
    found: set[str] = set()
    if consumed_spans is None:
        consumed_spans = {t.start for t in toks if t.label is not None}
    matches: dict[int, re.Match[str]] = {}
    for lo in _nick_windows(text, toks):
        for m in _LOWER_NICK_RE.finditer(text, lo, min(len(text), lo + 80)):
            matches.setdefault(m.start("w"), m)
    for m in matches.values():
        w = m.group("w")
        if (
            w in FUNCTION_WORDS
            or w in LOWER_CUE_STOP
            or w in RELATIONS
            or w in _NOT_NICKNAMES
            or w in ORG_SUFFIXES
            or w in MONTH_NAMES
            or w in WEEKDAYS
            or w in lex.regions
            or w in lex.drugs
            or w in lex.clinical
            or m.start("w") in consumed_spans
        ):
            continue
        quoted = bool(m.group("q")) and bool(m.group("q2"))
        ends = quoted or m.group("after") in (")", ",", ".", ";", "", "\n")
        english = _is_english(lex, w) and w not in lex.first
        if m.group("is") is not None:
            ok = True
        elif m.group("head") is not None:
            head = m.group("head")
            weak = head == "named" or head.startswith("known")  # "named shame", "known as"
            ok = not english or quoted or (ends and not weak)
            if not ok and not weak and m.group("after") == " ":
                nx_c = _NEXT_LOWER_RE.match(text, m.end("w"))
                # "goes by bear since the army": the cue's object ends at a function word
                ok = nx_c is not None and nx_c.group(1) in _NICK_CONTINUATIONS
        else:
            ok = ends
        if not ok:
            continue
        found.add(w)
        out.append((m.start("w"), m.end("w"), "NAME", "lower-case nickname after a naming cue"))
    if '"' in text or "“" in text:
        # a quoted lower-case nickname of up to three words after a naming cue or a
        # relative: 'goes by "lil d"', 'his cousin "big mike"'
        for m in _quoted_nicks(text):
            q_words = m.group("nick").split()
            if any(w in FUNCTION_WORDS or w in LOWER_CUE_STOP for w in q_words):
                continue
            if not m.group("cue").startswith(_QUOTE_NAMING_CUES) and all(
                _is_english(lex, w) and w not in lex.first for w in q_words
            ):
                continue  # 'a new boyfriend "sometimes"': a word in quotes, not a name
            if m.start("nick") in consumed_spans:
                continue
            found.update(q_words)
            out.append((m.start("nick"), m.end("nick"), "NAME", "quoted nickname after a cue"))
    for m in _lower_age_parens(text):
        w = m.group(1)
        if (
            w in FUNCTION_WORDS
            or w in RELATIONS
            or (_is_english(lex, w) and w not in lex.first and w not in lex.word_names)
            or w in lex.never_name
            or w in lex.regions
            or m.start(1) in consumed_spans
        ):
            continue  # "kiddo will (9, …)": a word-name is a name right before an age
        found.add(w)
        out.append((m.start(1), m.end(1), "NAME", "lower-case word before an age in brackets"))
    if "couple" in text:
        # "new couple, hope and bill": two lower-case words joined by "and" right after
        # "couple" are the partners' names when either is a first name
        for m in _couple_pairs(text):
            w1, w2 = m.group(1), m.group(2)
            if any(w in FUNCTION_WORDS or w in lex.never_name for w in (w1, w2)):
                continue
            if not any(w in lex.first or w in lex.word_names for w in (w1, w2)):
                continue
            for g in (1, 2):
                if m.start(g) not in consumed_spans:
                    found.add(m.group(g))
                    out.append((m.start(g), m.end(g), "NAME", "partners named after 'couple'"))
    rel_matches: dict[int, re.Match[str]] = {}
    for t in toks:
        if t.low in _RELATIVE_TRIGGERS and not t.cap:
            pre = text[max(0, t.start - 48) : t.start]
            if not ("'s " in pre or "’s " in pre or " is " in pre or " was " in pre):
                continue
            for m in _IS_RELATIVE_RE.finditer(text, max(0, t.start - 48), t.end):
                rel_matches.setdefault(m.start(1), m)
    for m in rel_matches.values():
        w = m.group(1)
        if (
            w in FUNCTION_WORDS
            or w in _NOT_RELATIVE_SUBJECTS
            or w in RELATIONS
            or w in LOWER_CUE_STOP
            or m.start(1) in consumed_spans
            or (w in lex.english and w not in lex.first and w not in lex.word_names)
        ):
            continue  # "her other support is her friend": an ordinary noun
        found.add(w)
        out.append((m.start(1), m.end(1), "NAME", "lower-case word said to be a relative"))
    if " name" in text and any(f"{q} name" in text for q in _REAL_NAME_WORDS):
        for m in _REAL_NAME_AFTER_RE.finditer(text):
            w = m.group(1)
            if w not in FUNCTION_WORDS and w not in RELATIONS and m.start(1) not in consumed_spans:
                found.add(w)
                out.append((m.start(1), m.end(1), "NAME", "nickname before '(real name ...)'"))
    for w in found:
        for m in re.finditer(rf"\b{re.escape(w)}\b", text):
            k, e = m.span()
            if _NICK_NEXT_RE.match(text, e) or _NICK_PREV_RE.search(text, max(0, k - 8), k):
                out.append((k, e, "NAME", "another mention of a nickname"))
    return out


_UNION_LOCAL_RE: Final = re.compile(r"(\s+[Ll]ocal)?\s+#?\d{1,4}\b(?![/:.,]\d)")


_PRONOUN_TAG_GATE_RE: Final = re.compile(r"\((?:she|he|they|ze|xe|zie|ey|any)\s*/", re.IGNORECASE)
_PRONOUNS_AFTER_RE: Final = re.compile(
    r"\s*\(\s*(?:she|he|they|ze|xe|zie|ey|any)\s*/\s*(?:her|hers|him|his|them|theirs|hir|zir|"
    r"em|xem|pronouns|they|she|he)\b[^)]{0,12}\)",
    re.IGNORECASE,
)
_A_CHAIN_AFTER_RE: Final = re.compile(r"\s+(?:on|in|near|by|off|at|along|every|for)\b|[,.;]")
_AND_WORDS: Final = frozenset(("and", "&", "or"))
_POSS_PRONOUNS: Final = frozenset("her his my their our your".split())
_POSSESSIVE_FACILITY_WORDS: Final = frozenset("children women veterans shriners".split())
_CAMEL_RE: Final = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+")
_SINGLE_AT_STOP: Final = frozenset(
    """first last least most best home work school church night noon midnight dawn baseline
    intake discharge admission follow-up followup session step level stage phase week day
    time times present risk end start beginning bedtime lunch dinner breakfast peace rest
    ease play recess practice rehearsal triage pretest posttest pre-test post-test camp
    graduation termination orientation registration reception checkout check-in checkin
    pickup drop-off dropoff recovery treatment therapy group class practicum""".split()
)


def _single_at_org(text: str, toks: list[Tok], i: int, lex: Lexicon) -> bool:
    """One capitalised word after "at", mid-sentence, not followed by another capitalised
    word or a number: "stillbirth at Swedish", "a resident at Howard", "at Legacy"."""
    t = toks[i]
    low = t.low
    if t.sent_start or t.possessive or t.allcaps or len(low) < 3:
        return False
    if (
        low in lex.first
        or low in lex.places
        or low in lex.regions
        or low in HOLIDAY_WORDS
        or low in _SINGLE_AT_STOP
        or low in ORG_SUFFIXES  # "at Hospice", "at Church": the generic facility
        or low.endswith(("tion", "sion", "ment", "ness", "ing"))
        or low in IDENTITY_WORDS
        or low in PROGRAMS
        or low in TITLES
        or low in RELATIONS
        or low in lex.eponyms
        or (low in lex.never_name and low not in lex.non_phi)
    ):
        return False
    nxt = text[t.full_end : t.full_end + 3].lstrip()
    if nxt[:1].isdigit() or nxt[:1] in ("-", "/", "'", "’"):
        return False  # "at Level 3", "at Step-down"
    return True


_KIN_REASON: Final = "capitalised word after a title or relationship word"
# "met with jasmine", "talked to grace", "f/u w/ destiny": a person follows
_CONTACT_BEFORE_RE: Final = re.compile(
    r"\b(?:(?:talked|talking|talk|spoke|speaking|speak|met|meeting|meet|checked in|check in|"
    r"f/u|follow up|followed up|session|sessions|consult|consulted|phone call|call|"
    r"visit|visits)\s+(?:with|w/|to)|called|texted|emailed|e-mailed|messaged|told|asked|"
    r"reached)\s+$"
)
_MET_WITH_RE: Final = re.compile(r"\b(?:met|meet|meets)\s+with\s+$")
# words that are names but usually abstract nouns: "was met with hope", "meet with grace"
_ABSTRACT_WORD_NAMES: Final = frozenset(
    "hope faith grace joy love patience charity mercy honor justice unity bliss serenity"
    " harmony trust".split()
)
_INTRO_BY_AGE_RE: Final = re.compile(
    r"(?:\s+(?:is|was)\s+(?:now\s+)?|,\s+)(?:a|an)\s+\d{1,3}[- ]?(?:year|yr)s?[- ]old\b"
    r"|\s\(\d{1,3}\)"
)


def _prev_tok(toks: list[Tok], i: int) -> Tok | None:
    return toks[i - 1] if i > 0 else None

def _person_cue(toks: list[Tok], i: int) -> tuple[bool, bool]:
    """(any cue, strong title cue) immediately before token i."""
    p = _prev_tok(toks, i)
    if p is None:
        return False, False
    gap = toks[i].gap_before
    if "\n" in gap:
        return False, False
    g = gap.strip()
    if p.allcaps and p.low in CAPS_TITLES and g == "" and toks[i].cap and not toks[i].allcaps:
        return True, False
    if (
        p.low in TITLES
        and not p.allcaps
        and (g in ("", ",", '"', "“", "'", "‘") or (g == "." and p.low in ABBR_TITLES))
    ):
        # 'his sister "Bug"': a quoted word after a kinship word that is also a title
        quoted = p.low in RELATIONS and g in ('"', "“", "'", "‘")
        return True, p.low in STRONG_TITLES or quoted
    if p.low in STRONG_CUES and gap.strip() in ("", ":", ",", '"', "“", "'", "‘", ', "'):
        return True, True
    if p.low in RELATIONS and len(gap) <= 5 and not gap.strip(' ,:("“‘—–-'):
        if p.low in ("named", "called", "nicknamed", "aka"):
            return True, True
        return True, '"' in gap or "“" in gap  # her battle buddy "Tank"
    if (
        p.low in ("him", "her", "them", "me", "himself", "herself", "themselves")
        and i >= 2
        and toks[i - 2].low in ("call", "calls", "called", "calling", "named", "name")
        and _tight(p.gap_before)
        and gap.strip() in ("", '"', "“")
    ):
        return True, True
    if p.low == "by" and i >= 2 and toks[i - 2].low == "goes":
        return True, True
    if p.low == "is" and i >= 2 and toks[i - 2].low in ("nickname", "name", "called"):
        return True, True
    if p.low == "as" and i >= 2 and toks[i - 2].low in ("known", "goes"):
        return True, True
    return False, False

def _loc_context(toks: list[Tok], i: int, lex: Lexicon) -> bool:
    n = len(toks)
    p = _prev_tok(toks, i)
    if p is not None and p.low in LOC_STRONG_PREPS and _tight(toks[i].gap_before):
        return True
    j = i
    while j + 1 < n and toks[j + 1].cap and _tight(toks[j + 1].gap_before):
        j += 1
    if j + 1 < n and toks[j + 1].gap_before.strip() == ",":
        nxt = toks[j + 1]
        if nxt.low in lex.regions or (nxt.allcaps and len(nxt.text) == 2):
            return True
    return False

def _lower_unknown_name(text: str, toks: list[Tok], i: int, lex: Lexicon) -> bool:
    """A lower-case word that is no dictionary word, after a title or relationship word
    ("coach dominguez", "pt tavi"), before an age ("kaden 9yo", "jojo (14)") or a
    possessive before a relative ("gabe's wife")."""
    n = len(toks)
    t = toks[i]
    low = t.low
    if not t.text.isalpha() and not _COMPOUND_LOWER_RE.fullmatch(t.text):
        return False
    if (
        _is_english(lex, low)
        or _looks_english(low)
        or low in lex.never_name
        or low in lex.regions
        or low in LOWER_CUE_STOP
        or low in ORG_SUFFIXES
        or low in STREET_WORDS
        or _hard_excluded(lex, t)
    ):
        return False
    p = toks[i - 1] if i else None
    if p is not None and p.allcaps and p.low in CAPS_TITLES and _tight(t.gap_before):
        return True
    if p is not None and not p.allcaps:
        g = t.gap_before
        if (p.low in TITLES or p.low in RELATIONS or p.low in STRONG_CUES) and (
            _tight(g) or g in (", ", ": ") or (g == ". " and p.low in ABBR_TITLES)
        ):
            return True
    if _LOWER_AGE_RE.match(text, t.full_end):
        return True
    if i + 1 < n and _tight(toks[i + 1].gap_before):
        if toks[i + 1].low in STRONG_PERSON_VERBS and len(low) >= 3:
            return True  # "dev said check the policy"
    if i + 1 < n and _tight(toks[i + 1].gap_before):
        nx = toks[i + 1]  # "keshawn brooks-harrell, 22"
        if (
            not nx.cap
            and not _is_english(lex, nx.low)
            and nx.low not in lex.never_name
            and _LOWER_AGE_RE.match(text, nx.full_end)
        ):
            return True
    if t.possessive and i + 1 < n and toks[i + 1].low in RELATIONS:
        return _tight(toks[i + 1].gap_before)
    return False


def find_names(text: str, toks: list[Tok] | None = None) -> list[Span]:
    lex = lexicon()
    if toks is None:
        toks = tokenize(text, lex)
    n = len(toks)
    if n == 0:
        return []
    out: list[Span] = []
    consumed = [False] * n
    author_consumed: set[int] = set()  # tokens taken as cited authors ("see Kuba")

    # 1. multi-word phrases: regions (never), authors (never), places (LOCATION)
    caps = [j for j in range(n) if toks[j].cap]
    lowers = [j for j in range(n) if not toks[j].cap]
    heads = lex.phrase_heads
    free_from = 0
    for i in caps:
        if i < free_from:
            continue
        head_low = _ABBR_HEADS.get(toks[i].low, toks[i].low)
        maxlen = heads.get(head_low, 0)
        if not maxlen or i + 1 >= n:
            continue
        nx_p = toks[i + 1]
        if not (nx_p.cap or nx_p.low in CONNECTORS) or not (
            _tight(nx_p.gap_before) or nx_p.gap_before == ". "
        ):
            continue
        for k in range(min(maxlen, n - i), 1, -1):
            seg = toks[i : i + k]
            if not all(x.cap or x.low in CONNECTORS for x in seg):
                continue
            if not all(
                _tight(seg[j].gap_before)
                or (j == 1 and head_low != toks[i].low and seg[j].gap_before == ". ")
                for j in range(1, k)
            ):
                continue
            phrase = " ".join([head_low] + [x.low for x in seg[1:]])
            if phrase in lex.regions or phrase in lex.authors:
                for j in range(i, i + k):
                    consumed[j] = True
                free_from = i + k
                break
            if phrase in lex.places:
                for j in range(i, i + k):
                    consumed[j] = True
                    toks[j].label = "LOCATION"
                    toks[j].reason = "multi-word place name from gazetteer"
                free_from = i + k
                break

    # 1b. authors typed in lower case ("reading kristin neff"): never names
    author_heads = lex.author_heads
    phrase_triggers = _phrase_triggers(lex)
    lower_trig = [j for j in lowers if toks[j].low in phrase_triggers]
    for i in lower_trig:
        if consumed[i] or toks[i].low not in author_heads:
            continue
        maxlen = author_heads[toks[i].low]
        if maxlen < 2:
            continue
        m_auth = _LOWER_WORDS_RE.match(text, toks[i].start)
        if m_auth is None:
            continue
        a_words = m_auth.group().split()
        for k in range(min(maxlen, len(a_words)), 1, -1):
            a_last = a_words[k - 1]
            if a_last.endswith(("'s", "’s")):
                a_last = a_last[:-2]
            if " ".join(a_words[: k - 1] + [a_last.rstrip("'’")]) in lex.authors:
                pe = toks[i].start + len(" ".join(a_words[:k]))
                for j in lowers:
                    if toks[i].start <= toks[j].start < pe:
                        consumed[j] = True
                break

    # 1c. multi-word places typed in lower case after a place preposition ("in eau claire")
    phrase_preps = [j for j in lower_trig if toks[j].low in _PHRASE_PREPS]
    for i in phrase_preps:
        if toks[i].low not in _PLACE_RUN_PREPS:
            continue
        fw = _FIRST_WORD_RE.match(text, toks[i].end)
        if fw is None or (
            fw.group(2) not in heads
            and not (fw.group(1) == "the" and "the " + fw.group(2) in lex.places)
        ):
            continue
        m = _LOWER_PLACE_RUN_RE.match(text, toks[i].end)
        if m is None or m.group(1).split(" ", 1)[0] not in heads:
            continue
        p_words = m.group(1).split()
        if p_words[0] in ("the", "many", "at", "as", "a", "an") and p_words[:2] != [
            "the",
            "bronx",
        ]:
            continue  # "in the hills", "in the village": ordinary English
        for k in range(min(4, len(p_words)), 1, -1):
            phrase = " ".join(p_words[:k])
            if phrase in lex.places and phrase not in lex.regions:
                ps = m.start(1)
                pe = ps + len(phrase)
                if text[ps:pe] != phrase:
                    break  # irregular spacing: leave it to the other rules
                out.append((ps, pe, "LOCATION", "lower-case place name after a preposition"))
                for j in lowers:
                    if ps <= toks[j].start < pe:
                        consumed[j] = True
                break

    # 1d. chains and large employers typed as words ("at the home depot", "drives for ups")
    for i in phrase_preps:
        if toks[i].low not in _CHAIN_PREPS or consumed[i]:
            continue
        fw = _FIRST_WORD_RE.match(text, toks[i].end)
        if fw is None or fw.group(2).lower().rstrip(".,;:!?)") not in lex.chain_heads:
            continue
        m = _CHAIN_AFTER_RE.match(text, toks[i].end)
        if m is None:
            continue
        c_words = m.group(1).lower().split()
        maxlen = lex.chain_heads.get(c_words[0].rstrip(".,;:!?)"), 0)
        for k in range(min(maxlen, len(c_words)), 0, -1):
            phrase = " ".join(c_words[:k]).rstrip(".,;:!?)")
            cued = phrase in lex.chains_cued
            if phrase not in lex.chains and not cued:
                continue
            if cued and not _WORK_CUE_RE.search(text, max(0, toks[i].start - 50), toks[i].start):
                break
            cs = m.start(1)
            ce = cs + len(phrase)
            nx_chain = _NEXT_WORD_RE.match(text, ce)
            if nx_chain is not None and nx_chain.group(1).lower() in _CHAIN_TAILS:
                ce = nx_chain.end(1)  # "target hq", "amazon warehouse"
            out.append((cs, ce, "ORG", "chain or large employer"))
            for j in range(i + 1, n):
                if toks[j].start >= ce:
                    break
                consumed[j] = True
            break

    # 2. organisations: capitalised run ending in an org suffix, or after an employer cue
    for i in caps:
        t = toks[i]
        if t.low in ("st", "saint") and i + 1 < n and not consumed[i]:
            nx = toks[i + 1]
            if nx.cap and nx.possessive and nx.gap_before in (". ", " ") and not consumed[i + 1]:
                for tk in (t, nx):
                    tk.label, tk.reason = "ORG", "saint's name used for a church/school/hospital"
                consumed[i] = consumed[i + 1] = True

    for i in caps:
        t = toks[i]
        if consumed[i] or not t.cap or t.low not in ORG_SUFFIXES:
            continue
        j = i
        while j > 0 and (
            _tight(toks[j].gap_before)
            or (toks[j].gap_before == " & " and toks[j - 1].cap)  # "Counseling & Wellness"
            or (toks[j].gap_before == ". " and toks[j - 1].low in ("st", "mt", "ft"))
        ):
            p = toks[j - 1]
            if p.low in _MILITARY:
                break
            if (
                p.sent_start
                and p.low.endswith(("ed", "ing"))
                and _english_word(p.low)
                and p.low not in lex.places
            ):
                break  # "Called Cascadia Health Plan": a verb opening the sentence
            if (
                p.cap
                and (
                    _org_word_ok(p)
                    # "school is HAWTHORNE ELEMENTARY": an ALL-CAPS name before an ALL-CAPS
                    # suffix in an otherwise ordinary note
                    or (
                        p.allcaps
                        and t.allcaps
                        and len(p.low) > 4
                        and _VOWELS & set(p.text)
                        and p.low not in lex.never_name
                        and p.low not in FUNCTION_WORDS
                        and not _english_word(p.low)
                    )
                )
                or p.low in ("st", "saint", "&")
            ):
                j -= 1
            elif p.low in ("of", "and", "&") and j - 2 >= 0 and toks[j - 2].cap:
                j -= 1
            else:
                break
            if toks[j].sent_start:
                break
        while j < i and (toks[j].low in ("of", "and", "&", "the", "a", "for")):
            j += 1
        while j < i and (toks[j].low in ORG_STARTERS or toks[j].low in ORG_CUE_WORDS):
            j += 1
        k = i
        while (
            k + 2 < n
            and toks[k + 1].low == "of"
            and _tight(toks[k + 2].gap_before)
            and (
                toks[k + 2].cap
                # "Mercy Hospice of the Valley"
                or (
                    toks[k + 2].low == "the"
                    and k + 3 < n
                    and toks[k + 3].cap
                    and _tight(toks[k + 3].gap_before)
                )
            )
        ):
            k += 2 if toks[k + 2].cap else 3
            while k + 1 < n and toks[k + 1].cap and _tight(toks[k + 1].gap_before):
                if toks[k + 1].low in ORG_SUFFIXES or not _hard_excluded(lex, toks[k + 1]):
                    k += 1
                else:
                    break
        run_text = " ".join([toks[x].low for x in range(j, k + 1)])
        if toks[j].low in NATIONAL_WORDS or (toks[j].allcaps and toks[j].low in lex.non_phi):
            continue  # "National Institute of Mental Health", "the AAP Family Media Plan"
        if any(toks[x].possessive and toks[x].low in lex.eponyms for x in range(j, k + 1)):
            continue  # "Herman's Trauma and Recovery" (a book)
        if all(
            toks[x].low in lex.eponyms or toks[x].low in ORG_SUFFIXES or toks[x].low in CONNECTORS
            for x in range(j, k + 1)
        ):
            continue  # "the Gottman Institute", "Beck Institute": a training institute
        if any(ph in run_text for ph in METHOD_PHRASES) or _generic_agency(run_text, lex):
            continue  # a method, or a public agency every county has ("Adult Protective
            # Services"): neither names the client's employer or school
        if _METHOD_AUTHOR_RE.match(text, toks[k].full_end):
            continue  # "Collaborative and Proactive Solutions (Greene)": a method
        has_specific = any(
            not (
                toks[x].low in ORG_SUFFIXES
                or toks[x].low in CONNECTORS
                or toks[x].low in IDENTITY_WORDS
            )
            for x in range(j, k + 1)
        )
        if not has_specific:
            continue
        if j == i and k == i:
            continue
        if all(
            toks[x].low in lex.regions or toks[x].low in ORG_SUFFIXES or toks[x].low in CONNECTORS
            for x in range(j, k + 1)
        ):
            continue
        for x in range(j, k + 1):
            consumed[x] = True
            toks[x].label = "ORG"
            toks[x].reason = "named organisation (school, employer, facility)"
    for i in caps:
        t = toks[i]
        if consumed[i] or (t.sent_start and not t.gap_before.rstrip().endswith(":")):
            continue
        if not _org_cued(toks, i):
            continue
        low_t = t.low
        if (
            len(low_t) < 2
            or (t.allcaps and low_t in _DEPT_ACRONYMS)
            or low_t in ALWAYS_SKIP
            or low_t in TITLES
            or low_t in RELATIONS
            or low_t in HOLIDAY_WORDS
            or low_t in lex.regions
            or low_t in MONTH_NAMES
            or low_t in WEEKDAYS
            or (low_t in lex.never_name and low_t not in lex.non_phi)
            or low_t in PROGRAMS
            or low_t in IDENTITY_WORDS
            or low_t in _MILITARY
        ):
            continue
        k = i
        while (
            k + 1 < n
            and (_tight(toks[k + 1].gap_before) or toks[k + 1].gap_before == " & ")
            and (
                toks[k + 1].cap
                or (toks[k + 1].low in ("&", "of") and k + 2 < n and toks[k + 2].cap)
            )
        ):
            if consumed[k + 1]:
                break
            k += 1
        prep = toks[i - 1].low if toks[i - 1].low not in ("the", "a", "an") else toks[i - 2].low
        if k == i and t.low in lex.places and prep == "in":
            continue  # "works in Denver" -> handled as a place
        if (
            k > i
            and prep == "in"
            and all(toks[x].low in lex.places or toks[x].low in lex.regions for x in (i, k))
        ):
            if k == i + 1 and toks[k].gap_before == " ":
                continue  # "works in Salt Lake" -> a place
        if k == i and t.low in lex.first and t.low not in lex.last:
            continue  # "works for Maria" -> a person
        nx_lang = _NEXT_LOWER_RE.match(text, t.full_end)
        if k == i and nx_lang is not None and nx_lang.group(1) in _LANGUAGE_NOUNS:
            continue  # "with a Nuer interpreter": a language or a people
        if k == i and t.possessive and t.low in lex.first and nx_lang is not None:
            continue  # "work with Noor's shame": a person's, not a workplace
        if t.possessive and t.low in lex.eponyms:
            continue  # "working from Worden's tasks", "from Gottman's Sound Relationship
            # House": a book or a model, not a workplace
        for x in range(i, k + 1):
            consumed[x] = True
            toks[x].label = "ORG"
            toks[x].reason = "organisation after an employer/school cue"

    for i in caps:
        t = toks[i]
        if i == 0 or consumed[i] or not _tight(t.gap_before):
            continue
        pl = toks[i - 1].low
        if not (
            pl == "at"
            or (
                pl == "the"
                and i >= 2
                and toks[i - 2].low == "at"
                and _tight(toks[i - 1].gap_before)
            )
        ):
            continue
        if not _org_word_ok(t) or t.low in RELATIONS:
            continue
        k = i
        while k + 1 < n and toks[k + 1].cap and _tight(toks[k + 1].gap_before):
            if consumed[k + 1] or not _org_word_ok(toks[k + 1]):
                break
            k += 1
        if k == i:
            if pl == "at" and _single_at_org(text, toks, i, lex):
                consumed[i] = True
                t.label, t.reason = "ORG", "capitalised word after 'at' (a workplace or facility)"
            continue
        run = toks[i : k + 1]
        if run[-1].possessive and run[-1].low not in _POSSESSIVE_FACILITY_WORDS:
            continue  # "at Abuela Chela's funeral" (but "at Seattle Children's")
        if any(x.low in lex.regions or x.low in MONTH_NAMES or x.low in WEEKDAYS for x in run):
            continue
        if any(x.low in LOC_AFFIXES for x in run):
            continue
        if run[0].low in lex.first and run[0].low not in lex.ambiguous_first:
            continue  # "at Maria Lopez's house"
        for idx in range(i, k + 1):
            consumed[idx] = True
            toks[idx].label = "ORG"
            toks[idx].reason = "capitalised name of a place of work or care after 'at'"

    for i in lowers:
        t = toks[i]
        if i == 0 or consumed[i] or t.low not in LOWER_ORG_SUFFIXES:
            continue
        words = _LOWER_RUN_RE.search(text, max(0, t.start - 50), t.start)
        if words is None:
            continue
        run_words = words.group().split()
        best = -1
        for k in range(min(3, len(run_words)), 0, -1):
            head_w = run_words[-k]
            if any(w in FUNCTION_WORDS for w in run_words[-k:]):
                continue
            if head_w.endswith(("'s", "’s")) and (
                head_w[:-2] in RELATIONS or head_w[:-2] in lex.english
            ):
                continue  # "his son's house", "a friend's house": a home, not a business
            if head_w in lex.english or _looks_english(head_w) or len(head_w) < 3:
                continue
            if "-" in head_w and all(_is_english(lex, q) for q in head_w.split("-") if q):
                continue  # "first-year college", "part-time job"
            if head_w in lex.never_name or head_w in lex.regions:
                continue
            best = k
            break
        if best < 0 and t.low in _STRONG_LOWER_SUFFIXES:
            # "at cedar park elementary": a school/clinic name made of English words, right
            # after a place preposition and without an article
            pre = _LOWER_STRONG_ORG_RE.search(text, max(0, t.start - 40), t.start)
            if pre is not None:
                heads_w = pre.group(1).split()
                if not any(
                    w in FUNCTION_WORDS or w in _LOWER_GENERIC or w in _GENERIC_SCHOOL_HEADS
                    for w in heads_w
                ):
                    best = len(heads_w)
        if best < 0 and t.low in _TAIL_LOWER_SUFFIXES:
            best = _lower_tail_org(text, t.start, lex)
        if best < 0:
            continue
        run_start = t.start - len(" ".join(run_words[-best:])) - 1
        if text[run_start : t.start].strip() != " ".join(run_words[-best:]):
            continue
        for x in range(i, -1, -1):
            if toks[x].start < run_start:
                break
            consumed[x] = True
            toks[x].label, toks[x].reason = "ORG", "organisation name in lower case"
        out.append((run_start, t.start, "ORG", "organisation name in lower case"))
    out.extend(_lower_orgs(text, toks, consumed))
    for i in lowers:
        t = toks[i]
        if t.low in ("st", "saint") and i + 1 < n and not consumed[i]:
            nx = toks[i + 1]
            if not nx.cap and nx.possessive and _tight(nx.gap_before) and not consumed[i + 1]:
                for tk in (t, nx):
                    tk.label, tk.reason = "ORG", "saint's name used for a church/school"
                consumed[i] = consumed[i + 1] = True
                continue
        if i == 0 or consumed[i] or len(t.low) < 3 or t.low in lex.english:
            continue
        if t.low in lex.never_name or t.low in lex.first or _looks_english(t.low):
            continue
        if _org_cued(toks, i) and toks[i - 1].low in ("the", "at"):
            consumed[i] = True
            t.label, t.reason = "ORG", "lower-case workplace after an employer cue"

    # 3. per-token names and places
    first_names = lex.first
    english_words = lex.english
    for i in range(n):
        t = toks[i]
        if not t.cap:
            low = t.low
            prev_t = toks[i - 1] if i else None
            if (
                len(low) == 2
                and not consumed[i]
                and low in first_names
                and low not in FUNCTION_WORDS
                and not _is_english(lex, low)
                and low not in lex.never_name
                and prev_t is not None
                and prev_t.low in RELATIONS
                and _tight(t.gap_before)
            ):
                t.label, t.reason = "NAME", "lower-case first name after a relationship word"
                continue
            if consumed[i] or low in FUNCTION_WORDS or len(low) < 3:
                continue
            if (
                low in first_names
                and low in lex.places
                and prev_t is not None
                and prev_t.low in LOC_STRONG_PREPS
                and _tight(t.gap_before)
                and low not in lex.english
            ):
                t.label = "LOCATION"
                t.reason = "lower-case place name after a place preposition"
                continue
            if low in first_names:
                if (
                    (low not in lex.english or low in LOWER_OK_NAMES)
                    and low not in lex.word_names
                    and low not in lex.never_name
                    and not _hard_excluded(lex, t)
                ):
                    t.label = "NAME"
                    t.reason = "lower-case first name from name list"
                elif (
                    prev_t is not None
                    and (prev_t.low in RELATIONS or prev_t.low in STRONG_CUES)
                    and _tight(t.gap_before)
                    and low not in LOWER_CUE_STOP
                    # "the client's story": a thing the person has, not a person
                    and not (prev_t.possessive and low in english_words)
                    and (
                        not _hard_excluded(lex, t)
                        # "bree's daughter ivy": a first name also listed as a brand/word
                        or (
                            prev_t.low in _CLOSE_RELATIVES
                            and low in lex.non_phi
                            and low not in lex.clinical
                            and low not in lex.drugs
                            and low not in lex.regions
                        )
                    )
                ):
                    t.label = "NAME"
                    t.reason = "lower-case first name after a relationship word"
                elif (
                    low not in LOWER_CUE_STOP
                    and low not in lex.never_name
                    and "\n" not in t.gap_before
                    and _CONTACT_BEFORE_RE.search(text, max(0, t.start - 24), t.start)
                    and not (low in _ABSTRACT_WORD_NAMES and _MET_WITH_RE.search(
                        text, max(0, t.start - 24), t.start
                    ))
                ):
                    t.label = "NAME"
                    t.reason = "lower-case first name after a verb of talking or meeting"
                continue
            if low in english_words:
                continue  # kept only as context for other rules ("works", "at", "said")
            if "-" in low and not consumed[i]:
                parts = low.split("-")
                if len(parts) == 2 and all(
                    q in first_names and q not in MONTH_NAMES and len(q) >= 2 for q in parts
                ):
                    t.label, t.reason = "NAME", "hyphenated first name in lower case"
                    continue
            if _lower_unknown_name(text, toks, i, lex):
                t.label = "NAME"
                t.reason = "lower-case unknown word in name position"
                continue
            nx_l = toks[i + 1] if i + 1 < n else None
            if (
                nx_l is not None
                and nx_l.low in _LOWER_STATES
                and not nx_l.cap
                and nx_l.gap_before in (" ", ", ")
                and low in lex.places
                and low not in lex.english
                and low not in lex.never_name
            ):
                t.label = "LOCATION"
                t.reason = "lower-case place name before a state abbreviation"
                continue
            if (
                prev_t is not None
                and prev_t.low in LOC_STRONG_PREPS
                and _tight(t.gap_before)
                and low in lex.places
                and low not in lex.english
                and low not in lex.never_name
            ):
                t.label = "LOCATION"
                t.reason = "lower-case place name after a place preposition"
            continue
        if consumed[i]:
            continue
        low = t.low
        if low in FUNCTION_WORDS and not t.allcaps:
            continue
        nxt_ch = text[t.end : t.end + 1]
        if (
            (
                (t.sent_start and nxt_ch == ":")
                or ((i == 0 or "\n" in t.gap_before) and nxt_ch == ".")
            )
            and not t.possessive
            and (_looks_english(low) or low.endswith("ee"))
            and not _is_name_listed(lex, low)
        ):
            continue  # a heading such as "Evaluee:"
        pv_t = toks[i - 1] if i else None
        if (
            pv_t is not None
            and pv_t.label == "NAME"
            and t.gap_before in _NICK_GAPS
            and text[t.full_end : t.full_end + 1] in ('"', "”", "'", "’", ")")
            and not t.allcaps
            and (low in lex.first or not _is_english(lex, low) or t.gap_before[-1] in '"“')
            and low not in lex.drugs
            and low not in lex.regions
        ):
            t.label, t.reason = "NAME", "nickname in quotes after a name"
            continue
        cue, strong = _person_cue(toks, i)
        if (
            cue
            and len(low) == 1
            and t.text not in "AI"
            and not t.possessive
            and not (i and toks[i - 1].low in TITLES)
        ):
            quoted = t.gap_before.rstrip()[-1:] in ('"', "“")
            if quoted and i and toks[i - 1].low in _QUOTED_ALIAS_HEADS:
                continue  # 'client "J"', 'Client "M"': a case alias, like "Client A"
            if (strong or quoted) and text[t.end : t.end + 1] != ".":
                t.label, t.reason = "NAME", "single-letter nickname after a naming cue"
                continue
        if cue and len(low) >= 2 and low not in ALWAYS_SKIP and low not in ABBR_TITLES:
            pv_low = toks[i - 1].low if i else ""
            relation = pv_low in RELATIONS
            quoted_cue = t.gap_before.rstrip().endswith(('"', "“"))
            nx_w2 = toks[i + 1] if i + 1 < n else None
            appositive = (
                relation
                and t.gap_before == ", "
                and text[t.full_end : t.full_end + 1] in (",", "(")
                and not t.allcaps
            )
            if low in TITLES and not quoted_cue and pv_low not in TITLES:
                continue  # "calls her Babcia Irena": the kinship title; Irena is the name
            if (
                (low in WEEKDAYS or low.split("-", 1)[0] in WEEKDAYS)
                and not quoted_cue
                and not (nx_w2 is not None and nx_w2.cap and _tight(nx_w2.gap_before))
                # "his wife, Thu, and two teenagers": an appositive after a relative
                and not appositive
            ):
                continue  # "Mom called Tuesday to say …", "your Monday-night colleague"
            if low in lex.eponyms and not (strong or relation):
                continue
            if _hard_excluded(lex, t) and not strong:
                region_name = low in lex.regions and not t.allcaps
                nx_c = toks[i + 1] if i + 1 < n else None
                weekday_name = (
                    low in WEEKDAYS
                    and len(low) > 3
                    and nx_c is not None
                    and nx_c.cap
                    and _tight(nx_c.gap_before)
                    and not _is_english(lex, nx_c.low)
                )  # "her mom Tuesday Okonkwo"
                if not (
                    (
                        low in MONTH_NAMES
                        or region_name
                        or weekday_name
                        or (appositive and low in _DAY_OR_MONTH)
                    )
                    and not t.allcaps
                ):
                    continue
            if low in lex.english and not _is_name_listed(lex, low) and not strong:
                continue
            if (
                ":" in t.gap_before
                and low in lex.english
                and low not in lex.first
                and not strong
                and (
                    text[t.full_end : t.full_end + 1] in (".", "!", "?")
                    or _NEXT_LOWER_RE.match(text, t.full_end) is not None
                )
            ):
                continue  # "Supervisor: Good.", "Supervisor: Bring a genogram": a reply
            t.label = "NAME"
            t.reason = "capitalised word after a title or relationship word"
            continue
        if not t.cap:
            if (
                len(low) >= 3
                and low in lex.first
                and (low not in lex.english or low in LOWER_OK_NAMES)
                and low not in lex.word_names
                and low not in lex.never_name
                and not _hard_excluded(lex, t)
            ):
                t.label = "NAME"
                t.reason = "lower-case first name from name list"
            continue
        if low in ("april", "may", "june", "august") and not t.allcaps and i + 1 < n:
            nx = toks[i + 1]
            if _tight(nx.gap_before) and (
                nx.low in STRONG_PERSON_VERBS or (t.possessive and nx.low not in MONTH_NAMES)
            ):
                t.label, t.reason = "NAME", "month name used as a first name"
                continue
        if (
            (low in WEEKDAYS or low in MONTH_NAMES)
            and len(low) > 3
            and not t.allcaps
            and not t.possessive
            and i + 1 < n
        ):
            nx_w = toks[i + 1]
            if (
                nx_w.cap
                and not nx_w.allcaps
                and _tight(nx_w.gap_before)
                and not _is_english(lex, nx_w.low)
                and (nx_w.low in lex.last or nx_w.low not in lex.places)
                and not _hard_excluded(lex, nx_w)
            ):
                t.label, t.reason = "NAME", "first name (also a weekday or month) before a surname"
                continue
        if low in lex.regions and not t.allcaps and i + 1 < n:
            nx = toks[i + 1]
            if (
                nx.cap
                and not nx.allcaps
                and _tight(nx.gap_before)
                and (nx.low in lex.last or not _is_english(lex, nx.low))
                and not _hard_excluded(lex, nx)
                and nx.low not in ORG_SUFFIXES
                and nx.low not in LOC_AFFIXES
                and nx.low not in STREET_WORDS
                and f"{low} {nx.low}" not in lex.places
            ):
                t.label, t.reason = "NAME", "first name (also a place name) before a surname"
                continue
        if low in ("jan", "jun") and not t.allcaps and not _DOT_OR_NUM_RE.match(text, t.end):
            t.label, t.reason = "NAME", "capitalised first name from name list"
            continue
        if _hard_excluded(lex, t):
            continue
        if t.allcaps:
            if (
                len(low) >= 3
                and (
                    (low in lex.first and (low not in lex.ambiguous_first or low in STRONG_NAMES))
                    or (low in lex.last and low not in lex.english)
                )
                and low not in lex.eponyms
                # "on the DAS", "the CARE plan": an acronym in mixed-case prose
                and not (i and toks[i - 1].low in ("the", "a", "an") and not toks[i - 1].allcaps)
            ):
                t.label = "NAME"
                t.reason = "all-caps name from name list"
            continue
        if (
            "-" in low
            and low.split("-", 1)[0] in _DAY_OR_MONTH
            and t.text.split("-", 1)[1][:1].islower()
        ):
            continue  # "Monday-night", "March-ish"
        if low in lex.eponyms or (
            low.endswith("s") and low[:-1] in lex.eponyms and i and toks[i - 1].low == "the"
        ) or (
            "-" in low
            and low.split("-", 1)[0] in lex.eponyms
            and low.rsplit("-", 1)[1] in METHOD_WORDS
        ):  # "Gottman-method work"
            continue  # "the Gottmans recommend …": the authors as a couple
        if (
            (pv0_art := (toks[i - 1] if i else None)) is not None
            and pv0_art.low in ("a", "an")
            and _tight(t.gap_before)
        ):
            nx_a = toks[i + 1] if i + 1 < n else None
            if not t.possessive and not (nx_a is not None and nx_a.cap and _tight(nx_a.gap_before)):
                continue  # "a Mercedes", "a Cadillac": a thing, not a person
            if t.possessive and _A_CHAIN_AFTER_RE.match(text, t.full_end):
                continue  # "a Denny's on road trips", "a Wendy's near the highway": a chain
        pv_e = toks[i - 1] if i else None
        if (
            pv_e is not None
            and pv_e.possessive
            and pv_e.low in lex.eponyms
            and _tight(t.gap_before)
            and not t.possessive
        ):
            continue  # "Hendrix's Imago dialogue", "Gottman's Love Maps"
        if t.possessive and i + 1 < n and not t.allcaps:
            nx_r = toks[i + 1]
            if (
                nx_r.low in _CLOSE_RELATIVES
                and not nx_r.cap
                and _tight(nx_r.gap_before)
                and low not in lex.eponyms
                and low not in lex.regions
                and low not in lex.never_name
                and low not in ALWAYS_SKIP
                and low not in TITLES
                and low not in RELATIONS
                and len(low) >= 2
            ):
                t.label, t.reason = "NAME", "possessive before a relative ('Bear's mom')"
                continue
        if t.possessive and not t.sent_start and i + 1 < n:
            nx_b = toks[i + 1]
            if (
                nx_b.cap
                and not nx_b.allcaps
                and _tight(nx_b.gap_before)
                and _is_english(lex, nx_b.low)
                and nx_b.low not in lex.first
                and nx_b.low not in RELATIONS
                and nx_b.low not in TITLES
                and nx_b.low not in ORG_SUFFIXES
            ):
                continue  # "Destiny's Child", "Victoria's Secret": a title or brand
        nx_m = _NEXT_LOWER_RE.match(text, t.full_end) if not t.possessive else None
        nx_word = nx_m.group(1) if nx_m else ""
        if (
            pv_e is not None
            and pv_e.low == "the"
            and _tight(t.gap_before)
            and nx_word
            and nx_word not in _GROUP_NOUNS
            and nx_word not in PERSON_VERBS
            and nx_word not in FUNCTION_WORDS
            and nx_word not in LOC_PREPS
            and nx_word not in ORG_PREPS
            and nx_word not in ORG_SUFFIXES
            and nx_word not in ORG_CUE_WORDS
            and nx_word not in STRONG_PERSON_VERBS
            and low in lex.first
            and low not in lex.places
        ):
            continue  # "the Tiffany lamp", "the Dakota apartment": a thing named after a name
        if (
            pv_e is not None
            and pv_e.low in _POSS_PRONOUNS
            and _tight(t.gap_before)
            and not t.sent_start
            and nx_word
            and len(nx_word) >= 3
            and not nx_word.endswith(("ed", "s"))
            and nx_word not in _GROUP_NOUNS
            and nx_word not in PERSON_VERBS
            and nx_word not in STRONG_PERSON_VERBS
            and nx_word not in FUNCTION_WORDS
            and nx_word not in LOC_PREPS
            and nx_word not in ORG_PREPS
            and nx_word not in ORG_SUFFIXES
            and nx_word not in ORG_CUE_WORDS
            and nx_word not in RELATIONS
            and nx_word not in LOWER_CUE_STOP
            and low not in lex.first
            and low not in RELATIONS
            and low not in TITLES
            and _is_english(lex, nx_word)
        ):
            continue  # "her Dyson vacuum", "his Peloton bike": a product, not a person
        if _PET_AFTER_RE.match(text, t.full_end):
            continue  # "Luna the dog": pets are not identifiers
        in_first = low in lex.first
        ambiguous = in_first and low in lex.ambiguous_first and low not in STRONG_NAMES
        strong_first = in_first and not ambiguous
        english = not strong_first and _is_english(lex, low)
        if (
            english
            and not t.sent_start
            and not t.allcaps
            and low in lex.last
            and low not in lex.english
            and low not in lex.clinical
            and low not in lex.never_name
        ):
            # English only by a suffix ("Morales" = morale+s, "Hughes"): a surname here
            english = False
        listed = in_first or _is_name_listed(lex, low)
        is_place = low in lex.places
        pv0 = _prev_tok(toks, i)
        after_name = (
            pv0 is not None
            and pv0.label == "NAME"
            and _tight(t.gap_before)
            and not pv0.possessive
            and pv0.cap == t.cap
        )
        if (
            is_place
            and pv0 is not None
            and i + 1 < n
            and t.gap_before == ", "
            and toks[i + 1].gap_before == ", "
            and (pv0.allcaps or "-" in pv0.text)
            and toks[i + 1].allcaps
        ):
            continue  # an instrument in a list of acronyms, not a place
        if not english:
            if is_place and not after_name and (_loc_context(toks, i, lex) or not in_first):
                t.label = "LOCATION"
                t.reason = "place name from gazetteer"
                continue
            if not listed and _looks_english(low) and not after_name:
                pv_r = _prev_tok(toks, i)
                if not (
                    pv_r is not None
                    and pv_r.low in LOC_STRONG_PREPS
                    and _tight(t.gap_before)
                    and _RESIDE_BEFORE_RE.search(text, max(0, pv_r.start - 16), pv_r.start)
                ):
                    continue  # "Rescripting", "Psychoeducation", "Dysregulated"
                t.label, t.reason = "LOCATION", "capitalised word where someone lives"
                continue
            if pv0 is not None and pv0.low in ("hurricane", "storm", "typhoon", "cyclone"):
                continue  # "Hurricane Katrina"
            pv = _prev_tok(toks, i)
            if (
                pv is not None
                and pv.low in LOC_STRONG_PREPS
                and not listed
                and _tight(t.gap_before)
            ):
                t.label = "LOCATION"
                t.reason = "capitalised unknown word after a place preposition"
                continue
            if (
                not strong_first
                and pv is not None
                and pv.low == "at"
                and _tight(t.gap_before)
                and not t.possessive
                and not t.sent_start
            ):
                t.label, t.reason = "ORG", "capitalised name of a workplace or facility after 'at'"
            elif strong_first:
                t.label, t.reason = "NAME", "capitalised first name from name list"
            elif listed:
                t.label, t.reason = "NAME", "capitalised surname from name list"
            else:
                t.label, t.reason = "NAME", "capitalised word not in dictionary"
            continue
        # an ordinary English word that is capitalised
        if "-" in t.text and _compound_place(t.text):
            pv_h = _prev_tok(toks, i)
            if (
                pv_h is not None
                and pv_h.low in LOC_STRONG_PREPS
                and (
                    _tight(t.gap_before)
                    or (t.gap_before == " the " and _AREA_AFTER_RE.match(text, t.full_end))
                )
                and (
                    _RESIDE_BEFORE_RE.search(text, max(0, pv_h.start - 16), pv_h.start)
                    or _AREA_AFTER_RE.match(text, t.full_end)
                    or low in lex.places
                )
            ):
                t.label, t.reason = "LOCATION", "hyphenated place name after a preposition"
                continue  # "lives in Cedar-Riverside", "in Côte-des-Neiges"
        if is_place and not ambiguous and _loc_context(toks, i, lex) and not t.sent_start:
            t.label = "LOCATION"
            t.reason = "place name in a place context"
            continue
        if ambiguous:
            nxt = toks[i + 1] if i + 1 < n else None
            person_ev = t.possessive or (
                nxt is not None
                and _tight(nxt.gap_before)
                and nxt.low in STRONG_PERSON_VERBS
                and not nxt.cap
            )
            if not person_ev and nxt is not None and _tight(nxt.gap_before) and nxt.cap:
                if (
                    nxt.low in lex.last
                    and not nxt.allcaps
                    and nxt.low not in lex.regions
                    and not _is_english(lex, nxt.low)
                ):
                    person_ev = True
            if not person_ev and pv0 is not None and pv0.label == "NAME":
                if t.gap_before in (", ", " and ", " & ", ", and "):
                    person_ev = True  # "Orrin, Beatriz, Cal, Imogen"
            if not person_ev and _APPOSITIVE_RE.match(text, t.full_end):
                person_ev = True  # "Grace, the co-leader", "Mark, his teammate"
            if not person_ev and _AGE_AFTER_RE.match(text, t.full_end):
                person_ev = True  # "Poppy is 6", "Grace, 34, presents"
            if t.sent_start and not person_ev:
                continue
            if not person_ev and (
                (pv0 is not None and pv0.low in ("a", "an", "the") and _tight(t.gap_before))
                or (
                    nxt is not None
                    and nxt.cap
                    and not nxt.allcaps
                    and _tight(nxt.gap_before)
                    and _is_english(lex, nxt.low)
                    and nxt.low not in lex.last
                    and nxt.low not in lex.first
                )
            ):
                continue  # "a Chase bank statement", "the Dawn Chorus Walk", "Love Maps"
            if not t.sent_start and not person_ev:
                pv = _prev_tok(toks, i)
                if (
                    pv is not None
                    and pv.cap
                    and not pv.sent_start
                    and pv.label is None
                    and _tight(t.gap_before)
                ):
                    continue  # Title Case heading such as "Hope And Healing"
            t.label = "NAME"
            t.reason = "capitalised first name (also an English word) in name position"
            continue

    # cited authors and eponyms ("Clark's model", "(Fairburn)") are not private persons
    for i in caps:
        t = toks[i]
        if t.label in ("NAME", "LOCATION") and (
            not consumed[i] or t.reason == "multi-word place name from gazetteer"
        ):
            if t.reason.startswith("capitalised word after a title"):
                continue
            if _author_context(text, toks, i):
                t.label, t.reason = None, ""
                consumed[i] = True
                author_consumed.add(i)
                pv = toks[i - 1] if i else None
                if (
                    pv is not None
                    and pv.label == "NAME"
                    and pv.cap
                    and not pv.possessive
                    and _tight(t.gap_before)
                    and not pv.reason.startswith("capitalised word after a title")
                ):
                    pv.label, pv.reason = None, ""  # "Jack Kornfield's": the author's first name
                    consumed[i - 1] = True
                nx_t = toks[i + 1] if i + 1 < n else None
                if (
                    nx_t is not None
                    and nx_t.label == "NAME"
                    and nx_t.cap
                    and (not t.possessive or nx_t.low not in lex.first)
                    and _tight(nx_t.gap_before)
                    and not nx_t.reason.startswith("capitalised word after a title")
                ):
                    nx_t.label, nx_t.reason = None, ""  # "reads Grace Paley": the surname too
                    consumed[i + 1] = True

    # 3b. multi-word places: "Marlow Falls", "Port Easton", "in Carver Mills"
    for i in caps:
        if i >= n - 1:
            continue
        a, b = toks[i], toks[i + 1]
        if consumed[i] or consumed[i + 1] or not b.cap or not _tight(b.gap_before):
            continue
        if a.allcaps or b.allcaps:
            continue
        suffix = b.low in LOC_AFFIXES and b.low not in LOC_PREFIXES | {"center", "centre"}
        prefix = a.low in LOC_PREFIXES
        if not (suffix or prefix):
            continue
        if b.low in lex.regions or f"{a.low} {b.low}" in lex.regions:
            continue
        head, tail = (a, b) if suffix else (b, a)
        ctx = (
            head.label is not None
            or (suffix and not a.sent_start and a.low not in ORG_STARTERS)
            or _loc_context(toks, i, lex)
            or (i > 0 and toks[i - 1].low in LOC_PREPS and _tight(a.gap_before))
            or not _is_english(lex, head.low)
        )
        if prefix and b.label not in (None, "LOCATION", "NAME"):
            continue
        if prefix and not suffix and b.low in lex.english and b.label is None and not ctx:
            continue
        if ctx and not _hard_excluded(lex, head) and head.low not in MONTH_NAMES:
            for tk in (a, b):
                tk.label, tk.reason = "LOCATION", "multi-word place name (town, park, district)"

    # 4. pairing: first name + surname, surname + preceding first name, middle initials
    changed = True
    while changed:
        changed = False
        named = [j for j, tk in enumerate(toks) if tk.label == "NAME"]
        for i in sorted(set(named) | {j - 1 for j in named if j > 0}):
            if i >= n - 1:
                continue
            a, b = toks[i], toks[i + 1]
            if not _tight(b.gap_before) or a.possessive:
                continue
            if (
                a.label == "NAME"
                and b.label is None
                and len(b.text) == 1
                and b.text.isupper()
                and i + 2 < n
                and toks[i + 2].gap_before in (". ", " ")
                and toks[i + 2].cap
                and not _hard_excluded(lex, toks[i + 2])
            ):
                b.label, b.reason = "NAME", "middle initial"
                c = toks[i + 2]
                if c.label is None:
                    c.label, c.reason = "NAME", "surname after a middle initial"
                changed = True
                continue
            if a.label == "NAME" and b.label is None and not consumed[i + 1]:
                b_ok = not _hard_excluded(lex, b) or (
                    b.low in lex.last
                    and (b.low in lex.non_phi or b.low in lex.regions)
                    and (not b.allcaps or a.allcaps)
                )
                if (
                    b.cap
                    and b_ok
                    and (b.low in lex.last or not _is_english(lex, b.low))
                    and (a.cap == b.cap or a.allcaps == b.allcaps)
                ):
                    if f"{a.low} {b.low}" in lex.authors:
                        continue
                    b.label, b.reason = "NAME", "surname following a first name"
                    changed = True
                elif (
                    not b.cap
                    and not a.cap
                    and len(b.low) >= 3
                    and b.low not in lex.english
                    and b.low not in _BARE_CONTRACTIONS
                    and not _hard_excluded(lex, b)
                    and not _looks_english(b.low)
                ):
                    b.label, b.reason = "NAME", "lower-case surname following a first name"
                    changed = True
            elif b.label == "NAME" and a.label is None and not consumed[i]:
                a_first = a.low in lex.first or (
                    a.low in lex.eponyms and not _is_english(lex, b.low) and b.cap
                )
                if a.cap and not a.allcaps and a_first and not _hard_excluded(lex, a):
                    if (
                        a.sent_start
                        and a.low in lex.english
                        and a.low not in lex.word_names
                        and (_is_english(lex, b.low) or _looks_english(b.low))
                    ):
                        continue  # (but "Jasmine Oduya 9:03 AM" opening a chat line is a name)
                    a.label, a.reason = "NAME", "first name preceding a surname"
                    changed = True

    # generational suffixes: "Cornelius Wadsworth III", "Ray Hollis Jr."
    for i in caps:
        t = toks[i]
        if (
            i
            and t.label is None
            and t.text in _NAME_SUFFIXES
            and toks[i - 1].label == "NAME"
            and t.gap_before in (" ", ", ")
        ):
            t.label, t.reason = "NAME", "generational suffix of a name"

    # 'Ezekiel "Zeke" Marrow': a surname after a quoted nickname
    for i in caps:
        if i < 2 or i >= n:
            continue
        a, b = toks[i - 1], toks[i]
        if (
            b.label is None
            and a.label == "NAME"
            and toks[i - 2].label == "NAME"
            and a.gap_before[-1:] in ('"', "“", "'", "‘", "(")
            and b.gap_before in ('" ', "” ", "' ", "’ ", ") ")
            and not b.allcaps
            and not _hard_excluded(lex, b)
            and (b.low in lex.last or not _is_english(lex, b.low))
        ):
            b.label, b.reason = "NAME", "surname after a quoted nickname"

    for i in caps:
        if i == 0:
            continue
        a, b = toks[i - 1], toks[i]
        if (
            b.label == "NAME"
            and a.label is None
            and len(a.text) == 1
            and a.text.isupper()
            and b.gap_before == ". "
            and a.text not in "AI"
            and not (a.sent_start and _PREV_PERIOD_RE.search(text, max(0, a.start - 3), a.start))
        ):
            a.label, a.reason = "NAME", "initial before a surname"
        elif (
            b.label == "LOCATION"
            and a.label is None
            and len(a.text) == 1
            and a.text.isupper()
            and a.text not in "AINSEW"
            and b.gap_before == ". "
            and b.low in lex.last
            and not a.sent_start
        ):
            # "client R. Villanueva": an initial makes a surname of a place-like word
            a.label, a.reason = "NAME", "initial before a surname"
            b.label, b.reason = "NAME", "surname after an initial"
        elif (
            a.label == "NAME"
            and a.cap
            and not a.possessive
            and b.label is None
            and len(b.text) == 1
            and b.text.isupper()
            and b.text not in "AI"
            and b.gap_before == " "
            and a.low in lex.first
            and _TRAILING_INITIAL_RE.match(text, b.end)
        ):
            b.label, b.reason = "NAME", "initial of a surname after a first name"  # "Kyle R."

    for i in caps:
        if i == 0 or i >= n - 1:
            continue
        t = toks[i]
        if t.label is None and not t.allcaps and t.gap_before == ", ":
            a, b = toks[i - 1], toks[i + 1]
            if a.label == "NAME" and b.label == "NAME" and b.gap_before in (", ", " and "):
                if not _hard_excluded(lex, t):
                    t.label, t.reason = "NAME", "in a list of names"

    # a form field "SUPERVISEE: DIALLO, MAMADOU": the word after "SURNAME," is the first name
    for i in caps:
        if i < 1:
            continue
        t = toks[i]
        if t.label is not None or t.gap_before != ", " or len(t.low) < 3 or consumed[i]:
            continue
        a = toks[i - 1]
        if a.label != "NAME" or not a.gap_before.rstrip(" \t").endswith(":"):
            continue
        nxt_gap = toks[i + 1].gap_before if i + 1 < n else "\n"
        if a.allcaps == t.allcaps and ("\n" in nxt_gap or nxt_gap.startswith(("  ", "\t"))):
            if not _is_english(lex, t.low) and not _hard_excluded(lex, t):
                t.label, t.reason = "NAME", "first name after 'SURNAME,' in a form field"

    for i in caps:
        if i >= n - 2:
            continue
        t = toks[i]
        if t.label is None and not t.allcaps and t.low in lex.first:
            if toks[i + 1].low in ("and", "&") and toks[i + 2].label == "NAME":
                if _tight(toks[i + 1].gap_before) and _tight(toks[i + 2].gap_before):
                    if not _hard_excluded(lex, t):
                        t.label, t.reason = "NAME", "first name joined to another name"

    # "Akosua and Yaw": a capitalised word joined to a name
    for i in caps:
        if i < 2:
            continue
        t = toks[i]
        if t.label is not None or t.allcaps or t.sent_start or consumed[i]:
            continue
        if toks[i - 1].low in ("and", "&") and toks[i - 2].label == "NAME":
            if _tight(t.gap_before) and _tight(toks[i - 1].gap_before) and len(t.low) >= 2:
                if not _hard_excluded(lex, t) and t.low not in lex.eponyms:
                    nxt = toks[i + 1] if i + 1 < n else None
                    if nxt is None or not (nxt.cap and _tight(nxt.gap_before)):
                        t.label, t.reason = "NAME", "capitalised word joined to a name"

    for i in caps:
        if i >= n - 1:
            continue
        t, nx = toks[i], toks[i + 1]
        if t.label is None and t.low in CAP_PARTICLES and nx.label == "NAME":
            if _tight(nx.gap_before):
                t.label, t.reason = "NAME", "surname particle"  # "Ó Briain", "Abu Bakr"

    # name particles: "Maria de la Cruz", "Pieter van der Berg"
    for i in caps:
        if i >= n - 1 or toks[i].label != "NAME":
            continue
        j = i + 1
        while (
            j < n
            and toks[j].low in NAME_PARTICLES
            and (not toks[j].cap or toks[j].low in CAP_PARTICLES)
            and j - i <= 3
        ):
            if not _tight(toks[j].gap_before):
                break
            j += 1
        if j == i + 1 or j >= n or not _tight(toks[j].gap_before):
            continue
        last = toks[j]
        if last.cap and not last.allcaps and not _hard_excluded(lex, last):
            for x in range(i + 1, j + 1):
                if toks[x].label is None:
                    toks[x].label, toks[x].reason = "NAME", "surname with a particle"

    # "mark + joy", "Ty & Bree": two first names joined by a symbol
    joined = (
        [i for i in range(1, n) if toks[i].gap_before in _JOIN_GAPS]
        if ("+" in text or "&" in text)
        else []
    )
    for i in joined:
        t = toks[i]
        a = toks[i - 1]
        if a.label not in (None, "NAME") or t.label not in (None, "NAME"):
            continue
        if (
            a.low in lex.first
            and t.low in lex.first
            and a.cap == t.cap
            and not consumed[i]
            and not consumed[i - 1]
        ):
            for tk_j in (a, t):
                if tk_j.label is None:
                    tk_j.label, tk_j.reason = "NAME", "first names joined by '+' or '&'"

    # "Zephyr (they/them)": a capitalised word followed by its pronouns is a person
    if "/" in text and _PRONOUN_TAG_GATE_RE.search(text):
        for i in caps:
            t = toks[i]
            if t.label is not None or consumed[i] or t.allcaps or t.possessive:
                continue
            if text[t.full_end : t.full_end + 2].strip()[:1] != "(":
                continue
            if t.low in FUNCTION_WORDS or t.low in RELATIONS or t.low in TITLES:
                continue
            if _PRONOUNS_AFTER_RE.match(text, t.full_end) and not _hard_excluded(lex, t):
                t.label, t.reason = "NAME", "capitalised word followed by pronouns"

    # "bo and marnie": lower-case first names joined by "and" to a lower-case name
    for j in [x for x in lowers if toks[x].low in _AND_WORDS]:
        i = j + 1
        if j < 1 or i >= n:
            continue
        mid = toks[j]
        if not _tight(mid.gap_before):
            continue
        if not _tight(toks[i].gap_before):
            continue
        a, b = toks[i - 2], toks[i]
        if a.cap or b.cap:
            continue
        for ta, tb in ((a, b), (b, a)):
            if (
                ta.label is None
                and tb.label == "NAME"
                and ta.low in lex.first
                and ta.low not in FUNCTION_WORDS
                and not _is_english(lex, ta.low)
                and ta.low not in lex.never_name
                and ta.low not in MONTH_NAMES
            ):
                ta.label, ta.reason = "NAME", "lower-case first name joined to a name"

    # CamelCase business names that no other rule claimed: "WeWork", "PayPal", "DoorDash"
    for i in caps:
        t = toks[i]
        if t.label is not None or consumed[i] or t.allcaps or t.text[1:].islower():
            continue
        if not _CAMEL_RE.fullmatch(t.text):
            continue
        low = t.low
        if (
            low in lex.never_name
            or low in lex.eponyms
            or low in lex.first
            or low in lex.last
            or low in lex.regions
            or _NAME_PREFIX_RE.match(t.text)
        ):
            continue
        t.label, t.reason = "ORG", "CamelCase business or brand name"

    # 4b. lists of people after "present:", "absent:", "attendees:"
    if ":" in text and _has_list_label(text):
        out.extend(_label_lists(text, toks))

    # 4b'. a lower-case surname right after a lower-case first name: "jordy kowalczyk"
    for i in [j for j in range(n - 1) if toks[j].label == "NAME"]:
        t = toks[i]
        if t.cap:
            continue
        nx_s = toks[i + 1]
        if (
            nx_s.label is None
            and not nx_s.cap
            and nx_s.gap_before == " "
            and len(nx_s.low) >= 4
            and nx_s.low not in FUNCTION_WORDS
            and nx_s.low not in lex.never_name
            and nx_s.low not in lex.places
            and not _is_english(lex, nx_s.low)
            and not _looks_english(nx_s.low)
            and (nx_s.low in lex.last or nx_s.low not in lex.first)
        ):
            nx_s.label, nx_s.reason = "NAME", "lower-case surname after a first name"
            continue
        if (t.low in lex.first and t.low not in lex.ambiguous_first) or t.reason.startswith(
            _CUED_LOWER_REASONS
        ):
            # a common surname that is also an English word: "angela brooks", "ty bell",
            # "client hope marsh" (the cue settles that "hope" is a name)
            m_sur = _NEXT_LOWER_WORD_RE.match(text, t.end)
            if m_sur is not None and m_sur.group(1) in _WORD_SURNAMES:
                out.append(
                    (m_sur.start(1), m_sur.end(1), "NAME", "lower-case surname after a first name")
                )

    # 4d. a capitalised word followed by an age in brackets: "the kids, Pip (8) and Olek (5)"
    paren_age = text.find(" (")
    while paren_age != -1:
        if _PAREN_AGE_AT_RE.match(text, paren_age):
            i = bisect_left(toks, paren_age, key=_tok_start) - 1
            if 0 <= i < n:
                t = toks[i]
                if (
                    t.label is None
                    and t.cap
                    and (not t.allcaps or _INITIALS_NICK_RE.fullmatch(t.text) is not None)
                    and t.full_end == paren_age
                    and len(t.low) >= 2
                    and t.low not in ALWAYS_SKIP
                    and t.low not in RELATIONS
                    and t.low not in lex.never_name
                    and t.low not in lex.regions
                    and t.low not in MONTH_NAMES
                    and t.low not in WEEKDAYS
                    and t.low not in FUNCTION_WORDS
                ):
                    t.label, t.reason = "NAME", "capitalised word before an age in brackets"
        paren_age = text.find(" (", paren_age + 2)

    # 4c. a nickname in brackets right after a name: "Harpreet Kaur Sandhu (Harp)"
    paren = text.find(" (")
    while paren != -1:
        i = bisect_left(toks, paren + 2, key=_tok_start)
        paren = text.find(" (", paren + 2)
        if not 0 < i < n:
            continue
        opening = text[toks[i].start - 3 : toks[i].start]
        quoted = opening in (' ("', " (“")
        if not (quoted or opening[1:] == " ("):
            continue
        t = toks[i]
        closing = text[t.end : t.end + 2] if quoted else text[t.end : t.end + 1]
        if (
            t.label is None
            and t.cap
            and toks[i - 1].label == "NAME"
            and closing in (")", '")', "”)")
            and t.low not in ALWAYS_SKIP
            and t.low not in RELATIONS
            and t.low not in lex.never_name
            and t.low not in FUNCTION_WORDS
            # not "(PhD)", "(LCSW)"; a quoted ALL-CAPS word is a nickname: ("SEUN")
            and (t.text[1:].islower() or (quoted and t.allcaps))
        ):
            t.label, t.reason = "NAME", "nickname in brackets after a name"

    # 4e. a word-name opening a sentence that introduces a person by age:
    # "Bill is a 67-year-old retired machinist", "Hope, a 34-year-old nurse,"
    for i in caps:
        t = toks[i]
        if t.label is not None or consumed[i] or not t.sent_start or t.allcaps:
            continue
        if t.low not in lex.ambiguous_first or t.possessive:
            continue
        if _INTRO_BY_AGE_RE.match(text, t.end):
            t.label, t.reason = "NAME", "word-name introduced with an age"

    # 4f. a pet's name right after the animal: "her dog, Rosie", "our cat named Miso"
    for t in toks:
        if t.label == "NAME" and t.cap:
            before = text[max(0, t.start - 30) : t.start].lower()
            if any(a in before for a in _ANIMAL_WORDS) and _PET_BEFORE_RE.search(
                text, max(0, t.start - 30), t.start
            ):
                t.label, t.reason = None, ""

    # 5. propagation: other mentions of a confirmed name
    confirmed: dict[str, bool] = {}
    lower_names = {
        t.low
        for t in toks
        if t.label == "NAME" and (not t.cap or t.reason == "nickname in quotes after a name")
    }  # a quoted nickname ('("Bear")') is typed in lower case later ("bear told me")
    for t in toks:
        if t.label == "NAME" and (
            len(t.low) >= 3
            or (
                len(t.low) == 2
                and t.low not in FUNCTION_WORDS
                and not _is_english(lex, t.low)
                and t.low not in lex.never_name
            )
            or (len(t.low) == 1 and t.reason.startswith("single-letter"))
        ):
            common = t.low in lex.english or t.low in lex.word_names
            confirmed[t.low] = common
    # a word named as a relative elsewhere ("son Kuba") is not an author ("see Kuba alone")
    kin_named = {
        t.low for t in toks if t.label == "NAME" and t.reason.startswith(_KIN_REASON)
    }
    if confirmed:
        for i, t in enumerate(toks):
            if t.label is not None:
                continue
            if consumed[i] and not (i in author_consumed and t.low in kin_named):
                continue
            maybe_common = confirmed.get(t.low)
            if maybe_common is None:
                continue
            if len(t.low) == 1:
                nxt = toks[i + 1] if i + 1 < n else None
                if not t.cap or text[t.end : t.end + 1] == ".":
                    continue
                if not (
                    t.possessive
                    or (nxt is not None and _tight(nxt.gap_before) and nxt.low in PERSON_VERBS)
                ):
                    continue
            common = maybe_common
            if common and not t.cap:
                if t.low not in lower_names:
                    continue
                nxt = toks[i + 1] if i + 1 < n else None
                prv = toks[i - 1] if i else None
                if not (
                    t.possessive
                    or (nxt is not None and _tight(nxt.gap_before) and nxt.low in PERSON_VERBS)
                    or (prv is not None and prv.low in STRONG_PERSON_VERBS)
                    or _PREV_WORD_RE.sub("", text[max(0, t.start - 12) : t.start]).lower()
                    in _OBJECT_PERSON_VERBS
                    or (nxt is not None and nxt.low.endswith(("n't", "n’t")))
                ):
                    continue  # "mark said", "joy's mom", "said joy", "tell crystal"
            if common and t.sent_start and t.low in ("will", "may", "hope", "grace", "mark"):
                nxt = toks[i + 1] if i + 1 < n else None
                if not (
                    t.possessive
                    or (nxt is not None and nxt.low in PERSON_VERBS)
                    or (
                        nxt is not None
                        and nxt.low in confirmed
                        and (_tight(nxt.gap_before) or nxt.gap_before == " (")
                    )
                ):
                    continue
            t.label = "NAME"
            t.reason = "another mention of a name found elsewhere in the note"

    out.extend(_lower_nicknames(text, toks, lex))

    if any(d in text for d in _DENOMINATIONS):
        out.extend(_churches(text))

    # 6. initials like "J.M." are names
    for m in _INITIALS_RE.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "._"):
            continue
        if m.group().replace(".", "").replace(" ", "") in _NOT_INITIALS:
            continue
        out.append((m.start(), m.end(), "NAME", "initials"))

    # emit
    for t in toks:
        if t.label is not None:
            end = t.full_end if t.label == "ORG" else t.end
            if t.label == "ORG" and "ocal" in text:
                loc = _UNION_LOCAL_RE.match(text, end)
                if loc is not None and (loc.group(1) or text[t.start : end] == "Local"):
                    end = loc.end()  # "IBEW Local 48", "Teamsters Local 710"
            out.append((t.start, end, t.label, t.reason))
    return out


_CUED_LOWER_REASONS: Final = (
    "lower-case first name after a relationship word",
    "lower-case unknown word in name position",
)
_NEXT_LOWER_WORD_RE: Final = re.compile(r"(?:'s|’s)? ([a-z]{3,})(?![\w'’-])")
# common surnames that are also English words (need a first name right before them)
_WORD_SURNAMES: Final = frozenset(
    """brooks bell brown white black green gray grey hill hall wood woods king young rice
    moore ford fox lane park parks price reed reeds rose ross stone wells west wolf cole cook
    bird bishop bond bush carpenter carter chase cross dean drake duke fisher fletcher frost
    gardner glass golden hardy hawkins hunt hunter knight lamb little love major marsh mason
    miles miller mills moss nash noble page parker pierce poole porter potter rich rivers
    savage sharp shepherd short snow spencer steel stern strong swift summers tanner temple
    thorn turner underwood wade walker ward warren waters weaver webb wise wood woodward""".split()
)
_TRAILING_INITIAL_RE: Final = re.compile(r"\.(?:\s+[a-z]|\s*[,;:)]|\s*$)")
_INITIALS_NICK_RE: Final = re.compile(r"[A-Z]J")  # "JJ (3)", "TJ (7)": initials as a nickname
_NOT_INITIALS: Final = frozenset(
    """US UK DC AM PM EU MD RN NP PA DO BA BS MA MS NB PS EG IE OK TV LA NY NJ UN CV ER ED
    PT OT GP AA NA BSN MSW PHD LCSW LPC MFT RPN LPN CNA DDS JD MBA MPH EMT DOB POA ROI""".split()
)
_INITIALS_RE: Final = re.compile(r"[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?(?!\w)")


_MONTHISH: Final = MONTH_NAMES | HOLIDAY_WORDS | frozenset({"new", "sept"})
_STREET_GATE_WORDS: Final = STREET_WORDS | frozenset(
    "corner intersection rue calle avenida via camino rua apt apartment unit suite chemin flat"
    " app".split()
)
_HOLIDAY_GATE_WORDS: Final = frozenset(
    """thanksgiving christmas xmas year easter halloween juneteenth day july friday wednesday
    sunday mayo muertos gras fat holy maundy whit whitsun fawkes bonfire nochebuena noche
    midsummer hogmanay candlemas""".split()
)
_OBSERVANCE_GATE_WORDS: Final = frozenset(
    """hanukkah chanukah passover kippur hashanah ramadan eid diwali kwanzaa year tet nowruz
    holi purim lent advent navratri sukkot""".split()
)
_ORDINAL_WORDS: Final = frozenset(
    """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
    thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth
    twenty-first twenty-second twenty-third twenty-fourth twenty-fifth twenty-sixth
    twenty-seventh twenty-eighth twenty-ninth thirtieth thirty-first""".split()
)
_GATE_WORDS: Final = (
    _MONTHISH | _STREET_GATE_WORDS | _HOLIDAY_GATE_WORDS | _OBSERVANCE_GATE_WORDS | _ORDINAL_WORDS
)
_KEEP_LOWER: Final = _keep_lower()


_UPPER_WORD_RE: Final = re.compile(r"[A-Z][A-Z'’]*")
_VOWELS: Final = frozenset("AEIOUY")


_SHOUT_WORD_ENDINGS: Final = (
    "ator", "ers", "ings", "tion", "tions", "ment", "ments", "ness", "able", "ible", "ive",
    "ous", "ally", "bills", "ologist", "iatrist", "ician",
)


def recase_shouting(text: str, toks: list[Tok]) -> str | None:
    """A mostly ALL-CAPS note rewritten in ordinary case (same length), or None.

    Case carries most of the evidence for names, so an all-caps note is re-cased first:
    dictionary words and titles go to lower case, acronyms (clinical terms, words without
    vowels) stay upper case, everything else (names, places) becomes Title case."""
    if len(toks) < 6:
        return None
    upper = sum(1 for t in toks if t.allcaps)
    if upper < 0.7 * len(toks):
        return None
    lex = lexicon()

    def fix(m: re.Match[str]) -> str:
        w = m.group()
        core = w.rstrip("'’")
        if core.endswith(("'S", "’S")):
            core = core[:-2]
        lw = core.lower()
        if len(core) == 1:
            out = core
        elif (
            lw in TITLES
            or lw in MONTH_NAMES
            or lw in WEEKDAYS
            or lw in FUNCTION_WORDS
            or lw in RELATIONS
            or lw in STREET_WORDS
        ):
            out = lw
        elif (
            (lw in lex.clinical and lw not in lex.english)
            or (len(core) <= 4 and not (_VOWELS & set(core)))
            or (
                len(core) <= 5
                and lw not in lex.first
                and lw not in lex.last
                and lw not in lex.places
                and not _english_word(lw)
            )
        ):
            out = core  # acronyms: PTSD, CGT, MG, INPT, POA, PREV
        elif _english_word(lw) and (lw not in lex.first or lw in lex.ambiguous_first):
            out = lw
        elif lw not in lex.first and lw not in lex.last and lw.endswith(_SHOUT_WORD_ENDINGS):
            out = lw  # EVALUATOR, SUPERBILLS: derived English words missing from the list
        else:
            out = core[0] + lw[1:]
        return out + w[len(core) :].lower()

    new = _UPPER_WORD_RE.sub(fix, text)
    if len(new) != len(text):
        return None
    return _recase_phrases(new, lex)


# after re-casing, phrases whose case still matters: "March 6", "2218 N Oakwood Ave Apt 3",
# "Maplewood Senior Living", "Will Hargrove"
_RECASED_MONTH_DAY_RE: Final = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)(?=\.?\s+\d{1,2}(?!\d))"
)
_RECASED_STREET_RE: Final = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z'’-]+\s+){1,3}"
    r"(street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|circle|cir|highway|hwy|parkway|pkwy|trail|square)\b"
    r"(?:\.?\s+(apt|unit|suite|ste)\b)?"
)
_RECASED_ORG_RE: Final = re.compile(r"\b[A-Z][a-z'’-]+((?:\s+[a-z]+){1,2})\b")
_RECASED_FIRST_RE: Final = re.compile(r"\b([a-z]+) (?=[A-Z][a-z'’-]+\b)")


def _recase_phrases(new: str, lex: Lexicon) -> str:
    chars = list(new)

    def title(s: int, e: int) -> None:
        chars[s] = chars[s].upper()
        for k in range(s + 1, e):
            chars[k] = chars[k].lower()

    for m in _RECASED_MONTH_DAY_RE.finditer(new):
        title(m.start(1), m.end(1))
    for m in _RECASED_STREET_RE.finditer(new):
        for g in (1, 2):
            if m.group(g):
                title(m.start(g), m.end(g))
    for m in _RECASED_ORG_RE.finditer(new):
        words = m.group(1).split()
        if words[-1] in ORG_SUFFIXES and all(
            w in ORG_SUFFIXES or (_english_word(w) and w not in FUNCTION_WORDS) for w in words
        ):
            pos = m.start(1)
            for w in words:
                pos = new.index(w, pos)
                title(pos, pos + len(w))
                pos += len(w)
    for m in _RECASED_FIRST_RE.finditer(new):
        w = m.group(1)
        nxt = new[m.end() :].split(None, 1)[0].rstrip(".,;:!?)'’").lower()
        if (
            w in lex.ambiguous_first
            and w in lex.first
            and w not in FUNCTION_WORDS
            and w not in TITLES
            and w not in RELATIONS
            and len(w) > 2
            and nxt in lex.last
        ) and not (
            _english_word(nxt)
        ):
            title(m.start(1), m.end(1))  # "will Hargrove" -> "Will Hargrove"
    return "".join(chars)
