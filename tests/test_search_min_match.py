"""Long queries on the database backend (SQLite, or PostgreSQL with
DATABASE_URL): a document needs a share of the words
(search.query.MINIMUM_SHOULD_MATCH), ranks by how many it has, and the page
and the API say which words each result lacks. The behaviour every backend
shares is in tests/search_contract.py; the Elasticsearch query in
tests/test_search_elasticsearch.py."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from search.backends import get_backend
from search.query import MAX_CLAUSES, SearchQuery, required_clauses
from search.service import FEW_RESULTS, search
from tests.factories import (
    OrganisationFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
)

pytestmark = pytest.mark.django_db

WORDS = ["zorgzwaluw", "kwartiermaker", "pelikaan", "reigerplan"]
QUERY = " ".join(WORDS)


@pytest.fixture
def scope():
    return OrganisationFactory()


@pytest.fixture
def practice(scope, django_capture_on_commit_callbacks):
    """A function making a published, indexed practice in this test's scope."""

    def make(*words, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            page = PracticePageFactory(
                approach=f"<p>{' '.join(words)}.</p>" if words else "<p>Niets.</p>",
                **kwargs,
            )
            PracticeOrganisationFactory(page=page, organisation=scope)
            page.save_revision().publish()
        return page

    return make


def find(scope, text, **options):
    filters = {"organisatie": [scope.slug], **options.pop("filters", {})}
    return search(SearchQuery(text=text, filters=filters, **options))


def test_the_rule_is_elasticsearchs_2_lt_75_percent_rounded_down():
    assert [required_clauses(count) for count in range(1, 11)] == [
        1,
        2,  # up to two: every one
        2,  # 75% of 3 is 2.25
        3,
        3,  # 3.75
        4,  # 4.5
        5,
        6,
        6,  # 6.75
        7,
    ]


def test_two_words_need_both(scope, practice):
    both = practice("zorgzwaluw", "kwartiermaker")
    practice("zorgzwaluw")
    results = find(scope, "zorgzwaluw kwartiermaker")
    assert [hit.title for hit in results.hits] == [both.title]
    assert not results.partial and not results.fallback


def test_two_words_of_which_none_has_both_fall_back_and_say_what_is_missing(
    scope, practice
):
    one = practice("zorgzwaluw")
    results = find(scope, "zorgzwaluw kwartiermaker")
    assert [hit.title for hit in results.hits] == [one.title]
    assert results.fallback and results.hits[0].missing == ["kwartiermaker"]


def test_four_words_match_with_three_not_two(scope, practice):
    threes = [
        practice("zorgzwaluw", "kwartiermaker", "reigerplan", title=f"Drie {n}")
        for n in range(FEW_RESULTS)
    ]
    practice("zorgzwaluw", "pelikaan", title="Twee")
    results = find(scope, QUERY, page_size=20)
    assert {hit.title for hit in results.hits} == {three.title for three in threes}
    assert all(hit.missing == ["pelikaan"] for hit in results.hits)


def test_a_long_question_that_finds_little_widens_to_half_then_any_word(
    scope, practice
):
    three = practice("zorgzwaluw", "kwartiermaker", "reigerplan")
    two = practice("zorgzwaluw", "pelikaan", provinces=["limburg"])
    one = practice("kwartiermaker", provinces=["limburg"])  # one word of four
    results = find(scope, QUERY)
    # Half the words find two, still little: any word is enough, what has
    # more words first.
    assert [hit.id for hit in results.hits] == [three.pk, two.pk, one.pk]
    assert results.hits[1].missing == ["kwartiermaker", "reigerplan"]
    assert results.hits[2].missing == ["zorgzwaluw", "pelikaan", "reigerplan"]
    assert not results.fallback
    # Whether it found little does not depend on the filters: a facet's
    # count is what a click on it shows.
    counts = {v.value: v.count for v in results.facet("provincie").values}
    assert counts["limburg"] == 2
    limburg = find(scope, QUERY, filters={"provincie": ["limburg"]})
    assert [hit.id for hit in limburg.hits] == [two.pk, one.pk]


def test_a_long_question_stops_widening_once_half_its_words_find_enough(
    scope, practice
):
    twos = [
        practice("zorgzwaluw", "pelikaan", title=f"Twee {n}")
        for n in range(FEW_RESULTS)
    ]
    practice("kwartiermaker", title="Een")  # one word of four
    results = find(scope, QUERY, page_size=20)
    assert {hit.id for hit in results.hits} == {two.pk for two in twos}


def test_a_widened_question_counts_a_compound_where_one_of_its_parts_is(
    scope, practice
):
    # "beweegprogramma" needs beweeg and programma, until the question
    # widens: then a text with either part has the word, and still lacks it.
    text = "beweegprogramma zorgzwaluw kwartiermaker"
    assert SearchQuery(text=text).clause_words == [0, 0, 1, 2]
    part = practice("programma", "zorgzwaluw")
    other = practice("zorgzwaluw")  # one word of three
    results = find(scope, text)
    assert [hit.id for hit in results.hits] == [part.pk, other.pk]
    assert results.hits[0].missing == ["beweegprogramma", "kwartiermaker"]
    assert results.total == 2


def test_only_the_first_ten_words_count(scope, practice):
    words = [f"{name}plan" for name in "abcdefghijkl"]  # twelve words
    query = SearchQuery(text=" ".join(words))
    assert len(query.clauses) == MAX_CLAUSES
    assert query.minimum_should_match == 7
    first_seven = practice(*words[:7])
    six = practice(*words[4:])  # eight words, but six of the first ten
    results = find(scope, " ".join(words))
    # Found little: half the words (5) are enough, more words rank first.
    assert [hit.id for hit in results.hits] == [first_seven.pk, six.pk]
    assert results.hits[0].missing == words[7:10]
    assert results.hits[1].missing == words[:4]


@pytest.fixture
def tiers(practice):
    """Twelve practices: six with every word, four with three, two with two
    (too few, and the ten with enough are not few), in two provinces."""
    made = []
    for n in range(6):
        made.append(practice(*WORDS, provinces=["utrecht"], title=f"Alle {n}"))
    for n in range(4):
        made.append(
            practice(
                *(word for word in WORDS if word != WORDS[n]),
                provinces=["utrecht" if n % 2 else "limburg"],
                title=f"Drie {n}",
            )
        )
    for n in range(2):
        made.append(practice(*WORDS[:2], provinces=["limburg"], title=f"Twee {n}"))
    return made


def test_totals_pages_and_facet_counts_agree_with_the_matching_set(scope, tiers):
    first = find(scope, QUERY, page_size=2)
    assert first.total == 10
    seen = []
    for page in range(1, first.num_pages + 1):
        seen += find(scope, QUERY, page=page, page_size=2).hits
    assert len(seen) == len({hit.id for hit in seen}) == first.total
    # Every word first, page after page.
    assert [len(hit.missing) for hit in seen] == [0] * 6 + [1] * 4
    assert {hit.title[:4] for hit in seen} == {"Alle", "Drie"}
    provinces = {v.value: v.count for v in first.facet("provincie").values}
    assert provinces == {"utrecht": 8, "limburg": 2}
    assert {v.value: v.count for v in first.facet("organisatie").values} == {
        scope.slug: 10
    }
    limburg = find(scope, QUERY, filters={"provincie": ["limburg"]}, page_size=1)
    assert limburg.total == 2
    second = find(scope, QUERY, filters={"provincie": ["limburg"]}, page=2, page_size=1)
    assert {limburg.hits[0].id, second.hits[0].id} == {
        hit.id for hit in seen if hit.facets["provincie"][0][0] == "limburg"
    }


def test_other_sort_orders_page_through_the_same_set(scope, tiers):
    by_relevance = find(scope, QUERY, page_size=20)
    newest = find(scope, QUERY, sort="newest", page_size=20)
    assert newest.total == by_relevance.total == 10
    assert {hit.id for hit in newest.hits} == {hit.id for hit in by_relevance.hits}


def test_the_page_says_which_words_a_result_lacks(client, scope, practice):
    practice(*WORDS, title="Alle woorden")
    practice(*WORDS[:3], title="Drie woorden")
    html = client.get(
        reverse("search"), {"q": QUERY, "organisatie": scope.slug}
    ).content.decode()
    with override("nl"):
        notice = gettext(
            "Not every result contains all the words of “%(text)s”. "
            "A result that lacks some says which."
        ) % {"text": QUERY}
        missing = gettext("Missing:")
    assert escape(notice) in html
    hits = html.split('<li class="hit">')[1:]
    assert [("Alle" in hit, missing in hit) for hit in hits] == [
        (True, False),
        (False, True),
    ]
    assert f"{missing} <s>reigerplan</s>" in hits[1]


def test_no_notice_when_every_result_has_every_word(client, scope, practice):
    practice(*WORDS)
    html = client.get(
        reverse("search"), {"q": QUERY, "organisatie": scope.slug}
    ).content.decode()
    with override("nl"):
        assert gettext("Missing:") not in html
    assert "hit__missing" not in html


def test_the_api_gives_each_result_its_missing_words(client, scope, practice):
    every = practice(*WORDS)
    three = practice(*WORDS[1:])
    data = client.get(
        reverse("api_practices"), {"q": QUERY, "organisatie": scope.slug}
    ).json()
    assert data["count"] == 2 and data["fallback"] is False
    assert [(r["id"], r["missing_words"]) for r in data["results"]] == [
        (every.pk, []),
        (three.pk, ["zorgzwaluw"]),
    ]


def test_a_compound_counts_as_one_word_that_needs_all_its_parts(scope, practice):
    query = SearchQuery(text="dementiezorg pelikaan")
    assert len(query.clauses) == 3  # dementie, zorg, pelikaan
    assert query.word_count == 2 and query.minimum_should_match == 2
    whole = practice("dementiezorg", "pelikaan")
    apart = practice("zorg bij dementie", "pelikaan")
    practice("zorg", "pelikaan")  # half the compound: one word of two
    found = find(scope, "dementiezorg pelikaan")
    assert {hit.id for hit in found.hits} == {whole.pk, apart.pk}
    assert not any(hit.missing for hit in found.hits)


def test_a_result_lacking_a_compound_names_the_word_typed(scope, practice):
    has_all = practice("dementiezorg", "pelikaan", "reigerplan")
    lacks = practice("zorg", "pelikaan", "reigerplan")
    found = find(scope, "dementiezorg pelikaan reigerplan")
    assert [hit.id for hit in found.hits] == [has_all.pk, lacks.pk]
    assert found.hits[1].missing == ["dementiezorg"]


def test_a_widened_question_looks_its_words_up_once_per_request(
    client, scope, practice
):
    practice("zorgzwaluw", "kwartiermaker", "reigerplan")
    practice("zorgzwaluw", "pelikaan")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/zoeken/", {"q": QUERY, "organisatie": scope.slug})
    assert response.context["results"].total == 2  # widened to half the words
    # The words' postings are read in one statement for the practices (not
    # again when widened) and at most one for the questions block beside
    # them (a search of another kind, unless its block is cached); the
    # full-text index is not asked at all, as no word is a phrase.
    lookups = [q for q in queries if "search_searchposting" in q["sql"]]
    assert 1 <= len(lookups) <= 2
    assert not [q for q in queries if "search_fulltext" in q["sql"]]
    # A second visitor's search reads nothing again: the postings are kept.
    with CaptureQueriesContext(connection) as queries:
        client.get("/zoeken/", {"q": QUERY, "organisatie": scope.slug})
    assert not [q for q in queries if "search_searchposting" in q["sql"]]


def test_a_question_that_finds_nothing_asks_each_minimum_once(
    scope, practice, monkeypatch
):
    backend = get_backend()
    asked = []
    search_once = backend.search

    def spy(query, *, minimum=None):
        asked.append(minimum)
        return search_once(query, minimum=minimum)

    monkeypatch.setattr(backend, "search", spy)
    results = find(scope, "zorgzwaluw kwartiermaker pelikaan reigerplan")
    assert results.total == 0
    assert asked == [None, 2, 1]
