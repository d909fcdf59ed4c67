"""The layer below the features: what several of them need and none of them owns.

Who is asking (the request identity), the named session keys and the teller's server-side access
list; the audit log, who may act (permission checks), optimistic version checks, sanction checks
and watched-word matching. It imports nothing from a feature package (the import contract in
pyproject.toml says so), so stories, accounts, taxonomy, resources and moderation build on it.
"""
