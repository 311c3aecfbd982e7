"""The database backend ranks with one function on SQLite and PostgreSQL: bm25
from the term statistics it stores (search.backends.ranking).

The documents here are of a kind registered for these tests only, so the
statistics (how many documents, how long, which hold a word) are those of
the corpus below and nothing else: the same orders and scores are expected
on both databases, written out where the reason is plain, and otherwise
checked against bm25 worked out here from the texts themselves.
"""

import math

import pytest

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search import documents
from search.analysis import analyze
from search.backends import get_backend
from search.backends.base import WEIGHTS
from search.backends.ranking import K1, B
from search.documents import Document, DocumentType
from search.models import SearchDocument, SearchPosting, Synonym
from search.query import SearchQuery
from search.service import search

KIND = "rangorde"

# id: (title, summary, body)
CORPUS = {
    1: ("De zwaluw", "", "Een vogel die in de zomer komt."),
    2: ("Iets anders", "", "Hier vliegt een zwaluw over het water."),
    3: ("Een verhaal", "Over de zwaluw", "Een vogel die in de zomer komt."),
    4: (
        "De zwaluw",
        "",
        "Een vogel die in de zomer komt en in de winter naar het zuiden "
        "vertrekt, over zee en woestijn, om in het voorjaar terug te keren "
        "naar dezelfde schuur waar hij zijn nest bouwde.",
    ),
    5: ("Iets anders", "", "Een zwaluw, nog een zwaluw en weer een zwaluw."),
    6: ("Vogels in de polder", "Kievit en grutto", "De grutto broedt in het gras."),
    7: ("Weidevogels", "Grutto", "Kievit, grutto en tureluur in de wei."),
    8: ("Boerenland", "", "Kievit in het gras bij de boerderij."),
    9: ("Het gras", "", "Kievit en zwaluw boven het gras."),
    10: ("De ijsvogel", "", "Een zeldzame vogel bij de beek, soms een kievit."),
    11: ("Nog een zwaluw", "", "De zwaluw vliegt laag bij onweer."),
    12: ("Nog een zwaluw", "", "De zwaluw vliegt laag bij onweer."),
}


def as_document(group):
    title, summary, body = CORPUS[int(group.name.split()[1])]
    return Document(
        kind=KIND,
        id=group.pk,
        title=title,
        url=f"/rangorde/{group.pk}/",
        summary=summary,
        body=body,
    )


CORPUS_TYPE = DocumentType(
    kind=KIND,
    model=Group,
    indexable=lambda: Group.objects.filter(name__startswith="Rangorde "),
    to_document=as_document,
    url=lambda group: f"/rangorde/{group.pk}/",
)


@pytest.fixture
def corpus(db, monkeypatch):
    """The corpus indexed, {number in CORPUS: document id}."""
    monkeypatch.setattr(documents, "_types", dict(documents._types))
    documents.register(CORPUS_TYPE)
    groups = {
        number: Group.objects.create(name=f"Rangorde {number}") for number in CORPUS
    }
    get_backend().index(as_document(group) for group in groups.values())
    return {number: group.pk for number, group in groups.items()}


def ranked(text):
    results = search(SearchQuery(text=text, kinds=(KIND,), prefix=False, page_size=20))
    return results


def numbers(results, corpus):
    by_id = {pk: number for number, pk in corpus.items()}
    return [by_id[hit.id] for hit in results.hits]


def test_the_order_follows_where_and_how_often_a_word_occurs(corpus):
    order = numbers(ranked("zwaluw"), corpus)
    # In the title of a short text first, then the same title over a longer
    # story; a word three times in the body above once.
    assert order.index(1) < order.index(4)
    assert order.index(5) < order.index(2)
    # In the summary above only in the body of a text as long.
    assert order.index(3) < order.index(2)


def test_equal_texts_rank_the_older_document_first(corpus):
    order = numbers(ranked("onweer"), corpus)
    assert order == [11, 12]


def test_a_rare_word_counts_more_than_a_common_one(corpus):
    # "ijsvogel" is in one text, "gras" in three: of the texts that hold
    # one of them besides "kievit", the one with the rare word comes first.
    order = numbers(ranked("kievit ijsvogel gras"), corpus)
    assert order[0] == 10


@pytest.mark.parametrize(
    "text",
    [
        "zwaluw",
        "kievit",
        "grutto kievit",
        "vogel zomer",
        "kievit ijsvogel gras",
        "zwaluw vliegt laag",
        "de grutto broedt in het gras bij de boerderij",
    ],
)
def test_scores_are_bm25_of_the_stored_statistics(corpus, text):
    results = ranked(text)
    query = SearchQuery(text=text, kinds=(KIND,), prefix=False)
    expected = reference_scores(query.clauses, corpus)
    assert results.hits, text
    for hit in results.hits:
        assert hit.score == pytest.approx(expected[hit.id], rel=1e-9)
    # Within the documents that match as many words, the best score first,
    # ties to the older document.
    tiers = [len(hit.missing) for hit in results.hits]
    assert tiers == sorted(tiers)
    for first, second in zip(results.hits, results.hits[1:], strict=False):
        if len(first.missing) == len(second.missing):
            assert (-first.score, first.id) < (-second.score, second.id)


def test_the_index_stores_weighted_frequencies_and_lengths(corpus):
    document = SearchDocument.objects.get(kind=KIND, object_id=corpus[3])
    assert document.length == sum(len(analyze(text)) for text in CORPUS[3])
    stored = dict(
        SearchPosting.objects.filter(document=document).values_list("term", "frequency")
    )
    (zwaluw,) = analyze("zwaluw")
    (vogel,) = analyze("vogel")
    assert stored[zwaluw] == WEIGHTS["summary"]
    assert stored[vogel] == WEIGHTS["body"]


def test_a_document_indexed_again_or_removed_leaves_no_stale_postings(corpus):
    backend = get_backend()
    group = Group.objects.get(pk=corpus[2])
    CORPUS[2] = ("Iets anders", "", "Alleen nog over de merel.")
    try:
        backend.index([as_document(group)])
        assert 2 not in numbers(ranked("zwaluw"), corpus)
        assert numbers(ranked("merel"), corpus) == [2]
        backend.delete(KIND, [corpus[2]])
        assert ranked("merel").total == 0
        assert not SearchPosting.objects.filter(
            document__kind=KIND, document__object_id=corpus[2]
        ).exists()
    finally:
        CORPUS[2] = ("Iets anders", "", "Hier vliegt een zwaluw over het water.")


def reference_scores(clauses, corpus):
    """bm25 worked out from the texts of CORPUS, as search.backends.ranking
    documents it: per alternative of each clause, idf times the saturated
    field-weighted frequency; a phrase counts its least frequent term and
    the sum of the idfs of its terms."""
    fields = {
        corpus[number]: [analyze(text) for text in texts]
        for number, texts in CORPUS.items()
    }
    lengths = {pk: sum(len(terms) for terms in texts) for pk, texts in fields.items()}
    average = sum(lengths.values()) / len(lengths)
    weights = [WEIGHTS[name] for name in ("title", "summary", "body")]

    def frequency(pk, term):
        return sum(
            weight * terms.count(term)
            for weight, terms in zip(weights, fields[pk], strict=True)
        )

    def idf(term):
        holding = sum(1 for pk in fields if frequency(pk, term))
        return math.log(1 + (len(fields) - holding + 0.5) / (holding + 0.5))

    scores = dict.fromkeys(fields, 0.0)
    for pk in fields:
        norm = K1 * (1 - B + B * lengths[pk] / average)
        for clause in clauses:
            for phrase in clause:
                found = min(frequency(pk, term) for term in phrase)
                if found:
                    scores[pk] += (
                        sum(idf(term) for term in phrase)
                        * found
                        * (K1 + 1)
                        / (found + norm)
                    )
    return scores


def test_a_phrase_asks_the_full_text_index_once_per_content_of_the_index(corpus):
    """Only the full-text index knows whether words stand side by side; a
    phrase (from a synonym) is asked for once, then kept until the index
    changes (search.backends.ranking)."""
    Synonym.objects.create(terms="laagvlieger, vliegt laag")

    def fulltext_statements(text):
        with CaptureQueriesContext(connection) as captured:
            found = numbers(ranked(text), corpus)
        sql = [q["sql"] for q in captured if "search_fulltext" in q["sql"]]
        return found, sql

    found, sql = fulltext_statements("laagvlieger")
    assert found == [11, 12] and sql
    assert fulltext_statements("laagvlieger") == ([11, 12], [])
    # A new text with both words, but not side by side as "vliegt laag".
    group = Group.objects.create(name="Rangorde 13")
    CORPUS[13] = ("Een merel", "", "Laag vliegt de zwaluw niet.")
    try:
        get_backend().index([as_document(group)])
        corpus[13] = group.pk
        found, sql = fulltext_statements("laagvlieger")
    finally:
        del CORPUS[13]
    assert found == [11, 12] and sql  # asked again: the index changed
