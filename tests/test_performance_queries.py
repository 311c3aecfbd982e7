"""Pages use a fixed number of SQL queries, however much a practice holds."""

from unittest import mock

import pytest
from wagtail.images import get_image_model

from django.db import connection
from django.test.utils import CaptureQueriesContext

from practices.models import PracticePage
from search.query import SearchQuery
from search.service import search
from tests.factories import (
    PracticeContactFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
)

pytestmark = pytest.mark.django_db


def queries(client, url):
    client.get(url)  # warm the label cache, as on a running site
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_practice_page_queries_do_not_grow_with_contacts_facets_or_partners(
    client, django_assert_max_num_queries
):
    small = PracticePageFactory(provinces=["utrecht"])
    PracticeContactFactory(page=small)
    large = PracticePageFactory(
        provinces=["utrecht", "gelderland", "flevoland"],
        care_office_regions=["utrecht", "arnhem"],
        themes=["ggz", "jeugd", "acute-zorg"],
        movements=["voorkomen", "verplaatsen", "vervangen"],
        target_groups=["jeugd-en-gezin", "alle-inwoners"],
    )
    for _ in range(6):
        PracticeContactFactory(page=large)
    for _ in range(5):
        PracticeOrganisationFactory(page=large)
    assert queries(client, small.url) == queries(client, large.url)
    with django_assert_max_num_queries(40):
        client.get(large.url)


@pytest.mark.parametrize("text", ["", "ouderen"])
def test_search_page_queries_do_not_grow_with_filters(
    client, text, django_assert_max_num_queries
):
    one = queries(client, f"/zoeken/?q={text}&provincie=zuid-holland")
    many_url = (
        f"/zoeken/?q={text}&provincie=zuid-holland&provincie=noord-brabant"
        "&thema=ouderen-thuis&thema=acute-zorg&beweging=verplaatsen&beweging=voorkomen"
    )
    many = queries(client, many_url)
    assert 'class="hit"' in client.get(many_url).content.decode()
    assert one == many
    with django_assert_max_num_queries(8):
        client.get(f"/zoeken/?q={text}&provincie=zuid-holland")


def test_api_and_home_page_query_counts_are_small(
    client, django_assert_max_num_queries
):
    client.get("/api/v1/practices/?q=zorg")
    with django_assert_max_num_queries(6):
        client.get("/api/v1/practices/?q=zorg&thema=ggz&page_size=100")
    client.get("/")
    with django_assert_max_num_queries(25):
        client.get("/")


@pytest.mark.parametrize("which", ["home", "practice with a hero image"])
def test_a_warm_page_view_writes_no_rendition_to_the_cache(client, which):
    """Wagtail's get_rendition writes the rendition to the cache on every
    call; the og:image (outside the cached fragments) did that on every
    view of a practice (issue 15)."""
    url = "/"
    if which != "home":
        url = PracticePage.objects.live().exclude(hero_image=None).first().url
    cache = get_image_model().get_rendition_model().cache_backend
    client.cookies["sessionid"] = "not-a-session"  # past the page cache
    assert client.get(url).status_code == 200  # warm
    with (
        mock.patch.object(cache, "set", wraps=cache.set) as set_one,
        mock.patch.object(cache, "set_many", wraps=cache.set_many) as set_many,
    ):
        html = client.get(url).content.decode()
    assert not set_one.called and not set_many.called
    if which != "home":
        assert 'property="og:image"' in html


def test_a_search_reads_the_state_of_the_index_once():
    """The columns and the vocabulary both name what they hold by the
    index's tokens: one search reads them once, in a request or not."""
    search(SearchQuery(text="ouderen zorg"))
    with CaptureQueriesContext(connection) as captured:
        results = search(SearchQuery(text="ouderen zorg"))
    assert results.total
    reads = [q for q in captured if "search_searchindexstate" in q["sql"]]
    assert len(reads) == 1
