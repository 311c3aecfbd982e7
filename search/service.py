"""What callers use: search(), similar() and the index updates.

Backends answer with ids and counts; this module turns those into pages,
labels and highlights the same way for every backend, and applies the rules
that belong to the contract rather than to an engine (the AND-then-OR
fallback, selected values that stay listed at zero).
"""

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.cache import bump_version

from .analysis import highlight
from .backends import get_backend
from .documents import (
    document_types,
    facet_labels,
    facets_of,
    get_type,
    similarity_facets,
)
from .query import Facet, FacetValue, Hit, SearchResults

logger = logging.getLogger("vindplaats.search")


def search(query):
    """Answer a SearchQuery with SearchResults (see search.query)."""
    backend = get_backend()
    raw = backend.search(query, operator="and")
    fallback = False
    if raw.total == 0 and len(query.terms) > 1:
        raw = backend.search(query, operator="or")
        fallback = raw.total > 0
    labels = facet_labels(query.kinds)  # once per search
    return SearchResults(
        query=query,
        total=raw.total,
        hits=_hits(raw.hits, query.terms, labels),
        facets=_facets(facets_of(query.kinds), raw.facet_counts, query.filters, labels),
        fallback=fallback,
    )


def _hits(raw_hits, terms, labels):
    hits = []
    for raw in raw_hits:
        snippet = raw.highlight
        if snippet is None:
            snippet = highlight(raw.text, terms) if terms else ""
        facets = {
            key: [(value, known.get(value, value)) for value in raw.facets.get(key, [])]
            for key, known in labels.items()
        }
        hits.append(
            Hit(
                kind=raw.kind,
                id=raw.id,
                title=raw.title,
                url=raw.url,
                summary=raw.summary,
                highlight=snippet,
                facets=facets,
                published_at=raw.published_at,
                updated_at=raw.updated_at,
                score=raw.score,
            )
        )
    return hits


def _facets(specs, counts, filters, labels):
    facets = []
    for spec in specs:
        facet_counts = dict(counts.get(spec.key, {}))
        selected = filters.get(spec.key, [])
        for value in selected:
            facet_counts.setdefault(value, 0)
        known = labels[spec.key]
        values = [
            FacetValue(value, known[value], count, value in selected)
            for value, count in facet_counts.items()
            if value in known
        ]
        values.sort(key=lambda v: (-v.count, v.label.lower()))
        facets.append(Facet(spec.key, spec.label, values))
    return facets


@dataclass
class SimilarItem:
    object: object
    url: str
    reasons: list[str]


INDEX_VERSION_KEY = "search-index-version"
SIMILAR_CACHE_SECONDS = 24 * 60 * 60


def index_version():
    """A number that changes whenever anything in the index changes."""
    return cache.get_or_set(INDEX_VERSION_KEY, 1, None)


def _index_changed():
    try:
        cache.incr(INDEX_VERSION_KEY)
    except ValueError:
        cache.set(INDEX_VERSION_KEY, 2, None)


def similar(obj, kind="practice", limit=5):
    """Up to `limit` comparable items, each with why it is comparable.

    The backend's answer depends on every document in the index, so it is
    cached per index version: any index change makes every entry stale.
    """
    document_type = get_type(kind)
    key = f"similar:{index_version()}:{kind}:{obj.pk}:{limit}"
    raw = cache.get(key)
    if raw is None:
        try:
            raw = get_backend().similar(kind, obj.pk, limit=limit)
        except Exception:
            logger.exception("Similar items for %s %s failed", kind, obj.pk)
            return []
        cache.set(key, raw, SIMILAR_CACHE_SECONDS)
    objects = (
        document_type.indexable().filter(pk__in=[item.id for item in raw]).in_bulk()
    )
    items = []
    for item in raw:
        other = objects.get(item.id)
        if other is None:
            continue
        reasons = [
            str(spec.similarity_reason)
            for spec in similarity_facets(kind)
            if spec.key in item.shared
        ]
        if item.text_match:
            reasons.append(str(_("similar description")))
        items.append(SimilarItem(other, document_type.url(other), reasons))
    return items


def update_index(kind, ids):
    """Index the indexable objects of `ids` and remove the rest."""
    ids = set(ids)
    document_type = get_type(kind)
    documents = list(document_type.documents(ids))
    backend = get_backend()
    try:
        backend.index(documents)
        gone = ids - {document.id for document in documents}
        if gone:
            backend.delete(kind, gone)
    finally:
        _index_changed()
        # Pages that show counts from the index (home map, regions, search)
        # are cached: they must be rebuilt now, not before the index changed.
        # A kind may name just the pages that show it (community questions).
        if document_type.pages_changed is not None:
            document_type.pages_changed(sorted(ids))
        else:
            bump_version()


def schedule_update(kind, ids):
    """Update the index for these objects once the current transaction commits."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: update_index(kind, ids))


def rebuild(progress=None):
    """Rebuild the whole index from every registered document type."""
    documents = (
        doc for document_type in document_types() for doc in document_type.documents()
    )
    try:
        get_backend().rebuild(documents, progress=progress)
    finally:
        _index_changed()
