"""All of Broadsheet's SQL, as functions taking a connection.

``schema`` opens the file and migrates it; ``where`` builds the one WHERE clause of
article lists and search filters; ``feeds``, ``articles``, ``tags``, ``ingest``,
``texts``, ``search``, ``annotations`` and ``exchange`` hold the queries of each
subject. Nothing outside this package runs SQL (a test checks it).

Storage functions never read the clock: callers pass stamps, taken with
:func:`now` through this package (``_storage.now()``), so tests can patch it.
"""

from reader.core._storage import schema
from reader.core._storage.schema import (
    DB_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    Database,
    index_articles,
    now,
    relaxed_sync,
    transaction,
)
from reader.core._storage.tags import canonical_tags, tag_key

__all__ = [
    "DB_NAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Database",
    "canonical_tags",
    "index_articles",
    "now",
    "relaxed_sync",
    "schema",
    "tag_key",
    "transaction",
]
