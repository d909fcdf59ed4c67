"""The curated resource directory, the complaint-route finder, guides and the link checker."""
