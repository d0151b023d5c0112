"""Hostile input: feeds, networks and crashes (issue 7)."""
