"""Insights: what published stories add up to, with small numbers kept private."""
