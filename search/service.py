"""What callers use: search(), similar() and the index updates.

Backends answer with ids and counts; this module turns those into pages,
labels and highlights the same way for every backend, and applies the rules
that belong to the contract rather than to an engine (the any-word fallback
when too few clauses match, the words each hit lacks, selected values that
stay listed at zero).
"""

import dataclasses
import logging
from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.cache import bump, depends_on, one_request

from .analysis import highlight
from .backends import get_backend
from .documents import (
    document_types,
    facet_labels,
    facets_of,
    get_type,
    similarity_facets,
)
from .expansion import suggestion
from .models import SearchDocument
from .query import MAX_RESULT_WINDOW, Facet, FacetValue, Hit, SearchResults

logger = logging.getLogger("vindplaats.search")

# Fewer results than this for a query of three words or more, and fewer of
# its words are enough (search()).
FEW_RESULTS = 10


def search(query):
    """Answer a SearchQuery with SearchResults (see search.query). One
    search sees one state of the index: what it reads once per request
    (the index's tokens, its vocabulary) it reads once, in a request or
    not."""
    with one_request():
        return _search(query)


def _search(query):
    # The page showing the results is rebuilt when the index changes.
    depends_on(*(index_name(kind) for kind in query.kinds))
    backend = get_backend()
    raw = backend.search(query)
    own = raw  # with as many words as the query asks for
    widened_to = None  # the minimum the results shown needed, when fewer
    tried = set()  # the minimums asked for besides the query's own
    found = raw.total if raw.text_total is None else raw.text_total
    if found < FEW_RESULTS and query.word_count > 2:
        # A long question that finds little (whatever the filters): what has
        # half of its words (at least two) joins, and when that is still
        # little, what has any of them; a compound typed counts where any of
        # its parts is (the backend's contract for a widened search). What
        # has more words still comes first, each hit saying what it lacks.
        # A question's words are often not the ones the texts use.
        half = max(2, -(-query.word_count // 2))
        for minimum in (half, 1):
            if minimum >= query.minimum_should_match:
                continue
            wider = backend.search(query, minimum=minimum)
            tried.add(minimum)
            if wider.total > raw.total:
                raw, widened_to = wider, minimum
            if wider.text_total is None or wider.text_total >= FEW_RESULTS:
                break
    if raw.total == 0 and query.minimum_should_match > 1 and 1 not in tried:
        # Nothing has enough of the words: what has any of them, each hit
        # saying which it lacks, beats an empty page.
        raw, widened_to = backend.search(query, minimum=1), 1
    # The page says so when nothing had the words asked for and what it
    # shows needed only one of them.
    fallback = own.total == 0 and widened_to == 1 and raw.total > 0
    if query.hits_only:
        # A list of links: no labels to look up, no snippets to mark, no
        # facets to list, no correction to offer (SearchQuery.hits_only).
        return SearchResults(
            query=query,
            total=raw.total,
            hits=_hits(raw.hits, query, labels={}),
            facets=[],
            fallback=fallback,
        )
    labels = facet_labels(query.kinds)  # once per search
    hits = _hits(raw.hits, query, labels)
    return SearchResults(
        query=query,
        total=raw.total,
        # Every alternative is marked: a search for "ELV" marks the
        # "eerstelijnsverblijf" a synonym found, "dementei" the "dementie".
        hits=hits,
        facets=_facets(facets_of(query.kinds), raw.facet_counts, query.filters, labels),
        fallback=fallback,
        suggestion=suggestion(
            query.text,
            query.parsed,
            [t for hit in hits for t in (hit.title, hit.summary)],
        ),
    )


def matching(query, ids=None):
    """The ids of the documents the query finds with as many of its words as
    it asks for (its own minimum_should_match: never the any-word widening a
    short result list gets, search()) and its filters; of `ids` only, or of
    every document (the first MAX_RESULT_WINDOW, newest first).

    What a saved search alerts on: "this practice is among the search's
    results" in the page's own terms (synonyms, compounds, corrections),
    asked of the one document that changed.
    """
    if ids is not None:
        ids = tuple(ids)
        if not ids:
            return set()
    with one_request():
        raw = get_backend().search(
            dataclasses.replace(
                query,
                ids=ids,
                sort="newest",  # no ranking needed to tell which match
                page=1,
                page_size=len(ids) if ids is not None else MAX_RESULT_WINDOW,
                hits_only=True,
            )
        )
    return {hit.id for hit in raw.hits}


def _hits(raw_hits, query, labels):
    """Contract hits from the backend's; `labels` ({facet: {value: label}})
    names the facets the hits carry. With query.hits_only, no highlight."""
    phrases = [] if query.hits_only else query.parsed.phrases
    hits = []
    for raw in raw_hits:
        snippet = raw.highlight
        if snippet is None or query.hits_only:
            snippet = highlight(raw.text, phrases) if phrases else ""
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
                missing=[query.words(clause) for clause in raw.missing],
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
    """One comparable item as the index knows it: enough to list it without
    loading it."""

    kind: str
    id: int
    title: str
    url: str
    reasons: list[str]

    @cached_property
    def object(self):
        """The item itself, loaded on first use (one query)."""
        return get_type(self.kind).objects([self.id]).get(self.id)


SIMILAR_CACHE_SECONDS = 24 * 60 * 60


def index_name(kind):
    """The version (core.cache) of every search over documents of `kind`."""
    return f"search-index:{kind}"


def document_name(kind, id):
    """The version (core.cache) of one indexed document."""
    return f"search-document:{kind}:{id}"


def _index_changed(kind, ids=()):
    bump(index_name(kind), *(document_name(kind, id) for id in ids))


def similar(obj, kind="practice", limit=5):
    """Up to `limit` comparable items, each with why it is comparable.

    The backend's answer is kept for a day per object, until the object's
    own document changes. What is shown depends on the documents it names:
    one changed or gone since (renamed, unpublished) makes the page part
    that shows the list stale at once, and is left out when it is no longer
    indexable. A newly indexed document joins other objects' lists when
    theirs are worked out again, within a day.
    """
    own = depends_on(document_name(kind, obj.pk))
    key = f"similar:{kind}:{obj.pk}:{limit}:{own}"
    raw = cache.get(key)
    if raw is None:
        try:
            raw = get_backend().similar(kind, obj.pk, limit=limit)
        except Exception:
            logger.exception("Similar items for %s %s failed", kind, obj.pk)
            return []
        cache.set(key, raw, SIMILAR_CACHE_SECONDS)
    depends_on(*(document_name(kind, item.id) for item in raw))
    # Listed as indexed: what is no longer indexable has left the index.
    indexed = {
        object_id: (title, url)
        for object_id, title, url in SearchDocument.objects.filter(
            kind=kind, object_id__in=[item.id for item in raw]
        ).values_list("object_id", "title", "url")
    }
    items = []
    for item in raw:
        if item.id not in indexed:
            continue
        reasons = [
            str(spec.similarity_reason)
            for spec in similarity_facets(kind)
            if spec.key in item.shared
        ]
        if item.text_match:
            reasons.append(str(_("similar description")))
        items.append(SimilarItem(kind, item.id, *indexed[item.id], reasons))
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
        # Pages that show what the index holds (search, the home map, the
        # similar lists) are cached: they are rebuilt now, not before the
        # index changed. Each kind names its own pages besides.
        _index_changed(kind, ids)
        if document_type.pages_changed is not None:
            document_type.pages_changed(sorted(ids))


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
        for document_type in document_types():
            _index_changed(document_type.kind)
            if document_type.pages_changed is not None:
                document_type.pages_changed([])
