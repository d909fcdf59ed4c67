"""Pseudonymous accounts: a handle and a password, never an email."""
