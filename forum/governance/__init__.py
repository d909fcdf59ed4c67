"""Governance: what several features need, below all of them: who is asking (the request
identity), the named session keys and the teller's server-side access list, with audit,
sanctions and watched words alongside; nothing here imports a feature package.
"""
