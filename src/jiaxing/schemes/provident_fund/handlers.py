"""Registers every command function of the provident fund with the scheme handler (import for effect)."""

from jiaxing.schemes.provident_fund import accounts, reference_data, sanctions  # noqa: F401

__all__ = ["accounts", "reference_data", "sanctions"]
