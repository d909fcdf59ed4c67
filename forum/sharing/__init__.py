"""Sharing: the teller's path from compose to submit, and the private status page."""
