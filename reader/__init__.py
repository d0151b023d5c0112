"""Broadsheet: a terminal news reader that reads clean."""

__version__ = "0.1.0"
