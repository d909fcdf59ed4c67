"""Per-thread aliases: "Anonymous heron" in one thread, unlinkable to any other thread."""

from __future__ import annotations

import hashlib
import hmac

ANIMALS = (
    "albatross",
    "badger",
    "beaver",
    "bittern",
    "bluebird",
    "crane",
    "curlew",
    "deer",
    "dolphin",
    "dormouse",
    "dove",
    "dunlin",
    "eagle",
    "egret",
    "elk",
    "falcon",
    "finch",
    "fox",
    "gannet",
    "gazelle",
    "goldfinch",
    "goose",
    "grebe",
    "hare",
    "hedgehog",
    "heron",
    "ibis",
    "jay",
    "kestrel",
    "kingfisher",
    "kite",
    "lapwing",
    "lark",
    "linnet",
    "lynx",
    "marten",
    "merlin",
    "moth",
    "newt",
    "nightjar",
    "otter",
    "owl",
    "panda",
    "pelican",
    "petrel",
    "pipit",
    "plover",
    "puffin",
    "quail",
    "rabbit",
    "raven",
    "robin",
    "salmon",
    "sandpiper",
    "seal",
    "skylark",
    "sparrow",
    "squirrel",
    "starling",
    "stoat",
    "swallow",
    "swan",
    "swift",
    "tern",
    "thrush",
    "vole",
    "wagtail",
    "whale",
    "wren",
    "yak",
)

TELLER_ALIAS = "The person who shared this story"


def author_key(secret: str, story_id: int, identity: str) -> str:
    """A keyed hash standing for one person inside one thread; different in every thread."""
    message = f"thread:{story_id}:{identity}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def alias_candidates(key: str) -> list[str]:
    """Aliases in the order to try for this key: a stable first choice, then the rest."""
    start = int(key[:8], 16) % len(ANIMALS)
    ordered = ANIMALS[start:] + ANIMALS[:start]
    names = [f"Anonymous {animal}" for animal in ordered]
    return names + [f"{name} {n}" for n in range(2, 100) for name in names[:1]]
