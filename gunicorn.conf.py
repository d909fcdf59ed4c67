"""gunicorn settings for Heard: `gunicorn -c gunicorn.conf.py wsgi:app` (README, Production).

The app is imported once in the master (`preload_app`) and the workers are forked from it, so
the code, templates, taxonomy, word lists and compiled patterns are shared copy-on-write
instead of loaded again by every worker. Three things keep that sharing from wearing off:

- the templates are compiled, and the identifier check's word lists read, in the master too,
  before forking;
- `gc.freeze()` in the master before forking moves everything loaded so far out of the
  garbage collector's reach, so a collection in a worker does not write to (and so copy) every
  shared page that holds an object header;
- each worker drops the database connections it inherited (`post_fork`), so no two processes
  ever talk over one socket.

gunicorn reads this file by itself when started from the repository root; elsewhere pass -c.
Environment: GUNICORN_BIND (default 127.0.0.1:8000) and WEB_CONCURRENCY (workers, default 3).
Command-line flags override any of these (`make bench` passes --workers 4 and --bind).
"""

from __future__ import annotations

import gc
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
preload_app = True
# Heard logs its own request lines (forum/safety/logs.py); gunicorn's access log stays off.
accesslog = None
# A request that takes longer than this is stuck; the worker is replaced.
timeout = 30
graceful_timeout = 20


def when_ready(server) -> None:
    """The app is loaded in the master: compile its templates, then freeze what it holds
    before the first fork (else each worker compiles every template into memory of its own)."""
    app = server.app.wsgi()
    jinja = getattr(app, "jinja_env", None)
    if jinja is not None:
        for name in jinja.list_templates(extensions=["html"]):
            jinja.get_template(name)
    words = sys.modules.get("forum.safety.pii")  # loaded by the preloaded app
    if words is not None:
        words.load_word_lists()
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:
    """Drop database connections inherited from the master (the pool opens fresh ones)."""
    database = sys.modules.get("forum.db")  # loaded by the preloaded app; never imported here
    app = server.app.wsgi()
    if database is not None and "sqlalchemy" in app.extensions:
        with app.app_context():
            database.db.engine.dispose(close=False)
