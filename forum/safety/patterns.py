"""Linear-time regular expressions for anything a person typed (RE2: no backtracking).

Python's `re` backtracks, so a pattern with overlapping quantifiers can take quadratic or
exponential time on a crafted 30,000-character story and block a worker (ReDoS). RE2 runs every
pattern as an automaton in time linear in the text, and refuses what it cannot do that way
(lookarounds, backreferences) when the pattern is compiled, at import time.

Differences from `re` worth knowing when moving a pattern here:
- `\\s`, `\\w`, `\\d` and `\\b` are ASCII in RE2; use SPACE / NOT_SPACE below where Python's
  Unicode `\\s` is meant (tests/safety/test_redos.py checks SPACE against every code point).
- `$` matches only at the very end (Python's also matches before a final newline): stricter.
- On str, each `search`/`match` call encodes the whole text to UTF-8 first, so call `finditer`
  once per text rather than `match(text, pos)` in a loop over positions (that loop is quadratic).
"""

from __future__ import annotations

from typing import Any

import re2

# Python's `\s` on str, exactly: ASCII \t\n\v\f\r, the four separators \x1c-\x1f, space, NEL
# (\x85) and every Unicode separator (Zs, Zl, Zp).
SPACE = r"[\t-\r\x1c-\x20\x85\pZ]"
NOT_SPACE = r"[^\t-\r\x1c-\x20\x85\pZ]"

# RE2's default memory budget (8 MiB) is enough for every pattern in the app; a pattern that
# outgrows it falls back to RE2's NFA, which is slower but still linear.
LinearPattern = Any  # re2._Regexp: the library ships no public type for it


def linear(pattern: str, *, ignore_case: bool = False) -> LinearPattern:
    """Compile pattern with RE2, so matching any text takes time linear in its length."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    return re2.compile(pattern, options)


def escape(text: str) -> str:
    """Text quoted so a pattern matches it literally."""
    return re2.escape(text)
