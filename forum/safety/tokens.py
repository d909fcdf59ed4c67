"""Secret tokens from the operating system's CSPRNG; only their hashes are ever stored."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets


def new_token() -> str:
    """A URL-safe token with 256 bits of randomness (session ids, status tokens)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored in place of a high-entropy token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_recovery_code() -> str:
    """A 160-bit code written as eight groups of four letters and digits, easy to copy."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_recovery_code(code: str) -> str:
    """Accept a code typed with or without spaces, hyphens or capitals."""
    return re.sub(r"[\s\-]+", "", code).lower()


# --- Status codes ------------------------------------------------------------------------
# A teller keeps their status code by hand: copied, saved, written down or read aloud. It is
# written in Crockford's base32 (https://www.crockford.com/base32.html): digits and lower-case
# letters without i, l, o and u, so nothing reads as something else, and read back forgiving
# case, spaces, dashes and the look-alikes i/l (one) and o (zero). Seven groups of four
# characters carry 140 bits. Codes issued before (43 URL-safe base64 characters, 256 bits)
# still open their story: status_code_candidates tries both forms.

_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_TO_CROCKFORD = str.maketrans(_RFC4648, _CROCKFORD)
_LOOK_ALIKES = str.maketrans({"i": "1", "l": "1", "o": "0"})
STATUS_CODE_LENGTH = 28  # 28 characters x 5 bits = 140 bits (at least 128: issue 12)
STATUS_CODE_GROUP = 4
_STATUS_CODE = re.compile(rf"[{_CROCKFORD}]{{{STATUS_CODE_LENGTH}}}")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


def status_code_from(digest: bytes) -> str:
    """A status code (28 Crockford base32 characters, 140 bits) taken from a secret digest."""
    if len(digest) * 8 < STATUS_CODE_LENGTH * 5:
        raise ValueError("the digest is too short for a status code")
    encoded = base64.b32encode(digest).decode("ascii").translate(_TO_CROCKFORD)
    return encoded[:STATUS_CODE_LENGTH]


def group_status_code(code: str) -> str:
    """A status code in groups of four joined by dashes, for reading aloud and copying."""
    size = STATUS_CODE_GROUP
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def normalise_status_code(text: str) -> str | None:
    """The canonical status code typed in text (any case, spaces or dashes), or None."""
    candidate = _SEPARATORS.sub("", text).lower().translate(_LOOK_ALIKES)
    return candidate if _STATUS_CODE.fullmatch(candidate) else None


def status_code_candidates(text: str) -> list[str]:
    """Every token the typed text may be: the canonical new code, and the text as an older
    code was issued (exact, case-sensitive, surrounding space removed)."""
    found = [text.strip()]
    canonical = normalise_status_code(text)
    if canonical is not None and canonical not in found:
        found.append(canonical)
    return found
