"""Static files with fingerprinted URLs, and compressed responses where a proxy does not do it.

`url_for("static", filename=...)` adds `?v=<hash of the file's content>`: a URL that names the
current content is cached for a year (`immutable`), any other static URL for five minutes, so
a deployment's new CSS or JavaScript is fetched at once. Hashes are worked out once, when the
app starts.

Responses are compressed by Flask-Compress (br, else gzip; none under COMPRESS_MIN_SIZE), but
never one that carries a CSRF token: compressing a secret beside text a visitor chose (a search
reflected in the page) would let an attacker guess it from the sizes (BREACH). Pages for a
reader who is not signed in and posts nothing (listings, search, tags, feeds) carry none.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, g, request
from flask_compress import Compress

YEAR = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
# Flask-WTF keeps the request's CSRF token in `g` under the field's name once a page asks.
CSRF_FIELD = "csrf_token"

compress = Compress()


def fingerprints(folder: Path) -> dict[str, str]:
    """Each static file's path (as url_for names it) and the start of its content's SHA-256."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            name = path.relative_to(folder).as_posix()
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return found


def init_assets(app: Flask) -> None:
    """Fingerprint static URLs, set their caching, and compress what may be compressed."""
    assert app.static_folder is not None
    digests = fingerprints(Path(app.static_folder))

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            digest = digests.get(values.get("filename", ""))
            if digest:
                values["v"] = digest

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            current = request.args.get("v") == digests.get(filename)
            response.headers["Cache-Control"] = YEAR if current else SHORT
        return response

    compress.init_app(app)  # COMPRESS_REGISTER is off: the hook below compresses, or refuses
    # Registered before the headers are added, so it runs after them (Flask runs these last
    # first): the response is complete when it is compressed.
    app.after_request(_compress)


def _compress(response: Response) -> Response:
    if CSRF_FIELD in g:
        return response  # a page with a secret on it stays as it is (BREACH)
    return compress.after_request(response)
