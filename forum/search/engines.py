"""The search service: which published stories match a query, and how well, on each engine.

One interface, `matching(query)`, answers with a subquery of (story_id, rank) that the reader's
listing joins to its filters (forum/stories/reading.py); a lower rank is a better match. Both
engines build their query from the tokens of forum/search/query.py, and user text reaches
the database only as bound parameters.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Float, Integer, Subquery, text

from forum.db import db
from forum.search import schema  # noqa: F401  (registers the index's create/drop events)
from forum.search.query import SearchQuery

# Title above body above "what helped instead" above the teller's prompt answers.
SQLITE_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# ts_rank_cd's weights for D, C, B, A (answers, what helped instead, body, title).
POSTGRESQL_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"


class SearchEngine(Protocol):
    """Finds published stories for a query on one database engine."""

    def matching(
        self, query: SearchQuery, recent_first: bool = False, newest: int | None = None
    ) -> Subquery:
        """(story_id, rank) of the published stories matching the query. With `recent_first`
        the caller orders by story_id descending with a LIMIT, and the engine reads its
        matches in that order, so only those up to the limit are read and ranked. With
        `newest`, only the newest `newest` matches are candidates at all, found from the
        index alone before anything is ranked, so a caller's filters that pass few of them
        cannot make it read every match."""


def _quoted(words: tuple[str, ...] | list[str]) -> str:
    # Tokens are letters and digits only (forum/search/query.py), so quoting is all FTS5 needs.
    return '"' + " ".join(words) + '"'


class SQLiteEngine:
    """FTS5 with the porter stemmer, ranked by bm25."""

    def match_expression(self, query: SearchQuery) -> str:
        """The FTS5 query string, made only of quoted tokens."""
        wanted = [_quoted([w]) for w in query.words] + [_quoted(p) for p in query.phrases]
        expression = " AND ".join(wanted)
        for word in query.excluded:
            expression = f"({expression}) NOT {_quoted([word])}"
        return expression

    def matching(
        self, query: SearchQuery, recent_first: bool = False, newest: int | None = None
    ) -> Subquery:
        """(story_id, rank) from the FTS5 table; bm25 is negative, lower is better."""
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        # rowid + 0: so SQLite reads the matches first and looks stories up by id, instead of
        # running MATCH once per story (measured: 1,100 ms to 23 ms at 10,000 stories). The
        # bare rowid, for recent_first: ordered by it, FTS5 reads its matches newest first and
        # stops at the caller's LIMIT, working out bm25 for those rows only.
        story_id = "rowid" if recent_first else "rowid + 0"
        # newest: a rowid range, its lower end read from the index with no bm25 at all.
        window = (
            " AND rowid > coalesce((SELECT rowid FROM story_search WHERE story_search MATCH "
            ":match ORDER BY rowid DESC LIMIT 1 OFFSET :newest), 0)"
            if newest is not None
            else ""
        )
        statement = text(
            f"SELECT {story_id} AS story_id, bm25(story_search, {weights}) AS rank "  # noqa: S608
            f"FROM story_search WHERE story_search MATCH :match{window}"
        ).bindparams(match=self.match_expression(query))
        if newest is not None:
            statement = statement.bindparams(newest=newest)
        return statement.columns(story_id=Integer, rank=Float).subquery("matches")


class PostgreSQLEngine:
    """A weighted tsvector with a GIN index, ranked by ts_rank_cd."""

    def matching(
        self, query: SearchQuery, recent_first: bool = False, newest: int | None = None
    ) -> Subquery:
        """(story_id, rank) from story_search; rank is ts_rank_cd negated, lower is better.

        Ordered by story_id with a LIMIT (recent_first), the planner walks the primary key
        backwards for a common word and reads the GIN index for a rare one: either way only
        the rows under the limit are ranked. With `newest` the planner cannot weigh the
        range's lower end (it is worked out in the query), so for a rare word it walks the
        primary key rather than the GIN index: measured at 100,000 stories, 3 ms became
        18 ms for a rare word while a word with two filters went from 86 ms to 15 ms."""
        parts: list[str] = []
        params: dict[str, str | int] = {}
        for n, word in enumerate(query.words):
            parts.append(f"websearch_to_tsquery('english', :word{n})")
            params[f"word{n}"] = word
        for n, phrase in enumerate(query.phrases):
            parts.append(f"websearch_to_tsquery('english', :phrase{n})")
            params[f"phrase{n}"] = _quoted(phrase)
        for n, word in enumerate(query.excluded):
            parts.append(f"!! websearch_to_tsquery('english', :excluded{n})")
            params[f"excluded{n}"] = word
        tsquery = " && ".join(parts)
        window = ""
        if newest is not None:  # an id range, its lower end read with no ranking at all
            window = (
                " AND story_id > coalesce((SELECT story_id FROM story_search "  # noqa: S608
                f"WHERE document @@ ({tsquery}) ORDER BY story_id DESC LIMIT 1 OFFSET :newest), 0)"
            )
            params["newest"] = newest
        statement = text(
            "SELECT story_id, "  # noqa: S608 - only our own parameter names are formatted in
            f"-ts_rank_cd('{POSTGRESQL_WEIGHTS}', document, wanted) AS rank "
            f"FROM story_search, (SELECT {tsquery}) AS q(wanted) WHERE document @@ wanted{window}"
        ).bindparams(**params)
        return statement.columns(story_id=Integer, rank=Float).subquery("matches")


ENGINES: dict[str, SearchEngine] = {"sqlite": SQLiteEngine(), "postgresql": PostgreSQLEngine()}


def engine() -> SearchEngine:
    """The engine of the database this app uses."""
    return ENGINES[db.session.get_bind().dialect.name]


def matching(query: SearchQuery, recent_first: bool = False, newest: int | None = None) -> Subquery:
    """(story_id, rank) of the published stories matching a non-empty query (recent_first
    and newest: see SearchEngine.matching)."""
    if query.is_empty:
        raise ValueError("an empty search matches nothing; check SearchQuery.is_empty first")
    return engine().matching(query, recent_first, newest)
