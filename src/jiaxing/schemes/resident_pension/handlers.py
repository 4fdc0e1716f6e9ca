"""Registers every command function of the resident pension with the scheme handler (import for effect)."""

from jiaxing.schemes.resident_pension import adjustment, contributions, participants  # noqa: F401

__all__ = ["adjustment", "contributions", "participants"]
