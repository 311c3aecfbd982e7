"""Search box suggestions (/zoeken/suggesties/) and the htmx part of the
search page (/zoeken/ answering htmx with its results region only)."""

import pytest

from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext, override

from explore.views import SEARCH_REGION_ID, SUGGESTIONS_LIMIT
from practices.models import PracticePage
from search.query import SearchQuery
from search.service import search
from tests.factories import PracticePageFactory

pytestmark = pytest.mark.django_db

URL = "/zoeken/suggesties/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": SEARCH_REGION_ID}


def suggestions(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return response.json()["suggestions"]


def test_the_url_has_a_name():
    assert reverse("search_suggestions") == URL


def test_suggests_practice_titles_from_the_search_contract(client):
    found = suggestions(client, "dementie")
    practices = [s for s in found if s["kind"] == "practice"]
    assert practices
    live = {p.url: p.title for p in PracticePage.objects.live().specific()}
    for suggestion in practices:
        assert live[suggestion["url"]] == suggestion["label"]


@pytest.mark.parametrize("q", ["dem", "zorg hui", "ouderen thu", "dementie "])
def test_the_practices_are_the_first_hits_of_the_full_search(client, q):
    """The suggestions skip what only the results page shows (facet counts,
    highlights), not the order: they are the first results of the search."""
    found = suggestions(client, q)
    full = search(
        SearchQuery(
            text=q.strip(), page_size=SUGGESTIONS_LIMIT, prefix=not q.endswith(" ")
        )
    )
    first = [
        {"kind": "practice", "label": hit.title, "url": hit.url} for hit in full.hits
    ]
    practices = [s for s in found if s["kind"] == "practice"]
    assert practices and practices == first[: len(practices)]
    # At most three facet values come first; more only fill up.
    assert len(practices) == len(first) or len(practices) >= SUGGESTIONS_LIMIT - 3
    assert found.index(practices[0]) <= 3


def test_suggests_matching_facet_values_as_a_filtered_search(client):
    found = suggestions(client, "rotterdam")
    regions = [s for s in found if s["kind"] == "zorgkantoorregio"]
    assert regions == [
        {
            "kind": "zorgkantoorregio",
            "label": "Zorgkantoorregio: Rotterdam",
            "url": "/zoeken/?zorgkantoorregio=rotterdam",
        }
    ]
    # The link filters the search page.
    page = client.get(regions[0]["url"])
    assert b'id="f-zorgkantoorregio-rotterdam" ' in page.content
    assert b'name="zorgkantoorregio" value="rotterdam" checked' in page.content


def test_facet_values_match_without_accents_and_case(client):
    assert suggestions(client, "FRYSLAN") == suggestions(client, "fryslân")
    assert any(
        s["url"] == "/zoeken/?provincie=fryslan" for s in suggestions(client, "frysl")
    )


def test_at_most_eight_suggestions_and_a_message(client):
    response = client.get(URL, {"q": "zorg"})
    data = response.json()
    assert len(data["suggestions"]) == SUGGESTIONS_LIMIT == 8
    assert data["query"] == "zorg"
    assert "8" in data["message"]


@pytest.mark.parametrize("q", ["", " ", "a", "\x00", "z\x00"])
def test_too_little_text_gives_no_suggestions(client, q):
    data = client.get(URL, {"q": q}).json()
    assert data["suggestions"] == [] and data["message"] == ""


def test_no_q_at_all_gives_no_suggestions(client):
    assert client.get(URL).json()["suggestions"] == []


def test_too_long_text_is_a_bad_request(client):
    response = client.get(URL, {"q": "zorg " * 60})
    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "q"


def test_only_other_parameters_are_ignored(client):
    response = client.get(URL, {"q": "dementie", "page": "x", "provincie": "nope"})
    assert response.status_code == 200 and response.json()["suggestions"]


def test_no_unpublished_practice_is_suggested(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        practice = PracticePageFactory(title="Kwispelzorg voor iedereen")
        practice.save_revision().publish()
    assert [s["label"] for s in suggestions(client, "kwispelzorg")] == [
        "Kwispelzorg voor iedereen"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        practice.unpublish()
    assert suggestions(client, "kwispelzorg") == []


def test_suggestions_follow_a_synonym_the_redactie_adds(client, commit):
    from search.models import Synonym

    practice = PracticePageFactory(title="Kwispelzorg voor iedereen")
    commit(practice.save_revision().publish)
    assert suggestions(client, "snuffelhulp") == []
    commit(Synonym.objects.create, terms="snuffelhulp, kwispelzorg")
    assert [s["label"] for s in suggestions(client, "snuffelhulp")] == [
        "Kwispelzorg voor iedereen"
    ]


def test_suggestions_are_cached_until_the_site_changes(
    client, django_assert_num_queries
):
    suggestions(client, "dementie")
    with django_assert_num_queries(0):
        suggestions(client, "dementie")
        suggestions(client, "Dementie")  # the same key, folded


def test_suggestions_may_be_cached_publicly_for_a_minute(client):
    response = client.get(URL, {"q": "dementie"})
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]


# The search page with htmx


def test_htmx_gets_the_region_and_the_out_of_band_parts_only(client):
    response = client.get("/zoeken/", {"provincie": "zuid-holland"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html
    assert html.lstrip().startswith("<title>")
    assert f'<section id="{SEARCH_REGION_ID}"' in html
    # The filters, out of band: they stand beside the results.
    assert '<div id="search-facets" class="facets" hx-swap-oob="true">' in html
    assert (
        'id="f-provincie-zuid-holland" class="utrecht-checkbox '
        'utrecht-checkbox--html-input" form="search-form" name="provincie" '
        'value="zuid-holland" checked' in html
    )
    assert '<div id="search-follow" class="active-filters__follow">' in html
    assert '<div id="search-errors" hx-swap-oob="true">' in html
    total = PracticePage.objects.live().filter(provinces__slug="zuid-holland").count()
    with override("nl"):
        assert f'data-announcement="{total} ' in html


def test_a_normal_request_and_a_history_restore_get_the_whole_page(client):
    for headers in [
        {},
        {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"},
    ]:
        html = client.get(
            "/zoeken/", {"provincie": "zuid-holland"}, **headers
        ).content.decode()
        assert "<html" in html and html.count("<h1") == 1
        assert f'<section id="{SEARCH_REGION_ID}"' in html
        assert "hx-swap-oob" not in html
        assert 'id="search-announcer"' in html and 'aria-live="polite"' in html


def test_search_page_varies_on_the_htmx_headers(client):
    for headers in [{}, HTMX]:
        vary = client.get("/zoeken/", **headers)["Vary"]
        assert "HX-Request" in vary and "HX-Target" in vary


def test_the_form_and_the_paging_use_htmx_when_it_is_there(client):
    html = client.get("/zoeken/").content.decode()
    assert f'hx-target="#{SEARCH_REGION_ID}"' in html and 'hx-push-url="true"' in html
    assert 'class="pagination" hx-boost="true"' in html
    assert gettext("Apply filters") in html  # the button without JavaScript


@override_settings(PAGE_CACHE_SECONDS=60)
def test_the_page_cache_never_mixes_whole_pages_and_regions(client):
    url = "/zoeken/?provincie=zuid-holland"
    whole = client.get(url)
    region = client.get(url, **HTMX)
    assert whole["X-Page-Cache"] == "miss" and region["X-Page-Cache"] == "miss"
    whole_again = client.get(url)
    region_again = client.get(url, **HTMX)
    assert (
        whole_again["X-Page-Cache"] == "hit" and region_again["X-Page-Cache"] == "hit"
    )
    assert whole_again.content == whole.content and b"<html" in whole_again.content
    assert region_again.content == region.content and b"<html" not in region.content


@override_settings(PAGE_CACHE_SECONDS=60)
def test_suggestions_go_through_the_page_cache_and_follow_publishing(
    client, django_capture_on_commit_callbacks
):
    assert client.get(URL, {"q": "kwispelzorg"}).json()["suggestions"] == []
    assert client.get(URL, {"q": "kwispelzorg"})["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        practice = PracticePageFactory(title="Kwispelzorg voor iedereen")
        practice.save_revision().publish()
    response = client.get(URL, {"q": "kwispelzorg"})
    assert response["X-Page-Cache"] == "miss"
    assert response.json()["suggestions"][0]["url"] == practice.url


@pytest.mark.parametrize("found", [True, False])
def test_htmx_is_loaded_only_when_make_htmx_fetched_it(client, monkeypatch, found):
    from explore import views

    monkeypatch.setattr(
        views.finders, "find", lambda path: f"/static/{path}" if found else None
    )
    views.htmx_available.cache_clear()
    try:
        html = client.get("/zoeken/").content.decode()
    finally:
        views.htmx_available.cache_clear()
    assert ("vendor/htmx.min.js" in html) is found
    assert "js/search.js" in html  # our own script, always there
