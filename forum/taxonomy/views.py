"""Harm types and community practices: the taxonomy with counts, one tag's stories."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("taxonomy", __name__)
