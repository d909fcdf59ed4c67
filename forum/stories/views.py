"""The reader's path: story listings, one story with replies and reactions, feeds."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from wtforms import SelectChoice

from forum.caching import one_time_token, remember, shared_page
from forum.db import reads_first, start_writing
from forum.errors import Invalid
from forum.extensions import rate_limit
from forum.forms import keeps_input_on_csrf_failure
from forum.governance.identity import current_identity
from forum.governance.sanctions import Sanctioned
from forum.governance.session_keys import READER_ID
from forum.routing import parse_id
from forum.safety.client_key import request_ban_key, request_reaction_key
from forum.safety.redirects import safe_next
from forum.search import query as search_query
from forum.stories import cached, card_filters, feeds, reading, reply_check, responses, services
from forum.stories.content import (
    CONTENT_NOTES,
    FORMAT_LABELS,
    SETTING_LABELS,
)
from forum.stories.forms import (
    HiddenTagsForm,
    ReactionForm,
    ReplyForm,
    Vocabulary,
    parse_cursor,
    parse_filters,
)
from forum.stories.models import Format, ReactionKind, Setting, Status, StoryKind
from forum.stories.preferences import (
    keep_reader_choices,
    muted_words,
    reader_hidden_tags,
    reader_mutes,
)
from forum.taxonomy import services as taxonomy
from forum.taxonomy.models import TagKind

bp = Blueprint("stories", __name__)
card_filters.register(bp)  # app-wide: the home page shows story cards too

REPLY_SENT = "Thank you. A moderator reads every reply before it appears here."
REPLY_UP = "Thank you. Your reply is up. A moderator will still read it."
STORY = "/stories/<id:story_id>"


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class TagIndex:
    """The live taxonomy, for checking filter values and naming them."""

    groups: tuple[taxonomy.GroupEntries, ...]
    practices: tuple[taxonomy.Entry, ...]
    problem_kinds: tuple[taxonomy.Entry, ...]
    by_slug: dict[str, taxonomy.Entry] = field(default_factory=dict)

    @classmethod
    def load(cls) -> TagIndex:
        """The live taxonomy (from the page cache, or four queries whatever its size)."""
        live = taxonomy.live_taxonomy()
        index = cls(live.groups, live.practices, live.problem_kinds)
        index.by_slug = {t.slug: t for g in live.groups for t in g.tags} | {
            t.slug: t for t in live.practices
        }
        return index

    @property
    def vocabulary(self) -> Vocabulary:
        """The slugs filter values are checked against."""
        return Vocabulary(
            harm=frozenset(t.slug for g in self.groups for t in g.tags),
            practice=frozenset(t.slug for t in self.practices),
            problem_kinds=frozenset(k.slug for k in self.problem_kinds),
        )

    def name(self, slug: str) -> str:
        """A tag's display name."""
        tag = self.by_slug.get(slug)
        return tag.name if tag else slug


def _filter_pairs(filters: reading.StoryFilters) -> list[tuple[str, str]]:
    pairs = [("q", filters.search.text)] if filters.search else []
    pairs += [("type", filters.kind.value)] if filters.kind else []
    pairs += [("tag", s) for s in filters.tags] + [("exclude", s) for s in filters.exclude]
    pairs += [("practice", s) for s in filters.practice]
    for name, value in (
        ("setting", filters.setting),
        ("format", filters.format),
        ("kind", filters.problem_kind),
    ):
        if value:
            pairs.append((name, value))
    return pairs


def _filter_label(name: str, value: str, tags: TagIndex) -> str:
    kinds = {k.slug: k.name for k in tags.problem_kinds}
    return {
        "q": lambda: f"Words: “{value}”",
        "type": lambda: f"Type: {StoryKind(value).label}",
        "tag": lambda: f"About: {tags.name(value)}",
        "exclude": lambda: f"Leaving out: {tags.name(value)}",
        "practice": lambda: f"What helped: {tags.name(value)}",
        "setting": lambda: f"Setting: {SETTING_LABELS[Setting(value)]}",
        "format": lambda: f"Format: {FORMAT_LABELS[Format(value)]}",
        "kind": lambda: f"Kind of problem: {kinds.get(value, value)}",
    }[name]()


def _heading(filters: reading.StoryFilters, total: reading.Total, tags: TagIndex) -> str:
    noun = "story" if total.count == 1 and not total.more else "stories"
    if filters.kind:
        noun = f"“{filters.kind.label}” {noun}"
    if total.more:  # a lower bound (reading.COUNT_EXAMINED)
        text = f"{total.count:,} or more {noun}" if total.count else noun[0].upper() + noun[1:]
    else:
        text = f"{total.count:,} {noun}"
    if filters.search:
        text += f" matching “{filters.search.text}”"
    quoted = lambda slugs: " or ".join(f"“{tags.name(s)}”" for s in slugs)  # noqa: E731
    if filters.tags:
        text += f" about {quoted(filters.tags)}"
    if filters.practice:
        text += f" where {quoted(filters.practice)} helped"
    if filters.exclude:
        text += f", leaving out {quoted(filters.exclude)}"
    return text


def _url(endpoint: str, pairs: list[tuple[str, str]], **values) -> str:
    query = urlencode(pairs)
    return url_for(endpoint, **values) + (f"?{query}" if query else "")


def _reader_filters(args, tags: TagIndex) -> tuple[reading.StoryFilters, reading.StoryFilters]:
    """What the reader chose in the URL, and that plus their hidden tags and mutes."""
    hidden = [s for s in reader_hidden_tags() if s in tags.by_slug]
    search = search_query.parse(args.get("q"))
    chosen = replace(parse_filters(args, tags.vocabulary), search=search)
    notes, words = reader_mutes()
    applied = parse_filters(args, tags.vocabulary, hidden)
    applied = replace(applied, mute_notes=notes, mute_words=words, search=search)
    return chosen, applied


def _results(filters: reading.StoryFilters, args, newest: bool) -> cached.Listing:
    """The page of story cards, the pinned ones leading the first page, and the total."""
    after = parse_cursor(args.get("after"))
    return cached.listing(filters, after, parse_id(args.get("page")) or 1, newest)


@bp.get("/stories")
@shared_page
def index():
    """Published stories, filtered by the URL-contract query parameters, newest first; with
    words to look for (`q`), ranked by relevance unless `order=newest`."""
    tags = TagIndex.load()
    chosen, filters = _reader_filters(request.args, tags)
    searching = chosen.search is not None
    if chosen.search is not None and chosen.search.is_empty:
        # Nothing left to look for: say so kindly rather than list every story.
        chosen = replace(chosen, search=None)
        return _nothing_to_search(search_query.parse(request.args.get("q")), chosen, tags)
    newest = not searching or request.args.get("order") == "newest"
    listing = _results(filters, request.args, newest)
    page, total = listing.page, listing.total
    pairs = _filter_pairs(chosen)
    if not newest and total.more and not page.count:
        # None of the newest matches a ranking reads passes the filters: older ones may.
        return redirect(_url(".index", [*pairs, ("order", "newest")]))
    order = [("order", "newest")] if searching and newest else []
    active = [
        (_filter_label(n, v, tags), _url(".index", [p for p in pairs if p != (n, v)]))
        for n, v in pairs
    ]
    older = page.next_cursor and _url(".index", [*pairs, *order, ("after", page.next_cursor)])
    more = page.next_page and _url(".index", [*pairs, ("page", str(page.next_page))])
    heading = _heading(chosen, total, tags)
    return _render_index(
        chosen,
        tags,
        title=heading,
        heading=heading,
        page=page,
        older=older or more,
        pinned=listing.pinned,
        active=active,
        newest=newest,
        # More match than a ranking reads (reading.NEWEST_EXAMINED): say so.
        partial=searching and not newest and total.more,
        order_urls=(_url(".index", pairs), _url(".index", [*pairs, ("order", "newest")])),
        feed_url=_url(".feed", pairs),
    )


def _nothing_to_search(search, chosen: reading.StoryFilters, tags: TagIndex):
    """The kind page for a search of only very common or very short words."""
    heading = "Nothing to search for yet"
    return _render_index(
        chosen,
        tags,
        title=heading,
        heading=heading,
        page=None,
        pinned=None,
        older=None,
        active=[],
        newest=False,
        order_urls=None,
        too_common=search,
    )


def _render_index(chosen: reading.StoryFilters, tags: TagIndex, **context):
    notes, words = reader_mutes()
    hidden = [s for s in reader_hidden_tags() if s in tags.by_slug]
    return render_template(
        "stories/index.html",
        chosen=chosen,
        tags=tags,
        hidden=[tags.by_slug[s] for s in hidden],
        muted_notes=[CONTENT_NOTES[n] for n in notes],
        muted_words=words,
        setting_options=[(s.value, label) for s, label in SETTING_LABELS.items()],
        format_options=[(f.value, label) for f, label in FORMAT_LABELS.items()],
        kind_options=[(k.slug, k.name) for k in tags.problem_kinds],
        back=request.full_path.rstrip("?"),
        typed=(search_query.parse(request.args.get("q")) or search_query.SearchQuery("")).text,
        kept=[p for p in _filter_pairs(chosen) if p[0] != "q"],
        **context,
    )


@bp.route("/stories/preferences", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
def preferences():
    """Hide harm tags from listings; kept in this browser's session, no account needed."""
    tags = TagIndex.load()
    form = HiddenTagsForm()
    form.hide.choices = [SelectChoice(t.slug, t.name) for g in tags.groups for t in g.tags]
    back = safe_next(form.next.data or request.args.get("next"), url_for(".index"))
    if request.method == "GET":
        saved_notes, saved_words = reader_mutes()
        form.hide.data = list(reader_hidden_tags())
        form.mute_notes.data, form.mute_words.data = list(saved_notes), "\n".join(saved_words)
        form.next.data = back
    if form.validate_on_submit():
        everything = not form.show_all.data
        chosen = list(dict.fromkeys(form.hide.data or [])) if everything else []
        notes = list(dict.fromkeys(form.mute_notes.data or [])) if everything else []
        words = list(muted_words(form.mute_words.data or "")) if everything else []
        keep_reader_choices(chosen, notes, words)
        message = (
            "Tags hidden. You can change this at any time."
            if chosen or notes or words
            else "Nothing is hidden now."
        )
        flash(message, "success")
        return redirect(back, code=303)
    return render_template(
        "stories/preferences.html", title="Hide tags", form=form, groups=tags.groups, back=back
    )


def _render_story(story_id: int, form: ReplyForm):
    """The story page: its cached text and replies (NotFound unless published), and the forms."""
    view = cached.story_view(
        story_id,
        after=parse_cursor(request.args.get("replies_after")),
        before=parse_cursor(request.args.get("replies_before")),
        newest=request.args.get("replies") == "newest",
    )
    return render_template(
        "stories/show.html",
        title=view.title,
        story=view,
        counts=view.counts,
        reaction_kinds=list(ReactionKind),
        form=form,
    )


@bp.get(STORY)
@shared_page
def show(story_id: int):
    """One published story with its published replies, reaction counts and help panel."""
    return _render_story(story_id, ReplyForm(form_token=one_time_token()))


def _actor_key() -> str:
    """Who is reacting: the account, or a keyed daily hash of the client (never the IP)."""
    user = current_identity().user
    if user is not None:
        return f"u:{user.id}"
    return request_reaction_key()


@bp.post(f"{STORY}/reactions")
@rate_limit("LIMIT_REACTION")
def react(story_id: int):
    """Add one support reaction; a second of the same kind from the same person adds nothing."""
    story = reading.get_published_story(story_id)
    form = ReactionForm()
    if not form.validate_on_submit():
        abort(400)
    responses.react(story.id, ReactionKind(form.kind.data), _actor_key())
    flash("Thank you. Your support has been counted.", "success")
    return redirect(url_for(".show", story_id=story.id, _anchor="support"), code=303)


def _reader_id() -> str:
    """A random id for this browser, so its replies keep one alias within a thread."""
    reader_id = session.get(READER_ID)
    if not isinstance(reader_id, str) or not 16 <= len(reader_id) <= 64:
        reader_id = secrets.token_urlsafe(16)
        session[READER_ID] = reader_id
    return reader_id


@bp.post(f"{STORY}/replies")
@reads_first
@keeps_input_on_csrf_failure
@rate_limit("LIMIT_REPLY")
def reply(story_id: int):
    """Send a reply for review; it appears once a moderator has read it."""
    story = reading.get_published_story(story_id)
    form = ReplyForm()
    if form.validate_on_submit():
        me = current_identity()
        user, teller = me.user, services.Teller(user=me.user, story_ids=me.story_ids)
        if form.action.data != "send":
            check = reply_check.check_reply(form.body.data, user)
            if check.needs_a_look:
                return render_template(
                    "stories/reply_check.html",
                    story=story,
                    form=form,
                    check=check,
                    title="Before you send your reply",
                )
        start_writing()  # a form with errors stores nothing and takes no lock
        try:
            sent = responses.add_reply(
                story.id,
                user,
                form.body.data,
                form.form_token.data or "",
                reader_id=_reader_id(),
                teller=teller,
                show_handle=bool(form.show_handle.data),
                client_key=request_ban_key(),
            )
        except (Invalid, Sanctioned) as error:
            form.add_error(error.field, error.message)
        else:
            flash(REPLY_SENT if sent.status is not Status.PUBLISHED else REPLY_UP, "success")
            return redirect(url_for(".show", story_id=story.id, _anchor="replies"), code=303)
    return _render_story(story.id, form)


# --- Feeds -------------------------------------------------------------------------------------


def _atom(
    page: Callable[[], reading.StoryPage], title: str, key: str, self_path: str, html_path: str
) -> Response:
    """The feed, built once per content generation (forum/caching.py) and kept under its key."""
    links = feeds.FeedLinks(
        site_url=current_app.config.get("SITE_URL") or "",
        self_path=self_path,
        html_path=html_path,
        story_path=lambda story: url_for(".show", story_id=story.id),
    )
    site_name = current_app.config["SITE_NAME"]
    body = remember(
        "feed",
        (key, title),
        lambda: feeds.build_feed(page(), title=title, key=key, links=links, site_name=site_name),
    )
    return Response(body, content_type=feeds.CONTENT_TYPE)


@bp.get("/feeds/stories.atom")
@shared_page
def feed():
    """Atom feed of the newest published stories; with /stories parameters (q, tag, type...)
    it follows those, so a reader can follow a search in a feed reader."""
    filters, pairs = reading.StoryFilters(), []
    if request.args:
        tags = TagIndex.load()
        search = search_query.parse(request.args.get("q"))
        search = search if search and not search.is_empty else None
        filters = replace(parse_filters(request.args, tags.vocabulary), search=search)
        pairs = _filter_pairs(filters)
    name = current_app.config["SITE_NAME"]
    key = "/feeds/stories" + (f"?{urlencode(pairs)}" if pairs else "")
    return _atom(
        lambda: reading.published_stories(filters),
        f"{name}: stories",
        key,
        _url(".feed", pairs),
        _url(".index", pairs),
    )


@bp.get("/feeds/tags/<slug>.atom")
@shared_page
def tag_feed(slug: str):
    """Atom feed of one tag's published stories; unknown or retired tags are not found."""
    tag = taxonomy.get_tag(slug)
    name = current_app.config["SITE_NAME"]
    return _atom(
        lambda: reading.published_tag_stories(tag),
        f"{name}: {tag.name}",
        f"/feeds/tags/{tag.slug}",
        url_for(".tag_feed", slug=tag.slug),
        url_for("stories.tag", slug=tag.slug),
    )


# --- Tags: the taxonomy with story counts, and one tag's stories ----------------------------


@bp.get("/tags")
@shared_page
def tags():
    """The harm types in their four groups and the community practices, with story counts."""
    live = taxonomy.live_taxonomy()
    return render_template(
        "taxonomy/index.html",
        title="Harm types and what helped",
        groups=live.groups,
        practices=live.practices,
        counts=cached.tag_page_counts(),
        hidden=set(reader_hidden_tags()),
    )


@bp.get("/tags/<slug>")
@shared_page
def tag(slug: str):
    """One tag: what it means and its published stories, newest first, a page at a time.

    Tags the reader has hidden are left out; if this tag is one of them, no stories show.
    """
    tag = taxonomy.get_tag(slug)
    hidden = reader_hidden_tags()
    page = older = None
    if tag.slug not in hidden:
        after = parse_cursor(request.args.get("after"))
        notes, words = reader_mutes()
        page = cached.tag_cards(tag, after, hidden, notes, words)
        if page.next_cursor:
            older = url_for(".tag", slug=tag.slug, after=page.next_cursor)
    names = TagIndex.load().by_slug if hidden else {}
    return render_template(
        "taxonomy/show.html",
        title=tag.name,
        tag=tag,
        is_harm=tag.kind is TagKind.HARM,
        page=page,
        older=older,
        hidden=[names[s] for s in hidden if s in names],
        muted_notes=[CONTENT_NOTES[n] for n in reader_mutes()[0]],
        muted_words=reader_mutes()[1],
        back=url_for(".tag", slug=tag.slug),
    )
