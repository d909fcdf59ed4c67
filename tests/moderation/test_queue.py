"""The queue: crisis first, then "at risk", then reported, then oldest; why each is there."""

from __future__ import annotations

from datetime import timedelta

from markupsafe import Markup

from forum.db import db, utcnow
from forum.governance import watched_words as matching
from forum.governance.models import WatchedAction, WatchedWord
from forum.moderation import actions, highlight, queue, reports, services, watched_words
from forum.stories.models import Status
from tests.factories import make_story, make_user
from tests.moderation.conftest import make_reply, published_story


def _aged(item, minutes):
    stamp = utcnow() - timedelta(minutes=minutes)
    if hasattr(item, "submitted_at"):
        item.submitted_at = stamp
    else:
        item.created_at = stamp
    db.session.commit()
    return item


def test_the_order_is_crisis_then_at_risk_then_reported_then_oldest(app, moderator):
    app.config["REPORTS_TO_HIDE"] = 5
    old = _aged(make_story(title="Old and waiting"), 300)
    new = _aged(make_story(title="New and waiting"), 10)
    crisis = _aged(make_story(title="Crisis", body="I want to end it all"), 5)
    reported = _aged(published_story(title="Reported"), 600)
    reports.file_report(None, "c:a", "story", reported.id, "unkind")
    at_risk_story = _aged(published_story(title="At risk"), 1)
    reply = _aged(make_reply(at_risk_story, status=Status.PUBLISHED), 1)
    reports.file_report(None, "c:b", "reply", reply.id, "at-risk")
    pending_reply = _aged(make_reply(at_risk_story, body="Sending care"), 400)
    items, total = queue.load_queue()
    assert [(q.kind, q.item.id) for q in items] == [
        ("story", crisis.id),
        ("reply", reply.id),
        ("story", reported.id),
        ("reply", pending_reply.id),
        ("story", old.id),
        ("story", new.id),
    ]
    assert total == 6 == queue.queue_count()
    assert items[0].why[0] == "Crisis language"
    assert items[1].why[0] == "Reported: this person may be at risk"
    assert [r.reason.value for r in items[1].reports] == ["at-risk"]


def test_handled_items_leave_the_queue(moderator):
    story = make_story()
    assert queue.queue_count() == 1
    services.approve_story(moderator, story.id)
    assert queue.queue_count() == 0 and queue.load_queue() == ([], 0)


def test_hidden_and_post_moderated_items_are_in_the_queue(app, moderator):
    app.config["REPORTS_TO_HIDE"] = 1
    story = published_story()
    trusted = make_reply(story, status=Status.PUBLISHED, awaiting_review=True)
    reports.file_report(None, "c:a", "story", story.id, "spam")
    items, _ = queue.load_queue()
    by_kind = {q.kind: q for q in items}
    assert "Hidden after reports, until a moderator looks" in by_kind["story"].why
    assert "Published by a trusted member; needs a look" in by_kind["reply"].why
    assert by_kind["reply"].item.id == trusted.id
    actions.restore(moderator, "story", story.id, "Fine")
    services.approve_reply(moderator, trusted.id)
    assert queue.queue_count() == 0


def test_pending_replies_under_unpublished_stories_are_not_queued(tags):
    story = published_story()
    make_reply(story)
    story.status = Status.WITHDRAWN
    db.session.commit()
    assert queue.queue_count() == 0


def test_matches_are_marked_in_context_and_escaped(admin):
    watched_words.add_word(admin, "idiot", WatchedAction.FLAG)
    body = (
        "<script>alert(1)</script> My therapist Dr Smith called me an 1d10t. "
        "Email me at someone@example.com. Some days I want to die."
    )
    story = make_story(body=body)
    [item], _ = queue.load_queue()
    assert item.item.id == story.id
    kinds = {s.kind for s in item.spans}
    assert kinds == {"crisis", "identifier", "watched"}
    html = "".join(str(e) for e in item.excerpts)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<mark class="mark--identifier"' in html and ">Dr Smith<span" in html
    assert ">1d10t<span" in html and ">want to die<span" in html
    said = '<span class="visually-hidden"> (Crisis language: suicidal thoughts)</span></mark>'
    assert said in html
    assert "May identify someone" in item.why and "Watched words" in item.why


def test_marking_escapes_every_segment_and_label():
    words = [
        WatchedWord(
            word='"><img src=x>', key=matching.word_key("imgsrcx"), action=WatchedAction.FLAG
        )
    ]
    text = '<b>x</b> "><img src=x onerror=alert(1)> Dr Evil'
    spans = highlight.find_spans(text, words)
    out = highlight.marked(text, spans)
    assert isinstance(out, Markup)
    assert "<img" not in out and "<b>" not in out
    assert out.count("<mark") == len(spans) >= 1


def test_side_by_side_marks_removed_and_added_words():
    old, new = highlight.side_by_side(
        "My counsellor <Jane> listened", "My counsellor listened & cared"
    )
    assert "<del>&lt;Jane&gt;</del>" in old and "<ins>" not in old
    assert "<del>" not in new and "&amp;" in new and new.count("<ins>") >= 1
    assert "<Jane>" not in old and old.startswith("My counsellor ")


def test_records_show_the_tellers_history(moderator):
    teller = make_user("wren")
    rejected = make_story(author=teller, title="First")
    services.reject_story(moderator, rejected.id, "Names a practitioner")
    make_story(author=teller, title="Second")
    [item], _ = queue.load_queue()
    assert item.record.not_published == 1
