"""Data rights: export, take a break, delete the account (and what it wrote)."""
