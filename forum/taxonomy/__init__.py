"""Taxonomy: harm tags in four groups, community-practice tags, the "kind of problem" facet."""
