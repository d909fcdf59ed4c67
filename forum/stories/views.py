"""The reader's path: story listings, one story with replies and reactions, feeds."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stories", __name__)
