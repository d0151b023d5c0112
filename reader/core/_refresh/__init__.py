"""Refresh: fetch → parse → store, story pages, and the one after-refresh sequence.

``pipeline`` runs a refresh (``Refresh``), ``pool`` parses in worker processes,
``backlog`` bounds memory, ``fulltext`` completes summary-only articles,
``subscribe`` makes a subscription's one fetch, and ``after`` is the sequence the
CLI and the TUI both run. Nothing here imports the library facade: it is handed in
(see ``host.RefreshHost``).
"""
