"""Names of people, places and organisations, found word by word against shipped word lists.

The lists (forum/data/pii-*.txt.gz, sources in forum/data/README.md) are read once per process.
The text is split into words by one RE2 pattern and every later step walks that list once, so
the work grows in step with the text.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import re2

from forum.safety.pii._kinds import Kind
from forum.safety.pii._patterns import Candidate, generic_service

_DATA = Path(__file__).resolve().parents[2] / "data"


def _key(word: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(word.encode(), digest_size=8).digest(), "big", signed=True
    )


class WordList:
    """A large word list kept as sorted 64-bit hashes: 8 bytes a word instead of ~80."""

    def __init__(self, words: list[str]) -> None:
        self._keys = array("q", sorted({_key(w) for w in words}))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = _key(word)
        i = bisect_left(self._keys, key)
        return i < len(self._keys) and self._keys[i] == key

    def __len__(self) -> int:
        return len(self._keys)


def _load(name: str) -> WordList:
    with gzip.open(_DATA / name, "rt", encoding="utf-8") as fh:
        return WordList([line.strip() for line in fh if line.strip()])


def _load_small(name: str) -> frozenset[str]:
    with gzip.open(_DATA / name, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


@dataclass(frozen=True)
class Lexicon:
    """The word lists, loaded once."""

    given: WordList
    surnames: WordList
    places: WordList
    regions: frozenset[str]
    common: WordList
    very_common: WordList
    quiet: frozenset[str]
    quiet_phrases: frozenset[str]


# Capitalised words that identify no one: calendar words, kinds of therapy and services,
# faiths and festivals, nationalities and languages used generally, and words of the forum.
_QUIET = """
monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays
thursdays fridays saturdays sundays weekends january february march april may june
july august september october november december christmas easter ramadan eid diwali hanukkah
passover halloween god jesus christ allah lord bible quran church
nhs gp gps a&e ae cbt dbt emdr act cat cft ifs iapt camhs cahms cmht crhtt ocd ptsd cptsd adhd
asd bpd eupd did dsm icd ssri ssris snri mri ecg dna covid covid-19 zoom teams skype whatsapp
google facebook instagram twitter tiktok reddit youtube uk usa us eu english british american
irish scottish welsh canadian australian european african asian indian chinese japanese
french german spanish italian polish portuguese dutch greek russian arabic jewish muslim
christian catholic protestant hindu sikh buddhist black white asian latino latina latinx
lgbt lgbtq lgbtq+ lgbtqia trans queer gay lesbian bi samaritans bacp ukcp hcpc bps bpc
gmc nmc apa aca mind shout rethink sane papyrus childline nspcc heard therapist therapy
doctor dr mr mrs ms mx i i'm i've i'd i'll ok okay tv dm dms pm am ceo hr it
"""

_PERSON_CONTEXT = frozenset(
    [
        "told",
        "tell",
        "telling",
        "asked",
        "ask",
        "called",
        "call",
        "calling",
        "named",
        "name",
        "met",
        "meet",
        "meeting",
        "saw",
        "see",
        "seeing",
        "with",
        "and",
        "to",
        "by",
        "from",
        "for",
        "text",
        "texted",
        "emailed",
        "messaged",
        "thanked",
        "thank",
        "said",
        "says",
        "hi",
        "hello",
        "dear",
        "love",
        "hey",
        "sister",
        "brother",
        "mum",
        "mom",
        "mother",
        "dad",
        "father",
        "son",
        "daughter",
        "husband",
        "wife",
        "partner",
        "friend",
        "boyfriend",
        "girlfriend",
        "ex",
        "aunt",
        "uncle",
        "cousin",
        "niece",
        "nephew",
        "gran",
        "granny",
        "grandma",
        "grandmother",
        "grandad",
        "grandpa",
        "grandfather",
        "boss",
        "manager",
        "colleague",
        "teacher",
        "flatmate",
        "roommate",
        "neighbour",
        "neighbor",
        "therapist",
        "counsellor",
        "counselor",
        "psychologist",
        "psychiatrist",
        "doctor",
        "nurse",
        "coach",
        "mate",
    ]
)
_PLACE_CONTEXT = frozenset(
    [
        "in",
        "from",
        "to",
        "near",
        "at",
        "outside",
        "around",
        "of",
        "visiting",
        "moved",
        "live",
        "lived",
    ]
)
# Before an unknown capitalised word, these make a place likelier than a person.
_UNKNOWN_PLACE_CONTEXT = frozenset(
    ["in", "from", "near", "outside", "around", "visiting", "to", "into"]
)
_ORG_CONTEXT = re2.compile(
    r"(?i)\b(?:work(?:s|ed|ing)?|job|jobs|employed|shift|shifts|studied|studying|study|"
    r"enrolled|teach(?:es|ing)?|taught|volunteer(?:s|ed|ing)?|intern(?:ed|ing)?)\s+"
    r"(?:at|for|by|with|in)\s+(?:the\s+)?$"
)
_CONNECTORS = frozenset(
    [
        "de",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "della",
        "di",
        "la",
        "le",
        "van",
        "von",
        "der",
        "den",
        "du",
        "of",
        "and",
        "&",
        "y",
        "e",
        "al",
        "el",
        "bin",
        "ibn",
    ]
)
_ORG_SUFFIXES = frozenset(
    [
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "llp",
        "plc",
        "corp",
        "corp.",
        "corporation",
        "company",
        "co",
        "co.",
        "limited",
        "group",
        "holdings",
        "trust",
        "bank",
        "bankshares",
        "foundation",
        "university",
        "college",
        "school",
        "academy",
        "hospital",
        "hospitals",
        "clinic",
        "church",
        "chapel",
        "mosque",
        "synagogue",
        "temple",
        "charity",
        "council",
        "services",
        "service",
        "partners",
        "partnership",
        "associates",
        "institute",
        "society",
        "association",
        "agency",
        "sa",
        "ag",
        "gmbh",
        "asa",
        "ab",
        "nv",
        "bv",
        "spa",
        "s.p.a.",
        "srl",
        "etf",
        "fund",
        "funds",
        "industries",
        "international",
        "technologies",
        "technology",
        "systems",
        "solutions",
        "energy",
        "pharmaceuticals",
        "pharma",
        "therapeutics",
        "biotech",
        "capital",
        "insurance",
        "media",
        "network",
        "networks",
        "enterprises",
        "ventures",
        "labs",
        "laboratories",
        "resources",
        "brands",
        "motors",
        "airlines",
        "airways",
        "stores",
        "supermarket",
        "supermarkets",
        "foods",
        "logistics",
        "consulting",
        "consultants",
        "studios",
        "publishing",
        "press",
        "reit",
        "bancorp",
        "financial",
        "partners",
        "ministries",
        "mission",
        "federation",
        "union",
        "board",
        "authority",
        "shares",
        "series",
        "preferred",
        "orchestra",
        "band",
        "lp",
        "l.p",
        "etfs",
        "trade",
        "tech",
        "health",
        "club",
        "clubs",
        "hotel",
        "hotels",
        "resort",
        "restaurant",
        "cafe",
        "bakery",
        "pub",
        "bar",
        "gym",
    ]
)
_ORG_HEADS = frozenset(
    ["university", "bank", "church", "college", "school", "hospital", "institute"]
)
_SENTENCE_END = frozenset('.!?:;\n"“”()[]•*-–—')
# The one pattern on the standard engine, because it runs once per word and RE2's per-match
# cost from Python is several times higher. It is linear by construction: a letter, then one
# greedy character class with nothing after it, so a match never backtracks.
_TOKEN = re.compile(r"[^\W\d_][\w'’.&+-]*|\d+")


@cache
def lexicon() -> Lexicon:
    """The shipped word lists (read on first use, then kept for the life of the process)."""
    quiet = set(_QUIET.split())
    phrases: set[str] = set()
    try:
        resources = json.loads((_DATA / "resources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        resources = {}
    # The helplines and services Heard itself points to are cited, not identifying.
    for item in resources.get("resources", []) + resources.get("complaint_routes", []):
        for field in ("title", "organisation"):
            value = str(item.get(field, "")).strip().lower()
            if value:
                phrases.add(value)
                if " " not in value:
                    quiet.add(value)
    return Lexicon(
        given=_load("pii-given-names.txt.gz"),
        surnames=_load("pii-surnames.txt.gz"),
        places=_load("pii-places.txt.gz"),
        regions=_load_small("pii-regions.txt.gz"),
        common=_load("pii-common-words.txt.gz"),
        very_common=_load("pii-very-common-words.txt.gz"),
        quiet=frozenset(quiet),
        quiet_phrases=frozenset(phrases),
    )


@dataclass
class _Token:
    start: int
    end: int
    word: str
    low: str
    cap: bool
    initial: bool
    index: int


def _starts_sentence(text: str, start: int) -> bool:
    """True when only spaces lie between start and the end of a sentence (or the text start)."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] in _SENTENCE_END:
        return True
    # An opening quote starts direct speech: "'Sarah,' she said".
    return text[i] in "'‘" and (i == 0 or not text[i - 1].isalnum())


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN.finditer(text):
        word = m.group().rstrip("'’&+-")
        start = m.start()
        # Keep a trailing full stop only on initials and known abbreviations ("St.", "Inc.").
        if word.endswith(".") and len(word) > 2 and word.lower() not in _ORG_SUFFIXES:
            word = word[:-1]
        for suffix in ("'s", "’s"):
            if word.endswith(suffix) and len(word) > 3:
                word = word[: -len(suffix)]
        initial = _starts_sentence(text, start)
        out.append(
            _Token(
                start, start + len(word), word, word.lower(), word[:1].isupper(), initial, len(out)
            )
        )
    return out


def _lower_text(text: str) -> bool:
    letters = [ch for ch in text[:2000] if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) == 0


def _headings(text: str, tokens: list[_Token]) -> set[int]:
    """Indexes of words on lines that are mostly capitalised words (headings, not sentences)."""
    lines: dict[int, list[int]] = {}
    line = 0
    last = 0
    for i, tok in enumerate(tokens):
        line += text.count("\n", last, tok.start)
        last = tok.start
        lines.setdefault(line, []).append(i)
    out: set[int] = set()
    for members in lines.values():
        words = [tokens[i] for i in members if tokens[i].low not in _CONNECTORS]
        words = [t for t in words if not t.word.isdigit() and len(t.word) > 3]
        caps = sum(t.cap for t in words)
        if len(words) >= 3 and caps >= 0.8 * len(words) and len(members) <= 12:
            out.update(members)
    return out


def _runs(tokens: list[_Token], text: str, lower: bool) -> list[list[int]]:
    """Runs of capitalised words (joined by single spaces and small connecting words)."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, tok in enumerate(tokens):
        gap = text[tokens[current[-1]].end : tok.start] if current else ""
        # A full stop joins only after an initial or a title: "Brodie H. Walker", "St. Mary".
        joined = current and (
            gap in (" ", "-", " & ")
            or (
                gap == ". "
                and (
                    len(tokens[current[-1]].word) == 1
                    or tokens[current[-1]].low in ("st", "mt", "ft")
                )
            )
        )
        usable = (tok.cap or lower) and not tok.word.isdigit()
        if usable and (not current or joined):
            current.append(i)
            continue
        if current and joined and tok.low in _CONNECTORS and not lower:
            current.append(i)
            continue
        if current:
            runs.append(current)
        current = [i] if usable else []
    if current:
        runs.append(current)
    # A run never ends on a connecting word.
    out = []
    for run in runs:
        while run and tokens[run[-1]].low in _CONNECTORS:
            run.pop()
        if run:
            out.append(run)
    return out


def _place_match(tokens: list[_Token], run: list[int], lex: Lexicon) -> tuple[int, int] | None:
    """The longest stretch of the run (up to four words) that names a place."""
    best: tuple[int, int] | None = None
    for a in range(len(run)):
        for b in range(min(len(run), a + 4), a, -1):
            phrase = " ".join(tokens[k].low for k in run[a:b])
            if phrase in lex.places and (best is None or b - a > best[1] - best[0]):
                best = (a, b)
                break
    return best


def ordinary(word: str) -> bool:
    """True for an ordinary English word, or one that identifies no one ("Chapter", "Covid")."""
    lex = lexicon()
    low = word.lower().rstrip(".")
    return low in lex.common or low in lex.quiet or low in _MONTH_WORDS


_MONTH_WORDS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "spring",
        "summer",
        "autumn",
        "fall",
        "winter",
    ]
)
_ZIP_AFTER = re2.compile(r"^[ ,]{1,3}\d{4,6}\b")


# Before a capitalised word, these say it is where someone lives, goes or comes from: "she
# lives in X", "we moved here from X", "my home town X". A person is rarely written so.
_LIVES_IN = re2.compile(
    r"(?i)(?:\b(?:lives?|lived|living|based|born|raised|grew\s+up|moved(?:\s+(?:here|back|away|"
    r"over|out))?|i'm|i\s+am|we're|we\s+are|stay(?:s|ed|ing)?|flew|fly|drove|trip|holiday|"
    r"arrived|travell?ed|settled)\s+(?:in|to|from|at|near|into)|\b(?:city|town|village|suburb|"
    r"county|region|state|country)(?:\s+of)?)\s+$"
)
# In a postal address, the line (or the part after a comma) that follows the street is the
# town: "14 Albert Road\nHarrogate", "Via Leopardi 83, Lirone".
_UNIT_LINE = re2.compile(r"(?i)^(?:apt|apartment|suite|unit|flat|floor|p\.?\s?o\.?\s+box)\b")
_TOWN_PART = re2.compile(r"^\pL(?:[\pL'’.-]*\pL)?(?:[ -]\pL(?:[\pL'’.-]*\pL)?){0,3}")


def _town_length(part: str) -> int:
    """How much of part is the town's name: capitalised words, and "da", "nad" between them."""
    words = part.split(" ")
    keep = 1
    for k in range(1, len(words)):
        if words[k][:1].isupper():
            keep = k + 1
        elif not (words[k] in _CONNECTORS and k + 1 < len(words) and words[k + 1][:1].isupper()):
            break
    return len(" ".join(words[:keep]))


def _town_after(text: str, end: int) -> Candidate | None:
    """The town written after a street address ending at end, if any (two lines at most)."""
    rest = text[end : end + 120]
    if rest.startswith(", "):
        m = _TOWN_PART.search(rest[2:])
        if m is None or not m.group()[:1].isupper():
            return None
        return (Kind.PLACE, end + 2, end + 2 + _town_length(m.group()))
    offset = 0
    for line in rest.split("\n")[1:3]:
        offset = rest.index(line, offset)
        stripped = line.lstrip(" \t?}")
        if _UNIT_LINE.search(stripped):
            offset += len(line)
            continue
        m = _TOWN_PART.search(stripped)
        if m is None or not m.group()[:1].isupper():
            return None
        start = end + offset + len(line) - len(stripped)
        return (Kind.PLACE, start, start + _town_length(m.group()))
    return None


def word_candidates(text: str, shaped: list[Candidate]) -> list[Candidate]:
    """People, places and organisations named in text."""
    lex = lexicon()
    tokens = _tokens(text)
    lower = _lower_text(text)
    headings = _headings(text, tokens)
    found: list[Candidate] = []
    for run in _runs(tokens, text, lower):
        for kind, start, end in _classify(
            text, tokens, run, lex, lower, run[0] in headings and not lower
        ):
            if kind is Kind.NAME and _LIVES_IN.search(text[max(0, start - 30) : start]):
                kind = Kind.PLACE
            found.append((kind, start, end))
    for kind, _start, end in shaped:
        if kind is Kind.ADDRESS and (town := _town_after(text, end)) is not None:
            found.append(town)
    # A postal code written after a town or country: "Tunisia 12440", "Leeds, 48321".
    for kind, _start, end in list(found):
        if kind is Kind.PLACE:
            m = _ZIP_AFTER.search(text[end : end + 12])
            if m:
                number = m.group().lstrip(" ,")
                found.append((Kind.ADDRESS, end + m.end() - len(number), end + m.end()))
    return found


def _is_person_word(word: _Token, lex: Lexicon) -> bool:
    return word.low in lex.given or word.low in lex.surnames


def _unknown(word: _Token, lex: Lexicon) -> bool:
    low = word.low
    return not (low in lex.common or low in lex.places or low in lex.given or low in lex.surnames)


_ROMAN = frozenset(["ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"])


def _org_end(words: list[_Token]) -> bool:
    tail = [w for w in words if w.low not in _ROMAN] or words
    last = tail[-1].low.rstrip(".")
    # "Co.Ltd", "S.A": any dotted part of the last word may be the suffix.
    return last in _ORG_SUFFIXES or any(part in _ORG_SUFFIXES for part in last.split(".") if part)


def _acronyms(words: list[_Token], lex: Lexicon) -> bool:
    """Mostly capital-letter words that are not names: "SSGA SPDR", "CANON INC"."""
    caps = [w for w in words if w.word.isupper() and len(w.word) > 1]
    return len(caps) * 2 > len(words) and not any(
        w.low in lex.given for w in caps if len(w.word) > 3
    )


def _classify(
    text: str, tokens: list[_Token], run: list[int], lex: Lexicon, lower: bool, heading: bool
) -> list[Candidate]:
    words = [tokens[k] for k in run]
    if not lower and len(words) >= 2 and words[0].initial:
        # "United Kingdom" at a line start: a place of several words is kept whole.
        two = " ".join(w.low for w in words[:2])
        if two in lex.places and (len(words) == 2 or two in lex.regions):
            return [(Kind.PLACE, words[0].start, words[1].end)]
    # Drop leading words that only start the sentence ("Then", "My", "When").
    while words and words[0].initial and (words[0].low in lex.common or words[0].low in lex.quiet):
        if (
            len(words) > 1
            and words[0].low not in lex.very_common
            and _is_person_word(words[0], lex)
            and _is_person_word(words[1], lex)
        ):
            break
        words = words[1:]
    while words and (words[0].low in lex.quiet or words[0].low in _CONNECTORS):
        words = words[1:]
    while words and words[-1].low in lex.quiet and words[-1].low not in _ORG_SUFFIXES:
        words = words[:-1]
    if not words:
        return []
    start, end = words[0].start, words[-1].end
    phrase = " ".join(w.low for w in words)
    if phrase in lex.quiet_phrases or generic_service([w.word for w in words]):
        return []
    first = words[0].index
    prev = tokens[first - 1].low if first > 0 else ""
    context_before = text[max(0, start - 40) : start]
    # Organisations: a company-like ending, "University of ...", or "I work at X".
    if len(words) >= 2 and _org_end(words):
        # "Jane Smith of Acme Holdings Ltd" is a person and an organisation.
        for k in range(len(words) - 2, 0, -1):
            if words[k].low in ("of", "at") and any(_is_person_word(w, lex) for w in words[:k]):
                return [
                    (Kind.NAME, start, words[k - 1].end),
                    (Kind.ORGANISATION, words[k + 1].start, end),
                ]
        return [(Kind.ORGANISATION, start, end)]
    if len(words) >= 2 and words[0].low in _ORG_HEADS:
        return [(Kind.ORGANISATION, start, end)]
    for k in range(1, len(words) - 1):
        # "Jose Sisneros of SPDR Gold Shares": a person of an organisation.
        if words[k].low == "of" and all(_is_person_word(w, lex) for w in words[:k]):
            after = words[k + 1 :]
            if _acronyms(after, lex) or not any(_is_person_word(w, lex) for w in after):
                return [
                    (Kind.NAME, start, words[k - 1].end),
                    (Kind.ORGANISATION, after[0].start, end),
                ]
    if len(words) >= 2 and _acronyms(words, lex) and not lower:
        return [(Kind.ORGANISATION, start, end)]
    if _ORG_CONTEXT.search(context_before) and not lower:
        return [(Kind.ORGANISATION, start, end)]
    # Places.
    place = None if lower else _place_match(tokens, [w.index for w in words], lex)
    if place is not None:
        a, b = place
        span_words = words[a:b]
        single = len(span_words) == 1
        is_name = single and _is_person_word(span_words[0], lex)
        is_common = single and span_words[0].low in lex.common
        prev_word = prev if a == 0 else words[a - 1].low
        next_char = text[span_words[-1].end : span_words[-1].end + 1]
        region = " ".join(w.low for w in span_words) in lex.regions
        given = single and span_words[0].low in lex.given
        strong = (region and not given) or (
            prev_word in _PLACE_CONTEXT and not (is_name and prev_word in ("to", "at", "of"))
        )
        # A comma after a word says "place" only when the word is not also a name.
        contextual = strong or (next_char == "," and not is_name)
        rest = words[:a] + words[b:]
        # "Carry Me Back To Cyprus": the place inside a run of ordinary capitalised words.
        alone = len(span_words) == len(words) or all(
            w.low in lex.common or w.low in _CONNECTORS for w in rest
        )
        if alone and (not single or (not is_name and not is_common) or contextual):  # noqa: SIM102 - the inner rule reads on its own
            if not (span_words[0].initial and is_common and not strong):
                return [(Kind.PLACE, span_words[0].start, span_words[-1].end)]
    # People: known given names and surnames, or unknown capitalised words mid-sentence.
    if lower:
        if len(words) >= 2 and words[0].low in lex.given and words[1].low in lex.surnames:  # noqa: SIM102 - the inner rule reads on its own
            if words[0].low not in lex.common and words[1].low not in lex.common:
                return [(Kind.NAME, words[0].start, words[1].end)]
        return []
    names = [w for w in words if _is_person_word(w, lex)]
    unknown = [w for w in words if _unknown(w, lex)]
    common = [w for w in words if w.low in lex.common]
    if len(words) >= 2 and (names or (unknown and not heading)) and len(common) < len(words):
        return [(Kind.NAME, start, end)]
    word = words[0]
    if word.word.isupper() and len(word.word) <= 5:
        return []  # an acronym
    if _is_person_word(word, lex):
        if word.low not in lex.common:
            return [(Kind.NAME, start, end)]
        if word.initial or word.low in lex.very_common:
            # "Will", "May", "Hope": a name only where the words around say so.
            if not word.initial and prev in _PERSON_CONTEXT:
                return [(Kind.NAME, start, end)]
            return []
        return [] if heading else [(Kind.NAME, start, end)]
    if unknown and not heading and len(word.word) > 2:
        # An unknown word starting a sentence is flagged only when a verb of speech or a
        # name-like pattern follows ("Lamara is from", "Chise said").
        if prev in _UNKNOWN_PLACE_CONTEXT and not word.initial:
            return [(Kind.PLACE, start, end)]
        if not word.initial or _followed_by_predicate(text, word.end):
            return [(Kind.NAME, start, end)]
    return []


_PREDICATE = re2.compile(
    r"^(?::\s|\s+(?:is|was|said|says|told|asked|had|has|lives|lived|works|worked|shouted|"
    r"replied|wrote|called|texted|came|went)\b)"
)


def _followed_by_predicate(text: str, end: int) -> bool:
    return bool(_PREDICATE.search(text[end : end + 12]))
