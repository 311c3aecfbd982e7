"""Pages use a fixed number of SQL queries, however much a practice holds."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

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
