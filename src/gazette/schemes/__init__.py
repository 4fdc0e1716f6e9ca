"""The shape every scheme follows: commands (what someone asked for) run by one handler.

See :mod:`gazette.schemes.commands` and :mod:`gazette.schemes.handler`, and docs/architecture.md.
"""
