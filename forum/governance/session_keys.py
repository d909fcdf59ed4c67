"""Every key Heard keeps in the session cookie, named once.

The cookie is signed but readable by whoever holds it, so nothing here grants access on its
own: the signed-in token and the teller's handle are random values whose records live on the
server, and deleting those records revokes every copy of the cookie.
"""

from __future__ import annotations

# The signed-in browser's session token (its hash is an account_sessions row).
SESSION_TOKEN = "sid"  # noqa: S105 - a key name, not a secret
# Flask-Login's hash of the address and user agent, removed so the cookie keeps no trace.
LOGIN_FINGERPRINT = "_id"
# The teller's handle: a random value whose hash keys this browser's teller_access rows.
TELLER_HANDLE = "teller"
# The story just sent and its status code, shown once on /share/sent.
SHARE_SENT = "share_sent"
# The reader's chosen crisis-help region.
REGION = "region"
# Reader muting: hidden harm tags, muted content notes and muted words.
HIDDEN_TAGS = "hidden_tags"
MUTED_NOTES = "muted_notes"
MUTED_WORDS = "muted_words"
# A random id for this browser, so its replies keep one alias within a thread.
READER_ID = "reader_id"

# Reader choices that survive signing in: the help region and the stories opened here.
KEPT_ON_SIGN_IN = (REGION, TELLER_HANDLE)
