"""The one gate for untrusted text: Markdown rendering, HTML cleaning and plain-text cleaning.

This is the ONLY module that imports bleach (SECURITY.md §0, finding 1: bleach is no longer
maintained). Callers use four functions and never see bleach:

- `render_markdown(text)`: a story or reply body as safe HTML, stored in a `*_html` column;
- `clean_html(html)`: the allowlist cleaner on its own (the second layer of `render_markdown`);
- `clean_text(text)`: plain fields (titles, handles, reasons) without control characters;
- `is_safe_link(url)`: whether a URL may become a link on a Heard page.

Defence in depth: markdown-it renders with raw HTML and images disabled, then bleach cleans
the result against a minimal allowlist, and a Content-Security-Policy makes any slip inert.
To swap bleach for nh3, reimplement `clean_html` with the same allowlist (nh3's defaults are
far too loose) and keep the tests in tests/safety/test_sanitize.py passing.
"""

from __future__ import annotations

import html
import ipaddress
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urlsplit

from bleach import html5lib_shim
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "em",
        "strong",
        "blockquote",
        "ul",
        "ol",
        "li",
        "code",
        "pre",
        "a",
        "h3",
        "h4",
        "hr",
    }
)
# Markdown's `3. item` becomes <ol start="3">; a plain number is harmless and keeps meaning.
ALLOWED_ATTRIBUTES = {"a": ("href",), "ol": ("start",)}
SAFE_SCHEMES = frozenset({"http", "https"})
LINK_REL = "nofollow noopener noreferrer ugc"

# Embedding, override and isolate controls can flip how the rest of a line reads (spoofing);
# the marks U+200E/U+200F are kept because right-to-left writing needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DROPPED_FORMAT = _BIDI_CONTROLS | {"\ufeff"}
_LINE_SEPARATORS = {"\u2028": "\n", "\u2029": "\n"}
_HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TOP_LABEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_MAX_URL = 2048


def _keep_char(ch: str) -> bool:
    if ch in "\n\t":
        return True
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs"):  # controls (NUL included) and lone surrogates
        return False
    if ch in _DROPPED_FORMAT:
        return False
    code = ord(ch)
    # Noncharacters: never meaningful in interchange, and some databases reject them.
    return not (0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE)


def clean_text(text: str, *, single_line: bool = False) -> str:
    """Plain text without control characters, NFC-normalised and trimmed (escaping is Jinja's job).

    Keeps newlines and tabs unless `single_line`, which folds every run of whitespace to one
    space (titles, handles, tag names).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(_LINE_SEPARATORS.get(ch, ch) for ch in text if _keep_char(ch))
    text = unicodedata.normalize("NFC", text)
    if single_line:
        text = " ".join(text.split())
    return text.strip()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _is_real_host(host: str) -> bool:
    """A dotted DNS name with an alphabetic top-level label, or an IP address literal."""
    if _is_ip(host):
        return True
    labels = host.rstrip(".").split(".")
    if len(labels) < 2 or len(host) > 253:
        return False
    return all(_HOST_LABEL.match(label) for label in labels) and bool(_TOP_LABEL.match(labels[-1]))


def is_safe_link(url: str) -> bool:
    """Whether url (already HTML-unescaped) is an absolute http(s) URL to a real host."""
    if not url or len(url) > _MAX_URL:
        return False
    # Browsers drop tabs, newlines and zero-width characters inside schemes (`java\tscript:`,
    # GHSA-8rfp-98v4-mmr6); a real link has none of them, nor spaces, so refuse them all.
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url):
        return False
    # Browsers read `\` as `/` in http(s) URLs, so `https:\\evil` would be protocol-relative.
    if "\\" in url:
        return False
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES or not url.lower().startswith(f"{scheme}://"):
        return False
    # `https://trusted.example@evil.example/` shows one host and opens another.
    if "@" in parts.netloc or not port_ok:
        return False
    host = parts.hostname
    if not host:
        return False
    return _is_real_host(host)


class _LinkFilter(html5lib_shim.Filter):  # type: ignore[name-defined]  # not in types-bleach
    """Unwrap links that fail `is_safe_link` to their text; mark the rest as user content."""

    def __iter__(self) -> Iterator[dict]:
        kept: list[bool] = []
        for token in super().__iter__():
            kind, name = token.get("type"), token.get("name")
            if name == "a" and kind == "StartTag":
                href = token["data"].get((None, "href"))
                # bleach hands attribute values on still entity-escaped; check what a browser sees.
                keep = href is not None and is_safe_link(html.unescape(href))
                kept.append(keep)
                if not keep:
                    continue
                token["data"] = {(None, "href"): href, (None, "rel"): LINK_REL}
            elif name == "a" and kind == "EndTag" and not (kept and kept.pop()):
                continue  # the end of a link that was unwrapped
            yield token


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "start":
        return value.isascii() and value.isdigit() and len(value) <= 6
    return True


_CLEANER = Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=SAFE_SCHEMES,
    strip=True,
    strip_comments=True,
    filters=[_LinkFilter],
)


def clean_html(markup: str) -> str:
    """HTML reduced to the allowlist: other tags unwrapped to text, comments gone, links checked."""
    return _CLEANER.clean(markup)


def _cap_headings(state: StateCore) -> None:
    """A story sits under the page's h1 and h2, so `#` and `##` become h3, deeper ones h4."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if token.tag in ("h1", "h2", "h3") else "h4"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # No images: they would make readers' browsers fetch third-party URLs (PRODUCT.md privacy).
    md.disable("image")
    md.core.ruler.push("heard_cap_headings", _cap_headings)
    return md


_MARKDOWN = _markdown()


def render_markdown(text: str) -> str:
    """Markdown as safe HTML for a story or reply body; store it, then mark it |safe."""
    return clean_html(_MARKDOWN.render(clean_text(text)))


__all__ = ["clean_html", "clean_text", "is_safe_link", "render_markdown"]
