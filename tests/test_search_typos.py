"""Typos and prefixes as visitors and programs see them: "did you mean" on
the search page, the API's suggestion, the search box completing a word.
How a backend matches them is in the shared contract
(tests/search_contract.py, "Typos and prefixes")."""

import re
from html import unescape

import pytest

from django.http import QueryDict

from search.expansion import Vocabulary, edits_allowed, expand, suggestion
from search.query import parse_params
from search.synonyms import build, parse
from tests.factories import (
    OrganisationFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
)

pytestmark = pytest.mark.django_db

SUGGESTION = re.compile(r'<p class="notice search-suggestion">(.*?)</p>', re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


@pytest.fixture
def zorgzwaluw(commit):
    """A published practice in an organisation of its own."""
    organisation = OrganisationFactory()
    practice = PracticePageFactory(
        title="Zorgzwaluw in de wijk",
        problem="<p>Een verhaal over de zorgzwaluw.</p>",
    )
    PracticeOrganisationFactory(page=practice, organisation=organisation)
    commit(practice.save_revision().publish)
    return practice, organisation


def test_the_page_says_what_was_meant_and_links_to_it_keeping_the_filters(
    client, zorgzwaluw
):
    practice, organisation = zorgzwaluw
    html = client.get(
        "/zoeken/", {"q": "zorgzwaulw", "organisatie": organisation.slug}
    ).content.decode()
    # The results of the correction are shown at once.
    assert practice.title in html and "<mark>zorgzwaluw</mark>" in html
    [notice] = SUGGESTION.findall(html)
    assert notice.startswith("Bedoelde je <a ") and notice.endswith("</a>?")
    [(href, text)] = LINK.findall(notice)
    assert text == "zorgzwaluw"
    url = unescape(href)
    assert url.startswith("/zoeken/?")
    params = QueryDict(url.split("?", 1)[1])
    assert params["q"] == "zorgzwaluw"
    assert params.getlist("organisatie") == [organisation.slug]
    followed = client.get(url).content.decode()
    assert practice.title in followed
    assert not SUGGESTION.findall(followed)


def test_the_api_returns_the_suggestion_or_null(client, zorgzwaluw):
    practice, organisation = zorgzwaluw
    misspelt = client.get(
        "/api/v1/practices/", {"q": "zorgzwaulw", "organisatie": organisation.slug}
    ).json()
    assert misspelt["suggestion"] == "zorgzwaluw"
    assert [result["title"] for result in misspelt["results"]] == [practice.title]
    spelt = client.get(
        "/api/v1/practices/", {"q": "zorgzwaluw", "organisatie": organisation.slug}
    ).json()
    assert spelt["suggestion"] is None
    assert spelt["count"] == 1


def test_the_search_box_completes_a_title_word(client, zorgzwaluw):
    practice, _organisation = zorgzwaluw
    found = client.get("/zoeken/suggesties/", {"q": "zorgzwa"}).json()["suggestions"]
    assert {"kind": "practice", "label": practice.title, "url": practice.url} in found
    # A space typed after the word ends it: no longer completed.
    ended = client.get("/zoeken/suggesties/", {"q": "zorgzwa "}).json()
    assert practice.title not in [s["label"] for s in ended["suggestions"]]


@pytest.mark.parametrize(
    ("typed", "prefix"), [("thuisz", True), ("thuisz ", False), ("  ", False)]
)
def test_a_text_ended_with_a_space_is_not_a_word_being_typed(typed, prefix):
    params = QueryDict(mutable=True)
    params["q"] = typed
    query, errors = parse_params(params)
    assert not errors
    assert query.prefix is prefix
    assert query.text == typed.strip()


@pytest.mark.parametrize(
    ("word", "edits"),
    [("zorg", 0), ("thuis", 1), ("dementie", 1), ("valpreventie", 2)],
)
def test_edits_allowed_follow_the_length_of_the_word(word, edits):
    assert edits_allowed(word) == edits


def test_corrections_closest_then_most_frequent_and_never_the_word_itself():
    vocabulary = Vocabulary(
        {"dementie": 40, "dementia": 2, "demente": 9, "dementei": 1, "zorg": 99}
    )
    # "dementie" is a swap of two letters (one edit), "dementia" two edits.
    assert vocabulary.near("dementei", 1) == ["dementie", "demente"]
    assert vocabulary.near("dementei", 2) == ["dementie", "demente", "dementia"]
    assert vocabulary.near("dementei", 1, limit=1) == ["dementie"]


def test_completions_most_frequent_first_and_only_those_starting_with_the_word():
    vocabulary = Vocabulary(
        {"thuis": 50, "thuiszorg": 30, "thuiszorgteam": 3, "thuiswon": 12, "thu": 1}
    )
    assert vocabulary.starting_with("thuisz") == ["thuiszorg", "thuiszorgteam"]
    assert vocabulary.starting_with("thuis", limit=2) == ["thuis", "thuiszorg"]


def test_the_suggestion_corrects_every_time_a_word_was_typed_as_results_write_it():
    vocabulary = Vocabulary({"verpleegkund": 40, "thuis": 50})
    text = "Verpleegkundgen thuis, verpleegkundgen"
    parsed = expand(parse(text, build([])), text, vocabulary, prefix=False)
    assert suggestion(text, parsed, ["Iets anders", "De Verpleegkundigen thuis"]) == (
        "verpleegkundigen thuis, verpleegkundigen"
    )
    # The indexed term itself when no result writes it.
    assert (
        suggestion(text, parsed, ["Iets anders"]) == "verpleegkund thuis, verpleegkund"
    )
    known = expand(parse("thuis", build([])), "thuis", vocabulary, prefix=False)
    assert suggestion("thuis", known, ["Thuis"]) is None


def test_corrections_follow_the_index_as_practices_come_and_go(
    client, zorgzwaluw, commit
):
    practice, organisation = zorgzwaluw
    params = {"q": "zorgzwaulw", "organisatie": organisation.slug}
    assert client.get("/api/v1/practices/", params).json()["suggestion"] == (
        "zorgzwaluw"
    )
    commit(practice.unpublish)
    gone = client.get("/api/v1/practices/", params).json()
    assert gone["suggestion"] is None and gone["count"] == 0
    commit(practice.save_revision().publish)
    back = client.get("/api/v1/practices/", params).json()
    assert back["suggestion"] == "zorgzwaluw" and back["count"] == 1
