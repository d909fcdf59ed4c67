"""The search index, kept by the database itself: an FTS5 table on SQLite, a weighted tsvector
table with a GIN index on PostgreSQL, both filled by triggers on stories and story_answers.

Why triggers: every status change (publish, edit accepted, hide, remove, withdraw, erase,
account deletion) is an UPDATE or DELETE of a `stories` row, whichever module makes it, so the
index follows it in the same transaction without any Python code having to remember to.

Only published stories are in the index; a row leaves it the moment its story stops being
published. On SQLite the FTS5 table keeps its own copy of the text (not external-content):
deleting by rowid is then always exact, even for rows that were never indexed, where an
external-content 'delete' would need the old indexed values and corrupts the index when given
wrong ones. The cost is a second copy of published text only.

The objects are created by the migration (migrations/versions/c4e8a1f6d2b9_story_search.py)
and, for `db.create_all()` (tests, a fresh SQLite file), by the metadata events below. On
SQLite, a later Alembic "batch" migration that rebuilds `stories` or `story_answers` drops
their triggers: it must call `create(op.get_bind())` again (tests/test_migrations.py checks
that the migrated schema still holds every search object).
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from forum.db import db

TABLE = "story_search"

# What a story is found by, weighted title > body > "what helped instead" > prompt answers.
_SQLITE_ANSWERS = (
    "coalesce((SELECT group_concat(a.body, ' ') FROM story_answers a WHERE a.story_id = {id}), '')"
)
# Only our own column expressions are formatted into these statements, never a value.
_SQLITE_REFRESH = (
    "DELETE FROM story_search WHERE rowid = {id}; "  # noqa: S608
    "INSERT INTO story_search (rowid, title, body, helped_instead, answers) "
    "SELECT s.id, s.title, s.body, s.helped_instead, " + _SQLITE_ANSWERS.format(id="s.id") + " "
    "FROM stories s WHERE s.id = {id} AND s.status = 'published';"
)

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS story_search USING fts5("
    "title, body, helped_instead, answers, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS story_search_story_insert AFTER INSERT ON stories "
    "WHEN NEW.status = 'published' BEGIN " + _SQLITE_REFRESH.format(id="NEW.id") + " END",
    "CREATE TRIGGER IF NOT EXISTS story_search_story_update "
    "AFTER UPDATE OF status, title, body, helped_instead ON stories BEGIN "
    + _SQLITE_REFRESH.format(id="NEW.id")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS story_search_story_delete AFTER DELETE ON stories BEGIN "
    "DELETE FROM story_search WHERE rowid = OLD.id; END",
    "CREATE TRIGGER IF NOT EXISTS story_search_answer_insert AFTER INSERT ON story_answers BEGIN "
    + _SQLITE_REFRESH.format(id="NEW.story_id")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS story_search_answer_update AFTER UPDATE ON story_answers BEGIN "
    + _SQLITE_REFRESH.format(id="OLD.story_id")
    + " "
    + _SQLITE_REFRESH.format(id="NEW.story_id")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS story_search_answer_delete AFTER DELETE ON story_answers BEGIN "
    + _SQLITE_REFRESH.format(id="OLD.story_id")
    + " END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS story_search_answer_delete",
    "DROP TRIGGER IF EXISTS story_search_answer_update",
    "DROP TRIGGER IF EXISTS story_search_answer_insert",
    "DROP TRIGGER IF EXISTS story_search_story_delete",
    "DROP TRIGGER IF EXISTS story_search_story_update",
    "DROP TRIGGER IF EXISTS story_search_story_insert",
    "DROP TABLE IF EXISTS story_search",
)

# A generated column cannot read story_answers (another table), so triggers fill the vector.
POSTGRESQL_CREATE = (
    "CREATE TABLE IF NOT EXISTS story_search ("
    "story_id INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE, "
    "document TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_story_search_document ON story_search USING gin (document)",
    """CREATE OR REPLACE FUNCTION story_search_refresh(target INTEGER) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM story_search WHERE story_id = target;
    INSERT INTO story_search (story_id, document)
    SELECT s.id,
        setweight(to_tsvector('english', s.title), 'A')
        || setweight(to_tsvector('english', s.body), 'B')
        || setweight(to_tsvector('english', s.helped_instead), 'C')
        || setweight(to_tsvector('english', coalesce(
            (SELECT string_agg(a.body, ' ') FROM story_answers a WHERE a.story_id = s.id), '')),
            'D')
    FROM stories s WHERE s.id = target AND s.status = 'published';
$$""",
    """CREATE OR REPLACE FUNCTION story_search_story_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM story_search_refresh(NEW.id);
    RETURN NULL;
END $$""",
    "CREATE OR REPLACE TRIGGER story_search_story AFTER INSERT OR UPDATE OF status, title, body, "
    "helped_instead ON stories FOR EACH ROW EXECUTE FUNCTION story_search_story_changed()",
    """CREATE OR REPLACE FUNCTION story_search_answer_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM story_search_refresh(OLD.story_id); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM story_search_refresh(NEW.story_id); END IF;
    RETURN NULL;
END $$""",
    "CREATE OR REPLACE TRIGGER story_search_answer "
    "AFTER INSERT OR UPDATE OR DELETE ON story_answers "
    "FOR EACH ROW EXECUTE FUNCTION story_search_answer_changed()",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS story_search_answer ON story_answers",
    "DROP TRIGGER IF EXISTS story_search_story ON stories",
    "DROP FUNCTION IF EXISTS story_search_answer_changed()",
    "DROP FUNCTION IF EXISTS story_search_story_changed()",
    "DROP TABLE IF EXISTS story_search",
    "DROP FUNCTION IF EXISTS story_search_refresh(INTEGER)",
)


def is_search_object(name: str | None) -> bool:
    """Whether a table is part of the search index (FTS5 adds story_search_data and others),
    which the models do not describe: Alembic's comparison leaves them out."""
    return name is not None and (name == TABLE or name.startswith(f"{TABLE}_"))


def _statements(conn: Connection, which: str) -> tuple[str, ...]:
    if conn.dialect.name == "postgresql":
        return POSTGRESQL_CREATE if which == "create" else POSTGRESQL_DROP
    return SQLITE_CREATE if which == "create" else SQLITE_DROP


def create(conn: Connection) -> None:
    """Create the index table and its triggers if missing, then (re)index every published
    story; running it twice changes nothing."""
    for statement in _statements(conn, "create"):
        conn.execute(text(statement))
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT story_search_refresh(id) FROM stories WHERE status = 'published'")
        )
    else:
        conn.execute(text("DELETE FROM story_search"))
        conn.execute(
            text(
                "INSERT INTO story_search (rowid, title, body, helped_instead, answers) "  # noqa: S608
                "SELECT s.id, s.title, s.body, s.helped_instead, "
                + _SQLITE_ANSWERS.format(id="s.id")
                + " FROM stories s WHERE s.status = 'published'"
            )
        )


def drop(conn: Connection) -> None:
    """Drop the triggers and the index table."""
    for statement in _statements(conn, "drop"):
        conn.execute(text(statement))


@event.listens_for(db.metadata, "after_create")
def _after_create(target, connection: Connection, **kw) -> None:
    create(connection)


@event.listens_for(db.metadata, "before_drop")
def _before_drop(target, connection: Connection, **kw) -> None:
    drop(connection)
