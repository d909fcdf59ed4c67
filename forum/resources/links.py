"""Resource addresses: validation by parsing (never by string matching), and the link checker.

`check_resource_url` is the gate every stored resource URL passes, with a kind message for each
way an address can be wrong. Hosts are compared only after parsing (SECURITY.md §2,
CVE-2026-33393: `attacker-example.com` is a host of its own, never "part of" `example.com`).

`check_url` asks one address whether it still answers, with the standard library only: a HEAD
request, then a GET when HEAD is refused, following a few redirects, each step bounded by a
timeout. It connects only to public addresses unless told otherwise (the tests use a local
server), so a curated link can never make the server probe its own network.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import re
import socket
import ssl
import time
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from forum.errors import Invalid
from forum.safety.sanitize import is_safe_link

MAX_URL_LENGTH = 2000
SCHEMES = ("https", "http")
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "Heard-link-check/1.0"
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_NOT_IN_URLS = frozenset('<>"`{}')
_TOP_LABEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")

ENTER_URL = "Enter the address of the website, starting with https://"
BAD_SCHEME = "The address must start with https:// (or http://), like https://www.example.org/"
HIDDEN_CHARS = (
    "The address cannot contain spaces or hidden characters. "
    "Copy it again from your browser's address bar"
)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def check_resource_url(url: object) -> str:
    """The address, trimmed, if it is a plain http(s) link to a named website; else Invalid.

    Refused: other schemes (javascript:, data:, ...), protocol-relative `//host`, `http:/x`,
    backslashes, credentials (`user:pass@`), whitespace and control or zero-width characters
    anywhere, IP-address hosts, single-label or malformed host names, and more than 2,000
    characters.
    """
    if not isinstance(url, str) or not url.strip():
        raise Invalid(ENTER_URL, field="url")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise Invalid("The address must be 2,000 characters or fewer", field="url")
    # Control (Cc), format (Cf: zero-width and bidi) and separator (Z*) characters: browsers
    # skip some of them inside a scheme, so `java\u200bscript:` would run.
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url):
        raise Invalid(HIDDEN_CHARS, field="url")
    if "\\" in url:
        raise Invalid("Use forward slashes (/) in the address, not backslashes", field="url")
    # RFC 3986 never allows these unencoded; in a link they only ever mean markup or a trick.
    if any(ch in _NOT_IN_URLS for ch in url):
        raise Invalid(
            'The address contains characters a web address cannot have (< > " ` { })',
            field="url",
        )
    if url.startswith("//"):
        raise Invalid(BAD_SCHEME, field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid(
            "That address could not be read. Check it and try again", field="url"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not url.lower().startswith(f"{scheme}://"):
        raise Invalid(BAD_SCHEME, field="url")
    if "@" in parts.netloc:
        raise Invalid(
            "The address cannot contain a user name or password (anything before an @ sign)",
            field="url",
        )
    if port is not None and not 0 < port < 65536:
        raise Invalid("The port number in the address is not valid", field="url")
    host = parts.hostname or ""
    if not host:
        raise Invalid("The address needs a website name, like www.example.org", field="url")
    if _is_ip_literal(host):
        raise Invalid("Use the website's name, not a numeric IP address", field="url")
    if not host.isascii():
        raise Invalid(
            "Write the website name in plain letters (its xn-- form), not accented characters",
            field="url",
        )
    labels = host.rstrip(".").split(".")
    if (
        len(labels) < 2
        or len(host) > 253
        or not all(_LABEL.match(label) for label in labels)
        or not _TOP_LABEL.match(labels[-1])
    ):
        raise Invalid(
            "That is not a valid website name. Check the part after https://", field="url"
        )
    # The sanitiser's own test must agree: one definition of a safe link for the whole site.
    if not is_safe_link(url):
        raise Invalid("That address cannot be used as a link", field="url")
    return url


@functools.lru_cache(maxsize=4096)
def is_valid_resource_url(url: str | None) -> bool:
    """Whether `check_resource_url` accepts the address (for templates: link only if true).

    Every panel and help list checks each of its links again at render time; the answer
    depends on the string alone, so it is worked out once per address and process.
    """
    try:
        check_resource_url(url)
    except Invalid:
        return False
    return True


# The link checker.


@dataclass(frozen=True)
class CheckResult:
    """What checking one address found."""

    ok: bool
    summary: str
    status: int | None = None
    final_url: str = ""


class _Refused(Exception):
    """A reason to stop checking that is already phrased for people."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class _Connection(http.client.HTTPConnection):
    """HTTP to an address resolved (and vetted) beforehand: no second DNS lookup."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _SecureConnection(http.client.HTTPSConnection):
    """HTTPS to a vetted address, verifying the certificate for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            sock, server_hostname=self.host
        )


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses DNS gives for host (tests swap in their own, never the internet)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _resolve(host: str, port: int, allow_private: bool, resolver) -> str:
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError):
        raise _Refused("The website name was not found") from None
    if not addresses:
        raise _Refused("The website name was not found")
    if not allow_private and not all(_public(address) for address in addresses):
        raise _Refused("The address is not on the public internet")
    return addresses[0]


def _request(url: str, method: str, timeout: float, allow_private: bool, resolver):
    parts = urlsplit(url)
    secure = parts.scheme.lower() == "https"
    port = parts.port or (443 if secure else 80)
    host = parts.hostname or ""
    address = _resolve(host, port, allow_private, resolver)
    connection_class = _SecureConnection if secure else _Connection
    connection = connection_class(host, address, port, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            method,
            path,
            headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"},
        )
        response = connection.getresponse()
        if method == "GET":
            response.read(1024)  # enough to know the body starts; never the whole page
        return response.status, response.reason, response.getheader("Location")
    finally:
        connection.close()


def check_url(
    url: str,
    *,
    timeout: float = 5.0,
    max_redirects: int = 5,
    allow_private: bool = False,
    resolver=None,
) -> CheckResult:
    """Whether url answers with a success, following at most max_redirects redirects.

    Each connect and each read waits at most `timeout` seconds, and the whole check at most
    three times that. HEAD comes first; a GET follows when HEAD is refused, as some servers do.
    """
    deadline = time.monotonic() + 3 * timeout
    resolver = resolver or system_resolver
    current = url
    try:
        for _hop in range(max_redirects + 1):
            try:
                check_resource_url(current)
            except Invalid:
                raise _Refused("It redirects to an address Heard would not link to") from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            status, reason, location = _request(
                current, "HEAD", min(timeout, remaining), allow_private, resolver
            )
            if status >= 400:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                status, reason, location = _request(
                    current, "GET", min(timeout, remaining), allow_private, resolver
                )
            if status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            summary = f"{status} {reason}".strip()
            if 200 <= status < 300:
                moved = "" if current == url else f", after redirects to {current}"
                return CheckResult(True, f"{summary}{moved}", status, current)
            return CheckResult(False, summary, status, current)
        return CheckResult(False, f"Too many redirects (more than {max_redirects})", None, current)
    except _Refused as refused:
        return CheckResult(False, str(refused), None, current)
    except TimeoutError:
        return CheckResult(False, f"No answer within {timeout:g} seconds", None, current)
    except ssl.SSLError:
        return CheckResult(
            False, "The secure connection failed (certificate problem)", None, current
        )
    except ConnectionRefusedError:
        return CheckResult(False, "The connection was refused", None, current)
    except (http.client.HTTPException, OSError, ValueError) as error:
        return CheckResult(False, f"Could not connect ({type(error).__name__})", None, current)
