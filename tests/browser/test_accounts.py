"""Accounts through the real pages, with JavaScript on and off: sign up, see the recovery
codes, reach the account page, sign out from the header, sign back in."""

from __future__ import annotations

import pytest

from tests.browser import PASSWORD, RECOVERY_CODE, path_of


def _submit(page) -> None:
    """Press the submit button of the form in the main content, and let the result load."""
    page.locator("#main form").first.locator("[type=submit]").first.click()
    # click waits for the navigation to commit, not for the stylesheet: wait for load too.
    page.wait_for_load_state("load")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_sign_up_see_codes_sign_out_and_back_in(new_context, live_server, javascript):
    """The whole account round trip works in the browser, with or without JavaScript."""
    page = new_context(java_script_enabled=javascript).new_page()
    handle = "kestrel-on" if javascript else "kestrel-off"

    page.goto("/signup")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    _submit(page)
    codes = RECOVERY_CODE.findall(page.locator("#main").inner_text())
    assert len(set(codes)) == 8, f"expected 8 different recovery codes, saw {codes}"

    page.goto("/account")
    assert path_of(page.url) == "/account"
    assert handle in page.locator("#main").inner_text()

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    assert path_of(page.url) == "/"
    assert page.get_by_role("banner").get_by_role("link", name="Sign in").is_visible()
    page.goto("/account")
    assert path_of(page.url) == "/login", "a signed-out browser reached /account"

    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    _submit(page)
    assert path_of(page.url) == "/account", "signing back in did not return to /account"
    assert handle in page.locator("#main").inner_text()
