"""Full-text search of what the public may read: one interface, one engine per database."""
