"""Regular-expression detectors for structured identifiers.

Each detector yields ``(start, end, category, reason)`` tuples.  All patterns are
compiled once at import time.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from app.deid.finding import Category
from app.deid.lexicon import lexicon

Span = tuple[int, int, Category, str]

_I = re.IGNORECASE

MONTHS_FULL: Final = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_MONTH_ABBR: Final = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_MONTH: Final = rf"(?:{MONTHS_FULL}|{_MONTH_ABBR})"
_MONTH_UC: Final = (
    r"(?:JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|"
    r"DECEMBER|JAN|FEB|MAR|APR|JUN|JUL|AUG|SEPT|SEP|OCT|NOV|DEC)\.?"
)
_ORD_WORDS: Final = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    "thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    "twenty-first|twenty-second|twenty-third|twenty-fourth|twenty-fifth|twenty-sixth|"
    "twenty-seventh|twenty-eighth|twenty-ninth|thirtieth|thirty-first"
)
_DAY: Final = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?|{_ORD_WORDS})"
_YEAR: Final = r"(?:1[89]\d\d|20\d\d|'\d\d)"

STATE_ABBR: Final = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR"
)
STATE_NAMES: Final = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming"
)

# --- contact details -------------------------------------------------------------------

URL_RE: Final = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[A-Za-z0-9-]+\.)+(?:com|org|net|edu|gov|io|co|us|me|ly|info|biz|app|health|tv)"
    r"\b(?:/[^\s<>\"')\]]*)?",
    _I,
)
HANDLE_RE: Final = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
REDDIT_RE: Final = re.compile(r"(?<![\w/])u/[A-Za-z0-9_-]{3,20}\b")
IPV4_RE: Final = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![\d.]\d)"
)
IPV6_RE: Final = re.compile(
    r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?:[0-9A-Fa-f:]*)(?![\w:])"
)
PHONE_RE: Final = re.compile(
    r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?(?![\w-])"
    r"|(?<![\w-])\d{3}-\d{4}(?![\w-])"
    r"|(?<![\w-])\d{10}(?![\w-])"
    r"|(?<![\w-])(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{7}(?![\w-])"  # 651 5550188
    r"|(?<![\w-])(?:\+44\s?|0)\d{2,4}\s?\d{3}\s?\d{3,4}(?![\w-])"
    # international and trunk-prefixed groups: +61 2 5550 3812, +44 20 5550 3321, (03) 5550 1946
    r"|(?<![\w-])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,4}(?![\w-])"
    r"|(?<![\w-])\(0\d{1,4}\)\s?\d{3,4}[\s-]?\d{3,4}(?![\w-])",
    _I,
)
FAX_CUE_RE: Final = re.compile(r"\bfax(?:ed)?\b", _I)
SSN_RE: Final = re.compile(
    r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"
    r"|(?:\bSSN|\bSS\s?#|\bsocial security(?: number| no\.?)?|\bsocial)[\s:#]*"
    r"(?:is\s+|number\s+)?"
    r"(?:ending in\s+|last (?:four|4)(?: digits)?\s+)?(\d{3}[\s.]?\d{2}[\s.]?\d{4}|\d{4})\b"
    r"|\blast (?:four|4)(?: digits)? of (?:her|his|their|the)?\s*(?:SSN|social)"
    r"(?: security)?(?: number)?(?: is| are)?:?\s*(\d{4})\b",
    _I,
)

# --- dates and ages --------------------------------------------------------------------

NUM_DATE_RE: Final = re.compile(
    r"(?<![\w/.])(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\w/]|\.\d)"
    r"|(?<![\w/.-])(\d{4})([/.-])(\d{1,2})\6(\d{1,2})(?![\w/-])"
    r"|(?<![\w/.-])(0?[1-9]|1[0-2])/((?:19|20)\d\d)(?![\w/])"
    r"|(?<![\w/.-])((?:19|20)\d\d)-(0[1-9]|1[0-2])(?![\w/-])"
)
_DOSE_AFTER_RE: Final = re.compile(
    r"\s?(?:mg|mcg|µg|ml|mL|g|units?|iu|IU|mmHg|tabs?|tablets?|pills?|caps?|capsules?|doses?)\b"
)
_RATING_CUE_RE: Final = re.compile(
    r"\b(rat(?:ed|ing|es|ings)?|scales?|score[ds]?|out of|pain|mood|anxiety|suds|levels?|"
    r"intensity|urges?|cravings?|distress|confidence|importance|readiness|sleep)\b"
    r"\W{0,3}(?:\w+\W+){0,3}$",
    _I,
)
_COUNT_AFTER_RE: Final = re.compile(
    r"\s*(?:sessions?|days?|weeks?|nights?|times?|items?|questions?|visits?|hours?|points?|"
    r"criteria|symptoms?|doses?|tabs?|tablets?|pills?|drinks?|cigarettes?|correct)\b",
    _I,
)
_SCALE_BEFORE_RE: Final = re.compile(
    r"\b(?:[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?:-\d{1,2}[A-Z]?)?|score|total|scored)"
    r"\s*(?:score|total|of|was|is|=|:)?\s*$"
)
# "Monday peer group, 2/10", "Minutes 3/4": a weekday or a meeting header just before
_DATE_HEADER_RE: Final = re.compile(
    r"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|minutes|meeting|mtg)\b[^/\d.;:]{0,24}$"
    r"|(?:^|\n|[.:]\s)\s*(?:[A-Z][\w-]*\s){0,2}(?i:supervision|consultation|consult|"
    r"session|group|meeting|check-in)\s*[,:–—-]\s*$",
    _I,
)
_DATE_PREP_RE: Final = re.compile(
    r"\b(on|since|until|till|by|from|dated|dob|d\.o\.b\.?|born|before|after|effective|appt|"
    r"appointment|nxt|next|f/u|resched|rescheduled(?:\s+to)?|moved\s+to|"
    r"(?:mon|tues?|wed|thu|thurs?|fri|sat|sun)\.?)\W*$"
    # a date right after another date: "nxt 12/11 then 1/8", "3/4 or 3/11"
    r"|(?<![\d/])\d{1,2}/\d{1,2}\s*(?:then|and|or|&|,|to)\s*$",
    _I,
)
MONTH_DATE_RE: Final = re.compile(  # case-insensitive month names: see find_dates
    rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?(?![\w])"
    rf"|\b{_MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?(?![\w])"
    rf"|\b{_MONTH},?\s+(?:of\s+)?(?:1[89]\d\d|20\d\d|[’']\d\d)\b"
    # an ALL-CAPS month in an otherwise ordinary note: "scheduled intake MARCH 6 3:30"
    rf"|\b{_MONTH_UC}\s+{_DAY}(?:,?\s+{_YEAR})?(?![\w])"
)
_LOWER_MONTHS: Final = "january|february|april|june|july|august|september|october|november|december"
_LOWER_MONTH_ABBR: Final = "jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec"
LOWER_MONTH_DATE_RE: Final = re.compile(
    rf"\b(?:{_LOWER_MONTHS}|(?:{_LOWER_MONTH_ABBR})\.?)\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?(?![\w])"
    rf"|\b{_DAY}\s+(?:of\s+)?(?:{_LOWER_MONTHS})\b"
)
BARE_MONTH_RE: Final = re.compile(
    r"\b(in|since|until|till|by|during|through|throughout|from|before|after|around|early|late|"
    r"last|next|this|that|of|mid|the end of|end of|beginning of|start of|middle of|each|every|"
    r"to|into|due)(?:\s+|-)(?:(?:early|mid|late)(?:\s+|-))?"
    rf"({MONTHS_FULL})\b"
    rf"|\b(mid-)({MONTHS_FULL})\b"
    rf"|\b({MONTHS_FULL})(?=\s+(?:of (?:this|last|that|next) year|when|while|after|before|"
    r"just|right))"
)
# lower-case notes: "since oct", "due in june", "after diwali", "on thanksgiving"
LOWER_EVENT_DATE_RE: Final = re.compile(
    r"\b(?:in|since|until|till|by|during|through|from|before|after|around|early|late|last|next|"
    r"mid|due|on|over|for|at|get|gets|got|spend|spent|spending|offered|host|hosting|"
    r"have|had)(?:\s+|-)(?:(?:early|mid|late)(?:\s+|-))?"
    r"(january|february|april|june|july|august|september|october|november|december|jan|feb|"
    r"apr|jun|jul|aug|sept?|oct|nov|dec|thanksgiving|christmas(?: eve| day)?|xmas|easter|"
    r"halloween|diwali|hanukkah|chanukah|passover|ramadan|eid|kwanzaa|new year'?s(?: eve| day)?)"
    r"\b"
)
ORDINAL_DATE_RE: Final = re.compile(
    r"\b(?:on|by|until|till|since|before|after|from|of|around|through|starting|to|for|"
    r"beginning|due|as of|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|"
    r"tues|wed|thu|thur|thurs|fri|sat|sun|(?:next|nxt)\s+(?:[a-z/]+\s+){0,2}(?:is|will be))"
    r"\.?,?\s+the\s+"  # "on the 9th", "Tuesday, the 8th"
    rf"((?:[12]\d|3[01]|[1-9])(?:st|nd|rd|th)|{_ORD_WORDS})\b"
    r"(?!\s+(?:grade|session|floor|percentile|time|visit|week|day|month|year|cycle|"
    r"birthday|anniversary|attempt|appointment|meeting|round|step|place|set|part|wave|batch|"
    r"draft|try|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|weekend|half|quarter|trimester|of (?:her|his|"
    r"their|my|our) |of (?:these|those|them)|one|of the))",
    _I,
)
# Spanish and Portuguese dates: "12 de diciembre", "el 3 de mayo de 2024", "5 de março"
FOREIGN_DATE_RE: Final = re.compile(
    r"\b(?:[12]\d|3[01]|0?[1-9])\s+de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|setiembre|octubre|noviembre|diciembre|janeiro|fevereiro|março|marco|maio|"
    r"junho|julho|setembro|outubro|novembro|dezembro)(?:\s+(?:de|del)\s+(?:19|20)\d\d)?\b",
    _I,
)
HOLIDAY_RE: Final = re.compile(
    r"(?:Thanksgiving(?: (?:Day|Eve|weekend|break|dinner))?|Christmas(?: (?:Eve|Day|morning))?"
    r"|Xmas|New Year[’']?s(?: (?:Eve|Day))?|(?:Orthodox )?Easter(?: (?:Sunday|weekend))?|Halloween"
    r"|Juneteenth|Valentine[’']?s Day"
    r"|Mother[’']?s Day|Father[’']?s Day|Memorial Day|Labor Day|Veterans[’']? Day"
    r"|Independence Day|(?:Fourth|4th) of July|MLK Day|Martin Luther King(?: Jr\.?)? Day"
    r"|Presidents[’']? Day|Columbus Day|Indigenous Peoples[’']? Day|Good Friday"
    r"|Ash Wednesday|Palm Sunday|St\.? Patrick[’']?s Day|Saint Patrick[’']?s Day"
    r"|Black Friday|Cinco de Mayo|D[ií]a de (?:los )?Muertos|Day of the Dead|Groundhog Day"
    r"|Election Day|Boxing Day|Super Bowl Sunday|All Saints[’']? Day|All Souls[’']? Day"
    r"|(?:Lunar|Chinese) New Year[’']?s Eve|Mardi Gras|Fat Tuesday|Holy (?:Thursday|Saturday)"
    r"|Maundy Thursday|Easter Monday|Whit(?:sun|\s?Monday)|Remembrance Day|Canada Day"
    r"|Victoria Day|Bastille Day|Guy Fawkes Night|Bonfire Night|Hogmanay"
    r"|Patriots[’']? Day|Flag Day|Tax Day|April Fools[’']? Day|Earth Day"
    r"|Grandparents[’']? Day|Sweetest Day|Ground ?hog Day|Christmas Eve Eve"
    r"|Noche ?buena|Three Kings[’']? Day|Candlemas|Midsummer(?: Eve)?"
    r"|St\.? (?:Valentine|Andrew|David|George|Stephen|Nicholas|Lucy|John)[’']?s Day)(?![\w])"
    r"(?:,? (?:19|20)\d\d(?!\d))?"  # "Christmas 2022"
)
# Religious observances that are often discussed as practices: only dates after a time word.
OBSERVANCE_RE: Final = re.compile(
    r"(?i:on|during|over|at|since|until|after|before|through|around|by|last|this|next|"
    r"for|from|throughout|near)\s+"
    r"((?:Hanukkah|Chanukah|Passover|Yom Kippur|Rosh Hashanah|Ramadan"
    r"|Eid(?: (?:al|ul|el)-(?:Fitr|Adha))?|Vaisakhi|Baisakhi|Wigilia|Tết|Nowruz"
    r"|Diwali|Kwanzaa|(?:Lunar|Chinese) New Year|Tet|Nowruz|Holi|Purim|Lent)(?![\w]))"
)

_AGE_WORD: Final = (
    r"(?:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:one |a )?hundred"
    r"(?:[- ](?:and[- ])?(?:one|two|three|four|five|six|seven|eight|nine|ten))?)"
)
_AGE_NUM: Final = rf"(?:\d{{2,3}}|{_AGE_WORD})"
AGE_RE: Final = re.compile(
    rf"\b({_AGE_NUM}-(?:years?|yrs?|yr)-old)\b"
    rf"|\b({_AGE_NUM})[ ](?:years?|yrs?)[ ]old\b"
    rf"|\b(?:is|was|turned|turns|be|being)\s+({_AGE_WORD})\b"
    rf"|\b({_AGE_NUM}(?:yo|y/o|y\.o\.))(?!\w)"
    rf"|\b({_AGE_NUM})\s(?:yo|y/o|y\.o\.|yrs?\.?)(?!\w)"
    r"|\b(9\d|1[01]\d)\s?(?:F|M|yo[FMfm]|y/o[FMfm]?)(?![\w/])"
    r"|\b(?:aged?:?|age:|ages|age of|at age|turn(?:ed|s|ing)|is now|"
    r"(?:s?he|they|who) (?:is|was|'s|are|"
    rf"were|will be|just turned|is turning|turned|recently turned)(?: now)?)\s+({_AGE_NUM})\b"
    r"(?!\s*(?:%|percent|mg|minutes|min|times|sessions|days|weeks|months|dollars|pounds|lbs|kg))"
    rf"|\b(?:in (?:her|his|their|the)|late|early|mid)[- ]({_AGE_NUM}s|nineties)\b"
    rf"|\b(\d{{2,3}})(?:st|nd|rd|th) birthday\b"
    rf"|\b({_AGE_NUM})[- ](?:year[- ]old|yo)\b"
    rf"|\b(?:I['’]m|I am|I['’]ll be|I was|s?he['’]s|died at|passed at|lived to|living to|"
    rf"made it to|reached)\s+({_AGE_NUM})(?=\s*[.,;:!?)\"”]|\s+(?:and|but|now|this|next|"
    rf"last|in|on|when|over|after|before|from|of|at)\b)"
    rf"|\bat\s+({_AGE_NUM})(?=\s*[.,;!?)\"”]|\s+(?:and|but|she|he|they)\b)"
    r"|\b(?:is|was)\s+(9\d|1[01]\d)(?=\s*[.,;!?)]|\s+(?:and|but|now|this|next|last|"
    r"years?|yrs?)\b)",
    _I,
)

# --- locations -------------------------------------------------------------------------

_STREET_SUFFIX: Final = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Trail|Trl|Square|Sq|Loop|Alley|Pike|"
    r"Route|Rte|Crescent|Close|Row|Plaza|Expressway|Turnpike)"
)
_STREET_SUFFIX_FULL: Final = (
    r"(?:Street|Avenue|Road|Boulevard|Lane|Drive|Court|Terrace|Circle|Highway|Parkway|Trail|"
    r"Alley|Pike|Crescent|Plaza|Expressway|Turnpike|St\.|St(?=\s*[,;)]|\s*$)|Ave\.?|Rd\.?|"
    r"Blvd\.?|Ln\.?|Pkwy\.?|"
    r"Hwy\.?)"
)
_UNIT: Final = (
    r"(?:,?\s*(?i:apt|apartment|unit|suite|ste|room|rm|#)\.?\s*#?[A-Za-z0-9-]{1,6}\b"
    r"|,?\s*(?i:bldg|building|lot|space)\.?\s*#?(?:\d[A-Za-z0-9-]{0,5}|[A-Z])\b"
    r"|,?\s*(?:[1-9]|1\d|20)(?:st|nd|rd|th) (?i:floor|fl)\b\.?)?"  # "2nd Floor"
)
_NOT_MONTH: Final = rf"(?!(?:{MONTHS_FULL}|{_MONTH_ABBR})\b)"
ADDRESS_RE: Final = re.compile(
    r"\b\d{1,6}[A-Za-z]?(?:-\d{1,4})?\s+(?:[NSEW]\.?\s+|(?:North|South|East|West)\s+)?"
    rf"(?:{_NOT_MONTH}(?:\d{{1,3}}(?:st|nd|rd|th)|[A-Z][A-Za-z'.-]*)\s+){{1,4}}"
    rf"{_STREET_SUFFIX}\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?{_UNIT}"
    r"|\b(?:P\.?\s?O\.?\s+Box|PO Box|Post Office Box)\s+\d{1,6}\b"
    r"|\b(?:Apt|Apartment|Unit|Suite|Flat|app)\.?\s*#?\s*\d{1,5}[A-Za-z]?\b"
    r"|\b(?:Route|Rte\.?|Highway|Hwy\.?|Interstate|County Road|State Road)\s?\d{1,4}\b"
)
LOWER_ADDRESS_RE: Final = re.compile(
    r"\b\d{1,6}\s+(?:[nsew]\.?\s+)?"
    # street-name words, never "at her place" ("who is 91 at her place 48 birchwood lane")
    r"(?:(?:\d{1,3}(?:st|nd|rd|th)|(?!(?:at|her|his|their|my|our|the|a|an|in|on|to|of|and|"
    r"with|for|from|is|was)\s)[a-z]{2,})\s+){1,3}"
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|circle|parkway|pkwy|highway|hwy)\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*#?[a-z0-9-]{1,6}\b)?"
    r"|\b(?:on|at|off|near|lives on)\s+(?!the\b|a\b|an\b|this\b|that\b|my\b|his\b|her\b)"
    r"((?:[nsew]\.?\s+)?(?:\d{1,3}(?:st|nd|rd|th)|[a-z]{3,})\s+"
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|court|ct|circle|cir|"
    r"terrace|parkway|pkwy|highway|hwy)(?:\s\d{1,4}\b|\s[nsew](?=[\s,.;]))?)\b(?!-)"

    r"|\b(?:route|rte|highway|hwy|interstate|county road|county rd|state road)\s?\d{1,4}\b"
)
STREET_NAME_RE: Final = re.compile(
    r"\b(?:(?:North|South|East|West|Old|New)\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+"
    rf"{_STREET_SUFFIX_FULL}(?![\w])(?!\s+of\b)"  # not "Circle of Security"
    r"|\b(?:[NSEW]\.?|North|South|East|West)\s+\d{1,3}(?:st|nd|rd|th)\s+"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Place|Pl|Drive|Dr|Boulevard|Blvd)\b\.?"
    r"|\b(?:\d{1,6}\s+)?(?:Rue|Calle|Avenida|Via|Camino|Rua|rue|chemin|Chemin|boulevard|avenue)\s+"
    r"(?:de\s+(?:la\s+)?|del\s+|des\s+|du\s+)?[A-Z][\w'-]+"
    r"(?:\s+[A-Z][\w'-]+)?"
)
# after "corner of": "5th and Sycamore", "Lexington and Larpenteur", "franklin and chicago"
INTERSECTION_RE: Final = re.compile(
    r"(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][a-z]+)(?:\s+[A-Z][a-z]+)?\s+(?:and|&)\s+"
    r"(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][a-z]+)(?:\s+[A-Z][a-z]+)?\b"
    r"|(?:\d{1,3}(?:st|nd|rd|th)|[a-z]{3,}) (?:and|&) [a-z]{3,}\b(?!\s+(?:the|a|an)\b)"
)
_LOWER_STREET_GATE_RE: Final = re.compile(
    r" (?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|circle|parkway|pkwy|highway|hwy|corner)\b"
)
_STREET_GATE_RE: Final = re.compile(
    r"Street|Avenue|Road|Boulevard|Lane|Drive|Court|Terrace|Circle|Highway|Parkway|Trail|"
    r"Alley|Pike|Crescent|Plaza|Expressway|Turnpike|St\.|Ave\.|Rd\.|Blvd\.|corner of|"
    r"intersection of|Rue |Calle |Avenida |Via |Camino |Rua "
)
_ZIP_CITY_RE: Final = re.compile(r"(?:[A-Z][a-z]+|\b[A-Z]{2}),\s$")
_ZIP_VALUE_RE: Final = re.compile(r"\d{5}(?:-\d{4})?")
_ZIP_AFTER_STREET_RE: Final = re.compile(
    r"\b\d{1,6}\s+(?:[\w.]+\s+){1,4}(?i:st|ave|rd|dr|ln|blvd|street|avenue|road|drive|lane|"
    r"way|ct|court|pl|place)\.?,?\s+$"
)
_ZIP_AFTER_UNIT_RE: Final = re.compile(r"\b(?i:apt|apartment|unit|suite|ste|flat)\.? ?#?\w{1,5}, $")
_AU_POSTCODE_RE: Final = re.compile(r"(?<![\w-])\d{4}(?![\w-])")
_AU_STREET_TOWN_RE: Final = re.compile(
    r"\b(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Parade|Pde|Crescent|"
    r"Cres|Highway|Hwy|Terrace|Tce|Close|Way|Grove|Gr)\.?,\s+(?:[A-Z][a-z]+\s){1,2}$"
    r"|\b(?:lives|living|live|moved) in (?:[A-Z][a-z]+\s){1,2}$"
)
_ZIP_TOWN_RE: Final = re.compile(r"[A-Za-z][a-z]+,?\s$")
_ZIP_STREET_RE: Final = re.compile(
    r"\b(?i:Apt|Apartment|Unit|Suite|Ste|St|Street|Ave|Avenue|Rd|Road|Dr|Drive|Ln|Lane|Blvd|"
    r"Court|Ct|Way|Pl|Place|Terrace|Circle|Parkway|Hwy)\b\.?[^.;!?\n]*$"
)
# lower-case state abbreviations that are not also English words ("milwaukee wi 53208")
_LOWER_STATE_ABBR: Final = (
    "ak|az|ar|ct|fl|ga|ia|il|ks|ky|mn|nv|nh|nj|nm|ny|nc|nd|ri|sc|sd|tn|tx|ut|vt|va|wa|wv|wi|wy|dc"
)
_ZIP_BEFORE_RE: Final = re.compile(
    rf"(?:\b(?:{STATE_ABBR}|{_LOWER_STATE_ABBR})\.?,?\s+|\b(?:{STATE_NAMES}),?\s+|"
    r"\bzip(?:\s?code)?\W{0,3}"
    r"(?:is\s+)?|\bpostal code\W{0,3})$"
)

# --- identifiers -----------------------------------------------------------------------

ID_CUE_RE: Final = re.compile(
    r"\b(?:MRN|medical record|record|chart|account|acct|policy|member|subscriber|group|"
    r"claim|case|licen[cs]e|DL|CDL|driver'?s licen[cs]e|plate|tag|VIN|serial|device|badge|"
    r"employee|student|patient|insurance|Medicaid|Medicare|NPI|DEA|passport|visa|"
    r"A-number|alien|file|docket|ID|identification|certificate|cert|pin|ticket|order|"
    r"tracking|confirmation|reference|ref|booking|inmate|DOC|permit|registration|"
    r"beneficiary|routing|card|EIN|TIN|IMEI|MAC|pacemaker|implant|report|complaint|incident|"
    r"grievance|citation|warrant|petition|diversion|probation|parole|OHIP|RAMQ|PHN|MSP|BSN|"
    r"LICSW|LCSW|LPCC|LPC|LMFT|LMHC|LCPC|LISW|LCSW-C|LMSW)"
    r"(?:\s+(?:number|no\.?|#|num|ID|plate|code))?\s*(?:is|was|of|:|#|-)?\s*#?\s*$",
    _I,
)
PLATE_RE: Final = re.compile(
    r"\b(?i:plates?)\b[^.;\n]{0,30}?(?<![\w-])"
    r"((?=[A-Z0-9 -]*\d)(?=[A-Z0-9 -]*[A-Z])[A-Z0-9]{1,4}[ -][A-Z0-9]{2,5})(?![\w-])"
)
ID_VALUE_RE: Final = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9-]*\d[A-Za-z0-9-]*")
LONG_NUM_RE: Final = re.compile(
    r"(?<![\w.-])(?=[A-Z0-9-]*\d{5})(?:[A-Z]{1,4}-?)?\d[\d-]{4,18}\d(?:-?[A-Z]{1,3})?(?![\w.-]\w)"
    r"|(?<![\w.-])[A-Z]{1,3}\d{6,12}(?![\w])"
)


def _num(text: str) -> int:
    t = text.lower().replace("-", " ").split()
    if not t:
        return 0
    if t[0].isdigit():
        return int(t[0])
    if "hundred" in t:
        return 100
    if t[0] == "ninety":
        return 90
    return 0


Window = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Gates:
    """Positions of trigger words, found by the caller's tokeniser (saves text scans)."""

    month: list[Window]
    street: list[Window]
    holiday: list[Window]
    observance: list[Window]
    ordinal: list[Window]


_DIGITS_RE: Final = re.compile(r"\d+")
_MONTH_GATE_RE: Final = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|january|february|april|june|july|"
    r"august|september|october|november|december|jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec|"
    r"thanksgiving|christmas|xmas|easter|halloween|diwali|hanukkah|chanukah|passover|ramadan|"
    r"eid|kwanzaa|new year)(?![a-z])"
)
_ORD_GATE_RE: Final = re.compile(rf"the\s+(?:{_ORD_WORDS})\b", _I)
_TLD_GATE_RE: Final = re.compile(  # domains are nearly always written in lower case
    r"\.(?:com|org|net|edu|gov|io|co|us|me|ly|info|biz|app|health|tv|COM|ORG|NET|EDU|GOV)\b"
    r"|://|www\.|WWW\."
)


_HOLIDAY_KEYS: Final = (
    "Thanksgiving",
    "Christmas",
    "Xmas",
    "New Year",
    "Easter",
    "Halloween",
    "Juneteenth",
    "Mardi Gras",
    "Fat Tuesday",
    "Candlemas",
    "Midsummer",
    "Hogmanay",
    "Fat Tuesday",
    "Holy",
    "Maundy",
    "Whit",
    "Fawkes",
    "Bonfire",
    "Noche",
    "Day",
    "of July",
    "Good Friday",
    "Black Friday",
    "Ash Wednesday",
    "Palm Sunday",
    "Bowl Sunday",
    "Mayo",
    "Muertos",
)
_OBSERVANCE_KEYS: Final = (
    "Hanukkah",
    "Chanukah",
    "Passover",
    "Yom Kippur",
    "Rosh Hashanah",
    "Ramadan",
    "Eid",
    "Diwali",
    "Kwanzaa",
    "New Year",
    "Tet",
    "Nowruz",
    "Holi",
    "Purim",
    "Lent",
)


DAY_OF_OBSERVANCE_RE: Final = re.compile(
    rf"\b(?:{_DAY}|last|final)\s+(?:day|night)?\s*of\s+(?:Ramadan|Hanukkah|Chanukah|Passover|"
    r"Lent|Advent|Diwali|Kwanzaa|Navratri|Sukkot)\b"
)


def find_keys(text: str, keys: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Spans of every occurrence of each key in ``text``, sorted."""
    hits: list[tuple[int, int]] = []
    for k in keys:
        i = text.find(k)
        while i != -1:
            hits.append((i, i + len(k)))
            i = text.find(k, i + 1)
    hits.sort()
    return iter(hits)


_LAST_SPACE_RE: Final = re.compile(r"\s(?=\S*$)")
_NEXT_SPACE_RE: Final = re.compile(r"\s")


def merge_windows(
    points: Iterator[tuple[int, int]], text: str, before: int, after: int
) -> list[Window]:
    """Windows around (start, end) hits, padded and snapped to whitespace, merged."""
    n = len(text)
    wins: list[Window] = []
    for s, e in points:
        ws = max(0, s - before)
        we = min(n, e + after)
        if wins and ws <= wins[-1][1] and we <= wins[-1][1]:
            continue
        if ws > 0 and not text[ws - 1].isspace():
            lo = max(0, ws - 40)
            k = max(text.rfind(" ", lo, ws), text.rfind("\n", lo, ws))
            if k == -1:
                m = _LAST_SPACE_RE.search(text, lo, ws)  # tabs, other blanks
                ws = m.end() if m else lo
            else:
                ws = k + 1
        if we < n and not text[we].isspace():
            hi = min(n, we + 40)
            k1 = text.find(" ", we, hi)
            k2 = text.find("\n", we, k1 if k1 != -1 else hi)
            k = k2 if k2 != -1 else k1
            if k == -1:
                m2 = _NEXT_SPACE_RE.search(text, we, hi)
                we = m2.start() if m2 else hi
            else:
                we = k
        if wins and ws <= wins[-1][1]:
            if we > wins[-1][1]:
                wins[-1] = (wins[-1][0], we)
        else:
            wins.append((ws, we))
    return wins


Profile = list[tuple[int, int, int, int]]  # window start, end, digit count, longest digit run


def _profile(text: str, wins: list[Window], hits: list[Window] | None = None) -> Profile:
    """Digit count and longest digit run of each window (to skip hopeless regex scans).
    ``hits`` are all digit runs of the text in order (:func:`digit_runs`), if known."""
    out: Profile = []
    if hits is None:
        findall = _DIGITS_RE.findall
        for ws, we in wins:
            runs = findall(text, ws, we)
            out.append((ws, we, sum(map(len, runs)), max(map(len, runs), default=0)))
        return out
    k = 0
    nh = len(hits)
    for ws, we in wins:
        while k < nh and hits[k][1] <= ws:
            k += 1
        total = longest = 0
        j = k
        while j < nh and hits[j][0] < we:
            hs, he = hits[j]
            d = min(he, we) - max(hs, ws)  # a run cut by the window counts only inside it
            total += d
            if d > longest:
                longest = d
            j += 1
        out.append((ws, we, total, longest))
    return out


def _with(prof: Profile, digits: int = 0, run: int = 0) -> list[Window]:
    return [(ws, we) for ws, we, d, r in prof if d >= digits and r >= run]


def _at_digit_runs(
    pattern: re.Pattern[str], text: str, wins: list[Window], hits: list[Window] | None
) -> Iterator[re.Match[str]]:
    """``scan_windows(pattern, text, wins)`` for a pattern whose matches can only start where a
    digit run starts (a digit with no word character before it): trying ``match`` at those
    positions only gives the same matches, without stepping through every character."""
    if hits is None:
        yield from scan_windows(pattern, text, wins)
        return
    k = 0
    nh = len(hits)
    for ws, we in wins:
        while k < nh and hits[k][0] < ws:
            k += 1
        pos = ws
        j = k
        while j < nh and hits[j][0] < we:
            s = hits[j][0]
            j += 1
            if s < pos:
                continue
            m = pattern.match(text, s, we)
            if m is not None:
                yield m
                pos = m.end()


def scan_windows(
    pattern: re.Pattern[str], text: str, wins: list[Window]
) -> Iterator[re.Match[str]]:
    for ws, we in wins:
        yield from pattern.finditer(text, ws, we)


def find_contacts(
    text: str,
    dwin: list[Window] | None = None,
    ssn_win: list[Window] | None = None,
    prof: Profile | None = None,
) -> Iterator[Span]:
    if dwin is None:
        dwin = [(0, len(text))]
    if prof is None:
        prof = _profile(text, dwin)
    win7 = _with(prof, digits=7)
    if "@" in text:
        yield from _find_at(text)
    if "u/" in text:
        for m in REDDIT_RE.finditer(text):
            yield m.start(), m.end(), "URL", "social-media handle"
    uwin = merge_windows((m.span() for m in _TLD_GATE_RE.finditer(text)), text, 200, 200)
    for m in scan_windows(URL_RE, text, uwin):
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in ".,;:!?":
            e -= 1
        if s > 0 and text[s - 1] == "@":
            continue
        yield s, e, "URL", "web address"
    for m in scan_windows(IPV4_RE, text, [w for w in _with(prof, 4) if text.count(".", *w) >= 3]):
        yield m.start(), m.end(), "IP", "IPv4 address"
    if ":" in text:
        for m in scan_windows(IPV6_RE, text, [w for w in dwin if text.count(":", *w) >= 2]):
            if m.group().count(":") >= 3:
                yield m.start(), m.end(), "IP", "IPv6 address"
    swin = _with(prof, digits=9)
    if ssn_win is not None and ssn_win is not dwin:
        swin = ssn_win
    for m in scan_windows(SSN_RE, text, swin):
        g = m.lastindex
        if g:
            yield m.start(g), m.end(g), "SSN", "social security number"
        else:
            yield m.start(), m.end(), "SSN", "social security number pattern"
    for m in scan_windows(PHONE_RE, text, win7):
        s = m.start()
        if _TOLL_FREE_RE.match(m.group()) and _national_hotline(m.group()):
            continue  # national hotlines such as 1-800-273-8255 identify nobody
        if _id_cued(text, s):
            yield s, m.end(), "ID", "number after an identifier keyword"
        elif FAX_CUE_RE.search(text, max(0, s - 24), s):
            yield s, m.end(), "FAX", "fax number"
        else:
            yield s, m.end(), "PHONE", "telephone number pattern"


_TOLL_FREE_RE: Final = re.compile(r"(?:\+?1[\s.-]?)?\(?8(?:00|88|77|66|55|44|33)\b")
# national crisis and support lines (ten digits): not identifiers. Other toll-free numbers
# (a plan's or a clinic's line, a fax) are flagged like any phone number.
_NATIONAL_HOTLINES: Final = frozenset(
    """8002738255 8007997233 8664887386 8006624357 8009506264 8006564673 8004224453
    8775658860 8009312237 8009855990 8883737888 8007842433 8772738255 8006214000
    8772359838 8004733333 8888438278""".split()
)


def _national_hotline(number: str) -> bool:
    digits = "".join(c for c in number if c.isdigit())
    return digits[-10:] in _NATIONAL_HOTLINES
_EMAIL_LEFT_RE: Final = re.compile(r"[\w.+-]+$")
_EMAIL_RIGHT_RE: Final = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _find_at(text: str) -> Iterator[Span]:
    i = text.find("@")
    while i != -1:
        left = _EMAIL_LEFT_RE.search(text, max(0, i - 64), i)
        right = _EMAIL_RIGHT_RE.match(text, i + 1)
        if left and right:
            yield left.start(), right.end(), "EMAIL", "e-mail address"
        else:
            h = HANDLE_RE.match(text, i)
            if h:
                yield h.start(), h.end(), "URL", "social-media handle"
        i = text.find("@", i + 1)


def _same_denominator_nearby(text: str, s: int, e: int, b: int) -> bool:
    """Subscale scores such as "inattention 8/9, hyperactivity 6/9" share a denominator."""
    window = text[max(0, s - 40) : s] + " " + text[e : e + 40]
    return any(int(x.group(2)) == b and int(x.group(1)) <= b for x in _FRACTION_RE.finditer(window))


_FRACTION_RE: Final = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})(?![\w/])")


def _gerund(word: str) -> bool:
    """An English -ing form of a verb ("Using", "Following"; not "Redding", "Sterling")."""
    low = word.lower()
    if not low.endswith("ing") or len(low) < 6:
        return False
    eng = lexicon().english
    stem = low[:-3]
    return stem in eng or stem + "e" in eng or (stem[-1:] == stem[-2:-1] and stem[:-1] in eng)


def find_dates(
    text: str,
    dwin: list[Window] | None = None,
    ord_win: list[Window] | None = None,
    gates: Gates | None = None,
    hits: list[Window] | None = None,
) -> Iterator[Span]:
    if dwin is None:
        dwin = [(0, len(text))]
    sep_win = [w for w in dwin if text.count("/", *w) or text.count("-", *w) or text.count(".", *w)]
    for m in _at_digit_runs(NUM_DATE_RE, text, sep_win, hits):
        ms = m.start()
        if ms > 1 and text[ms - 1] == "-" and text[ms - 2].isalpha():
            continue  # part of a code such as "OCR-05-24-1187"
        if m.group(5):
            mo, d = int(m.group(7)), int(m.group(8))
            if 1 <= mo <= 12 and 1 <= d <= 31:
                yield m.start(), m.end(), "DATE", "numeric date"
            continue
        if m.group(9) or m.group(11):
            yield m.start(), m.end(), "DATE", "month and year"
            continue
        if _DOSE_AFTER_RE.match(text, m.end()):
            continue  # "buprenorphine/naloxone 16/4 mg": a combination dose
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if not (1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)):
            continue
        bs = max(0, m.start() - 40)
        if y is None:
            if sep != "/":
                continue
            prep = _DATE_PREP_RE.search(text, bs, m.start())
            if prep is None and not _COUNT_AFTER_RE.match(text, m.end()):
                prep = _DATE_HEADER_RE.search(text, max(0, m.start() - 32), m.start())
            if (a, b) == (24, 7) or (
                _RATING_CUE_RE.search(text, bs, m.start()) and (not prep or b in (5, 10))
            ):
                continue
            if b == 10 and a <= 10 and not prep:
                continue
            if a < b <= 8 and not prep:
                continue
            if (
                prep
                and b <= 10
                and a <= b
                and _same_denominator_nearby(text, m.start(), m.end(), b)
            ):
                continue  # "urges at 2/5 most days, down from 4/5": a rating
            if not prep and (
                _COUNT_AFTER_RE.match(text, m.end())
                or (
                    a <= b
                    and b in (15, 20, 21, 24, 27, 30)
                    and _SCALE_BEFORE_RE.search(text, max(0, m.start() - 24), m.start())
                )
                or (a <= b and _same_denominator_nearby(text, m.start(), m.end(), b))
            ):
                continue  # "attended 6/12 sessions", "PHQ-9 9/27", "MoCA 26/30"
        elif sep == "." and len(y) == 2 and not _DATE_PREP_RE.search(text, bs, m.start()):
            continue
        yield m.start(), m.end(), "DATE", "numeric date"
    if gates is not None:
        month_hits = gates.month
    else:
        month_hits = [
            m.span()
            for m in _MONTH_GATE_RE.finditer(text)
            if not (m.start() and text[m.start() - 1].isalpha())
        ]
    mwin = merge_windows(iter(month_hits), text, 40, 30)
    if mwin:
        for m in scan_windows(MONTH_DATE_RE, text, mwin):
            s = m.start()
            word = m.group()
            if _LOWER_MONTHISH_RE.match(word.removeprefix("the ")):
                continue  # lower-case "may 5" / "march 3": modal verb, not a date
            if text.startswith(("the ", "The "), s):
                s += 4
            yield s, m.end(), "DATE", "day and month"
        for m in scan_windows(LOWER_MONTH_DATE_RE, text, mwin):
            yield m.start(), m.end(), "DATE", "day and month"
        for m in scan_windows(LOWER_EVENT_DATE_RE, text, mwin):
            yield m.start(1), m.end(1), "DATE", "month or holiday tied to an event"
        for m in scan_windows(BARE_MONTH_RE, text, mwin):
            for g in (2, 4, 5):
                if m.group(g):
                    yield m.start(g), m.end(g), "DATE", "month tied to an event"
                    break
    ord_words = (
        gates.ordinal if gates is not None else [m.span() for m in _ORD_GATE_RE.finditer(text)]
    )
    owin = (ord_win if ord_win is not None else dwin) + merge_windows(iter(ord_words), text, 45, 30)
    for m in scan_windows(ORDINAL_DATE_RE, text, sorted(owin)):
        if not m.group(1)[0].isdigit() and m.group()[:3].lower() in ("to ", "for"):
            continue  # "moves to the first and third Thursday": only "to the 14th"
        yield m.start(1), m.end(1), "DATE", "day of month"
    if " de " in text:
        for m in FOREIGN_DATE_RE.finditer(text):
            yield m.start(), m.end(), "DATE", "day and month (Spanish or Portuguese)"
    if gates is not None:
        hwin = merge_windows(iter(gates.holiday), text, 40, 30)
    else:
        hwin = merge_windows(find_keys(text, _HOLIDAY_KEYS), text, 40, 30)
    for m in scan_windows(HOLIDAY_RE, text, hwin):
        s = m.start()
        if s and (text[s - 1].isalnum() or text[s - 1] == "_"):
            continue
        yield s, m.end(), "DATE", "holiday used as a date"
    if gates is not None:
        owin2 = merge_windows(iter(gates.observance), text, 40, 30)
    else:
        owin2 = merge_windows(find_keys(text, _OBSERVANCE_KEYS), text, 30, 30)
    for m in scan_windows(OBSERVANCE_RE, text, owin2):
        yield m.start(1), m.end(1), "DATE", "religious holiday used as a date"
    for m in scan_windows(DAY_OF_OBSERVANCE_RE, text, owin2):
        yield m.start(), m.end(), "DATE", "day of a religious holiday"


_UNIT_AFTER_RE: Final = re.compile(
    r"\s?(?:mg|mcg|µg|ml|mL|g|kg|lbs?|%|mmHg|bpm|/\d|mm|cm|min|minutes|mins|sec|seconds|"
    r"units?|points?|percent|degrees|°)\b|\s?(?:%|/\d|°)"
)


def _age_windows(text: str, dwin: list[Window], runs: list[Window] | None = None) -> list[Window]:
    hits: list[tuple[int, int]] = []
    spans = runs if runs is not None else [m.span() for m in scan_windows(_DIGITS_RE, text, dwin)]
    for s0, e0 in spans:
        if e0 - s0 in (2, 3) and 90 <= int(text[s0:e0]) <= 125:
            if _UNIT_AFTER_RE.match(text, e0):
                continue  # "100 mg", "120/80", "95%": a dose or a measurement
            hits.append((s0, e0))
    low = text.lower()
    for word in ("ninet", "hundred"):
        i = low.find(word)
        while i != -1:
            hits.append((i, i + len(word)))
            i = low.find(word, i + 1)
    hits.sort()
    return merge_windows(iter(hits), text, 45, 30)


_MEASURE_BEFORE_RE: Final = re.compile(
    r"\b(?:[A-Z]{2,}[\w-]*|(?i:heart rate|pulse|scor\w*|sat\w*|index|weight|weighs|"
    r"glucose|sugar|rate|level|temp\w*|percentile|total|count|lbs?|pounds|speed|mph|"
    r"(?:was|were|is|stayed|stays|held|remained|peaked|capped|set|started))"
    r")\W*$"
)


def find_ages(
    text: str, dwin: list[Window] | None = None, runs: list[Window] | None = None
) -> Iterator[Span]:
    if dwin is None:
        dwin = [(0, len(text))]
    for m in scan_windows(AGE_RE, text, _age_windows(text, dwin, runs)):
        g = m.lastindex or 0
        if not g:
            continue
        val = m.group(g)
        if text.startswith(("at", "is", "was"), m.start()) and _MEASURE_BEFORE_RE.search(
            text, max(0, m.start() - 30), m.start()
        ):
            continue  # "HR at 104.", "scored at 95,": a measurement, not an age
        v = _num(val.rstrip("sS"))
        if (v >= 90 or val.lower() == "nineties") and v <= 125:
            yield m.start(g), m.end(g), "AGE", "age over 89"


TEAM_RE: Final = re.compile(
    r"play(?:s|ed|ing)?\b(?:\s+[\w-]+){0,4}?\s+(?:on|for|with)\s+(?:the|a|his|her|their)\s+"
    r"((?:[A-Z][\w'’-]+\s+){1,2}[A-Z][\w'’-]+s)\b"
)
LOWER_SAINT_RE: Final = re.compile(
    r"st\. [a-z]+['’]s(?: (?:lutheran|catholic|episcopal|methodist|church|parish|school|"
    r"academy|hospital|cathedral|chapel|elementary|high))?\b"
)
_SCHOOL_PREP_RE: Final = re.compile(r"\b(?i:at|to|from|attends|attend|attended|in)\s$")
NYC_SCHOOL_SCAN_RE: Final = re.compile(
    r"\b(?:PS|P\.S\.|MS|IS|JHS) \d{1,3}\b(?!\s*(?:mg|%|points?))"
)
FOREIGN_UNIVERSITY_RE: Final = re.compile(
    r"Universit(?:é|y|ät|at|à|ad|ade)\s+(?:de\s+|of\s+|du\s+|del?\s+|da\s+|di\s+)?"
    r"(?:la\s+)?[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+)?"
)
_BUSINESS_NOUNS: Final = (
    "bakery", "salon", "restaurant", "shop", "store", "cafe", "café", "taqueria", "bar,",
    "diner", "truck", "business", "company", "firm", "daycare", "garage", "boutique",
    "bodega", "deli", "pizzeria", "studio", "gym", "farm",
)
# "They run a bakery, Flour & Fig, on Elm Street"; "ran a bakery together, sweet dale's,"
BUSINESS_NAME_RE: Final = re.compile(
    r"(?:runs?|ran|owns?|owned|opened)\s+(?:a|an|the|their|his|her|a small)\s+(?:[\w-]+\s+)?"
    r"(?:bakery|salon|restaurant|shop|store|cafe|café|taqueria|bar|diner|food truck|business|"
    r"company|firm|barbershop|daycare|garage|boutique|bodega|deli|pizzeria|studio|gym|"
    r"landscaping business|cleaning business|farm)(?:\s+together)?,\s+"
    r"((?:[A-Z][\w'’]*|[a-z][\w'’]*)(?:\s+(?:[A-Z][\w'’]*|&|of|the|de|del|la|el|[a-z][\w'’]*)){0,3})"
    r"(?=,)"
)
_CREDENTIALS: Final = (
    "LMFT", "LICSW", "LCSW", "LPCC", "LPC", "PsyD", "PhD", "LMHC", "LCPC", "LISW", "LMSW",
    "CEDS", "NCC", "PMHNP", "APRN", "LCSW-C", "LADC", "CADC", "LCADC", "MFT", "LPCC-S",
)
_CRED_RE: Final = re.compile(
    r"(?:LMFT|LICSW|LCSW(?:-C)?|LPCC(?:-S)?|LPC|PsyD|PhD|LMHC|LCPC|LISW|LMSW|CEDS|NCC|PMHNP|"
    r"APRN|LADC|CADC|LCADC|MFT|MD|RN)\b"
)
# the practice name on the line after "Name, LMFT" (or after "LICSW | "): capitalised words,
# "&", "and", "of", up to the end of the line or a "|"
_PRACTICE_AFTER_CRED_RE: Final = re.compile(
    r"(?:,\s*(?:LMFT|LICSW|LCSW(?:-C)?|LPCC(?:-S)?|LPC|PsyD|PhD|LMHC|LCPC|LISW|LMSW|CEDS|NCC|"
    r"PMHNP|APRN|LADC|CADC|LCADC|MFT|MD|RN)\b)*[ \t]*(?:\n|\|)[ \t]*"
    r"((?:[A-Z][\w'’.-]*)(?:[ \t]+(?:[A-Z][\w'’.-]*|&|and|of|for|the))*)[ \t]*(?=\n|\||$)"
)


def _scan_credentials(text: str) -> Iterator[re.Match[str]]:
    """Practice names after "Name, LMFT" at the end of a line, or "Name, LICSW | …"."""
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start)
        if end == -1:
            end = n
        line = text[start:end]
        if "|" in line or line.rstrip().endswith(_CREDENTIALS):
            for cm in _CRED_RE.finditer(text, start, end):
                if text[cm.start() - 2 : cm.start()] not in (", ", ",\t"):
                    continue  # only "Name, LMFT", not a credential mentioned in prose
                pm = _PRACTICE_AFTER_CRED_RE.match(text, cm.end())
                if pm is None:
                    continue
                words = pm.group(1).split()
                if len(words) >= 2 or words[0].endswith(
                    ("Therapy", "Counseling", "Counselling")
                ):
                    yield pm
        start = end + 1


# "the Red Wing Wingers legion team", "the Shoreview Storm hockey team"
TEAM_BEFORE_RE: Final = re.compile(
    r"\b(?:on|for|with|joined|plays for) the ((?:[A-Z][\w'’-]+ ){1,3}[A-Z][\w'’-]+)"
    r"(?: [a-z][\w-]+){0,2}$"
)
CHILDRENS_RE: Final = re.compile(r"Children's (?:Hospital (?:of )?)?[A-Z][\w'’-]+")
SPANISH_ORG_RE: Final = re.compile(
    r"(?:Centro|Clínica|Clinica|Escuela|Iglesia|Colegio)(?: (?:de|del|de la|para|San|Santa))?"
    r"(?: [A-Z][\w'’-]+){1,3}"
)
OUR_LADY_RE: Final = re.compile(
    r"\bOur Lady (?:of|Queen of|Star of|Help of)(?: the)?(?: [A-Z][\w'’-]+){1,3}"
    r"|\bOUR LADY OF(?: THE)?(?: [A-Z'’-]+){1,3}"
)
UK_POSTCODE_RE: Final = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
    r"|\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d\b"  # Canada
)


_SALUTATION_RE: Final = re.compile(r"\b(?:Dear|Hi|Hello|Thanks|Attn:?)\s+(?:Dr|Mr|Ms)\.?$")


def _has_start(starts: list[int], lo: int, hi: int) -> bool:
    """Does a sorted list of positions hold one in [lo, hi)?"""
    k = bisect_left(starts, lo)
    return k < len(starts) and starts[k] < hi


def find_places(
    text: str,
    dwin: list[Window] | None = None,
    addr_win: list[Window] | None = None,
    gates: Gates | None = None,
    prof: Profile | None = None,
    hits: list[Window] | None = None,
) -> Iterator[Span]:
    if dwin is None:
        dwin = [(0, len(text))]
    if prof is None:
        prof = _profile(text, dwin)
    # every postcode has a capital letter right before a digit ("SW1A 1AA", "K1A 0B1"),
    # i.e. right before the start of a digit run
    if hits is None:
        hits = digit_runs(text)
    pairs = [h - 1 for h, _ in hits if h and "A" <= text[h - 1] <= "Z"]
    if pairs:
        pwin = [w for w in dwin if _has_start(pairs, w[0], w[1] - 1)]
        for m in scan_windows(UK_POSTCODE_RE, text, pwin):
            yield m.start(), m.end(), "ZIP", "UK or Canadian postcode"
    if gates is None or gates.street or " in " in text:
        for m in scan_windows(_AU_POSTCODE_RE, text, _with(prof, run=4)):
            if text[m.start() - 1 : m.start()] == " " and _AU_STREET_TOWN_RE.search(
                text, max(0, m.start() - 50), m.start()
            ):
                yield m.start(), m.end(), "ZIP", "postcode after a suburb"
    i = text.find("play")
    while i != -1:
        tm = TEAM_RE.match(text, i)
        if tm is not None and (i == 0 or not text[i - 1].isalnum()):
            yield tm.start(1), tm.end(1), "ORG", "team the person plays for"
        i = text.find("play", i + 4)
    i = text.find("st. ")
    while i != -1:
        sm = LOWER_SAINT_RE.match(text, i)
        if sm is not None and (i == 0 or not text[i - 1].isalnum()):
            yield sm.start(), sm.end(), "ORG", "saint's name used for a church/school (lower case)"
        i = text.find("st. ", i + 4)
    nyc = ("S " in text or "P.S." in text) and any(
        text.endswith(("PS ", "MS ", "IS ", "JHS ", "P.S. "), 0, h) for h, _ in hits
    )
    for sm in scan_windows(NYC_SCHOOL_SCAN_RE, text, dwin) if nyc else ():
        if _SCHOOL_PREP_RE.search(text, max(0, sm.start() - 12), sm.start()):
            yield sm.start(), sm.end(), "ORG", "numbered public school"
    i = text.find("Universit")
    while i != -1:
        um = FOREIGN_UNIVERSITY_RE.match(text, i)
        if um is not None and text[i + 9 : i + 10] != "y":  # "University of X" is handled
            yield um.start(), um.end(), "ORG", "named university"
        i = text.find("Universit", i + 9)
    if ", " in text and any(k in text for k in _BUSINESS_NOUNS):
        for key in ("run", "own", "ran ", "opened"):
            i = text.find(key)
            while i != -1:
                if i == 0 or not text[i - 1].isalnum():
                    bm = BUSINESS_NAME_RE.match(text, i)
                    if bm is not None:
                        yield bm.start(1), bm.end(1), "ORG", "name of a business someone runs"
                i = text.find(key, i + 3)
    if "\n" in text or "|" in text:
        for m in _scan_credentials(text):
            yield m.start(1), m.end(1), "ORG", "practice name in a signature block"
    for key in (" team", " club", " squad", " league"):
        i = text.find(key)
        while i != -1:
            tm2 = TEAM_BEFORE_RE.search(text, max(0, i - 60), i)
            if tm2 is not None:
                t_words = tm2.group(1).split()
                while len(t_words) > 1 and t_words[-1].isupper():
                    t_words.pop()  # "Wolverines JV squad", "Hawks AAU team"
                if len(t_words) >= 2:
                    end_t = tm2.start(1) + len(" ".join(t_words))
                    yield tm2.start(1), end_t, "ORG", "named team or club"
            i = text.find(key, i + 4)
    i = text.find("Children's ")
    while i != -1:
        cm2 = CHILDRENS_RE.match(text, i)
        if cm2 is not None:
            yield cm2.start(), cm2.end(), "ORG", "children's hospital"
        i = text.find("Children's ", i + 10)
    for key in ("Centro ", "Clínica ", "Clinica ", "Escuela ", "Iglesia ", "Colegio "):
        i = text.find(key)
        while i != -1:
            sm2 = SPANISH_ORG_RE.match(text, i)
            if sm2 is not None:
                yield sm2.start(), sm2.end(), "ORG", "named centre, clinic, school or church"
            i = text.find(key, i + 5)
    if "Our Lady" in text or "OUR LADY" in text:
        for m in OUR_LADY_RE.finditer(text):
            yield m.start(), m.end(), "ORG", "named parish or church"
    for m in scan_windows(ADDRESS_RE, text, addr_win if addr_win is not None else dwin):
        if _SALUTATION_RE.search(m.group()):
            continue  # "DOB 2/9/1995 Dear Dr. Marchetti": a letter's salutation, not a street
        yield m.start(), m.end(), "ADDRESS", "street address"
    if gates is not None:
        lwin = swin = merge_windows(iter(gates.street), text, 60, 40)
    else:
        lwin = merge_windows((g.span() for g in _LOWER_STREET_GATE_RE.finditer(text)), text, 60, 30)
        swin = merge_windows((g.span() for g in _STREET_GATE_RE.finditer(text)), text, 40, 40)
    for m in scan_windows(LOWER_ADDRESS_RE, text, lwin):
        grp = 1 if m.group(1) else 0
        yield m.start(grp), m.end(grp), "ADDRESS", "street address (lower case)"
    for m in scan_windows(STREET_NAME_RE, text, swin):
        if _gerund(m.group().split(None, 1)[0]):
            continue  # "Using Circle ...", "Following Court ...": a verb, not a street
        yield m.start(), m.end(), "ADDRESS", "street name"
    for key in ("corner of ", "intersection of ", "corners of "):
        i = text.find(key)
        while i != -1:
            cm = INTERSECTION_RE.match(text, i + len(key))
            if cm is not None:
                yield cm.start(), cm.end(), "ADDRESS", "street intersection"
            i = text.find(key, i + 1)
    for m in scan_windows(_ZIP_VALUE_RE, text, _with(prof, run=5)):
        s, e = m.span()
        if (s and (text[s - 1].isalnum() or text[s - 1] in "-_")) or (
            e < len(text) and (text[e].isalnum() or text[e] in "-_")
        ):
            continue
        if _ZIP_BEFORE_RE.search(text, max(0, s - 40), s):
            yield s, e, "ZIP", "ZIP code after state"
        elif _ZIP_CITY_RE.search(text, max(0, s - 40), s):
            yield s, e, "ZIP", "ZIP code after city"
        elif _ZIP_AFTER_STREET_RE.search(text, max(0, s - 60), s) or _ZIP_AFTER_UNIT_RE.search(
            text, max(0, s - 20), s
        ):
            yield s, e, "ZIP", "ZIP code after a street address"
        elif _ZIP_TOWN_RE.search(text, max(0, s - 40), s) and _ZIP_STREET_RE.search(
            text, max(0, s - 90), s
        ):
            yield s, e, "ZIP", "ZIP code closing a street address"


_ID_CUES: Final = frozenset(
    """mrn record chart account acct policy member subscriber group claim case license licence
    dl cdl plate tag vin serial device badge employee student patient insurance medicaid
    medicare npi dea passport visa a-number alien file docket id identification certificate
    cert pin ticket order tracking confirmation reference ref booking inmate doc permit
    registration beneficiary routing card ein tin imei mac pacemaker implant report nhs
    sin health-card complaint incident grievance citation warrant petition diversion probation
    parole ohip ramq phn msp bsn licsw lcsw lpcc lpc lmft lmhc lcpc lisw lmsw""".split()
)
_ID_FILLERS: Final = frozenset(
    "number no num is was of code # ending last four digits with us here our".split()
)
_ID_MORE_GROUPS_RE: Final = re.compile(r"(?: \d{1,6}(?![\w/.-]\w)){1,3}")
_PREV_WORDS_RE: Final = re.compile(r"[A-Za-z][A-Za-z'-]*|#")


_NEW_SENT_RE: Final = re.compile(r"[.;!?\n][\"”’')\]]*\s*$")
_ABBR_END_RE: Final = re.compile(r"\b(?:[Nn]o|[Nn]um|[Aa]cct|[Ii]nc|[Nn]br)\.\s*$")
_LOWER_MONTHISH_RE: Final = re.compile(r"(?:may|mar|march|jan|dec|sun|sat|wed)\b")


def _id_cued(text: str, s: int) -> bool:
    if text[s - 1 : s] == "#" or text[max(0, s - 2) : s] == "# ":
        return True  # "LGSW #LGSW-55120", "member # 88213"
    words = _PREV_WORDS_RE.findall(text, max(0, s - 32), s)
    if not words:
        return False
    tail = text[max(0, s - 32) : s]
    if _NEW_SENT_RE.search(tail) and not _ABBR_END_RE.search(tail):
        # value starts a new sentence: the keyword belongs to the previous one
        return False
    prefix_used = False
    recent = words[-5:]
    for k in range(len(recent) - 1, -1, -1):
        w = recent[k]
        lw = w.lower()
        if lw in _ID_CUES:
            return True
        if lw in _ID_FILLERS or (lw == "in" and k and recent[k - 1].lower() == "ending"):
            continue
        if not prefix_used and w.isupper() and 2 <= len(w) <= 4:
            prefix_used = True  # "License no. RPH 58832"
            continue
        return False
    return False


_SCALE_VALUE_RE: Final = re.compile(r"[A-Za-z]{2,6}-\d{1,2}")
_ALIAS_VALUE_RE: Final = re.compile(r"[A-Z]{1,3}-?\d{1,3}")
_CASE_ALIAS_HEADS: Final = ("case", "client", "clients", "couple", "family", "pt")


def find_ids(
    text: str, dwin: list[Window] | None = None, prof: Profile | None = None
) -> Iterator[Span]:
    if dwin is None:
        dwin = [(0, len(text))]
    if prof is None:
        prof = _profile(text, dwin)
    for m in scan_windows(ID_VALUE_RE, text, dwin):
        s, e = m.span()
        if s and (text[s - 1].isalnum() or text[s - 1] in "-_"):
            # the window cut a lettered ID ("LICSW-28817"): take the whole token
            while s and (text[s - 1].isalnum() or text[s - 1] in "-_"):
                s -= 1
        if not 4 <= e - s <= 20 or text[s] == "-":
            continue
        if e < len(text) and (text[e].isalnum() or text[e] == "_"):
            continue
        if _SCALE_VALUE_RE.fullmatch(text, s, e) and text[s:e].split("-")[0].lower() in (
            lexicon().clinical
        ):
            continue  # "Case 1: PHQ-9 22": an instrument, not an identifier
        if _ALIAS_VALUE_RE.fullmatch(text, s, e) and text[max(0, s - 9) : s].rstrip().lower(
        ).endswith(_CASE_ALIAS_HEADS):
            continue  # "Case A-17", "Case CF-2": a case alias like "C-12", not a record number
        if _id_cued(text, s):
            more = _ID_MORE_GROUPS_RE.match(text, e)
            if more is not None:
                e = more.end()  # "Medicare 2951 60143 1", "PHN 9876 543 210"
            yield s, e, "ID", "number after an identifier keyword"
    for m in scan_windows(LONG_NUM_RE, text, _with(prof, run=5)):
        yield m.start(), m.end(), "ID", "long number"
    if "plate" in text or "Plate" in text or "PLATE" in text:
        for m in PLATE_RE.finditer(text):
            value = m.group(1)
            if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
                yield m.start(1), m.end(1), "ID", "licence plate"


_SSN_KEY_RE: Final = re.compile(r"ssn|social|ss ?#")


# address words other than street words: a house number needs one of these or a street word
_ADDR_EXTRA_WORDS: Final = ("box", "interstate", "apt", "unit", "suite", "route", "rte", "hwy")


def _clusters(hits: list[Window], gap: int) -> list[Window]:
    """Merge digit runs closer than ``gap`` characters (fewer windows to build)."""
    out: list[Window] = []
    for s, e in hits:
        if out and s - out[-1][1] <= gap:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


_ASCII_DIGITS_RE: Final = re.compile(r"[0-9]+")
_NON_ASCII_WORD_CHAR_RE: Final = re.compile(r"(?![\x00-\x7f])\w")


def ascii_words(text: str) -> bool:
    """Are all word characters of ``text`` ASCII (so ASCII character classes suffice)?"""
    return text.isascii() or _NON_ASCII_WORD_CHAR_RE.search(text) is None


def digit_runs(text: str) -> list[Window]:
    """Spans of digit runs (``\\d+``; ASCII-only texts take a cheaper pattern)."""
    pattern = _ASCII_DIGITS_RE if ascii_words(text) else _DIGITS_RE
    return [m.span() for m in pattern.finditer(text)]


def _has_hit(hits: list[Window], lo: int, hi: int) -> bool:
    """Does one of the sorted ``hits`` lie within [lo, hi)?"""
    k = bisect_left(hits, (lo, -1))
    return k < len(hits) and hits[k][1] <= hi


def find_structured(
    text: str, gates: Gates | None = None, hits: list[Window] | None = None
) -> list[Span]:
    """All regex-based identifiers.  ``gates`` (trigger-word positions, if the caller has
    already tokenised the text) replaces several whole-text scans; ``hits`` are the digit
    runs (:func:`digit_runs`) if already known."""
    if hits is None:
        hits = digit_runs(text)
    if not hits:
        dwin: list[Window] = []
        out: list[Span] = []
        out.extend(find_contacts(text, dwin, dwin))
        out.extend(find_dates(text, dwin, dwin, gates))
        out.extend(find_places(text, dwin, dwin, gates))
        return out
    clusters = _clusters(hits, 12)
    dwin = merge_windows(iter(clusters), text, 6, 6)  # the number and its neighbouring tokens
    low = text.lower()
    extra = list(find_keys(low, _ADDR_EXTRA_WORDS)) if gates is not None else []
    if gates is not None:
        # a house number needs a street word (or "Box", "Apt", "Route") soon after it
        sw_starts = [g[0] for g in gates.street]
        addr_clusters = [
            (cs, ce)
            for cs, ce in clusters
            if ((k := bisect_left(sw_starts, cs - 14)) < len(sw_starts) and sw_starts[k] < ce + 90)
            or _has_hit(extra, max(0, cs - 14), min(len(low), ce + 90))
        ]
    else:
        addr_clusters = clusters
    addr_win = merge_windows(iter(addr_clusters), text, 14, 90)  # house number + street + unit
    prof = _profile(text, dwin, hits)
    ssn_win = dwin
    if "ssn" in low or "social" in low or "ss#" in low or "ss #" in low:
        keys = [m.span() for m in _SSN_KEY_RE.finditer(low)]
        ssn_win = sorted(_with(prof, digits=9) + merge_windows(iter(keys), text, 40, 60))
    ord_hits = [(s, e) for s, e in hits if text[e : e + 2].lower() in ("st", "nd", "rd", "th")]
    ord_win = merge_windows(iter(ord_hits), text, 45, 30)
    if gates is not None:
        # a house number needs a street word (or "Box", "Apt", "Route") within its window
        sw = gates.street
        keep: list[Window] = []
        k = 0
        for ws, we in addr_win:
            while k < len(sw) and sw[k][1] <= ws:
                k += 1
            if (k < len(sw) and sw[k][0] < we) or _has_hit(extra, ws, we):
                keep.append((ws, we))
        addr_win = keep
    out = []
    out.extend(find_contacts(text, dwin, ssn_win, prof))
    out.extend(find_dates(text, dwin, ord_win, gates, hits))
    out.extend(find_ages(text, dwin, hits))
    out.extend(find_places(text, dwin, addr_win, gates, prof, hits))
    out.extend(find_ids(text, dwin, prof))
    return out
