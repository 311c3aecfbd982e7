"""The contract every search backend implements.

A backend stores Documents and answers SearchQuery objects with raw ids,
scores and facet counts. Turning those into pages, labels and highlights is
shared (search.service), so every backend behaves the same to callers.
"""

from dataclasses import dataclass, field


@dataclass
class RawHit:
    kind: str
    id: int
    score: float | None = None
    text: str = ""  # summary and body, for highlighting by search.service
    highlight: str | None = None  # set when the engine highlights itself


@dataclass
class RawResults:
    total: int
    hits: list[RawHit]
    facet_counts: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class RawSimilar:
    kind: str
    id: int
    score: float
    shared: dict[str, set[str]]  # facet key -> values in common
    text_match: bool


# How much one shared value in a facet counts towards "vergelijkbaar".
SIMILARITY_WEIGHTS = {
    "thema": 3.0,
    "zorgkantoorregio": 2.0,
    "organisatie": 2.0,
    "doelgroep": 1.5,
    "provincie": 1.0,
    "beweging": 0.5,
}
TEXT_SIMILARITY_WEIGHT = 3.0


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
        """Replace the whole index with `documents` (an iterable)."""
        self.reset()
        batch = []
        for document in documents:
            batch.append(document)
            if len(batch) == 500:
                self.index(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            self.index(batch)
            if progress:
                progress(len(batch))

    def count(self):
        raise NotImplementedError

    def search(self, query, *, operator="and"):
        """RawResults for a SearchQuery; operator joins the text terms."""
        raise NotImplementedError

    def similar(self, kind, id, *, limit=5):
        """Up to `limit` RawSimilar of the same kind, best first."""
        raise NotImplementedError
