"""Sync with a feed server (Google Reader API, Tiny Tiny RSS): the server is the
engine that fetches feeds; Broadsheet reads, cleans and annotates what it syncs."""
