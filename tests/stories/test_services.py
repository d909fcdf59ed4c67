"""Story rules: submitting, the teller's own actions, reading, reactions and replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed, NotFound
from forum.safety.tokens import token_hash
from forum.stories import reading, responses, services
from forum.stories.aliases import TELLER_ALIAS
from forum.stories.models import (
    Reaction,
    ReactionKind,
    Reply,
    Setting,
    Status,
    Story,
    StoryKind,
    ThreadAlias,
)
from forum.taxonomy.models import Tag
from tests.factories import load_tags, make_draft, make_story, make_user

TOKEN = "f" * 32


@pytest.fixture
def tags(ctx):
    load_tags()


def test_an_anonymous_submission_is_pending_with_a_status_token_stored_as_a_hash(tags):
    result = services.submit_story(None, make_draft(), TOKEN)
    story = result.story
    assert story.status is Status.PENDING
    assert result.status_token and len(result.status_token) * 5 >= 128  # Crockford base32
    assert story.status_token_hash == token_hash(result.status_token)
    dump = " ".join(str(v) for v in db.session.execute(select(Story.__table__)).one())
    assert result.status_token not in dump and TOKEN not in dump


def test_a_double_submit_makes_one_story_and_shows_the_same_token(tags):
    first = services.submit_story(None, make_draft(), TOKEN)
    second = services.submit_story(None, make_draft(title="Changed on resubmit"), TOKEN)
    assert first.story.id == second.story.id
    assert first.status_token == second.status_token
    assert db.session.scalar(select(func.count(Story.id))) == 1


def test_markdown_is_rendered_through_the_sanitiser(tags):
    story = make_story(body="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in story.body_html
    assert "<script" not in story.body_html
    assert 'href="javascript' not in story.body_html and "<a " not in story.body_html
    assert story.body.startswith("**bold**")  # the teller's words are kept as written


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"harm_tags": []}, "harm_tags"),
        ({"kind": StoryKind.PRACTICE, "harm_tags": [], "practice_tags": []}, "practice_tags"),
        ({"harm_tags": ["no-such-tag"]}, "harm_tags"),
        ({"harm_tags": ["peer-support-group"]}, "harm_tags"),
        ({"practice_tags": ["not-heard"]}, "practice_tags"),
        ({"impacts": {"not-heard": 7}}, "impacts"),
        ({"content_notes": ["not-a-note"]}, "content_notes"),
        ({"title": "   "}, "title"),
        ({"body": "  \n "}, "body"),
        ({"problem_kind": "nonsense"}, "problem_kind"),
    ],
)
def test_rules_that_keep_a_draft_out(tags, fields, field):
    with pytest.raises(Invalid) as error:
        services.submit_story(None, make_draft(**fields), TOKEN)
    assert error.value.field == field
    assert db.session.scalar(select(func.count(Story.id))) == 0


def test_a_what_helped_post_needs_only_a_practice_tag(tags):
    story = make_story(kind=StoryKind.PRACTICE, harm_tags=[], practice_tags=["peer-support-group"])
    assert [t.slug for t in story.practice_tags] == ["peer-support-group"]
    assert story.harm_tags == []


def test_retired_tags_cannot_be_chosen(tags):
    db.session.scalar(select(Tag).where(Tag.slug == "not-heard")).retired = True
    db.session.commit()
    with pytest.raises(Invalid):
        services.submit_story(None, make_draft(), TOKEN)


def test_impacts_and_context_are_kept(tags):
    story = make_story(
        harm_tags=["not-heard", "no-progress"],
        impacts={"not-heard": 3},
        setting=Setting.PUBLIC,
        problem_kind="poor-quality",
        content_notes=["self-harm"],
    )
    assert [(st.tag.slug, st.impact) for st in story.story_tags] == [
        ("not-heard", 3),
        ("no-progress", None),
    ]
    assert story.setting is Setting.PUBLIC
    assert story.problem_kind.slug == "poor-quality"
    assert story.content_note_slugs == ["self-harm"]


def test_crisis_language_and_identifiers_are_flagged_for_moderators(tags):
    story = make_story(body="I want to end my life. Dr Smith at Riverside Clinic, 07700 900123.")
    assert story.crisis_flagged
    assert "titled_name" in story.identifier_kinds or "name" in story.identifier_kinds
    assert "phone" in story.identifier_kinds


def test_checks_run_over_every_field(tags):
    checks = services.check_draft(make_draft(answers={"affected": "email me at a@b.example"}))
    assert any(f.kind.value == "email" for f in checks.identifiers)


def test_suspended_accounts_cannot_submit(tags):
    user = make_user(suspended_until=utcnow() + timedelta(days=1))
    with pytest.raises(NotAllowed):
        services.submit_story(user, make_draft(), TOKEN)


def test_an_account_submission_has_no_status_token_and_may_show_the_handle(tags):
    user = make_user()
    result = services.submit_story(user, make_draft(show_handle=True), TOKEN)
    assert result.status_token is None
    assert result.story.status_token_hash is None
    assert result.story.show_handle and result.story.author_id == user.id
    anonymous = services.submit_story(None, make_draft(show_handle=True), "g" * 32)
    assert not anonymous.story.show_handle


def test_the_status_token_opens_only_its_own_story(tags):
    result = services.submit_story(None, make_draft(), TOKEN)
    services.submit_story(None, make_draft(), "g" * 32)
    assert services.open_with_status_token(result.status_token).id == result.story.id
    for wrong in ("", "x" * 43, result.status_token[:-1], "y" * 500):
        with pytest.raises(NotFound):
            services.open_with_status_token(wrong)


def test_tellers_own_only_their_stories(tags):
    author, other = make_user(), make_user("egret")
    mine = make_story(author=author)
    anonymous = make_story()
    assert services.Teller(user=author).owns(mine)
    assert not services.Teller(user=other).owns(mine)
    assert not services.Teller(user=author).owns(anonymous)
    assert services.Teller(story_ids=frozenset({anonymous.id})).owns(anonymous)
    assert not services.Teller(story_ids=frozenset({mine.id})).owns(mine)
    with pytest.raises(NotFound):
        services.get_own_story(services.Teller(user=other), mine.id)
    with pytest.raises(NotFound):
        services.get_own_story(services.Teller(user=author), 999_999)


def test_editing_sends_the_story_back_to_review(tags):
    story = make_story(status=Status.CHANGES_REQUESTED)
    teller = services.Teller(story_ids=frozenset({story.id}))
    services.edit_story(teller, story, make_draft(title="Without the name"))
    assert story.status is Status.PENDING and story.title == "Without the name"


def test_published_or_rejected_stories_cannot_be_edited(tags):
    for status in (Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN):
        story = make_story(status=status)
        with pytest.raises(NotAllowed):
            services.edit_story(
                services.Teller(story_ids=frozenset({story.id})), story, make_draft()
            )


def test_nobody_else_can_edit_withdraw_or_erase(tags):
    story = make_story()
    stranger = services.Teller(user=make_user("egret"), story_ids=frozenset({story.id + 1}))
    for action in (
        lambda: services.edit_story(stranger, story, make_draft()),
        lambda: services.withdraw_story(stranger, story),
        lambda: services.erase_story(stranger, story),
    ):
        with pytest.raises(NotFound):
            action()
    assert db.session.get(Story, story.id).status is Status.PENDING


def test_withdrawing_hides_a_published_story_and_twice_changes_nothing(tags):
    story = make_story(status=Status.PUBLISHED)
    teller = services.Teller(story_ids=frozenset({story.id}))
    services.withdraw_story(teller, story)
    version = story.version
    services.withdraw_story(teller, story)
    assert story.status is Status.WITHDRAWN and story.version == version
    assert reading.published_stories().stories == []
    with pytest.raises(NotFound):
        reading.get_published_story(story.id)


def test_erasing_removes_the_story_and_everything_under_it(tags):
    story = make_story(status=Status.PUBLISHED, answers={"affected": "a unique sentence"})
    responses.react(story.id, ReactionKind.HEAR, "u:1")
    responses.add_reply(
        story.id, None, "Thinking of you", "r" * 32, reader_id="x", teller=services.Teller()
    )
    teller = services.Teller(story_ids=frozenset({story.id}))
    services.erase_story(teller, story)
    for model in (Story, Reply, Reaction, ThreadAlias):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_only_published_stories_are_listed(tags):
    published = make_story(status=Status.PUBLISHED)
    for status in (None, Status.CHANGES_REQUESTED, Status.REJECTED, Status.REMOVED):
        make_story(status=status)
    assert [s.id for s in reading.published_stories().stories] == [published.id]


def test_filters_include_exclude_and_facets(tags):
    heard = make_story(status=Status.PUBLISHED, harm_tags=["not-heard"], setting=Setting.PRIVATE)
    both = make_story(status=Status.PUBLISHED, harm_tags=["not-heard", "got-worse"])
    helped = make_story(
        status=Status.PUBLISHED, kind=StoryKind.PRACTICE, harm_tags=[], practice_tags=["nature"]
    )

    def ids(**filters):
        return {s.id for s in reading.published_stories(reading.StoryFilters(**filters)).stories}

    assert ids(tags=("not-heard",)) == {heard.id, both.id}
    assert ids(tags=("not-heard",), exclude=("got-worse",)) == {heard.id}
    assert ids(kind=StoryKind.PRACTICE) == {helped.id}
    assert ids(practice=("nature",)) == {helped.id}
    assert ids(setting="private") == {heard.id}
    assert ids(exclude=("got-worse", "nature")) == {heard.id}


def test_keyset_pages_cover_every_story_once(tags):
    start = utcnow() - timedelta(days=30)
    made = [
        make_story(status=Status.PUBLISHED, published_at=start + timedelta(hours=i // 2))
        for i in range(7)
    ]
    seen, cursor = [], None
    while True:
        page = reading.published_stories(after=cursor, limit=3)
        seen.extend(s.id for s in page.stories)
        if page.next_cursor is None:
            break
        cursor = reading.Cursor.decode(page.next_cursor.encode())
    assert sorted(seen) == sorted(s.id for s in made)
    assert len(seen) == len(set(seen))


def test_a_malformed_cursor_means_the_first_page(tags):
    for raw in ("", "abc", "1-2-3", "99999999999999999999999-1", None):
        assert reading.Cursor.decode(raw) is None


def test_tag_counts_count_only_published_stories(tags):
    make_story(status=Status.PUBLISHED, harm_tags=["not-heard", "got-worse"])
    make_story(status=Status.PUBLISHED, harm_tags=["not-heard"])
    make_story(harm_tags=["not-heard", "dependency"])
    make_story(status=Status.REMOVED, harm_tags=["dependency"])
    assert reading.tag_counts() == {"not-heard": 2, "got-worse": 1}


def test_one_reaction_of_each_kind_per_person(tags):
    story = make_story(status=Status.PUBLISHED)
    assert responses.react(story.id, ReactionKind.HEAR, "u:1")
    assert not responses.react(story.id, ReactionKind.HEAR, "u:1")
    assert responses.react(story.id, ReactionKind.ME_TOO, "u:1")
    assert responses.react(story.id, ReactionKind.HEAR, "c:2026-11-22:abc")
    counts = reading.published_story_page(story.id).reactions
    assert counts[ReactionKind.HEAR] == 2 and counts[ReactionKind.ME_TOO] == 1
    assert counts[ReactionKind.THANKS] == 0


@pytest.mark.parametrize(
    "status", [None, Status.WITHDRAWN, Status.REMOVED, Status.REJECTED, Status.CHANGES_REQUESTED]
)
def test_no_reactions_or_replies_on_unpublished_stories(tags, status):
    story = make_story(status=status)
    with pytest.raises(NotFound):
        responses.react(story.id, ReactionKind.HEAR, "u:1")
    with pytest.raises(NotFound):
        responses.add_reply(
            story.id, None, "Hello", "r" * 32, reader_id="x", teller=services.Teller()
        )
    with pytest.raises(NotFound):
        reading.published_story_page(story.id)


def test_no_reactions_or_replies_on_locked_or_missing_stories(tags):
    story = make_story(status=Status.PUBLISHED)
    story.locked = True
    db.session.commit()
    with pytest.raises(NotAllowed):
        responses.react(story.id, ReactionKind.HEAR, "u:1")
    with pytest.raises(NotAllowed):
        responses.add_reply(
            story.id, None, "Hello", "r" * 32, reader_id="x", teller=services.Teller()
        )
    with pytest.raises(NotFound):
        responses.react(999_999, ReactionKind.HEAR, "u:1")


NOBODY = services.Teller()


def _reply(story, reader, token, teller=NOBODY, author=None):
    return responses.add_reply(
        story.id, author, "You are not alone.", token * 32, reader_id=reader, teller=teller
    )


def test_aliases_are_stable_in_a_thread_and_differ_across_threads(tags):
    story = make_story(status=Status.PUBLISHED)
    other = make_story(status=Status.PUBLISHED)
    first = _reply(story, "reader-1", "a")
    again = _reply(story, "reader-1", "b")
    someone = _reply(story, "reader-2", "c")
    assert first.alias == again.alias and first.alias.startswith("Anonymous ")
    assert someone.alias != first.alias
    keys = {
        db.session.scalar(select(ThreadAlias.author_key).where(ThreadAlias.story_id == s.id))
        for s in (story, other)
        if _reply(s, "reader-1", f"d{s.id}")
    }
    assert len(keys) == 2  # the same reader is a different key in another thread


def test_the_teller_replies_under_the_teller_alias(tags):
    story = make_story(status=Status.PUBLISHED)
    reply = _reply(story, "r", "a", teller=services.Teller(story_ids=frozenset({story.id})))
    assert reply.alias == TELLER_ALIAS


def test_a_reply_is_pending_sanitised_and_submitted_once(tags):
    story = make_story(status=Status.PUBLISHED)
    reply = responses.add_reply(
        story.id,
        None,
        "<img src=x onerror=alert(1)> *hugs*",
        "z" * 32,
        reader_id="r",
        teller=services.Teller(),
    )
    again = responses.add_reply(
        story.id,
        None,
        "<img src=x onerror=alert(1)> *hugs*",
        "z" * 32,
        reader_id="r",
        teller=services.Teller(),
    )
    assert reply.id == again.id and reply.status is Status.PENDING
    assert "<img" not in reply.body_html and "<em>hugs</em>" in reply.body_html
    assert reading.published_replies(story) == []


def test_nul_and_control_characters_never_reach_the_database(tags):
    story = make_story(body="before\x00after\x1b[31m", answers={"affected": "a\x00b"})
    assert "\x00" not in story.body and "\x1b" not in story.body
    assert story.answers[0].body == "ab"


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 200), ("therapy_kind", 120), ("roughly_when", 60)]
)
def test_text_longer_than_its_column_is_refused_by_the_service(tags, field, limit):
    with pytest.raises(Invalid) as error:
        services.submit_story(None, make_draft(**{field: "x" * (limit + 1)}), TOKEN)
    assert error.value.field == field
