"""Reverse search: which stored queries may find one new document.

A saved search is not run again for every document that is published;
instead each query keeps a few keys (`query_keys`), such that every
document it can find holds at least one of them, and a document's own keys
(`document_keys`) pick out the queries worth asking (Elasticsearch calls
this percolation). The candidates are then confirmed with the search
contract itself (search.service.matching), so the keys only need to be
complete, never exact.

A key is (kind, value):

- ("term", t): an analysed term, as the index holds it (a compound's parts
  included, search.analysis.word_terms);
- ("prefix", p): the folded start of a word still being completed
  (search.expansion), found by any term of the document that starts with it;
- ("facet", "thema=acute-zorg"): a facet value;
- ("all", ""): a query without words or filters, which finds everything.

Which keys: a document matches a query when it matches at least
minimum_should_match of its words, a word when it matches each of its
clauses, a clause when it holds one of its alternatives (a phrase: all its
terms). So the keys of one clause (one term per alternative, the rarest)
cover its word; the keys of (words - minimum + 1) words cover the query, as
a document can lack at most (words - minimum) of them; and the values of one
selected facet cover the filters. Of those sets the one held by the fewest
documents is kept.
"""

from .analysis import analyze, folded_words
from .backends import get_backend
from .expansion import PREFIX_MIN_LETTERS

TERM = "term"
PREFIX = "prefix"
FACET = "facet"
ALL = "all"

# How many documents a key is taken to hold when that is not known: a
# prefix (it may come to hold many, so a word's other clause is kept rather
# than it) or a facet value without counts.
MANY = 1_000_000


def facet_key(facet, value):
    return f"{facet}={value}"


def query_keys(query, facet_counts=None):
    """The keys of a SearchQuery (see the module): a small set, held by the
    fewest documents the index knows of. `facet_counts` ({facet: {value:
    documents}}) weighs the filters; without it a facet value is taken to be
    held by every document."""
    vocabulary = get_backend().vocabulary() if query.terms else None
    frequency = vocabulary.frequency if vocabulary is not None else {}
    candidates = []
    text_keys = _text_keys(query, frequency)
    if text_keys is not None:
        candidates.append(text_keys)
    for key, values in query.filters.items():
        counts = (facet_counts or {}).get(key, {})
        candidates.append(
            (
                sum(counts.get(value, MANY) for value in values),
                {(FACET, facet_key(key, value)) for value in values},
            )
        )
    if not candidates:
        return {(ALL, "")}
    return min(candidates, key=lambda weighed: (weighed[0], len(weighed[1])))[1]


def _text_keys(query, frequency):
    """(weight, keys) covering the words of the query, or None without any."""
    clauses = query.clauses
    if not clauses:
        return None
    parsed = query.parsed
    last = len(parsed.clauses) - 1
    completing = _completing(query, frequency)
    per_word = {}
    for index, (clause, word) in enumerate(
        zip(clauses, query.clause_words, strict=True)
    ):
        keys, weight = set(), 0
        for phrase in clause:
            rarest = min(phrase, key=lambda term: (frequency.get(term, 0), term))
            keys.add((TERM, rarest))
            weight += frequency.get(rarest, 0)
        if index == last and completing:
            # The last word may come to be completed by a term that is not
            # indexed yet ("transferp" by "transferpunt").
            keys.add((PREFIX, completing))
            weight += MANY
        best = per_word.get(word)
        if best is None or weight < best[0]:
            per_word[word] = (weight, keys)
    lacking = query.word_count - query.minimum_should_match
    chosen = sorted(per_word.values(), key=lambda weighed: weighed[0])[: lacking + 1]
    return (
        sum(weight for weight, _keys in chosen),
        set().union(*(keys for _weight, keys in chosen)),
    )


def _completing(query, frequency):
    """The folded last word when search.expansion may complete it (the text
    is being typed and the index does not know the word), else ""."""
    if not query.prefix:
        return ""
    words = folded_words(query.text)
    if not words:
        return ""
    word = words[-1]
    if len(word) < PREFIX_MIN_LETTERS or not word.isalpha():
        return ""
    terms = analyze(word)
    if not terms or terms[0] in frequency:
        return ""
    return word


def document_keys(document):
    """{kind: values} of a search.documents.Document: its analysed terms,
    every start of them a prefix key may be, and its facet values."""
    terms = set()
    for text in (document.title, document.summary, document.keywords, document.body):
        terms.update(analyze(text))
    prefixes = {
        term[:length]
        for term in terms
        for length in range(PREFIX_MIN_LETTERS, len(term) + 1)
    }
    facets = {
        facet_key(facet, value)
        for facet, values in document.facets.items()
        for value in values
    }
    return {TERM: terms, PREFIX: prefixes, FACET: facets}
