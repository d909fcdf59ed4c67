"""The request identity: one typed answer to "who is asking", built once per request."""

from __future__ import annotations

import pytest
from flask import render_template_string

from forum.accounts.models import Role
from forum.governance.identity import READER, Identity, Kind, current_identity, init_identity
from tests.factories import PASSWORD, load_tags, make_story, make_user
from tests.web import hold_stories, sign_in


@pytest.mark.parametrize(
    ("role", "kind", "moderates", "administers"),
    [
        (Role.MEMBER, Kind.MEMBER, False, False),
        (Role.MODERATOR, Kind.MODERATOR, True, False),
        (Role.ADMIN, Kind.ADMIN, True, True),
    ],
)
def test_an_accounts_kind_follows_its_role(ctx, role, kind, moderates, administers):
    user = make_user("heron", role=role)
    identity = Identity.of(user, frozenset({3}))
    assert identity.kind is kind and identity.is_signed_in and identity.handle == "heron"
    assert identity.is_moderator is moderates and identity.is_admin is administers
    assert identity.holds_codes and identity.holds(3) and not identity.holds(4)


def test_without_an_account_a_held_code_makes_a_teller_and_nothing_a_reader():
    teller = Identity.of(None, frozenset({7}))
    assert teller.kind is Kind.TELLER and teller.holds(7) and not teller.is_signed_in
    assert not teller.is_moderator and not teller.is_admin and teller.handle is None
    reader = Identity.of(None)
    assert reader == READER and reader.kind is Kind.READER and not reader.holds_codes


def test_the_identity_is_built_once_per_request(app):
    built = []

    def build() -> Identity:
        built.append(1)
        return Identity.of(None, frozenset({len(built)}))

    init_identity(app, build)
    with app.test_request_context("/"):
        first = current_identity()
        assert current_identity() is first
        assert (
            render_template_string("{{ identity.kind }} {{ identity.holds(1) }}") == "teller True"
        )
    with app.test_request_context("/"):
        assert current_identity().holds(2)
    assert len(built) == 2


def test_a_page_that_never_asks_builds_no_identity(app):
    init_identity(app, lambda: pytest.fail("built without being asked"))
    with app.test_request_context("/"):
        assert render_template_string("{{ 1 + 1 }}") == "2"


def test_each_request_sees_who_is_asking(app, client):
    with app.app_context():
        make_user("heron", role=Role.MODERATOR)
        load_tags()
        story_id = make_story().id
    seen = []

    @app.get("/_who")
    def who():
        seen.append(current_identity())
        return ""

    client.get("/_who")
    hold_stories(app, client, story_id)
    client.get("/_who")
    sign_in(client, "heron", PASSWORD)
    client.get("/_who")
    assert [identity.kind for identity in seen] == [Kind.READER, Kind.TELLER, Kind.MODERATOR]
    assert seen[1].story_ids == seen[2].story_ids == {story_id}
    assert seen[2].handle == "heron"
