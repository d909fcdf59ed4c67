"""Resource URLs: validation by parsing, and the link checker against a local server only."""

from __future__ import annotations

import time

import pytest

from forum.errors import Invalid
from forum.resources import links
from forum.resources.links import check_resource_url, check_url, is_valid_resource_url
from tests.payloads import XSS
from tests.resources.conftest import local_resolver

XSS_QUICK = XSS / "xss_payloads_quick.txt"

GOOD = [
    "https://www.samaritans.org/how-we-can-help/contact-samaritan/",
    "http://www.professionalboundaries.org.uk/therapy",
    "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0157503",
    "https://example.org:8443/path#section",
    "https://xn--bcher-kva.example/",
    # A lookalike is a host of its own: allowed, and never confused with example.com.
    "https://attacker-example.com/",
    "https://example.com.attacker.net/",
]

# Every bad shape of SECURITY.md §2 (open redirects, CVE-2015-3296 schemes, bleach bypasses).
BAD = {
    "protocol-relative": "//evil.example/",
    "four slashes": "////evil.example/",
    "backslashes": "\\\\evil.example/",
    "triple backslash": "\\\\\\evil.example",
    "slash backslash": "/\\evil.example",
    "backslash slash": "\\/evil.example",
    "backslash in https": "https:\\\\evil.example/",
    "javascript": "javascript:alert(1)",
    "javascript upper": "JaVaScRiPt:alert(1)",
    "javascript with slashes": "javascript://example.org/%0aalert(1)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript": "vbscript:msgbox(1)",
    "file": "file:///etc/passwd",
    "mailto": "mailto:someone@example.org",
    "ftp": "ftp://example.org/",
    "credentials": "https://user:pass@example.org/",
    "user only": "https://trusted.example@evil.example/",
    "space inside": "https://exa mple.org/",
    "tab inside scheme": "java\tscript:alert(1)",
    "tab in host": "https://exam\tple.org/",
    "newline": "https://example.org/\nSet-Cookie: x=1",
    "carriage return": "https://example.org/\r/x",
    "nul": "https://example.org/\x00",
    "escape character": "https://example.org/\x1b[31m",
    "zero-width in scheme": "javascript\u200b:alert(1)",
    "zero-width in https": "ht\u200btps://example.org/",
    "zero-width joiner in host": "https://exa\u200dmple.org/",
    "bidi override": "https://example.org/\u202egpj.exe",
    "no-break space": "https://example.org/\u00a0x",
    "missing slash": "http:/example.org",
    "no slashes": "https:example.org",
    "scheme only": "https://",
    "no host": "https:///path",
    "single label": "https://localhost/",
    "ipv4 literal": "http://127.0.0.1/",
    "ipv4 metadata": "http://169.254.169.254/latest/meta-data/",
    "ipv6 literal": "http://[::1]/",
    "numeric top label": "https://example.123/",
    "bad label": "https://-example.org/",
    "underscore label": "https://exa_mple.org/",
    "unicode host": "https://bücher.example/",
    "bad port": "https://example.org:99999/",
    "port zero": "https://example.org:0/",
    "too long": "https://example.org/" + "a" * 2000,
    "markup in path": 'https://example.org/"><script>alert(1)</script>',
    "backtick": "https://example.org/`x`",
    "empty": "",
    "whitespace only": "   ",
}


@pytest.mark.parametrize("url", GOOD)
def test_good_addresses_pass_unchanged(url):
    assert check_resource_url(url) == url
    assert is_valid_resource_url(url)


def test_surrounding_spaces_are_trimmed():
    assert check_resource_url("  https://example.org/  ") == "https://example.org/"


@pytest.mark.parametrize("url", BAD.values(), ids=BAD.keys())
def test_bad_shapes_are_refused_with_a_message_on_the_url_field(url):
    with pytest.raises(Invalid) as caught:
        check_resource_url(url)
    assert caught.value.field == "url"
    assert caught.value.message and "Traceback" not in caught.value.message
    assert not is_valid_resource_url(url)


@pytest.mark.parametrize("value", [None, 42, ["https://example.org/"], {"url": "x"}])
def test_values_of_the_wrong_type_are_refused(value):
    with pytest.raises(Invalid):
        check_resource_url(value)


def test_messages_say_what_to_fix():
    def message(url):
        with pytest.raises(Invalid) as caught:
            check_resource_url(url)
        return caught.value.message

    assert "https://" in message("javascript:alert(1)")
    assert "user name or password" in message("https://a:b@example.org/")
    assert "hidden characters" in message("https://exa mple.org/")
    assert "backslashes" in message("https:\\\\evil.example/")
    assert "IP address" in message("http://10.0.0.1/")
    assert "2,000" in message("https://example.org/" + "a" * 2000)


@pytest.mark.parametrize("line", XSS_QUICK.read_text("utf-8").splitlines())
def test_xss_payloads_are_never_valid_addresses(line):
    assert not is_valid_resource_url(line)
    # Glued to a plausible start, anything carrying markup characters is refused too.
    glued = f"https://example.org/{line}"
    if any(ch in line for ch in ' \t<>"`{}'):
        assert not is_valid_resource_url(glued)


def check(url, **options):
    options.setdefault("allow_private", True)
    options.setdefault("resolver", local_resolver)
    options.setdefault("timeout", 2.0)
    return check_url(url, **options)


def test_a_page_that_answers_200_passes(link_server):
    result = check(link_server("/ok"))
    assert result.ok
    assert result.status == 200
    assert result.summary.startswith("200")


def test_a_missing_page_fails_with_its_status(link_server):
    result = check(link_server("/missing"))
    assert not result.ok
    assert result.status == 404
    assert "404" in result.summary


def test_a_redirect_loop_stops_after_the_limit(link_server):
    result = check(link_server("/loop"), max_redirects=3)
    assert not result.ok
    assert result.summary == "Too many redirects (more than 3)"


def test_a_redirect_to_a_working_page_passes_and_says_where_it_went(link_server):
    result = check(link_server("/moved"))
    assert result.ok
    assert result.final_url == link_server("/ok")
    assert "after redirects" in result.summary


def test_a_redirect_to_an_unsafe_address_fails(link_server):
    result = check(link_server("/to-javascript"))
    assert not result.ok
    assert "would not link to" in result.summary


def test_a_slow_server_hits_the_timeout_and_the_check_stays_bounded(link_server):
    started = time.monotonic()
    result = check(link_server("/slow"), timeout=0.3)
    elapsed = time.monotonic() - started
    assert not result.ok
    assert result.summary == "No answer within 0.3 seconds"
    assert elapsed < 1.5  # the server would take 2 s per request


def test_get_is_tried_when_head_is_refused(link_server):
    result = check(link_server("/no-head"))
    assert result.ok
    assert result.status == 200


def test_private_addresses_are_refused_unless_allowed(link_server):
    result = check(link_server("/ok"), allow_private=False)
    assert not result.ok
    assert result.summary == "The address is not on the public internet"


def test_a_name_that_does_not_resolve_fails_kindly(link_server):
    result = check("https://nowhere.example.org/", resolver=local_resolver)
    assert not result.ok
    assert result.summary == "The website name was not found"


def test_a_refused_connection_fails(link_server):
    # Nothing listens on port 9 of this machine's loopback (the discard port is never served).
    result = check("http://site.heard.test:9/")
    assert not result.ok
    assert "refused" in result.summary or "Could not connect" in result.summary


def test_the_checker_never_uses_the_system_resolver_in_these_tests(monkeypatch, link_server):
    def forbidden(host, port):
        raise AssertionError("tests must never look up real names")

    monkeypatch.setattr(links, "system_resolver", forbidden)
    assert check(link_server("/ok")).ok
