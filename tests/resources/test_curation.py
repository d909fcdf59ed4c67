"""Curation rules: who may change resources and guides, what is valid, and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.db import db, utcnow
from forum.errors import Invalid, NotAllowed
from forum.governance.models import AuditEntry
from forum.resources import curation
from forum.resources.curation import ContactInput, ResourceInput
from forum.resources.models import ContactKind, Guide, Resource, ResourceStatus
from tests.factories import make_user


def audits(action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def resource_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Resource))


def valid(**changes) -> ResourceInput:
    values = {
        "title": "Peer support in Leeds",
        "url": "https://peer-support.example.org/leeds",
        "organisation": "A charity",
        "description": "A weekly peer group for people let down by therapy.",
        "category": "peer-support",
        "regions": ["GB-ENG"],
        "harm_tags": ["not-heard", "invalidated"],
        "practice_tags": ["peer-support-group"],
        "contacts": [ContactInput("phone", "0113 000 0000", "")],
    }
    values.update(changes)
    return ResourceInput(**values)


# Who may curate.


def test_a_moderator_adds_a_resource_with_an_audit_entry(tags, moderator):
    resource = curation.create_resource(moderator, valid(), "Checked the page on 3 March")
    assert resource.id and resource.status is ResourceStatus.ACTIVE
    assert resource.region_codes == ["GB-ENG"]
    assert [t.slug for t in resource.harm_tags] == ["not-heard", "invalidated"]
    assert resource.contacts[0].label == "Call 0113 000 0000"
    assert resource.contacts[0].kind is ContactKind.PHONE
    assert resource.last_checked_at is None  # never checked by the link checker yet
    (entry,) = audits()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "resource_add",
        "resource",
        resource.id,
    )
    assert entry.actor_id == moderator.id
    assert entry.reason == "Checked the page on 3 March"


def test_an_admin_may_curate_too(tags, admin):
    curation.create_resource(admin, valid(), "Added")
    assert resource_count() == 1


@pytest.mark.parametrize("who", ["nobody", "member", "suspended moderator", "banned admin"])
def test_others_may_not_curate_and_nothing_is_written(tags, who):
    actor = {
        "nobody": lambda: None,
        "member": lambda: make_user("member-two"),
        "suspended moderator": lambda: make_user(
            "mod-two", role=Role.MODERATOR, suspended_until=utcnow() + timedelta(days=1)
        ),
        "banned admin": lambda: make_user("admin-two", role=Role.ADMIN, banned=True),
    }[who]()
    with pytest.raises(NotAllowed):
        curation.create_resource(actor, valid(), "Trying")
    with pytest.raises(NotAllowed):
        curation.list_for_curation(actor)
    assert resource_count() == 0
    assert audits() == []


def test_members_cannot_edit_or_retire(loaded, member):
    resource_id = db.session.scalar(select(Resource.id).limit(1))
    with pytest.raises(NotAllowed):
        curation.update_resource(member, resource_id, valid(), "Trying")
    with pytest.raises(NotAllowed):
        curation.retire_resource(member, resource_id, "Trying")
    assert audits() == []


# Edits, retiring and restoring.


def test_edit_changes_fields_and_a_new_address_clears_the_old_check(loaded, moderator):
    resource = db.session.scalar(select(Resource).where(Resource.title == "Samaritans"))
    assert resource.last_checked_at is not None
    curation.update_resource(
        moderator,
        resource.id,
        valid(
            title="Samaritans",
            url="https://www.samaritans.org/",
            category="crisis",
            regions=["GB", "IE"],
            show_on_help=True,
            harm_tags=[],
            practice_tags=[],
            serves_all_harms=True,
            contacts=[ContactInput("phone", "116 123", "Call 116 123")],
        ),
        "The contact page moved",
    )
    db.session.expire_all()
    assert resource.url == "https://www.samaritans.org/"
    assert resource.last_checked_at is None and resource.last_check_result == ""
    assert [a.action for a in audits()] == ["resource_edit"]


def test_an_edit_keeping_the_address_keeps_the_check(loaded, moderator):
    resource = db.session.scalar(select(Resource).where(Resource.title == "Shout 85258"))
    checked = resource.last_checked_at
    data = valid(title="Shout", url=resource.url, category="crisis", regions=["GB"])
    curation.update_resource(moderator, resource.id, data, "Shorter title")
    db.session.expire_all()
    assert resource.title == "Shout" and resource.last_checked_at == checked


def test_retire_and_restore_are_audited_and_not_repeated(loaded, moderator):
    resource_id = db.session.scalar(select(Resource.id).where(Resource.title == "Samaritans"))
    curation.retire_resource(moderator, resource_id, "Number changed, checking")
    with pytest.raises(Invalid):
        curation.retire_resource(moderator, resource_id, "Again")
    curation.restore_resource(moderator, resource_id, "Checked: still right")
    assert [a.action for a in audits()] == ["resource_retire", "resource_restore"]
    assert db.session.get(Resource, resource_id).status is ResourceStatus.ACTIVE


# Validation: each rule names its field, and a refused change writes nothing.


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"url": "javascript:alert(1)"}, "url", "https://"),
        ({"url": "https://user:pass@example.org/"}, "url", "password"),
        ({"url": "//evil.example/"}, "url", "https://"),
        ({"title": "   "}, "title", "Enter a title"),
        ({"title": "x" * 201}, "title", "200 characters"),
        ({"description": ""}, "description", "description"),
        ({"category": "miracle-cures"}, "category", "kind of resource"),
        ({"regions": []}, "regions", "at least one region"),
        ({"regions": ["GB", "global"]}, "regions", "everywhere"),
        ({"regions": ["FR"]}, "regions", "does not know"),
        ({"harm_tags": ["suicidal-thoughts"]}, "harm_tags", "no harm type"),
        ({"harm_tags": ["peer-support-group"]}, "harm_tags", "no harm type"),
        ({"practice_tags": ["not-heard"]}, "practice_tags", "no community practice"),
        ({"show_on_help": True}, "show_on_help", "Only crisis support"),
        ({"contacts": [ContactInput("phone", "call us!", "")]}, "contacts", "not a number"),
        ({"contacts": [ContactInput("fax", "0113 000", "")]}, "contacts", "phone number or a text"),
        ({"contacts": [ContactInput("phone", "1" * 20, "")]}, "contacts", "not a number"),
        ({"contacts": [ContactInput("text", "85258", "")] * 7}, "contacts", "at most 6"),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(tags, moderator, changes, field, words):
    with pytest.raises(Invalid) as caught:
        curation.create_resource(moderator, valid(**changes), "Adding")
    assert caught.value.field == field
    assert words in caught.value.message
    assert resource_count() == 0 and audits() == []


def test_a_reason_is_required(tags, moderator):
    with pytest.raises(Invalid) as caught:
        curation.create_resource(moderator, valid(), "  ")
    assert caught.value.field == "reason"
    assert resource_count() == 0


def test_the_same_address_twice_is_refused(tags, moderator):
    curation.create_resource(moderator, valid(), "Added")
    with pytest.raises(Invalid) as caught:
        curation.create_resource(moderator, valid(title="Again"), "Added again")
    assert caught.value.field == "url"
    assert resource_count() == 1


def test_text_fields_are_stored_as_plain_text(tags, moderator):
    resource = curation.create_resource(
        moderator,
        valid(title="<script>alert(1)</script>\u202eTitle", description="Line one\x00\nline two"),
        "Added",
    )
    # Kept as text (Jinja escapes it on every page); control and bidi characters removed.
    assert resource.title == "<script>alert(1)</script>Title"
    assert resource.description == "Line one line two"


# Guides.


def test_an_admin_edits_a_guide_rendered_safely_and_audited(loaded, admin):
    guide = curation.update_guide(
        admin,
        "if-you-want-to-stop-or-switch",
        "If you want to stop or switch",
        "Summary",
        "## Ending\n\nText <script>alert(1)</script> [x](javascript:alert(1))",
        "Clearer heading",
    )
    assert "<h2>Ending</h2>" in guide.body_html
    assert "<script" not in guide.body_html and "href" not in guide.body_html
    assert "&lt;script&gt;" in guide.body_html  # shown as text, never run
    (entry,) = audits("guide_edit")
    assert entry.target_type == "guide" and entry.target_id == guide.id


def test_moderators_cannot_edit_guides(loaded, moderator):
    before = db.session.scalar(
        select(Guide.body).where(Guide.slug == "finding-a-therapist-who-fits")
    )
    with pytest.raises(NotAllowed):
        curation.update_guide(moderator, "finding-a-therapist-who-fits", "T", "", "Body", "Why")
    db.session.expire_all()
    after = db.session.scalar(
        select(Guide.body).where(Guide.slug == "finding-a-therapist-who-fits")
    )
    assert before == after and audits() == []
