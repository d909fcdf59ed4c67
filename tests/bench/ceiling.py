"""The ceiling: a bare Flask + Jinja page rendering 20 story cards from memory.

No database, no extensions, no session: what one request costs on this machine before Heard
does anything. `make bench` serves it with the same gunicorn command and workers as Heard
(`gunicorn -c gunicorn.conf.py tests.bench.ceiling:app`) and divides every page's server CPU
per request by this one's.
"""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<ol>{% for item in items %}
<li><article><h2><a href="/stories/{{ item.id }}">{{ item.title }}</a></h2>
<p>{{ item.excerpt }}</p>
<p>{% for tag in item.tags %}<a href="/tags/{{ tag }}">{{ tag }}</a> {% endfor %}</p>
<p>{{ item.replies }} replies</p></article></li>
{% endfor %}</ol></main></body></html>"""

ITEMS = [
    {
        "id": n,
        "title": f"Story {n}: not heard in the room",
        "excerpt": "For a long time I felt I was not being heard in the room. " * 3,
        "tags": ["not-heard", "dismissed"],
        "replies": n % 7,
    }
    for n in range(20)
]

app = Flask(__name__)
# A loader, as Heard's templates have, so the template is compiled once and cached.
app.jinja_loader = DictLoader({"page.html": PAGE})


@app.get("/")
def index() -> str:
    """Twenty cards from memory."""
    return render_template("page.html", title="Stories", items=ITEMS)
