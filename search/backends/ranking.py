"""One ranking for the database backend on every database: bm25 from the
term statistics it stores (SearchPosting and SearchDocument.length), worked
out in numpy over the columns (search.backends.columns).

FTS5's bm25 and PostgreSQL's ts_rank are different functions: the same query
put the same documents in a different order on the two databases. So the
database engines only tell which documents match (phrases included), and the
order comes from here, as Lucene ranks from the statistics it keeps:

    score(d) = sum over the alternatives of every clause of
               idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length(d) / avglength))

- tf: the term's occurrences in d, each weighted by its field
  (search.backends.base.WEIGHTS: a word in the title counts ten times one in
  the body), as FTS5 weighs its columns.
- idf = ln(1 + (N - n + 0.5) / (n + 0.5)), Lucene's: N documents of the
  kinds searched, n of them holding the term.
- A phrase (several terms) counts the least frequent of its terms and the sum
  of their idfs, as Lucene scores a phrase; only documents that hold every
  term of it count it.

Every number is the same on SQLite and PostgreSQL, so is every order; ties
go to the older document. Each process keeps the postings of the terms it
ranked lately per content of the columns (a broad word of 10,000 documents
is one read of its rows, then none until the index changes), and the
documents each phrase it matched lately stands in. Phrases come from the
synonyms ("spoedeisende hulp"), a list the redactie keeps, so a running
site asks the full-text index for each of them once per content: on
PostgreSQL that check reads the vector of every document holding the
words (tens of milliseconds for a phrase of common words at 10,000).
"""

import math
import threading
from collections import OrderedDict

import numpy as np

from django.db import connection

from .columns import aggregate_ids

# bm25's term-frequency saturation and length normalisation (Lucene's and
# Elasticsearch's defaults).
K1 = 1.2
B = 0.75
# How many postings (a term in one document) a process keeps per content of
# the index, 16 bytes each (position, frequency, weight): the postings of the
# terms searched lately.
CACHED_POSTINGS = 2_000_000
# How many positions of documents matching a phrase a process keeps per
# content of the index, 4 bytes each.
CACHED_PHRASE_POSITIONS = 2_000_000


class _Term:
    """One term's postings over the columns: positions, weighted
    frequencies, and the bm25 weight each position gets for it."""

    __slots__ = ("positions", "frequencies", "idf", "weights")

    def __init__(self, positions, frequencies, idf, weights):
        self.positions = positions
        self.frequencies = frequencies
        self.idf = idf
        self.weights = weights


class _Kept:
    """What a process keeps of one content of the index: up to `budget`
    positions (counted by `size` per value), the least recently used
    dropped first. Safe to share between threads."""

    def __init__(self, budget, size):
        self.budget = budget
        self.size = size
        self._lock = threading.Lock()
        self._values = OrderedDict()
        self._held = 0

    def get(self, keys, load):
        """{key: value} for `keys`, `load(missing keys)` -> {key: value}
        called for those not kept (outside the lock)."""
        found, missing = {}, []
        with self._lock:
            for key in keys:
                if key in self._values:
                    self._values.move_to_end(key)
                    found[key] = self._values[key]
                else:
                    missing.append(key)
        if not missing:
            return found
        read = load(missing)
        with self._lock:
            for key, value in read.items():
                if key not in self._values:
                    self._values[key] = value
                    self._held += self.size(value)
            while self._held > self.budget and len(self._values) > 1:
                _key, dropped = self._values.popitem(last=False)
                self._held -= self.size(dropped)
        return found | read


class Ranking:
    """bm25 over one Columns: made once per content and kept on it."""

    def __init__(self, columns):
        self.columns = columns
        self._terms = _Kept(CACHED_POSTINGS, lambda term: len(term.positions))
        self._phrases = _Kept(CACHED_PHRASE_POSITIONS, len)
        lengths = _lengths(columns)
        average = float(lengths.mean()) if len(lengths) else 0.0
        self.norms = K1 * (1 - B + B * lengths / (average or 1.0))

    def scores(self, clauses):
        """A bm25 score for every position of the columns (0 where nothing
        of the clauses occurs)."""
        terms = self._postings(
            {term for clause in clauses for phrase in clause for term in phrase}
        )
        scores = np.zeros(self.columns.size)
        for clause in clauses:
            for phrase in clause:
                if len(phrase) == 1:
                    term = terms[phrase[0]]
                    scores[term.positions] += term.weights
                    continue
                positions, frequencies, idf = _phrase([terms[t] for t in phrase])
                scores[positions] += _weights(idf, frequencies, self.norms[positions])
        return scores

    def holding(self, clauses, match):
        """For each clause, a mask of the documents that hold any of its
        alternatives: a word from the postings (which hold exactly the terms
        the full-text index does; one read for the terms not kept), a
        phrase from `match(phrases)`, the full-text index's ids for each
        (whether words stand side by side only it knows), asked only for the
        phrases not kept."""
        alternatives = {phrase for clause in clauses for phrase in clause}
        terms = self._postings({p[0] for p in alternatives if len(p) == 1})
        phrases = self._phrases_matched({p for p in alternatives if len(p) > 1}, match)
        masks = []
        for clause in clauses:
            mask = np.zeros(self.columns.size, dtype=bool)
            for phrase in clause:
                if len(phrase) == 1:
                    mask[terms[phrase[0]].positions] = True
                else:
                    mask[phrases[phrase]] = True
            masks.append(mask)
        return masks

    def _phrases_matched(self, wanted, match):
        """{phrase: positions of the documents it stands in}, asking `match`
        for those not kept."""

        def load(missing):
            return {
                phrase: np.sort(self.columns.locate(ids)[0]).astype(np.int32)
                for phrase, ids in zip(missing, match(missing), strict=True)
            }

        return self._phrases.get(wanted, load)

    def _postings(self, wanted):
        """{term: _Term} for these terms, read from the database for those
        not kept."""

        def load(missing):
            return {
                term: self._term(positions, frequencies)
                for term, (positions, frequencies) in _read(
                    self.columns, missing
                ).items()
            }

        return self._terms.get(wanted, load)

    def _term(self, positions, frequencies):
        count = len(positions)
        idf = math.log(1 + (self.columns.size - count + 0.5) / (count + 0.5))
        weights = _weights(idf, frequencies, self.norms[positions])
        return _Term(positions, frequencies, idf, weights)


def _weights(idf, frequencies, norms):
    frequencies = frequencies.astype(np.float64)
    return idf * frequencies * (K1 + 1) / (frequencies + norms)


def _phrase(terms):
    """The positions holding every term, with the least frequent term's
    frequency there and the sum of the terms' idfs."""
    positions, frequencies = terms[0].positions, terms[0].frequencies
    for term in terms[1:]:
        positions, mine, theirs = np.intersect1d(
            positions, term.positions, assume_unique=True, return_indices=True
        )
        frequencies = np.minimum(frequencies[mine], term.frequencies[theirs])
    return positions, frequencies, sum(term.idf for term in terms)


def _lengths(columns):
    """The length of every document of the columns, by position."""
    lengths = np.zeros(columns.size)
    kinds = list(columns.kinds)
    if not kinds:
        return lengths
    placeholders = ", ".join(["%s"] * len(kinds))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {aggregate_ids('id')}, {aggregate_ids('length')} "
            f"FROM search_searchdocument WHERE kind IN ({placeholders})",
            kinds,
        )
        ids, values = cursor.fetchone()
    ids = np.fromstring(ids or "", dtype=np.int64, sep=",")
    values = np.fromstring(values or "", dtype=np.float64, sep=",")
    positions, kept = columns.locate(ids)
    lengths[positions] = values[kept]
    return lengths


def _read(columns, terms):
    """{term: (positions, weighted frequencies)} of these terms' postings
    among the documents of the columns, ordered by position: one statement,
    each term's rows one text."""
    if connection.vendor == "postgresql":
        aggregate = "string_agg(document_id::text || ',' || frequency::text, ',')"
    else:
        aggregate = "group_concat(document_id || ',' || frequency)"
    placeholders = ", ".join(["%s"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, {aggregate} FROM search_searchposting "
            f"WHERE term IN ({placeholders}) GROUP BY term",
            list(terms),
        )
        texts = dict(cursor.fetchall())
    found = {}
    for term in terms:
        rows = np.fromstring(texts.get(term) or "", dtype=np.float64, sep=",")
        rows = rows.reshape(-1, 2)
        positions, kept = columns.locate(rows[:, 0].astype(np.int64))
        order = np.argsort(positions, kind="stable")
        found[term] = (
            positions[order].astype(np.int32),
            rows[kept, 1][order].astype(np.float32),
        )
    return found


_attach_lock = threading.Lock()


def of(columns):
    """The Ranking of these columns, made on first use and kept with them
    (so it goes when the index changes and the columns are loaded again)."""
    ranking = getattr(columns, "ranking", None)
    if ranking is None:
        with _attach_lock:
            ranking = getattr(columns, "ranking", None)
            if ranking is None:
                ranking = columns.ranking = Ranking(columns)
    return ranking


def best(scores, candidates, count):
    """The `count` best of `candidates` (positions, in ascending order) by
    score, ties to the lower position (the older document), best first."""
    values = scores[candidates]
    if len(candidates) > count:
        cut = len(values) - count
        threshold = np.partition(values, cut)[cut]
        above = np.flatnonzero(values > threshold)
        tied = np.flatnonzero(values == threshold)[: count - len(above)]
        keep = np.concatenate([above, tied])
        candidates, values = candidates[keep], values[keep]
    return candidates[np.lexsort((candidates, -values))]
