"""What gets indexed: the indexable representation every backend stores.

An app registers a DocumentType for each kind of content it wants found (in
its AppConfig.ready). The type alone decides what is indexable and turns an
object into a Document; backends never look at models. It also names the
facets its documents are filtered by (FacetSpec): the query parser, the
service and the backends read them from here, so the engine knows no domain.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet


@dataclass
class Document:
    """One indexable item, as plain data.

    `keywords` holds facet labels and organisation names: text people search
    for that is not part of the story itself.
    """

    kind: str
    id: int
    title: str
    url: str
    summary: str = ""
    body: str = ""
    keywords: str = ""
    published_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    facets: dict[str, list[str]] = field(default_factory=dict)
    # How often others took this up (a practice: its adoptions the editors
    # confirmed): the "most taken up" order.
    uptake: int = 0


@dataclass(frozen=True)
class FacetSpec:
    """A facet as the engine knows it.

    `key` is the URL parameter and the name in Document.facets; `labels`
    returns every known value with its label (unknown values are refused as
    filters and never listed). Each shared value adds `similarity_weight` to
    how comparable two documents are, and a shared facet is explained with
    `similarity_reason`. `size` is how many values an engine that counts in
    buckets (Elasticsearch: 10 unless told) must list: all of them.
    """

    key: str
    label: str
    labels: Callable[[], dict[str, str]]
    similarity_weight: float = 0.0
    similarity_reason: str = ""
    size: int = 10

    def labels_for(self, values):
        """Map each known value to its label; unknown values are left out."""
        labels = self.labels()
        return {value: labels[value] for value in values if value in labels}


@dataclass
class DocumentType:
    kind: str
    model: type
    indexable: Callable[[], QuerySet]
    to_document: Callable[[object], Document]
    prefetch: Callable[[QuerySet], QuerySet] = lambda queryset: queryset
    url: Callable[[object], str] = lambda obj: obj.get_url()
    # Called with the ids after the index changed for them, to make stale the
    # cached pages that show them; None: only the pages that depend on the
    # kind's index or on those documents (search.service.update_index).
    pages_changed: Callable[[list], None] | None = None
    facets: Sequence[FacetSpec] = ()
    # {facet key: {value: label}} for every facet at once, when the domain can
    # fetch them cheaper than one facet at a time.
    facet_labels: Callable[[], dict[str, dict[str, str]]] | None = None

    def documents(self, ids=None):
        """Documents for every indexable object (or those of `ids`)."""
        queryset = self.indexable()
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        return (self.to_document(obj) for obj in self.prefetch(queryset).iterator(500))

    def objects(self, ids):
        """Indexable objects by id, for turning hits back into pages."""
        return self.prefetch(self.indexable().filter(pk__in=ids)).in_bulk()


_types: dict[str, DocumentType] = {}


def register(document_type):
    """Make a kind of document findable.

    A facet key means one facet: a kind may share another kind's FacetSpec,
    but not give the same key a different one.
    """
    registered = {spec.key: spec for spec in every_facet()}
    for spec in document_type.facets:
        if registered.get(spec.key, spec) != spec:
            raise ValueError(f"Facet {spec.key!r} is registered differently already")
    _types[document_type.kind] = document_type


def get_type(kind):
    return _types[kind]


def document_types():
    return list(_types.values())


def facets_of(kinds):
    """The facets of these kinds of document, each once, in registered order."""
    facets = {}
    for kind in kinds:
        for spec in _types[kind].facets:
            facets.setdefault(spec.key, spec)
    return list(facets.values())


def every_facet():
    """The facets of every registered kind (the Elasticsearch mapping)."""
    return facets_of(_types)


def facet_labels(kinds):
    """{facet key: {value: label}} for the facets of these kinds."""
    fetched = {}
    for kind in kinds:
        if _types[kind].facet_labels is not None:
            for key, known in _types[kind].facet_labels().items():
                fetched.setdefault(key, known)
    return {
        spec.key: fetched[spec.key] if spec.key in fetched else spec.labels()
        for spec in facets_of(kinds)
    }


def similarity_facets(kind):
    """The facets that make two documents of `kind` comparable, heaviest
    first (in registered order where they weigh the same)."""
    weighted = [spec for spec in _types[kind].facets if spec.similarity_weight]
    return sorted(weighted, key=lambda spec: -spec.similarity_weight)
