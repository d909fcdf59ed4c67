"""Resource pages: the directory and complaint finder, guides, curation, and the story panel."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required
from wtforms import SelectChoice

from forum.errors import DomainError, NotAllowed, render_error
from forum.forms import enum_of, keeps_input_on_csrf_failure
from forum.governance.identity import current_identity
from forum.governance.session_keys import REGION
from forum.resources import complaints, curation, services
from forum.resources.forms import GuideForm, ReasonForm, ResourceForm
from forum.resources.links import is_valid_resource_url
from forum.resources.models import CATEGORY_LABELS, Category
from forum.resources.regions import REGIONS, current_region, served_label
from forum.taxonomy import services as taxonomy
from forum.taxonomy.services import SLUG_PATTERN

bp = Blueprint("resources", __name__)


def _actor():
    return current_identity().user


def _only(check):
    """Run the service's role check before the view, answering 403 itself when it fails.

    Answering (rather than raising) keeps the refusal a 403 even when the view is called
    again by the CSRF-failure handler, where a raised error would become a 500.
    """

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            try:
                check(_actor())
            except NotAllowed:
                return render_error(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def _directory_filters() -> services.DirectoryFilters:
    """The GET filters, each kept only if it is one of the known values."""
    category = enum_of(Category, request.args.get("category"))
    region = request.args.get("region")
    if region in REGIONS:
        session[REGION] = region  # the same choice /help remembers; no account, no tracking
    elif region != "all":
        region = current_region() if REGION in session else "all"
    tag = request.args.get("tag") or None
    if tag is not None and not SLUG_PATTERN.match(tag[:40]):
        tag = None
    return services.DirectoryFilters(category, region, tag)


@bp.app_template_global()
def resources_for_story(story) -> services.Panel:
    """The resources panel's contents for a story page, for the reader's region."""
    return services.resources_for_story(story, current_region())


@bp.app_template_global()
def resources_for_tag(slug: str, limit: int = 6) -> list:
    """Resources for one harm or practice tag (the /tags/<slug> page), for the reader's region."""
    return services.resources_for_tags([slug], current_region(), limit)


@bp.app_template_global()
def safe_resource_url(url: str) -> bool:
    """Whether an address may become a link (checked again at render time)."""
    return is_valid_resource_url(url)


@bp.app_template_global()
def resource_regions_label(resource) -> str:
    """Where a resource serves, in words."""
    return served_label(resource.region_codes)


@bp.get("/resources")
def index():
    """The directory (filtered by category, region and harm type), the complaint finder, guides."""
    filters = _directory_filters()
    tags = services.harm_tags_for_filter()
    if filters.tag and filters.tag not in {tag.slug for tag in tags}:
        filters = services.DirectoryFilters(filters.category, filters.region, None)
    country_code = request.args.get("country")
    country = complaints.country(country_code)
    practitioner = request.args.get("practitioner")
    answer = services.complaint_answer(country_code, practitioner)
    return render_template(
        "resources/index.html",
        title="Resources",
        filters=filters,
        sections=services.list_directory(filters),
        harm_tags=tags,
        categories=CATEGORY_LABELS,
        guides=services.list_guides(),
        countries=complaints.countries(),
        finder_country=country,
        finder_country_code=country_code,
        answer=answer,
    )


@bp.get("/resources/guides/<slug>")
def guide(slug: str):
    """One guide, with the resources that go with it for the reader's region."""
    item = services.get_guide(slug)
    region = current_region() if REGION in session else "all"
    return render_template(
        "resources/guide.html",
        title=item.title,
        guide=item,
        resources=services.resources_for_categories(item.categories, region),
    )


@bp.route("/resources/guides/<slug>/edit", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
@_only(curation.require_guide_editor)
def edit_guide(slug: str):
    """An admin edits a guide's Markdown."""
    item = services.get_guide(slug)
    form = GuideForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            curation.update_guide(
                _actor(), slug, form.title.data, form.summary.data, form.body.data, form.reason.data
            )
        except DomainError as error:
            if error.status != 400:
                raise
            form.add_error(error.field, error.message)
        else:
            flash("The guide was saved.", "success")
            return redirect(url_for("resources.guide", slug=slug), code=303)
    return render_template(
        "resources/guide_edit.html", title=f"Edit: {item.title}", form=form, guide=item
    )


@bp.get("/resources/manage")
@login_required
@_only(curation.require_curator)
def manage():
    """Curators' list of every resource, with the last link check."""
    return render_template(
        "resources/manage.html",
        title="Manage resources",
        resources=curation.list_for_curation(_actor()),
        categories=CATEGORY_LABELS,
    )


def _resource_form(form: ResourceForm) -> ResourceForm:
    tags = services.harm_tags_for_filter()
    form.harm_tags.choices = [SelectChoice(tag.slug, tag.name) for tag in tags]
    form.practice_tags.choices = [
        SelectChoice(t.slug, t.name) for t in taxonomy.list_practice_tags()
    ]
    return form


def _save(form: ResourceForm, save) -> bool:
    """Run a save through the service; a rule it breaks lands on the form's field."""
    try:
        save()
    except DomainError as error:
        if error.status != 400:
            raise
        field = error.field if error.field in form._fields else "url"
        form.add_error(field, error.message)
        return False
    return True


@bp.route("/resources/manage/new", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
@_only(curation.require_curator)
def create():
    """A curator adds a resource."""
    form = _resource_form(ResourceForm())
    if form.validate_on_submit() and _save(
        form, lambda: curation.create_resource(_actor(), form.to_input(), form.reason.data)
    ):
        flash("The resource was added.", "success")
        return redirect(url_for("resources.manage"), code=303)
    return render_template("resources/edit.html", title="Add a resource", form=form, resource=None)


@bp.route("/resources/manage/<id:resource_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
@_only(curation.require_curator)
def edit(resource_id: int):
    """A curator edits a resource."""
    resource = curation.get_for_curation(_actor(), resource_id)
    form = _resource_form(ResourceForm())
    if request.method == "GET":
        form.fill_from(resource)
    elif form.validate_on_submit() and _save(
        form,
        lambda: curation.update_resource(_actor(), resource_id, form.to_input(), form.reason.data),
    ):
        flash("The resource was saved.", "success")
        return redirect(url_for("resources.manage"), code=303)
    return render_template(
        "resources/edit.html", title=f"Edit: {resource.title}", form=form, resource=resource
    )


def _status_change(resource_id: int, retire: bool):
    resource = curation.get_for_curation(_actor(), resource_id)
    form = ReasonForm()
    change = curation.retire_resource if retire else curation.restore_resource
    if form.validate_on_submit():
        try:
            change(_actor(), resource_id, form.reason.data)
        except DomainError as error:
            if error.status != 400:
                raise
            form.add_error("reason", error.message)
        else:
            flash(f"“{resource.title}” was {'retired' if retire else 'restored'}.", "success")
            return redirect(url_for("resources.manage"), code=303)
    verb = "Retire" if retire else "Restore"
    return render_template(
        "resources/confirm.html",
        title=f"{verb}: {resource.title}",
        form=form,
        resource=resource,
        retire=retire,
    )


@bp.route("/resources/manage/<id:resource_id>/retire", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
@_only(curation.require_curator)
def retire(resource_id: int):
    """A curator retires a resource: gone from every page, kept for the record."""
    return _status_change(resource_id, retire=True)


@bp.route("/resources/manage/<id:resource_id>/restore", methods=["GET", "POST"])
@login_required
@keeps_input_on_csrf_failure
@_only(curation.require_curator)
def restore(resource_id: int):
    """A curator brings a retired resource back."""
    return _status_change(resource_id, retire=False)
