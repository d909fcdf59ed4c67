"""The reader's text becomes tokens, never engine syntax."""

from __future__ import annotations

from forum.search.engines import SQLiteEngine
from forum.search.query import MAX_QUERY_CHARS, parse


def test_words_phrases_and_exclusions():
    query = parse('ignored "not heard at all" -couples self-harm')
    assert query.words == ("ignored", "self", "harm")
    assert query.phrases == (("not", "heard", "at", "all"),)
    assert query.excluded == ("couples",)


def test_syntax_is_only_separators():
    query = parse('NEAR(abc def) * : ((( "unbalanced AND OR NOT col:word^')
    assert query.words == ("near", "abc", "def")
    assert query.phrases == (("unbalanced", "and", "or", "not", "col", "word"),)
    assert SQLiteEngine().match_expression(query) == (
        '"near" AND "abc" AND "def" AND "unbalanced and or not col word"'
    )


def test_common_and_short_words_are_set_aside_kindly():
    query = parse("the a of x")
    assert query.is_empty and query.skipped == ("the", "a", "of", "x")
    assert parse("-therapy").is_empty


def test_control_characters_nothing_and_very_long_text():
    assert parse("") is None and parse("\x00\x01  ") is None
    assert parse("grief\x00loss").words == ("grief", "loss")
    long = parse("word " * 1000)
    assert len(long.text) <= MAX_QUERY_CHARS and long.words == ("word",)
