"""The search contract: what callers ask (SearchQuery) and get (SearchResults).

Every backend answers the same SearchQuery with the same semantics; see
docs/search.md ("How relevance works") and tests/search_contract.py.
"""

import math
from dataclasses import dataclass, field

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.params import MAX_ID, positive_int
from core.text import printable

from .backends import get_backend
from .documents import facets_of, get_type
from .expansion import expand
from .synonyms import parse

SORTS = {
    "relevance": gettext_lazy("Relevance"),
    "newest": gettext_lazy("Newest first"),
    "title": gettext_lazy("Title (A-Z)"),
    "uptake": gettext_lazy("Most taken up elsewhere"),
}
MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000  # deepest result anyone can page to
MAX_TEXT_LENGTH = 200
MAX_VALUES_PER_FACET = 50
# A query counts its first MAX_CLAUSES clauses (words or synonym runs, after
# stopwords are dropped): a question of ten words already says what it is
# about, and every clause costs the engine a lookup.
MAX_CLAUSES = 10
# How many clauses a document must match, in Elasticsearch's notation (which
# its backend sends as is): up to 2 clauses every one; beyond that 75% of
# them, rounded down as Elasticsearch rounds (3 of 4, 3 of 5, 4 of 6, 7 of
# 10). See required_clauses.
MINIMUM_SHOULD_MATCH = "2<75%"


@dataclass
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = ""
    page: int = 1
    page_size: int = 12
    kinds: tuple[str, ...] = ("practice",)
    # Whether the last word may be the start of a longer one: the text as
    # someone is typing it, not ended with a space (search.expansion).
    prefix: bool = True
    # Only the hits are wanted, as a list of links (the suggestions as
    # someone types): the same hits in the same order and the same total,
    # without what only a results page shows, which costs as much as
    # finding them: no facet counts (SearchResults.facets is empty), no
    # highlights, no facet values on the hits and no "did you mean".
    hits_only: bool = False
    # Only these documents (object ids), or every one when None: a saved
    # search is checked against the one practice that was just published
    # (search.service.matching).
    ids: tuple[int, ...] | None = None

    @cached_property
    def parsed(self):
        """The text as clauses of alternatives: synonyms applied
        (search.synonyms.parse), then corrections of the words the index does
        not know and completions of the last word (search.expansion)."""
        parsed = parse(self.text)
        # Browsing (no words to match) needs no vocabulary, nor its query.
        vocabulary = get_backend().vocabulary() if parsed.clauses else None
        return expand(parsed, self.text, vocabulary, prefix=self.prefix)

    @property
    def clauses(self):
        """[[alternative, ...], ...], at most MAX_CLAUSES: a document matches
        when it matches every clause of `minimum_should_match` of the words
        (clause_words; or, in the fallback, of any word); a clause matches
        when any of its alternatives does. An
        alternative is a tuple of analysed terms, a phrase when there are
        several."""
        return self.parsed.clauses[:MAX_CLAUSES]

    @property
    def clause_words(self):
        """For each clause, the word of the query it comes from (0, 1, ...):
        the parts of a compound are clauses of one word."""
        return self.parsed.words[: len(self.clauses)]

    @property
    def word_count(self):
        return max(self.clause_words, default=-1) + 1

    @property
    def minimum_should_match(self):
        """How many words a document must match, every clause of a word
        (MINIMUM_SHOULD_MATCH over the words, so a compound typed counts
        once however many parts it has)."""
        return required_clauses(self.word_count)

    def words(self, word):
        """Word number `word` of the query as the visitor typed it."""
        return self.parsed.word_texts[word]

    @property
    def terms(self):
        """Every analysed term the query may match, once: for highlighting,
        and to tell whether there is any text to match."""
        return self.parsed.terms

    @property
    def effective_sort(self):
        """Relevance when there is text to rank by, newest first otherwise."""
        if self.sort == "relevance" and not self.terms:
            return "newest"
        return self.sort or ("relevance" if self.terms else "newest")

    @property
    def offset(self):
        return (self.page - 1) * self.page_size


def required_clauses(count):
    """Of `count` clauses, how many must match: all up to 2, beyond that 75%
    rounded down, as Elasticsearch reads MINIMUM_SHOULD_MATCH ("2<75%"). Long
    questions then find the documents that miss a word or two; two words
    still both count."""
    if count <= 2:
        return count
    return count * 3 // 4


@dataclass
class ParamError:
    param: str
    value: str
    message: str

    def as_dict(self):
        return {"param": self.param, "value": self.value, "message": self.message}


def _get(params, name):
    return printable(params.get(name, ""))


def _getlist(params, name):
    return [printable(value) for value in params.getlist(name)]


def _whole_number(params, name, default, errors):
    """`name` as a number of 1 or more in ASCII digits (core.params); `default`
    when it is absent or, reported, when it is no such number."""
    raw = _get(params, name).strip()
    if raw == "":
        return default
    number = positive_int(raw)
    if number is not None:
        return number
    if raw.isascii() and raw.isdigit() and raw.strip("0"):
        return MAX_ID  # more than any id: the limits below report it
    if raw.isascii() and raw.removeprefix("-").isdigit():
        errors.append(ParamError(name, raw, _("Must be 1 or more.")))
    else:
        errors.append(ParamError(name, raw, _("Must be a whole number.")))
    return default


def parse_params(params, *, kinds=("practice",), default_page_size=12):
    """Build a SearchQuery for documents of `kinds` from request parameters;
    the filters are the facets registered for those kinds.

    Returns (query, errors). Invalid values are reported and left out, so a
    page can still show sensible results next to the message while the API
    answers 400.
    """
    errors = []
    raw_text = _get(params, "q")
    text = " ".join(raw_text.split())
    if len(text) > MAX_TEXT_LENGTH:
        errors.append(
            ParamError(
                "q",
                text[:50] + "…",
                _("The search text may be at most %(max)d characters.")
                % {"max": MAX_TEXT_LENGTH},
            )
        )
        text = text[:MAX_TEXT_LENGTH]
    filters = {}
    for facet in facets_of(kinds):
        requested = list(dict.fromkeys(v for v in _getlist(params, facet.key) if v))
        if not requested:
            continue
        if len(requested) > MAX_VALUES_PER_FACET:
            errors.append(
                ParamError(
                    facet.key,
                    "",
                    _("At most %(max)d values per filter.")
                    % {"max": MAX_VALUES_PER_FACET},
                )
            )
            requested = requested[:MAX_VALUES_PER_FACET]
        known = facet.labels_for(requested)
        for value in requested:
            if value not in known:
                errors.append(
                    ParamError(facet.key, value, _("Unknown value for this filter."))
                )
        picked = [value for value in requested if value in known]
        if picked:
            filters[facet.key] = picked
    sort = _get(params, "sort")
    if sort and sort not in SORTS:
        errors.append(
            ParamError("sort", sort, _("Sort by one of: %s.") % ", ".join(SORTS))
        )
        sort = ""
    page = _whole_number(params, "page", 1, errors)
    page_size = _whole_number(params, "page_size", default_page_size, errors)
    if page_size > MAX_PAGE_SIZE:
        errors.append(
            ParamError(
                "page_size",
                str(page_size),
                _("At most %(max)d results per page.") % {"max": MAX_PAGE_SIZE},
            )
        )
        page_size = MAX_PAGE_SIZE
    if page * page_size > MAX_RESULT_WINDOW:
        errors.append(
            ParamError(
                "page",
                str(page),
                _("Only the first %(max)d results can be paged through; add a filter.")
                % {"max": MAX_RESULT_WINDOW},
            )
        )
        page = 1
    query = SearchQuery(
        text=text,
        filters=filters,
        sort=sort,
        page=page,
        page_size=page_size,
        kinds=tuple(kinds),
        prefix=not raw_text[-1:].isspace(),
    )
    return query, errors


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    key: str
    label: str
    values: list[FacetValue]

    @property
    def selected_values(self):
        return [value for value in self.values if value.selected]


@dataclass
class Hit:
    """One result as the index knows it: enough to show it without a query
    per hit. `facets` maps each facet to (value, label) pairs."""

    kind: str
    id: int
    title: str
    url: str
    summary: str
    highlight: str
    facets: dict = field(default_factory=dict)
    published_at: object = None
    updated_at: object = None
    score: float | None = None
    # The words of the query (as typed) this document does not contain: a
    # long question finds documents that miss a few (MINIMUM_SHOULD_MATCH).
    missing: list[str] = field(default_factory=list)

    @cached_property
    def object(self):
        """The indexed object itself, loaded on first use (one query)."""
        return get_type(self.kind).objects([self.id]).get(self.id)

    def labels(self, key):
        return [label for _value, label in self.facets.get(key, [])]


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: list[Facet]
    fallback: bool = False
    # The text with each word the index did not know corrected, when the
    # results include corrections ("did you mean"); None otherwise.
    suggestion: str | None = None

    @property
    def num_pages(self):
        return max(1, math.ceil(self.total / self.query.page_size))

    @property
    def partial(self):
        """Whether a hit on this page lacks some of the query's words."""
        return any(hit.missing for hit in self.hits)

    @property
    def page_out_of_range(self):
        return self.query.page > self.num_pages

    def facet(self, key):
        return next(facet for facet in self.facets if facet.key == key)
