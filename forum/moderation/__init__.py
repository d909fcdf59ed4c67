"""Moderation: every story and reply is reviewed before it appears; every action is audited."""
