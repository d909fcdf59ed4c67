"""The reply check step: before a reply is sent, what in it needs a second look.

A reply with crisis language, or with a watched word that flags or asks for approval, gets a
calm check page (as a story does on the share path): the writer sees what was noticed, with
crisis help, and can change it or send it as it is. Nothing is stored here; `add_reply` applies
the same rules again when the reply is sent (blocked words are refused there, with the text kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.accounts.models import User
from forum.governance import watched_words
from forum.governance.models import WatchedAction
from forum.safety import crisis
from forum.safety.sanitize import clean_text
from forum.stories import reply_policy

NOTICED_ACTIONS = (WatchedAction.FLAG, WatchedAction.REQUIRE_APPROVAL)


@dataclass(frozen=True)
class ReplyCheck:
    """What the check found in one reply, and whether a moderator reads it before it appears."""

    crisis: bool  # any crisis language: the writer sees calm help
    noticed: list[str]  # the writer's own words that a watched word matched, in order
    reviewed_first: bool  # a moderator reads it before anyone else sees it

    @property
    def needs_a_look(self) -> bool:
        """Whether the writer should see the check page before the reply is sent."""
        return self.crisis or bool(self.noticed)


def check_reply(body: str, author: User | None) -> ReplyCheck:
    """Run the crisis-language and watched-word checks over a reply, storing nothing.

    A reply with a blocked word is not checked here (it needs a look of another kind):
    `add_reply` refuses it with the text kept, so the check reports nothing for it.
    """
    text = clean_text(body if isinstance(body, str) else "")
    outcome = watched_words.apply_watched_words(text)
    if outcome.blocked:
        return ReplyCheck(crisis=False, noticed=[], reviewed_first=True)
    noticed = list(
        dict.fromkeys(text[m.start : m.end] for m in outcome.matches if m.action in NOTICED_ACTIONS)
    )
    in_crisis = bool(crisis.mentions_crisis(outcome.text))
    review_first = in_crisis or outcome.needs_review
    at_once = reply_policy.reply_starts_published(author, needs_review=review_first)
    return ReplyCheck(crisis=in_crisis, noticed=noticed, reviewed_first=not at_once)
