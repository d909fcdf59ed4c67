"""What a reader typed into the search box, read into words, phrases and exclusions.

The reader's text never reaches MATCH or to_tsquery as syntax: it is read here, in one pass
over at most MAX_QUERY_CHARS characters (linear time), into words made only of letters and
digits; each engine builds its own query from those tokens (forum/search/engines.py).
Understood: words (all must match), "quoted phrases", and -words to leave out. Everything
else (NEAR, *, :, brackets, AND/OR/NOT, control characters) is a separator.
"""

from __future__ import annotations

from dataclasses import dataclass

# Of a longer text only the start is read: a search box is for a few words.
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MIN_WORD_LENGTH = 2

# PostgreSQL's English stop words (snowball english.stop), dropped on both engines alike so
# the same query finds the same stories on SQLite and PostgreSQL.
STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)


@dataclass(frozen=True)
class SearchQuery:
    """A reader's search, as tokens: nothing in it is engine syntax."""

    text: str  # what the reader typed, tidied and bounded, to show back and keep in links
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    # Words left out as too short or too common, to say so kindly.
    skipped: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing left to look for (only common or short words, or only exclusions)."""
        return not self.words and not self.phrases

    @property
    def marked_words(self) -> frozenset[str]:
        """The words a snippet marks: every word looked for, in phrases too."""
        in_phrases = (w for phrase in self.phrases for w in phrase if w not in STOP_WORDS)
        return frozenset((*self.words, *in_phrases))


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def _tidy(raw: str) -> str:
    """The start of the text with control characters (NUL included) made spaces."""
    cut = raw[:MAX_QUERY_CHARS]
    return " ".join("".join(c if c.isprintable() else " " for c in cut).split())


def parse(raw: str | None) -> SearchQuery | None:
    """The search in what was typed; None when nothing was typed at all."""
    text = _tidy(raw or "") if isinstance(raw, str) else ""
    if not text:
        return None
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    skipped: list[str] = []
    phrase: list[str] | None = None
    current: list[str] = []
    negate = False
    previous = " "

    def end_word() -> None:
        nonlocal negate
        if not current:
            return
        word = "".join(current).lower()
        current.clear()
        if phrase is not None:
            phrase.append(word)
        elif len(word) < MIN_WORD_LENGTH or word in STOP_WORDS:
            skipped.append(word)
        elif negate:
            excluded.append(word)
        else:
            words.append(word)
        negate = False

    for char in text:
        if _is_word_char(char):
            current.append(char)
        else:
            end_word()
            if char == '"':
                if phrase is None:
                    phrase = []
                else:
                    if phrase:
                        phrases.append(tuple(phrase))
                    phrase = None
            elif phrase is None:
                # A minus at the start of a word ("-cbt") leaves that word out.
                negate = char == "-" and not _is_word_char(previous) and previous != "-"
        previous = char
    end_word()
    if phrase:
        phrases.append(tuple(phrase))
    # A phrase of one word is a word; a phrase of only common words looks for nothing.
    for found in list(phrases):
        meaningful = [w for w in found if w not in STOP_WORDS and len(w) >= MIN_WORD_LENGTH]
        if len(found) == 1 or not meaningful:
            phrases.remove(found)
            (words if meaningful else skipped).extend(meaningful or found)
    unique = lambda items: tuple(dict.fromkeys(items))[:MAX_TERMS]  # noqa: E731
    return SearchQuery(
        text=text,
        words=unique(words),
        phrases=unique(phrases),
        excluded=unique(excluded),
        skipped=unique(skipped),
    )
