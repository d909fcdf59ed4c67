"""Where the public attack corpora are: ../shared/attack/payloads beside the checkout, or the
folder HEARD_ATTACK_PAYLOADS names. Tests that need them call `corpus_missing` when absent."""

from __future__ import annotations

import os
from pathlib import Path

PAYLOADS = Path(
    os.environ.get(
        "HEARD_ATTACK_PAYLOADS",
        Path(__file__).resolve().parents[1].parent / "shared" / "attack" / "payloads",
    )
)
XSS = PAYLOADS / "xss"
