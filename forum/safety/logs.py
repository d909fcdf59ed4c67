"""Logging without client addresses: nothing identifying in Heard's logs (issue: anonymity)."""

from __future__ import annotations

import logging
import re

# Werkzeug's development server starts each request line with the client address.
_LEADING_ADDRESS = re.compile(r"^\S+ - - ")


class DropClientAddress(logging.Filter):
    """Remove the client address that Werkzeug's request log puts first on the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message in place; never drop the record."""
        if isinstance(record.msg, str):
            record.msg = _LEADING_ADDRESS.sub("- - - ", record.msg)
        return True


def init_logging() -> None:
    """Attach the filter once to the loggers that would otherwise record addresses."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropClientAddress) for f in logger.filters):
        logger.addFilter(DropClientAddress())
