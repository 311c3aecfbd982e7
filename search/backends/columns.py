"""The database backend's documents as columns in memory, for counting facets.

A faceted search counts, for every facet, the values of the documents that
pass the text and every other facet's selection. As a GROUP BY that reads a
row per document and value: hundreds of milliseconds per search at 100,000
practices. Here every document is a position 0..n-1 and every facet two
parallel numpy arrays (position, value code), grouped by value. A selection
is a boolean mask over the positions, and a facet's counts are one
np.bincount of the value codes whose position passes. The three sort orders
are arrays of positions, so a page of a browse is one mask lookup.

The columns are loaded per kind of document (practices apart from
questions, so an answer posted does not reload the practices), once for each
content, named by the kind's token in SearchIndexState, and shared by every
search in the process. Each search reads its kinds' rows to know its columns
are current.
"""

import threading

import numpy as np

from django.db import connection

from core.cache import once_per_request

from ..models import SearchDocument, SearchIndexState

# Attempts at loading a consistent picture while the index is being written.
LOAD_ATTEMPTS = 3

_lock = threading.Lock()
_current = {}  # sorted kinds -> Columns


def parse_ids(text):
    """The ids of a comma-separated aggregate as an int64 array."""
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def aggregate_ids(column):
    """SQL that joins the ids of a group into one comma-separated text."""
    if connection.vendor == "postgresql":
        return f"string_agg({column}::text, ',')"
    return f"group_concat({column})"


class FacetColumn:
    def __init__(self, values, positions_by_value):
        self.values = values  # code -> value
        self.codes = {value: code for code, value in enumerate(values)}
        self._by_position = None  # (positions, codes) by position: values_at
        lengths = [len(positions) for positions in positions_by_value]
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.positions = (
            np.concatenate(positions_by_value).astype(np.int32)
            if positions_by_value
            else np.zeros(0, dtype=np.int32)
        )
        self.value_codes = np.repeat(
            np.arange(len(values), dtype=np.int32), lengths
        ).astype(np.int32)

    def selection(self, values, size):
        """A mask of the documents that have any of `values`."""
        mask = np.zeros(size, dtype=bool)
        for value in values:
            code = self.codes.get(value)
            if code is not None:
                mask[self.positions[self.starts[code] : self.starts[code + 1]]] = True
        return mask

    def values_at(self, position):
        """The values of the document at `position`, in the columns' order
        of values."""
        if self._by_position is None:
            order = np.argsort(self.positions, kind="stable")
            self._by_position = (self.positions[order], self.value_codes[order])
        positions, codes = self._by_position
        # Searched for in the array's own dtype: a Python list would make
        # numpy cast the whole array to int64 first (60 µs a call at
        # 100,000 practices instead of about 1).
        wanted = np.array([position, position + 1], dtype=positions.dtype)
        start, end = positions.searchsorted(wanted)
        return [self.values[code] for code in codes[start:end]]

    def counts(self, mask):
        """{value: number of documents in `mask` with it}, zeros left out."""
        counted = np.bincount(
            self.value_codes[mask[self.positions]], minlength=len(self.values)
        )
        return {
            self.values[code]: int(counted[code]) for code in np.flatnonzero(counted)
        }


class Columns:
    """One content of the index for some kinds of document: ids, kinds, sort
    orders and facets."""

    def __init__(self, kinds, token):
        self.token = token
        self.ranking = None  # bm25 over these columns (search.backends.ranking)
        placeholders = ", ".join(["%s"] * len(kinds))
        of_kinds = f"WHERE kind IN ({placeholders})"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT kind, {aggregate_ids('id')} FROM search_searchdocument "
                f"{of_kinds} GROUP BY kind",
                list(kinds),
            )
            by_kind = {kind: parse_ids(ids) for kind, ids in cursor.fetchall()}
            self.ids = np.sort(
                np.concatenate([np.zeros(0, dtype=np.int64), *by_kind.values()])
            )
            self.size = len(self.ids)
            self.kinds = {}
            for kind, ids in by_kind.items():
                mask = np.zeros(self.size, dtype=bool)
                mask[self.positions(ids)] = True
                self.kinds[kind] = mask
            # The ORM writes the orders, so NULL dates sort as they always
            # have on each database.
            self.newest = self._order(kinds, "-published_at", "-pk")
            self.title = self._order(kinds, "title_sort", "pk")
            self.uptake = self._order(kinds, "-uptake", "-published_at", "-pk")
            cursor.execute(
                f"SELECT facet, value, {aggregate_ids('document_id')} "
                f"FROM search_searchfacetvalue {of_kinds} GROUP BY facet, value",
                list(kinds),
            )
            grouped = {}
            for facet, value, ids in cursor.fetchall():
                grouped.setdefault(facet, []).append(
                    (value, self.positions(parse_ids(ids)))
                )
        self.facets = {
            facet: FacetColumn(
                [value for value, _positions in pairs],
                [positions for _value, positions in pairs],
            )
            for facet, pairs in grouped.items()
        }

    def _order(self, kinds, *fields):
        sql, params = (
            SearchDocument.objects.filter(kind__in=kinds)
            .order_by(*fields)
            .values_list("pk", flat=True)
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = np.fromiter((row[0] for row in cursor), dtype=np.int64)
        return self.positions(ids)

    def positions(self, ids):
        """Positions of document ids; ids not in the columns are dropped."""
        return self.locate(ids)[0].astype(np.int32)

    def locate(self, ids):
        """(positions, which of `ids` they are): the positions of those of
        `ids` the columns hold, for a caller with values beside the ids."""
        if not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.ids, ids), self.size - 1)
        kept = np.flatnonzero(self.ids[positions] == ids)
        return positions[kept], kept

    def mask(self, ids):
        mask = np.zeros(self.size, dtype=bool)
        mask[self.positions(ids)] = True
        return mask

    def of_kinds(self, kinds):
        mask = np.zeros(self.size, dtype=bool)
        for kind in kinds:
            if kind in self.kinds:
                mask |= self.kinds[kind]
        return mask

    def selection(self, facet, values):
        column = self.facets.get(facet)
        if column is None:
            return np.zeros(self.size, dtype=bool)
        return column.selection(values, self.size)

    def facet_values(self, position):
        """{facet: [value, ...]} of the document at `position` (the facets it
        has a value of)."""
        found = {}
        for facet, column in self.facets.items():
            values = column.values_at(position)
            if values:
                found[facet] = values
        return found

    def having(self, facet, value):
        """Positions of the documents with this facet value."""
        column = self.facets.get(facet)
        code = column.codes.get(value) if column is not None else None
        if code is None:
            return np.zeros(0, dtype=np.int32)
        return column.positions[column.starts[code] : column.starts[code + 1]]

    def counts(self, facet, mask):
        column = self.facets.get(facet)
        return column.counts(mask) if column is not None else {}

    def page(self, order, mask, offset, limit):
        """Ids of `mask` in a sort order ("newest", "title" or "uptake"),
        one page."""
        positions = getattr(self, order)
        chosen = positions[mask[positions]][offset : offset + limit]
        return [int(pk) for pk in self.ids[chosen]]


def tokens():
    """{kind: token} of every kind the index holds, read once per request:
    the columns and the vocabulary (search.backends.vocabulary) both name
    the content they hold by them."""
    return once_per_request("search-index-tokens", _read_tokens)


def _read_tokens():
    return dict(SearchIndexState.objects.values_list("kind", "token"))


def _token(kinds, fresh=False):
    """The tokens of these kinds together, or None when one has no row yet
    (its columns are then loaded for every search and kept by none); read
    again from the database when `fresh`, not as this request first saw
    them."""
    known = _read_tokens() if fresh else tokens()
    if any(kind not in known for kind in kinds):
        return None
    return tuple(known[kind] for kind in kinds)


def current(kinds):
    """The columns of these kinds of document as the index holds them now,
    loaded again when one of them changed."""
    kinds = tuple(sorted(set(kinds)))
    token = _token(kinds)
    loaded = _current.get(kinds)
    if token is not None and loaded is not None and loaded.token == token:
        return loaded
    with _lock:
        for _attempt in range(LOAD_ATTEMPTS):
            columns = Columns(kinds, token)
            # Loading is several statements; a write between them shows as a
            # new token, and the picture is loaded again.
            now = _token(kinds, fresh=True)
            if now == token:
                break
            token = now
        else:
            return columns  # still changing: use it once, keep nothing
        if token is not None:
            _current[kinds] = columns
        return columns
