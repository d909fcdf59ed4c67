"""Compose, check, preview and submit a story; follow it on the status page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sharing", __name__)
