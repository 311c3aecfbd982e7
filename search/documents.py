"""What gets indexed: the indexable representation every backend stores.

An app registers a DocumentType for each kind of content it wants found (in
its AppConfig.ready). The type alone decides what is indexable and turns an
object into a Document; backends never look at models.
"""

import datetime
from collections.abc import Callable
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


@dataclass
class DocumentType:
    kind: str
    model: type
    indexable: Callable[[], QuerySet]
    to_document: Callable[[object], Document]
    prefetch: Callable[[QuerySet], QuerySet] = lambda queryset: queryset
    url: Callable[[object], str] = lambda obj: obj.get_url()
    # Called with the ids after the index changed for them, to make stale the
    # cached pages that show them; None empties the whole page cache.
    pages_changed: Callable[[list], None] | None = None

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
    _types[document_type.kind] = document_type


def get_type(kind):
    return _types[kind]


def document_types():
    return list(_types.values())
