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


def safe_referrer(referrer: str | None, host: str, default: str = "/") -> str:
    """The Referer as a local path when it is a page of this site (host); otherwise default.

    The path then passes the same rule as `next=`, so a forged or off-site Referer never
    becomes a redirect target.
    """
    if not referrer or len(referrer) > 2000:
        return default
    try:
        parts = urlsplit(referrer)
    except ValueError:  # e.g. an unbalanced "[" in the host part
        return default
    if parts.scheme not in {"http", "https"} or parts.netloc.lower() != host.lower():
        return default
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), default)
