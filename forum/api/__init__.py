"""The read-only JSON API v1: published content and the insights tables."""
