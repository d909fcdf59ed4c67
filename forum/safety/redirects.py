"""Redirect targets from user input (`next=`), allowed by structure, never by string prefix."""

from __future__ import annotations

from urllib.parse import urlsplit

FORBIDDEN = set("\\\t\r\n\x00 ")


def safe_next(target: str | None, default: str = "/") -> str:
    """Return target only when it is a plain path on this site; otherwise the default.

    Rejects every open-redirect shape in SECURITY.md §2: `//x`, `////x`, `\\\\\\x`, `/\\x`,
    `\\/x`, `https:x`, and tabs, newlines or other control characters anywhere.
    """
    if not target or len(target) > 2000:
        return default
    if any(ch in FORBIDDEN or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
