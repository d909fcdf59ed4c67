"""Identifiers with a shape: emails, links, handles, phones, IDs, dates, postcodes, ages, addresses.

Every pattern is compiled by RE2, which matches in time linear in the input whatever the
pattern. RE2 has no lookaround, so the "not just after a letter" checks that a backtracking
engine would write as lookbehinds are done in Python on the character either side of a match.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import phonenumbers
import re2
from stdnum.gb import nhs
from stdnum.us import ssn

from forum.safety.pii._kinds import Kind

Candidate = tuple[Kind, int, int]

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 16 << 20


def _re(pattern: str) -> re2._Regexp:
    return re2.compile(pattern, _OPTIONS)


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _before(text: str, i: int) -> str:
    return text[i - 1] if i > 0 else ""


def _after(text: str, i: int) -> str:
    return text[i] if i < len(text) else ""


def _clear_before(text: str, i: int, extra: str = "") -> bool:
    ch = _before(text, i)
    return not ch or not (_word_char(ch) or ch in extra)


def _clear_after(text: str, i: int, extra: str = "") -> bool:
    ch = _after(text, i)
    return not ch or not (_word_char(ch) or ch in extra)


_UP = r"A-ZÀ-ÖØ-Þ"
_LOW = r"a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UP}](?:\.|[{_LOW}]*(?:['’-]?[{_UP}][{_LOW}]+|['’-][{_LOW}]+)*)"

_EMAIL = _re(
    r"[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
_MAIL_HOSTS = (
    r"gmail|googlemail|outlook|hotmail|live|yahoo|icloud|me|aol|protonmail|proton|gmx|mail|"
    r"btinternet|sky|virginmedia|talktalk|eircom|msn"
)
_TLD_WORDS = r"com|org|net|co|uk|ie|us|ca|au|nz|io|info|edu|gov|ac"
_DOT = r"\s*[(\[]?\s*(?:dot|\.)\s*[)\]]?\s*"
_AT = r"\s*[(\[]?\s*(?:at|@)\s*[)\]]?\s*"
# "sam dot jones at outlook dot com", "sam.jones (at) gmail", "jo at hotmail".
_EMAIL_SPELLED = _re(
    rf"(?i)[a-z0-9][a-z0-9_-]*(?:{_DOT}[a-z0-9_-]+)*"
    rf"{_AT}(?:(?:{_MAIL_HOSTS})(?:{_DOT}(?:{_TLD_WORDS}))*|[a-z0-9-]+(?:{_DOT}(?:{_TLD_WORDS}))+)"
)
_URL_EXPLICIT = _re(r"(?i)(?:https?://|www\.)[^\s<>\"']+")
_TLDS = (
    "com|org|net|uk|us|ca|au|nz|ie|io|co|info|biz|me|app|dev|health|edu|gov|de|fr|eu|nl|es|"
    "it|se|no|dk|fi|ch|at|be|pl|in|za|online|site|xyz|ai|care|clinic|therapy|life|blog|page"
)
_URL_BARE = _re(
    # The top-level domain must be lower case: "therapy.It was" is a missing space, not a link.
    rf"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:{_TLDS})(?:/[^\s<>\"']*)?"
)
_HANDLE = _re(r"@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
_PLATFORMS = (
    r"insta|instagram|ig|twitter|tiktok|snap|snapchat|facebook|fb|discord|reddit|threads|"
    r"bluesky|telegram|youtube|tumblr|linkedin|kik"
)
# "on insta as sam_j", "my tiktok is calmsam", "her twitter handle: jo.writes".
_HANDLE_SPELLED = _re(
    rf"(?i)\b(?:on|my|her|his|their|our)\s+(?:{_PLATFORMS})\s*"
    r"(?:(?:handle|username|user\s*name|name|account)\s*)?(?:as|is|:|=)\s*@?"
    r"([a-z0-9_][a-z0-9_.]{1,29})"
)
_PHONE = _re(r"(?:\+\s?)?\(?\d[\d ().-]{4,22}\d")
_PHONE_REGIONS = ("GB", "IE", "US", "CA", "AU", "NZ")
_NATIONAL_ID = _re(r"\d{3}[ -]?\d{3}[ -]?\d{4}|\d{3}-\d{2}-\d{4}")
_ID_CONTEXT = _re(r"(?i)\b(?:nhs|ssn|social\s+security|chi)\b")
_TITLES = r"(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx|Miss|Sister|Father|Rev|Revd|Reverend)"
_TITLED_NAME = _re(rf"\b(?:{_TITLES}|dr|DR|prof)\.?\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})")
_ROLES = (
    r"(?:(?:CBT|DBT|EMDR|NHS|private|family|couples|art|drama|music|trauma|school|student)\s+)?"
    r"(?:therapist|counsell?or|psychologist|psychiatrist|psychotherapist|psychoanalyst|analyst|"
    r"social\s+worker|key\s*worker|care\s+co-?ordinator|GP|doctor|nurse|coach)"
)
_THERAPIST_NAME = _re(
    r"(?i:\b(?:my|our|his|her|their|the|a|an)\s+"
    r"(?:(?:former|old|ex|previous|first|second|new|last|current|then|latest)[\s-]+)?"
    rf"{_ROLES}(?:\s*,\s*|\s+\(|\s+(?:called|named|was|is)\s+|\s+))"
    rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)
_CLINIC_SUFFIX = (
    r"(?:Clinic|Clinics|Centre|Center|Practice|Hospital|Surgery|Counsell?ing(?:\s+Services?)?|"
    r"Therapy|Therapies|Psychotherapy|Psychology|Wellbeing|Well-being|Institute|Trust|Unit|"
    r"Associates|Partnership|Priory)"
)
_CLINIC = _re(
    # Words of a name never end a sentence, so "Centre. Group Therapy" is two phrases; only
    # "St." keeps its full stop.
    rf"((?:(?:St\.|[{_UP}][\w'’&-]*)\s+(?:(?:and|of|on|upon|the|&)\s+)?){{1,5}})"
    rf"{_CLINIC_SUFFIX}\b"
)
# The same shape for schools, churches and charities: "St Mary's Primary School".
_INSTITUTION = _re(
    rf"((?:(?:St\.|[{_UP}][\w'’&-]*)\s+(?:(?:and|of|on|upon|the|&)\s+)?){{1,5}})"
    r"(?:School|College|Academy|University|Church|Chapel|Mosque|Synagogue|Temple|Cathedral|"
    r"Charity|Foundation|Hospice|Prison)\b"
)
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_DAY_MONTH = _re(
    rf"(?i)\b(?:the\s+)?(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTHS})\b(?:,?\s+(\d{{4}})\b)?"
)
_DATE_MONTH_DAY = _re(
    rf"(?i)\b({_MONTHS})\.?\s+(?:the\s+)?(\d{{1,2}}){_ORDINAL}\b(?:,?\s+(\d{{4}})\b)?"
)
_DATE_NUMERIC = _re(r"(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4}|\d{2})")
_DATE_ISO = _re(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_POSTCODE = _re(r"(?i)([A-Z]{1,2}\d[A-Z\d]?)(\s?)(\d[A-Z]{2})")
_US_ZIP_STATE = _re(
    r"\b(?:A[LKZR]|C[AOT]|DE|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|"
    r"S[CD]|T[NX]|UT|V[TA]|W[AVIY]|DC)\s+\d{5}(?:-\d{4})?\b"
)
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
)
# "I was 23", "she's 15", "when he was 21", "turned 40", "aged 19", "a 15-year-old".
_AGE = _re(
    r"(?i)\b(?:(?:i|he|she|they|we|you|who)\s*(?:was|were|am|is|are|'m|’m|'s|’s|turned|turn|"
    r"had\s+just\s+turned)\s+(?:only\s+|just\s+|barely\s+|nearly\s+|almost\s+|about\s+)?"
    rf"(\d{{1,3}}|{_NUMBER_WORDS})\b|"
    rf"(?:aged?|age\s+of)\s+(\d{{1,3}}|{_NUMBER_WORDS})\b|"
    rf"(\d{{1,3}}|{_NUMBER_WORDS})[- ](?:years?|yrs?)[- ]old\b|"
    rf"(\d{{1,3}})[- ]?(?:yo|y/o)\b|"
    rf"\bturn(?:ed|s|ing)?\s+(\d{{1,3}}|{_NUMBER_WORDS})\b)"
)
# What may follow "I was 23" when it is not an age: "I was 23 minutes late".
_NOT_AGE_AFTER = _re(
    r"(?i)\s*(?:%|percent|per\s*cent|minutes?|mins?|hours?|days?|weeks?|months?|times?|sessions?|"
    r"degrees?|pounds?|dollars?|euros?|quid|kg|kilos?|stone|lbs?|miles?|km|th|st|nd|rd|of|out|on|in\s+line|"
    r"\.\d|:\d|/\d|,\d|years?\s+(?:ago|in|into|later|before|after|of|since))"
)
_STREET_TYPES = (
    r"Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Drive|Dr|Close|Court|Ct|Crescent|Cres|Way|Place|Pl|"
    r"Square|Sq|Terrace|Gardens|Grove|Hill|Park|Row|Mews|Walk|Boulevard|Blvd|Parkway|Pkwy|"
    r"Highway|Hwy|Circle|Cir|Ranch|Junction|Junctions|Trail|Trl|Track|Loop|Plaza|Point|Pike|"
    r"Rise|View|Green|Parade|Broadway|Crossing|Estates?|Meadows?|Ridge|Harbor|Harbour|Heights|"
    r"Villas?|Wharf|Quay|Gate|Yard|Circus|Causeway|Esplanade|Promenade|Manor|Fields|Brae|Wynd|"
    r"Vale|Croft|Chase|Glen|Mount|Gardens|Springs?|Creek|Ford|Forge|Mall|Pass|Path|Port|Shore|"
    r"Shores|Station|Summit|Union|Valley|Via|Village|Ville|Vista|Wall|Well|Wells|Wood|Woods"
)
_STREET_WORD = rf"[{_UP}][\w'’.-]*"
# "14 Albert Road", "4908 Leroy Lane", "22 Pollen Crescent", "Viva Crescent".
_ADDRESS_TYPED = _re(
    rf"(?:\d{{1,6}}[A-Za-z]?,?\s+){{0,2}}(?:{_STREET_WORD}\s+){{1,3}}(?:{_STREET_TYPES})\b\.?"
    rf"(?:,?\s+\d{{1,5}}\b)?"
)
# "Via Leopardi 83", "Rua Arapiraca 1943", "Avenida Almirante Reis 50".
_ADDRESS_PREFIXED = _re(
    r"(?:\d{1,6}\s+){0,2}\b(?:Via|Viale|Vicolo|Piazza|Corso|Rua|Avenida|Av\.|Calle|Carrer|Paseo|"
    r"Camino|Rue|Boulevard|Chemin|Allée|Place|Travessa|Largo|Praça|Ulica|ul\.|Strada|Calea)\s+"
    rf"(?:(?:{_STREET_WORD}|de|da|do|dos|das|del|della|di|la|le|des|du)\s+){{0,4}}"
    rf"{_STREET_WORD}(?:\s+\d{{1,5}}[A-Za-z]?\b)?"
)
# Street names that carry their type in the word itself: "Nøkkeveien 238", "Violvägen 64".
_ADDRESS_COMPOUND = _re(
    r"(?i)(?:\d{1,6}\s+){0,2}\b[\pL'’-]*(?:vej|veien|vegen|gate|gata|gatan|gade|vägen|väg|weg|"
    r"straße|strasse|str\.|straat|laan|gracht|plein|utca|ulica|tie|katu|polku|kuja|tori|gasse|"
    r"allee|platz|damm|braut|stræde|stien|torget)\s+\d{1,5}[A-Za-z]?\b"
)
# A street type written as its own word after the name: "Bem rakpart 26", "Linges veg 149".
_ADDRESS_SPLIT = _re(
    rf"(?:\d{{1,6}}\s+){{0,2}}{_STREET_WORD}(?:\s+{_STREET_WORD}){{0,2}}\s+"
    r"(?:rakpart|tee|veg|vei|gate|gata|gatan|utca|út|ulice|ulica|straat|weg|laan|vej|gade|allé|"
    r"tie|katu|sokak|caddesi|cesta|iela|gatve)\s+\d{1,5}[A-Za-z]?\b"
)
# A capitalised street name and a house number: "Markt 85", "Slipager 41" (the name must not
# be an ordinary word, so "Chapter 3" or "Spring 2021" stay quiet; checked in Python).
_ADDRESS_NAMED = _re(
    rf"(?:\d{{1,6}}\s+){{0,2}}({_STREET_WORD}(?:\s+{_STREET_WORD}){{0,2}})\s+\d{{1,4}}[A-Za-z]?\b"
)
# US military post: "FPO AA 49371", "APO AE 94451".
_MILITARY = _re(
    r"\b(?:FPO|APO|DPO)\s+(?:AA|AE|AP)\s+\d{5}\b|\b(?:PSC|USNS|USNV|USS|USCGC)\s+[\w ]{1,30}"
)
_UNIT = _re(
    r"(?i)\b(?:apt|apartment|suite|ste|unit|flat|box|psc|p\.?\s?o\.?\s+box)\.?\s*#?\d{1,6}[A-Za-z]?\b"
)


_DATE_SHAPE = re2.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


def _phone_plausible(candidate: str, groups: list[str]) -> bool:
    if candidate.count("(") != candidate.count(")"):
        return False
    # "2019 2020 2021" or "1990-2000" is a run of years, not a number to call.
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False
    # A lone decimal point ("3.14159265") is a number, not a phone; 555.123.4567 has two.
    if candidate.count(".") == 1:
        return False
    return not _DATE_SHAPE.fullmatch(candidate)


def _phone_ok(candidate: str, groups: list[str]) -> bool:
    digits = "".join(groups)
    if not 6 <= len(digits) <= 15:
        return False
    if len(digits) < 9:
        # Short numbers are only phones when grouped the way numbers are written down.
        return len(groups) >= 2 and max(len(g) for g in groups) <= 4 and len(groups[0]) >= 2
    return len(groups) > 1 or candidate.startswith(("+", "0", "(")) or len(digits) >= 10


@cache
def _helpline_digits() -> frozenset[str]:
    """Numbers of the helplines Heard lists: citing them identifies no one."""
    path = Path(__file__).resolve().parents[2] / "data" / "resources.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    out: set[str] = set()
    for resource in data.get("resources", []):
        for contact in resource.get("contacts", []):
            digits = "".join(ch for ch in str(contact.get("number", "")) if ch.isdigit())
            if digits:
                out.add(digits)
    return frozenset(out)


def _valid_somewhere(candidate: str) -> bool:
    for region in _PHONE_REGIONS:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _phones(text: str, add: Callable[[Kind, int, int], None]) -> None:
    helplines = _helpline_digits()
    for m in _PHONE.finditer(text):
        if not _clear_before(text, m.start(), "/+.:-"):
            continue
        candidate = m.group().rstrip(" .-(")
        if candidate.endswith(")") and candidate.count("(") < candidate.count(")"):
            candidate = candidate[:-1]
        end = m.start() + len(candidate)
        if not _clear_after(text, end, "/:") or (
            _after(text, end) in ".-" and _after(text, end + 1).isdigit()
        ):
            continue
        digits = "".join(ch for ch in candidate if ch.isdigit())
        groups = [g for g in re2.split(r"\D+", candidate) if g]
        if digits in helplines or not _phone_plausible(candidate, groups):
            continue
        # libphonenumber knows the real numbering plans; the shape test catches the rest.
        if _phone_ok(candidate, groups) or _valid_somewhere(candidate):
            add(Kind.PHONE, m.start(), end)


def _national_ids(text: str, add: Callable[[Kind, int, int], None]) -> None:
    for m in _NATIONAL_ID.finditer(text):
        if not (_clear_before(text, m.start()) and _clear_after(text, m.end())):
            continue
        value = m.group()
        context = text[max(0, m.start() - 40) : m.start()]
        if "-" in value and len(value) == 11 and ssn.is_valid(value):
            add(Kind.NATIONAL_ID, m.start(), m.end())
        elif len(value.replace(" ", "").replace("-", "")) == 10 and nhs.is_valid(value):  # noqa: SIM102 - the inner rule reads on its own
            # One ten-digit number in eleven passes the NHS check by chance; a phone that
            # passes is still kept as a phone unless the text says it is an NHS number.
            if _ID_CONTEXT.search(context) or not _valid_somewhere(value):
                add(Kind.NATIONAL_ID, m.start(), m.end())


def _month_ok(month: str) -> bool:
    # "may" and "march" are also verbs; only their capitalised forms count as months here.
    return not (month.lower() in ("may", "march", "mar") and month[0].islower())


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "he",
        "her",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
        "yes",
        "also",
        "after",
        "before",
        "because",
        "said",
        "says",
        "told",
        "asked",
        "would",
        "could",
        "should",
        "did",
        "does",
        "do",
        "had",
        "has",
        "have",
        "will",
        "just",
        "once",
        "still",
        "even",
        "only",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "tomorrow",
    ]
)


def _is_name(word: str) -> bool:
    if len(word) == 2 and word[1] == "." and word[0].isupper():
        return True
    return word.rstrip(".").lower() not in _NOT_NAMES


def _strip_name(start: int, end: int, text: str) -> tuple[int, int] | None:
    """Trim trailing non-name words ("Dr Smith The" -> "Dr Smith"); None when nothing is left."""
    for suffix in ("'s", "’s"):
        if text[start:end].endswith(suffix):
            end -= len(suffix)
    words = [(m.start(), m.end(), m.group()) for m in re2.finditer(r"\S+", text[start:end])]
    while words and not _is_name(words[-1][2]):
        words.pop()
    if not words:
        return None
    return start, start + words[-1][1]


_GENERIC_SERVICE_WORDS = frozenset(
    [
        "cognitive",
        "behavioural",
        "behavioral",
        "behaviour",
        "behavior",
        "dialectical",
        "analytic",
        "psychodynamic",
        "psychoanalytic",
        "humanistic",
        "integrative",
        "existential",
        "gestalt",
        "schema",
        "systemic",
        "narrative",
        "interpersonal",
        "person-centred",
        "person-centered",
        "client-centred",
        "client-centered",
        "compassion",
        "compassion-focused",
        "focused",
        "acceptance",
        "commitment",
        "emotionally",
        "emotion",
        "mindfulness",
        "mindfulness-based",
        "trauma",
        "trauma-focused",
        "somatic",
        "sensorimotor",
        "exposure",
        "response",
        "prevention",
        "eye",
        "movement",
        "desensitisation",
        "desensitization",
        "reprocessing",
        "internal",
        "family",
        "systems",
        "couples",
        "couple",
        "group",
        "art",
        "arts",
        "drama",
        "music",
        "play",
        "speech",
        "language",
        "occupational",
        "physical",
        "sex",
        "sexual",
        "relationship",
        "conversion",
        "talking",
        "talk",
        "online",
        "private",
        "general",
        "best",
        "good",
        "local",
        "mental",
        "health",
        "community",
        "medical",
        "dental",
        "nhs",
        "iapt",
        "gp",
        "primary",
        "secondary",
        "care",
        "crisis",
        "day",
        "inpatient",
        "outpatient",
        "psychiatric",
        "psychological",
        "child",
        "adolescent",
        "adult",
        "adults",
        "children",
        "young",
        "people",
        "camhs",
        "cahms",
        "student",
        "university",
        "college",
        "school",
        "counselling",
        "counseling",
        "wellbeing",
        "brief",
        "short",
        "long",
        "term",
        "long-term",
        "solution",
        "solution-focused",
        "hypnotherapy",
        "cbt",
        "dbt",
        "emdr",
        "act",
        "cat",
        "cft",
        "ifs",
        "dynamic",
        "intensive",
        "specialist",
        "eating",
        "disorder",
        "disorders",
        "addiction",
        "recovery",
        "rehab",
        "rehabilitation",
        "residential",
        "therapy",
        "therapies",
        "psychotherapy",
        "psychology",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "a",
        "an",
        "the",
        "and",
        "of",
        "on",
        "upon",
        "&",
    ]
)


def generic_service(words: list[str]) -> bool:
    """True when every word names a kind of therapy or service rather than a place."""
    return all(w.lower().strip("'’.,") in _GENERIC_SERVICE_WORDS for w in words)


def _clinics(
    text: str, add: Callable[[Kind, int, int], None], pattern: re2._Regexp, kind: Kind
) -> None:
    for m in pattern.finditer(text):
        if not _clear_before(text, m.start(), "'’"):
            continue
        words = [(w.start(), w.group()) for w in re2.finditer(r"\S+", m.group(1))]
        # A name starts after the last capitalised word that cannot be part of one ("My",
        # "At", "With"); lower-case joining words ("and", "of") may sit inside a name.
        breaks = [i for i, (_, w) in enumerate(words) if w[0].isupper() and not _is_name(w)]
        if breaks:
            words = words[breaks[-1] + 1 :]
        while words and not words[0][1][0].isupper():
            words.pop(0)
        if not words or generic_service([w for _, w in words]):
            continue
        add(kind, m.start(1) + words[0][0], m.end())


def _dates(text: str, add: Callable[[Kind, int, int], None]) -> None:
    for m in _DATE_DAY_MONTH.finditer(text):
        if 1 <= int(m.group(1)) <= 31 and _month_ok(m.group(2)):
            add(Kind.DATE, m.start(), m.end())
    for m in _DATE_MONTH_DAY.finditer(text):
        after = text[m.end(2) : m.end(2) + 2]
        if after[:1] in ":." and after[1:2].isdigit():
            continue
        if 1 <= int(m.group(2)) <= 31 and _month_ok(m.group(1)):
            add(Kind.DATE, m.start(), m.end())
    for m in _DATE_NUMERIC.finditer(text):
        if m.group(2) != m.group(4) or not _clear_before(text, m.start(), "/.-"):
            continue
        if not _clear_after(text, m.end(), "/") or (
            _after(text, m.end()) in ".-" and _after(text, m.end() + 1).isdigit()
        ):
            continue
        first, second = int(m.group(1)), int(m.group(3))
        # Either order: 12/03/2021 (UK) or 03/12/2021 (US).
        if _valid_day_month(first, second) or _valid_day_month(second, first):
            add(Kind.DATE, m.start(), m.end())
    for m in _DATE_ISO.finditer(text):
        if not (_clear_before(text, m.start(), "/.-") and _clear_after(text, m.end(), "/")):
            continue
        if _valid_day_month(int(m.group(3)), int(m.group(2))):
            add(Kind.DATE, m.start(), m.end())


def _ages(text: str, add: Callable[[Kind, int, int], None]) -> None:
    for m in _AGE.finditer(text):
        index = next(i for i in range(1, 6) if m.group(i) is not None)
        value = m.group(index)
        if value.isdigit() and not 1 <= int(value) <= 110:
            continue
        if index in (1, 5) and _NOT_AGE_AFTER.match(text, m.end(index)):
            continue
        if index in (1, 5) and (
            _after(text, m.end(1)) in ".,:" and _after(text, m.end(1) + 1).isdigit()
        ):
            continue
        add(Kind.AGE, m.start(index), m.end(index) if index in (1, 5) else m.end())


def _addresses(
    text: str, add: Callable[[Kind, int, int], None], ordinary: Callable[[str], bool]
) -> None:
    for m in _ADDRESS_NAMED.finditer(text):
        words = m.group(1).split()
        after = _after(text, m.end())
        if (after in "%:" and after) or (after in ".," and _after(text, m.end() + 1).isdigit()):
            continue
        if not _clear_before(text, m.start()) or any(ordinary(w) for w in words):
            continue
        # "NZ 09 123 4567" is a phone and "SSN 078" an identifier, not a street.
        if any(w.isupper() for w in words) or re2.match(r"[ .-]\d", text[m.end() : m.end() + 2]):
            continue
        add(Kind.ADDRESS, m.start(), m.end())
    for m in _MILITARY.finditer(text):
        add(Kind.ADDRESS, m.start(), m.end())
    for pattern in (_ADDRESS_TYPED, _ADDRESS_PREFIXED, _ADDRESS_COMPOUND, _ADDRESS_SPLIT):
        for m in pattern.finditer(text):
            if not _clear_before(text, m.start()):
                continue
            matched = m.group()
            # A typed street needs a house number or two capitalised words before its type,
            # so "Park" or "the Green" alone stay quiet.
            if pattern is _ADDRESS_TYPED:
                words = matched.split()
                if not (words[0][0].isdigit() or len(words) >= 3 or matched[-1].isdigit()):  # noqa: SIM102 - the inner rule reads on its own
                    if not (
                        len(words) == 2 and words[0][0].isupper() and text[m.end() :][:1] in ",\n"
                    ):
                        continue
                if words[0].lower() in _NOT_NAMES or words[0].lower() in ("my", "the"):
                    continue
                # Without a house number, the street's own name must not be ordinary words
                # ("Posted Spring 2021" is not an address; "Albert Road" is).
                name_words = [w for w in words[:-1] if not w[0].isdigit()]
                if not words[0][0].isdigit() and all(ordinary(w) for w in name_words):
                    continue
            end = m.end()
            # "Baker Street." ends a sentence; "Baker St." keeps the stop of its abbreviation.
            if matched.endswith(".") and len(matched.rsplit(None, 1)[-1]) > 5:
                end -= 1
            add(Kind.ADDRESS, m.start(), end)
    for m in _UNIT.finditer(text):
        add(Kind.ADDRESS, m.start(), m.end())
    for m in _US_ZIP_STATE.finditer(text):
        add(Kind.ADDRESS, m.start(), m.end())


def pattern_candidates(text: str, ordinary: Callable[[str], bool]) -> list[Candidate]:
    """Every shaped identifier in text, overlaps and all (ordinary(word): a common word?)."""
    found: list[Candidate] = []

    def add(kind: Kind, start: int, end: int) -> None:
        if end > start:
            found.append((kind, start, end))

    for m in _EMAIL.finditer(text):
        if _clear_before(text, m.start(), ".+'-") and _clear_after(text, m.end()):
            add(Kind.EMAIL, m.start(), m.end())
    for m in _EMAIL_SPELLED.finditer(text):
        if _clear_before(text, m.start()) and _clear_after(text, m.end()):
            spelled = m.group().lower()
            at_word = " at " in spelled or "(at)" in spelled or "[at]" in spelled
            host = re2.search(rf"(?:at|@)\W*(?:{_MAIL_HOSTS})\b", spelled)
            if at_word and (host or "dot" in spelled):
                add(Kind.EMAIL, m.start(), m.end())
    for pattern in (_URL_EXPLICIT, _URL_BARE):
        for m in pattern.finditer(text):
            if pattern is _URL_BARE and (
                not _clear_before(text, m.start(), "@.-")
                or not _clear_after(text, m.end())
                or (_after(text, m.end()) in ".-" and _word_char(_after(text, m.end() + 1)))
            ):
                continue
            add(Kind.URL, m.start(), m.start() + len(m.group().rstrip(".,;:!?)]}'\"’”")))
    for m in _HANDLE.finditer(text):
        if not _clear_before(text, m.start(), "@./"):
            continue
        if len(m.group()) >= 3 and any(ch.isalpha() for ch in m.group()):
            add(Kind.HANDLE, m.start(), m.end())
    for m in _HANDLE_SPELLED.finditer(text):
        add(Kind.HANDLE, m.start(1), m.start(1) + len(m.group(1).rstrip(".")))
    _phones(text, add)
    _national_ids(text, add)
    for m in _TITLED_NAME.finditer(text):
        if _is_name(m.group(1).split()[0]):
            span = _strip_name(m.start(), m.end(), text)
            if span:
                add(Kind.TITLED_NAME, *span)
    for m in _THERAPIST_NAME.finditer(text):
        if _is_name(m.group(1).split()[0]):
            span = _strip_name(m.start(1), m.end(1), text)
            if span:
                add(Kind.THERAPIST_NAME, *span)
    _clinics(text, add, _CLINIC, Kind.CLINIC)
    _clinics(text, add, _INSTITUTION, Kind.ORGANISATION)
    _dates(text, add)
    for m in _POSTCODE.finditer(text):
        if not (_clear_before(text, m.start(), "-") and _clear_after(text, m.end(), "-")):
            continue
        # Lower-case shapes like "b12ab" turn up in ordinary text; ask for capitals or a space.
        if m.group().isupper() or m.group(2):
            add(Kind.POSTCODE, m.start(), m.end())
    _ages(text, add)
    _addresses(text, add, ordinary)
    return found


# Coarse dates: a year on its own ("in 1991"), a month and year ("March 2021") and days of the
# week. On their own they rarely identify anyone, and ordinary stories are full of them, so
# they are "ranked low": shown to the teller apart and quietly, never a reason for the check.
_YEAR = _re(r"\b(?:19|20)\d\d\b")
_WEEKDAY = _re(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_MONTH_YEAR = _re(rf"\b{_MONTHS}\s+(?:19|20)\d\d\b")


def low_candidates(text: str) -> list[Candidate]:
    """Coarse dates in text (see above), each a DATE candidate to rank low."""
    found: list[Candidate] = [(Kind.DATE, m.start(), m.end()) for m in _MONTH_YEAR.finditer(text)]
    found += [(Kind.DATE, m.start(), m.end()) for m in _WEEKDAY.finditer(text)]
    for m in _YEAR.finditer(text):
        # Not part of an amount or a longer number: "£2000", "2000%", "1999.50", "3,2000".
        before, after = _before(text, m.start()), _after(text, m.end())
        amount = before in ("£", "$", "€", "#") or after == "%"
        longer = (before in (".", ",") and _before(text, m.start() - 1).isdigit()) or (
            after in (".", ",") and _after(text, m.end() + 1).isdigit()
        )
        if not (amount or longer):
            found.append((Kind.DATE, m.start(), m.end()))
    return found
