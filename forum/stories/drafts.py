"""A story as the teller is composing it: plain data carried between compose steps."""

from __future__ import annotations

from dataclasses import dataclass, field

from forum.stories.models import Attribution, Format, Setting, StoryKind


@dataclass
class StoryDraft:
    """Everything the compose form collects; nothing is stored until the teller submits."""

    kind: StoryKind
    title: str
    body: str
    harm_tags: list[str] = field(default_factory=list)
    practice_tags: list[str] = field(default_factory=list)
    impacts: dict[str, int] = field(default_factory=dict)
    content_notes: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    helped_instead: str = ""
    therapy_kind: str = ""
    setting: Setting | None = None
    format: Format | None = None
    roughly_when: str = ""
    problem_kind: str | None = None  # a slug from the taxonomy's problem kinds
    attribution: Attribution | None = None
    show_handle: bool = False

    def texts(self) -> list[str]:
        """Every piece of free text, for the de-identification and crisis checks."""
        return [
            self.title,
            self.body,
            *self.answers.values(),
            self.helped_instead,
            self.therapy_kind,
            self.roughly_when,
        ]
