"""The contract every search backend implements.

A backend stores Documents and answers SearchQuery objects with raw ids,
scores and facet counts. Turning those into pages, labels and highlights is
shared (search.service), so every backend behaves the same to callers.
"""

from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction


def batches(items, size=500):
    """Lists of up to `size` items from any iterable."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class RawHit:
    """A hit with everything a result list shows, straight from the index."""

    kind: str
    id: int
    title: str = ""
    url: str = ""
    summary: str = ""
    published_at: object = None
    updated_at: object = None
    facets: dict[str, list[str]] = field(default_factory=dict)
    score: float | None = None
    text: str = ""  # summary and body, for highlighting by search.service
    highlight: str | None = None  # set when the engine highlights itself
    missing: tuple[int, ...] = ()  # positions of the query clauses it lacks


@dataclass
class RawResults:
    total: int
    hits: list[RawHit]
    facet_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # The documents the text matches before any facet selection (None when
    # the backend cannot tell): whether a long question found little does
    # not depend on the filters ticked (search.service.search).
    text_total: int | None = None


@dataclass
class RawSimilar:
    kind: str
    id: int
    score: float
    shared: dict[str, set[str]]  # facet key -> values in common
    text_match: bool


# Relative weight of the fields: a word in the title counts far more than the
# same word deep in the story. Every backend ranks with these.
WEIGHTS = {"title": 10.0, "summary": 4.0, "keywords": 2.0, "body": 1.0}

# How much a similar text counts towards "vergelijkbaar"; each shared facet
# value counts its FacetSpec.similarity_weight (search.documents).
TEXT_SIMILARITY_WEIGHT = 3.0


class SearchClusterError(Exception):
    """A remote search engine could not do what was asked."""


class BaseSearchBackend:
    def index(self, documents):
        """Add or replace documents."""
        raise NotImplementedError

    def delete(self, kind, ids):
        """Remove documents of one kind by id; unknown ids are ignored."""
        raise NotImplementedError

    def reset(self):
        """Remove every document."""
        raise NotImplementedError

    def rebuild(self, documents, progress=None):
        """Replace the whole index with `documents` (an iterable), in one
        transaction so searches see the old index until the new one is done."""
        with transaction.atomic():
            self.reset()
            for batch in batches(documents):
                self.index(batch)
                if progress:
                    progress(len(batch))

    def health(self):
        """A dict with at least "status" ("ok" or "unavailable")."""
        raise NotImplementedError

    def count(self):
        raise NotImplementedError

    def search(self, query, *, minimum=None):
        """RawResults for a SearchQuery: the documents that match at least
        `minimum` of its clauses (query.clauses: each a list of
        alternatives, any of which matches), query.minimum_should_match when
        None. A word of the query matches where every one of its clauses
        does (each part of a compound); in a search widened below the
        query's own minimum (search.service), where any of them does.
        Ranked by relevance, a document that matches more words comes
        first, then the better score; each hit names the words it does not
        wholly match."""
        raise NotImplementedError

    def similar(self, kind, id, *, limit=5):
        """Up to `limit` RawSimilar of the same kind, best first."""
        raise NotImplementedError

    def vocabulary(self):
        """The indexed terms with their document counts (a
        search.expansion.Vocabulary), which corrections and completions of
        a query are looked up in; None for a backend that keeps none, whose
        queries are then not widened."""
        return None

    def synonyms_changed(self):
        """The redactie changed the synonyms (search.synonyms). Queries
        apply them as they are asked; a backend that keeps its own copy
        brings it up to date here."""
