"""The database backend's vocabulary: every indexed term with the number of
documents that hold it, for corrections and completions (search.expansion).

The terms are counted in IndexedTerm (search.models) as the backend indexes
and removes documents, in the same transaction, so the vocabulary is current
with every write and reading it is one small table (a few milliseconds at
10,000 practices), where scanning the full-text index for it (fts5vocab,
ts_stat) took 0.06 to 0.24 s. Each process keeps the current one in memory,
named by the tokens of SearchIndexState that every write replaces, so an
expansion costs a dictionary lookup, not a query per term.
"""

from collections import Counter

from django.db import connection

from core.cache import Latest

from ..expansion import Vocabulary
from ..models import IndexedTerm
from . import columns

_current = Latest()  # named by the tokens


def current():
    """The Vocabulary of the index as it is now (read once per request: a
    page that searches twice, the results and the questions block, asks
    the database once; a word indexed meanwhile waits for the next one)."""
    tokens = _tokens()
    if not tokens:  # an index never written has no name to keep it under
        return Vocabulary(read())
    return _current.get(tokens, lambda: Vocabulary(read()))


def _tokens():
    return tuple(sorted(columns.tokens().items()))


def read():
    """{term: number of documents holding it}."""
    return dict(
        IndexedTerm.objects.filter(documents__gt=0).values_list("term", "documents")
    )


def count(added=(), removed=()):
    """Count the terms of documents indexed (`added`) and removed, each
    document a set of its distinct terms, in the caller's transaction; a
    term no document holds any more is dropped."""
    changes = Counter()
    for terms in added:
        changes.update(terms)
    for terms in removed:
        changes.subtract(terms)
    changed = sorted(term for term, change in changes.items() if change)
    if not changed:
        return
    table = IndexedTerm._meta.db_table
    upsert = (
        f"ON CONFLICT (term) DO UPDATE "
        f"SET documents = {table}.documents + excluded.documents"
    )
    with connection.cursor() as cursor:
        # In one order, so two writers lock the rows they share alike.
        if connection.vendor == "postgresql":
            # One statement: a rebuild's batch changes thousands of terms.
            cursor.execute(
                f"INSERT INTO {table} (term, documents) "
                f"SELECT * FROM unnest(%s::text[], %s::integer[]) {upsert}",
                [changed, [changes[term] for term in changed]],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (term, documents) VALUES (%s, %s) {upsert}",
                [(term, changes[term]) for term in changed],
            )
        if any(changes[term] < 0 for term in changed):
            cursor.execute(f"DELETE FROM {table} WHERE documents <= 0")
