"""The de-identification check: things in a story that might identify the teller or others.

`find_identifiers(text)` points out emails, phone numbers, links, @handles, "Dr X"-style names,
a therapist's name after their job title, clinic-like names, exact dates and UK postcodes
(PRODUCT.md, publishing flow; UX.md, "PII check"). It is a prompt for the teller, never a
block: the teller edits or posts anyway, and moderators de-identify what slips through. So it
leans towards pointing things out, but avoids noise on ordinary sentences ("In March 2021 I
started therapy" yields nothing), because a check that cries wolf gets skipped.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """What sort of identifier a finding is."""

    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    HANDLE = "handle"
    TITLED_NAME = "titled_name"
    THERAPIST_NAME = "therapist_name"
    CLINIC = "clinic"
    DATE = "date"
    POSTCODE = "postcode"


EXPLANATIONS = {
    Kind.EMAIL: "An email address can identify you or someone else.",
    Kind.PHONE: "A phone number can identify you or someone else.",
    Kind.URL: "A link or web address can lead back to you or someone else.",
    Kind.HANDLE: "An @handle can lead to someone's account on another site.",
    Kind.TITLED_NAME: (
        "A name can identify your therapist or someone else. "
        "A job title, like “my psychologist”, keeps your story and protects everyone."
    ),
    Kind.THERAPIST_NAME: (
        "Your therapist's name can identify them, and you. "
        "“My therapist” on its own tells the story just as well."
    ),
    Kind.CLINIC: (
        "The name of a clinic or service can narrow down who you are. "
        "Something general, like “a private clinic”, is safer."
    ),
    Kind.DATE: (
        "An exact date can help someone recognise you. A month and year, or “early 2021”, is safer."
    ),
    Kind.POSTCODE: "A postcode can point to where you or someone else lives or works.",
}


@dataclass(frozen=True)
class Finding:
    """One possible identifier: where it is in the text, what it is and why it matters."""

    kind: Kind
    start: int
    end: int
    text: str
    explanation: str


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Uppercase and lowercase letters, Latin scripts included, for names like "Zoë Ó Briain".
_UP = r"A-ZÀ-ÖØ-Þ"
_LOW = r"a-zß-öø-ÿ"
# One word of a name: "Smith", "O'Brien", "McDonald", "Taylor-Reid", or an initial "A.".
_NAME_WORD = rf"[{_UP}](?:\.|[{_LOW}]*(?:['’-]?[{_UP}][{_LOW}]+|['’-][{_LOW}]+)*)"
# Capitalised words that start sentences or follow a title without being a name.
_NOT_NAMES = _words(
    """
    a an and as at but by for from he her hers him his how i if in is it its me my no not of
    on or our she so than that the their them then there these they this those to up us was we
    were what when where which who why with you your yes also after before because said says
    told asked would could should did does do had has have will just once still even only
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    """
)


_INITIAL = re.compile(rf"^[{_UP}]\.$")


def _is_name(word: str) -> bool:
    return bool(_INITIAL.match(word)) or word.rstrip(".").lower() not in _NOT_NAMES


_EMAIL = re.compile(
    r"(?<![\w.+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b"
)
_URL_EXPLICIT = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")
# Bare domains only with a known top-level domain, so "e.g." or "Node.js" stay quiet.
_TLDS = (
    "com|org|net|uk|us|ca|au|nz|ie|io|co|info|biz|me|app|dev|health|edu|gov|de|fr|eu|nl|es|"
    "it|se|no|dk|fi|ch|at|be|pl|in|za|online|site|xyz|ai|care|clinic|therapy|life|blog|page"
)
_URL_BARE = re.compile(
    # The top-level domain must be lower case: "therapy.It was" is a missing space, not a link.
    rf"(?<![\w@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:{_TLDS})\b(?![.-]?\w)"
    r"(?:/[^\s<>\"']*)?"
)
_HANDLE = re.compile(
    r"(?<![\w@./])@(?=[A-Za-z0-9_.]*[A-Za-z])[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"
)
_PHONE = re.compile(r"(?<![\w/+.:-])(?:\+\s?)?\(?\d[\d ().-]{5,22}\d(?![\w/:]|[.-]\d)")
_TITLES = r"(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx|Miss|Sister|Father|Rev|Revd|Reverend)"
_TITLED_NAME = re.compile(
    rf"(?<!\w)(?:{_TITLES}|dr|DR|prof)\.?\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)
_ROLES = (
    r"(?:(?:CBT|DBT|EMDR|NHS|private|family|couples|art|drama|music|trauma|school|student)\s+)?"
    r"(?:therapist|counsell?or|psychologist|psychiatrist|psychotherapist|psychoanalyst|analyst|"
    r"social\s+worker|key\s*worker|care\s+co-?ordinator|GP|doctor|nurse|coach)"
)
_THERAPIST_NAME = re.compile(
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
_CLINIC = re.compile(
    # Words of a name never end a sentence, so "Centre. Group Therapy" is two phrases; only
    # "St." keeps its full stop.
    rf"(?<![\w'’])((?:(?:St\.|[{_UP}][\w'’&-]*)\s+(?:(?:and|of|on|upon|the|&)\s+)?){{1,5}})"
    rf"{_CLINIC_SUFFIX}\b"
)
# Words that name a kind of therapy or service rather than a place: "Cognitive Behavioural
# Therapy" or "Mental Health Centre" point to no one.
_GENERIC_SERVICE_WORDS = _words(
    """
    cognitive behavioural behavioral behaviour behavior dialectical analytic psychodynamic
    psychoanalytic humanistic integrative existential gestalt schema systemic narrative
    interpersonal person-centred person-centered client-centred client-centered compassion
    compassion-focused focused acceptance commitment emotionally emotion mindfulness
    mindfulness-based trauma trauma-focused somatic sensorimotor exposure response prevention
    eye movement desensitisation desensitization reprocessing internal family systems
    couples couple group art arts drama music play speech language occupational physical
    sex sexual relationship conversion talking talk online private general best good local
    mental health community medical dental nhs iapt gp primary secondary care crisis day
    inpatient outpatient psychiatric psychological child adolescent adult adults children young
    people camhs cahms student university college school counselling counseling wellbeing
    brief short long term long-term solution solution-focused hypnotherapy cbt dbt emdr act
    cat cft ifs dynamic intensive specialist eating disorder disorders addiction recovery
    rehab rehabilitation residential therapy therapies psychotherapy psychology
    my our your his her their a an the and of on upon &
    """
)
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_DAY_MONTH = re.compile(
    rf"(?i)\b(?:the\s+)?(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTHS})\b(?:,?\s+(\d{{4}})\b)?"
)
_DATE_MONTH_DAY = re.compile(
    rf"(?i)\b({_MONTHS})\.?\s+(?:the\s+)?(\d{{1,2}}){_ORDINAL}\b(?!\s*[:.]\d)(?:,?\s+(\d{{4}})\b)?"
)
_DATE_NUMERIC = re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/]|[.-]\d)")
_DATE_ISO = re.compile(r"(?<![\w/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w/]|[.-]\d)")
_POSTCODE = re.compile(r"(?i)(?<![\w-])([A-Z]{1,2}\d[A-Z\d]?)(\s?)(\d[A-Z]{2})(?![\w-])")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _looks_like_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    groups = re.findall(r"\d+", candidate)
    if not 9 <= len(digits) <= 15:
        return False
    if candidate.count("(") != candidate.count(")"):
        return False
    # "2019 2020 2021" is a run of years, not a number to call.
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False
    # A lone decimal point ("3.14159265") is a number, not a phone; 555.123.4567 has two.
    if candidate.count(".") == 1:
        return False
    separated = len(groups) > 1 or candidate.startswith(("+", "0", "("))
    return separated or len(digits) >= 10


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _numeric_date(match: re.Match[str]) -> bool:
    first, second = int(match.group(1)), int(match.group(3))
    # Either order: 12/03/2021 (UK) or 03/12/2021 (US).
    return _valid_day_month(first, second) or _valid_day_month(second, first)


def _month_ok(month: str) -> bool:
    # "may" and "march" are also verbs; only their capitalised forms count as months here.
    return not (month.lower() in ("may", "march", "mar") and month[0].islower())


def _strip_name(span: tuple[int, int], text: str) -> tuple[int, int] | None:
    """Trim trailing non-name words ("Dr Smith The" -> "Dr Smith"); None when nothing is left."""
    start, end = span
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and not _is_name(words[-1].group()):
        words.pop()
    if not words:
        return None
    return start, start + words[-1].end()


def _candidates(text: str) -> list[tuple[Kind, int, int]]:
    found: list[tuple[Kind, int, int]] = []

    def add(kind: Kind, start: int, end: int) -> None:
        if end > start:
            found.append((kind, start, end))

    for m in _EMAIL.finditer(text):
        add(Kind.EMAIL, m.start(), m.end())
    for m in _URL_EXPLICIT.finditer(text):
        add(Kind.URL, m.start(), m.start() + len(m.group().rstrip(".,;:!?)]}'\"’”")))
    for m in _URL_BARE.finditer(text):
        add(Kind.URL, m.start(), m.start() + len(m.group().rstrip(".,;:!?)]}'\"’”")))
    for m in _HANDLE.finditer(text):
        if len(m.group()) >= 3:
            add(Kind.HANDLE, m.start(), m.end())
    for m in _PHONE.finditer(text):
        candidate = m.group().rstrip(" .-(")
        if candidate.endswith(")") and candidate.count("(") < candidate.count(")"):
            candidate = candidate[:-1]
        if _looks_like_phone(candidate):
            add(Kind.PHONE, m.start(), m.start() + len(candidate))
    for m in _TITLED_NAME.finditer(text):
        name = m.group(1).split()[0]
        if _is_name(name):
            span = _strip_name((m.start(), m.end()), text)
            if span:
                add(Kind.TITLED_NAME, *span)
    for m in _THERAPIST_NAME.finditer(text):
        if _is_name(m.group(1).split()[0]):
            span = _strip_name((m.start(1), m.end(1)), text)
            if span:
                add(Kind.THERAPIST_NAME, *span)
    for m in _CLINIC.finditer(text):
        words = list(re.finditer(r"\S+", m.group(1)))
        # A name starts after the last capitalised word that cannot be part of one ("My",
        # "At", "With"); lower-case joining words ("and", "of") may sit inside a name.
        breaks = [
            i for i, w in enumerate(words) if w.group()[0].isupper() and not _is_name(w.group())
        ]
        if breaks:
            words = words[breaks[-1] + 1 :]
        while words and not words[0].group()[0].isupper():
            words.pop(0)
        if not words:
            continue
        if all(w.group().lower().strip("'’.") in _GENERIC_SERVICE_WORDS for w in words):
            continue
        add(Kind.CLINIC, m.start(1) + words[0].start(), m.end())
    for m in _DATE_DAY_MONTH.finditer(text):
        if 1 <= int(m.group(1)) <= 31 and _month_ok(m.group(2)):
            add(Kind.DATE, m.start(), m.end())
    for m in _DATE_MONTH_DAY.finditer(text):
        if 1 <= int(m.group(2)) <= 31 and _month_ok(m.group(1)):
            add(Kind.DATE, m.start(), m.end())
    for m in _DATE_NUMERIC.finditer(text):
        if _numeric_date(m):
            add(Kind.DATE, m.start(), m.end())
    for m in _DATE_ISO.finditer(text):
        if _valid_day_month(int(m.group(3)), int(m.group(2))):
            add(Kind.DATE, m.start(), m.end())
    for m in _POSTCODE.finditer(text):
        # Lower-case shapes like "b12ab" turn up in ordinary text; ask for capitals or a space.
        if m.group().isupper() or m.group(2):
            add(Kind.POSTCODE, m.start(), m.end())
    return found


# When two candidates start at the same place and are equally long, the more specific wins.
_PRIORITY = {kind: rank for rank, kind in enumerate(Kind)}


def find_identifiers(text: str) -> list[Finding]:
    """Possible identifiers in text, sorted by position and never overlapping."""
    candidates = sorted(_candidates(text), key=lambda c: (c[1], -(c[2] - c[1]), _PRIORITY[c[0]]))
    findings: list[Finding] = []
    last_end = -1
    for kind, start, end in candidates:
        if start < last_end:
            continue
        findings.append(Finding(kind, start, end, text[start:end], EXPLANATIONS[kind]))
        last_end = end
    return findings


__all__ = ["EXPLANATIONS", "Finding", "Kind", "find_identifiers"]
