"""Retention: what Heard deletes, and when (run `flask --app wsgi heard purge` on a schedule)."""
