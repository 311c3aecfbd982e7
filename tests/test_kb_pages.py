"""What a visitor sees: every page type renders in Dutch, with its content."""

import re

import pytest

from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from kb.models import HomeFeaturedPractice, StandardPage
from practices.models import PracticePage, Province
from search.query import SearchQuery
from search.service import search
from tests.factories import PracticeContactFactory, PracticePageFactory
from tests.factories_community import MemberFactory
from tests.test_regions import tile

pytestmark = pytest.mark.django_db


def test_home_page_shows_search_featured_newest_and_province_counts(client, home_page):
    newest = PracticePageFactory(title="Allernieuwste praktijk")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in html
    assert 'role="search"' in html
    assert "Nieuwste praktijkvoorbeelden" in html
    assert newest.title in html
    featured = HomeFeaturedPractice.objects.filter(page=home_page).first()
    assert featured is not None and featured.practice.title in html
    # The map counts what search finds (the index follows publishing).
    for province in Province.objects.exclude(slug="landelijk"):
        count = search(SearchQuery(filters={"provincie": [province.slug]})).total
        assert count > 0
        assert tile(html, province.slug)[2] == count, province.name


def test_home_page_counts_only_live_practices(client):
    province = Province.objects.get(slug="zeeland")
    before = PracticePage.objects.live().filter(provinces=province).count()
    draft = PracticePageFactory(provinces=["zeeland"])
    draft.unpublish()
    html = client.get("/").content.decode()
    assert tile(html, "zeeland")[2] == before


def test_practice_index_lists_newest_first_with_pagination(client, index_page):
    newest = PracticePageFactory(title="Nieuwste testpraktijk")
    response = client.get(index_page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(newest.title) < html.index(
        "card__title", html.index(newest.title) + 1
    )
    total = PracticePage.objects.live().count()
    assert f"{total} praktijkvoorbeelden, nieuwste eerst" in html
    assert 'rel="next"' in html
    last_page = -(-total // index_page.page_size)
    last = client.get(index_page.url, {"pagina": last_page}).content.decode()
    assert last.count('class="card"') == total - (last_page - 1) * index_page.page_size
    # Out-of-range or junk page numbers show a valid page, never an error.
    assert client.get(index_page.url, {"pagina": "999"}).status_code == 200
    assert client.get(index_page.url, {"pagina": "abc"}).status_code == 200


def test_unpublished_practice_is_neither_listed_nor_reachable(client, index_page):
    practice = PracticePageFactory(title="Geheime conceptpraktijk")
    practice.unpublish()
    assert client.get(practice.url_path.replace("/home", "", 1)).status_code == 404
    html = client.get(index_page.url).content.decode()
    assert "Geheime conceptpraktijk" not in html


def test_practice_page_shows_story_facets_people_and_dates(client):
    practice = PracticePageFactory(
        title="Spoedzorg dichtbij",
        problem="<p>Te veel ritten naar de SEH.</p>",
        lessons="<p>Begin klein.</p>",
        provinces=["fryslan"],
        care_office_regions=["friesland"],
        target_groups=["kwetsbare-ouderen"],
        start_year=2019,
    )
    contact = PracticeContactFactory(
        page=practice, name="Sanne Visser", email="sanne.visser@example.org"
    )
    response = client.get(practice.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Spoedzorg dichtbij</h1>" in html
    assert "Aanleiding en probleem" in html and "Te veel ritten naar de SEH." in html
    assert "Lessen" in html
    assert 'href="/zoeken/?provincie=fryslan"' in html
    assert 'href="/regio/friesland/"' in html
    assert 'href="/zoeken/?doelgroep=kwetsbare-ouderen"' in html
    assert 'href="/zoeken/?fase=lopend"' in html
    assert "Sanne Visser" in html
    assert f'id="{contact.anchor}"' in html
    assert "Neem contact op met Sanne Visser" in html
    assert "sanne.visser@example.org" not in html
    assert "Gepubliceerd" in html and "Laatst gecontroleerd" in html
    assert "sinds 2019" in html


def test_practice_page_has_one_h1_and_ordered_headings(client):
    practice = PracticePage.objects.live().get(slug="havenue-rotterdam")
    html = client.get(practice.url).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize("slug", ["over", "privacy", "toegankelijkheid"])
def test_content_pages_render(client, slug):
    page = StandardPage.objects.get(slug=slug)
    response = client.get(page.url)
    assert response.status_code == 200
    assert f"<h1>{page.title}</h1>" in response.content.decode()


def test_menus_link_content_pages(client):
    html = client.get("/").content.decode()
    assert 'aria-label="Hoofdmenu"' in html
    assert 'href="/praktijkvoorbeelden/"' in html
    assert 'href="/privacy/"' in html and 'href="/toegankelijkheid/"' in html


def test_not_found_page_is_dutch(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_an_expired_form_gets_a_dutch_page():
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(MemberFactory())
    response = csrf_client.post("/meldingen/alles-gelezen/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Het formulier is verlopen" in html and 'lang="nl"' in html


def _crash(request):
    raise RuntimeError("boom")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("crash/", _crash),
    path("verboden/", _forbidden),
    path("", include("kb.urls")),  # the page's menus link to the site
]


@override_settings(ROOT_URLCONF=__name__)
def test_no_access_page_is_dutch(client):
    response = client.get("/verboden/")
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_dutch(client):
    client.raise_request_exception = False
    response = client.get("/crash/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


handler500 = "kb.views.server_error"
