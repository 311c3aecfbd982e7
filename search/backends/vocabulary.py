"""The database backend's vocabulary: every indexed term with the number of
documents that hold it, for corrections and completions (search.expansion).

The full-text index knows it already: SQLite's FTS5 reads it through an
fts5vocab table, PostgreSQL through ts_stat over the vectors. Reading it
costs a scan of the index (tens of milliseconds on SQLite at 10,000
practices, more on PostgreSQL), so it is read once per content of the
index: each process keeps the current one in memory, named by the tokens of
SearchIndexState (search.models) that every write changes, and the first
process to read a content leaves it in the shared cache for the others.
An expansion then costs a dictionary lookup, not a query per term.
"""

import hashlib
import threading

from django.core.cache import cache
from django.db import connection

from ..expansion import Vocabulary
from ..models import SearchIndexState

SHARED_SECONDS = 24 * 60 * 60
# The text columns of the FTS5 table (the fifth, "kind", holds no words).
TEXT_COLUMNS = ("title", "summary", "keywords", "body")

_lock = threading.Lock()
_current = {}  # tokens -> Vocabulary (only the latest)


def current():
    """The Vocabulary of the index as it is now."""
    tokens = tuple(
        sorted(SearchIndexState.objects.values_list("kind", "token").order_by())
    )
    found = _current.get(tokens)
    if found is not None:
        return found
    with _lock:
        digest = hashlib.sha256(repr(tokens).encode()).hexdigest()[:32]
        key = f"search-vocabulary:{connection.vendor}:{digest}"
        frequencies = cache.get(key) if tokens else None
        if frequencies is None:
            frequencies = read()
            if tokens:
                cache.set(key, frequencies, SHARED_SECONDS)
        found = Vocabulary(frequencies)
        if tokens:  # an index never written has no name to keep it under
            _current.clear()
            _current[tokens] = found
        return found


def read():
    """{term: number of documents holding it} from the full-text index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat('SELECT vector FROM search_fulltext')"
            )
        else:
            # A temporary table of this connection: it needs no migration
            # and reads the FTS5 index itself, current with every write.
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fulltext_terms "
                "USING fts5vocab(main, search_fulltext, 'col')"
            )
            placeholders = ", ".join(["%s"] * len(TEXT_COLUMNS))
            # Documents with the term in one column, at least: the most
            # among its columns (exact enough to prefer frequent terms).
            cursor.execute(
                "SELECT term, max(doc) FROM temp.search_fulltext_terms "
                f"WHERE col IN ({placeholders}) GROUP BY term",
                TEXT_COLUMNS,
            )
        return dict(cursor.fetchall())
