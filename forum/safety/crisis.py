"""Crisis-language check: phrases that may mean someone is at risk right now.

A match brings up a calm interstitial with crisis help before a story, reply or search goes on
(UX.md item 19), and puts the story first in the moderation queue with the matched spans
(PRODUCT.md, moderation). It never blocks posting, so a false positive costs one extra screen
while a miss can cost much more: the patterns lean towards matching, and only skip phrases
that are plainly about something else ("killing time", "cut myself off", "die laughing").

THE PHRASE LIST NEEDS CLINICAL REVIEW before launch (UX.md marks the trigger list as a guess).
It is English only, and it follows safe-messaging guidance: it recognises risk, it never
describes methods beyond the words people already use.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Category(enum.StrEnum):
    """What a match is about, for the moderation queue's "why it is here"."""

    SUICIDAL = "suicidal thoughts"
    SELF_HARM = "self-harm"
    OVERDOSE = "overdose"


@dataclass(frozen=True)
class CrisisMatch:
    """A span of text that suggests someone may be at risk."""

    category: Category
    start: int
    end: int
    text: str


# Typed apostrophes vary (’ ‘ ʼ ′ `); map them to ' one for one so spans stay true.
_APOSTROPHES = str.maketrans({ch: "'" for ch in "’‘ʼ′`´"})
_S = r"\s+"  # any run of spaces or line breaks between words
_SELF = r"my\s*self"  # "me" is left out: "she hurt me" is what many stories here are about
_NOT = r"(?:do\s*n'?t|did\s*n'?t|does\s*n'?t|not|never|no\s+longer)"
_WANT = r"(?:want(?:ed|s|ing)?\s+to|wanna|wish\s+to)"


def _ahead_not(*words: str) -> str:
    """A guard that skips a phrase when one of words follows it ("cut myself | off")."""
    return rf"(?!{_S}(?:{'|'.join(words)})\b)"


_PATTERNS: list[tuple[Category, str]] = [
    # Suicide named outright, in any form: "suicidal", "suicide", "suicidality".
    (Category.SUICIDAL, r"\bsuicid\w*"),
    (Category.SUICIDAL, r"\bunalive\w*"),
    (Category.SUICIDAL, rf"\bkill(?:ing|ed|s)?{_S}{_SELF}\b" + _ahead_not("laughing")),
    (
        Category.SUICIDAL,
        rf"\b(?:end(?:ing|ed|s)?|take|taking|took){_S}my{_S}(?:own{_S})?life\b"
        + _ahead_not("savings", "story", "'s"),
    ),
    (Category.SUICIDAL, rf"\bend(?:ing|ed|s)?{_S}it{_S}all\b"),
    (
        Category.SUICIDAL,
        rf"\b{_WANT}{_S}die\b" + _ahead_not(rf"(?:of|from){_S}(?:embarrassment|shame)", "laughing"),
    ),
    (
        Category.SUICIDAL,
        rf"\bwish(?:ed)?{_S}(?:that{_S})?i{_S}(?:was|were|'?d{_S}be|could{_S}be){_S}dead\b",
    ),
    (
        Category.SUICIDAL,
        rf"\bwish(?:ed)?{_S}(?:that{_S})?i{_S}(?:had|'?d){_S}never{_S}been{_S}born\b",
    ),
    (Category.SUICIDAL, rf"\b(?:better{_S}off|rather{_S}be){_S}dead\b"),
    (Category.SUICIDAL, rf"\bbetter{_S}off{_S}without{_S}me\b"),
    (
        Category.SUICIDAL,
        rf"\b(?:no|any|not{_S}any){_S}(?:reason|point){_S}(?:(?:to|in|of){_S})?"
        rf"(?:live|living|go(?:ing)?{_S}on|be(?:ing)?{_S}alive)\b",
    ),
    (Category.SUICIDAL, rf"\bnothing{_S}(?:left{_S})?to{_S}live{_S}for\b"),
    (
        Category.SUICIDAL,
        rf"\b{_NOT}{_S}(?:want(?:ing|ed)?{_S}to|wanna){_S}"
        rf"(?:be{_S}(?:here|alive|around)|exist|live\b"
        + _ahead_not(
            "in",
            "with",
            "at",
            "near",
            "there",
            "on",
            "abroad",
            "alone",
            "together",
            "somewhere",
            "anywhere",
            "by",
            "next",
            rf"like{_S}that",
        )
        + rf"|wake{_S}up\b"
        + _ahead_not("early", "before", "until", "till", "at", "in", "on", "to")
        + ")",
    ),
    (
        Category.SUICIDAL,
        rf"\b(?:never|not){_S}(?:to{_S})?wake{_S}up(?:{_S}again)?\b"
        + _ahead_not("early", "before", "until", "till", "at", "in", "on", "to", "when"),
    ),
    (
        Category.SUICIDAL,
        rf"\bcan'?t{_S}(?:go{_S}on|carry{_S}on|keep{_S}going)"
        rf"(?:{_S}(?:anymore|any{_S}more|like{_S}this|living)|\s*[.!]|\s*$)",
    ),
    (
        Category.SUICIDAL,
        rf"\bwo(?:n'?t|{_S}not){_S}be{_S}(?:here|around){_S}(?:much{_S})?"
        rf"(?:longer|for{_S}long|tomorrow)\b",
    ),
    (Category.SUICIDAL, rf"\bdisappear{_S}(?:forever|for{_S}good)\b"),
    (Category.SUICIDAL, rf"\bhang(?:ing|ed)?{_S}{_SELF}\b"),
    (
        Category.SUICIDAL,
        rf"\bjump(?:ing|ed)?{_S}(?:off|from|in{_S}front{_S}of){_S}(?:a|the){_S}"
        r"(?:bridge|building|roof|cliff|train|bus|car)\b",
    ),
    (Category.SUICIDAL, rf"\bplan(?:s|ned|ning)?{_S}(?:to|for){_S}(?:die|dying|my{_S}death)\b"),
    (Category.SELF_HARM, r"\bself[\s-]*(?:harm\w*|injur\w*|mutilat\w*)"),
    (Category.SELF_HARM, r"\bsh\s+(?:urges|relapse)\b"),
    (
        Category.SELF_HARM,
        rf"\b(?:hurt|hurting|hurts|harm|harming|harmed|harms|injure|injuring|injured)"
        rf"{_S}{_SELF}\b",
    ),
    (
        Category.SELF_HARM,
        r"\b(?:cut|cutting|cuts|burn|burning|burnt|burned|starve|starving|starved|punch"
        rf"|punching|punched|hit|hitting|scratch|scratching|scratched){_S}{_SELF}\b"
        + _ahead_not(
            "off",
            "out",
            "short",
            "free",
            "loose",
            "up",
            rf"some{_S}slack",
            rf"a{_S}break",
            rf"a{_S}slice",
            rf"down{_S}to{_S}size",
        ),
    ),
    (Category.OVERDOSE, r"\bover[\s-]?dos\w*"),
    # Capitals only: lower-case "od" is rarely an overdose.
    (Category.OVERDOSE, r"(?-i:\bOD(?:'?d|ed|ing)?\b)"),
    (
        Category.OVERDOSE,
        rf"\b(?:took|take|taking|swallow(?:ed|ing)?){_S}"
        rf"(?:all{_S}(?:of{_S})?(?:my|the|them|those)|too{_S}many|loads{_S}of|a{_S}"
        rf"(?:bunch|load|handful|whole{_S}(?:box|bottle|packet)){_S}of)"
        rf"(?:{_S}(?:my|the|those|these))?{_S}(?:pills|tablets|meds|medication|painkillers)\b",
    ),
]
_COMPILED = [(category, re.compile(pattern, re.IGNORECASE)) for category, pattern in _PATTERNS]


def mentions_crisis(text: str) -> list[CrisisMatch]:
    """Spans of crisis language in text, sorted by position and never overlapping."""
    normal = text.translate(_APOSTROPHES)
    found = sorted(
        (m.start(), -m.end(), category)
        for category, pattern in _COMPILED
        for m in pattern.finditer(normal)
    )
    matches: list[CrisisMatch] = []
    last_end = -1
    for start, negative_end, category in found:
        end = -negative_end
        if start < last_end:
            continue
        matches.append(CrisisMatch(category, start, end, text[start:end]))
        last_end = end
    return matches


def has_crisis_language(text: str) -> bool:
    """Whether text has any crisis language, for the interstitial's yes or no."""
    return bool(mentions_crisis(text))


__all__ = ["Category", "CrisisMatch", "has_crisis_language", "mentions_crisis"]
