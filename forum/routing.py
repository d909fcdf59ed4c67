"""Integer ids from URLs, bounded once for the whole app: the `<id:...>` converter and
`query_id()` for integer query parameters (cursors, `before`, page numbers).

Every table's primary key is a 32-bit integer on PostgreSQL (64-bit on SQLite), so a larger
number cannot name a row, and sending one to the database fails with an error instead of
"not found". Both parsers accept only ASCII digits 1..MAX_ID: anything else is a 404 in a
path and "not given" in a query string, before any query runs.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

# The largest id both engines can store (PostgreSQL INTEGER); anything larger cannot exist.
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(raw: object) -> int | None:
    """The id in raw when it is 1..MAX_ID written in ASCII digits; otherwise None.

    Leading zeros are allowed (`007` is 7); signs, spaces, `_` and non-ASCII digits
    (which int() would accept) are not.
    """
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        return None
    digits = raw.lstrip("0")
    # Checked before int(): a number thousands of digits long is refused, not converted.
    if not digits or len(digits) > _MAX_DIGITS:
        return None
    value = int(digits)
    return value if value <= MAX_ID else None


def query_id(args: Mapping[str, str], name: str) -> int | None:
    """An integer query parameter (a cursor, `before`, a page) by the same rule as ids."""
    return parse_id(args.get(name))


class IdConverter(BaseConverter):
    """`<id:name>`: a row id, 1..MAX_ID; any other value is a 404 before the view runs."""

    regex = r"[0-9]+"
    part_isolating = True
    # As werkzeug's int converter: a numeric part is tried before a plain string part.
    weight = 50

    def to_python(self, value: str) -> int:
        """The id, or a routing miss (404) when it is out of range."""
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed

    def to_url(self, value: int) -> str:
        """Ids are written as plain decimal numbers."""
        return str(int(value))


def init_routing(app: Flask) -> None:
    """Register the `id` converter; call before any blueprint is registered."""
    app.url_map.converters["id"] = IdConverter
