"""Anonymous pages come from the shared cache until content changes."""

import pytest

from django.test import override_settings

from practices.models import PracticePage, Theme
from tests.factories import PracticePageFactory

pytestmark = pytest.mark.django_db


@override_settings(PAGE_CACHE_SECONDS=60)
def test_second_anonymous_request_is_served_from_the_cache(client):
    first = client.get("/praktijkvoorbeelden/")
    second = client.get("/praktijkvoorbeelden/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content


@override_settings(PAGE_CACHE_SECONDS=60)
def test_publishing_shows_at_once(client):
    client.get("/zoeken/?sort=newest")
    practice = PracticePageFactory(title="Zojuist gepubliceerd")
    practice.save_revision().publish()
    response = client.get("/zoeken/?sort=newest")
    assert response["X-Page-Cache"] == "miss"


@override_settings(PAGE_CACHE_SECONDS=60)
def test_renaming_a_theme_shows_at_once(client):
    practice = PracticePage.objects.live().get(slug="havenue-rotterdam")
    client.get(practice.url)
    theme = practice.themes.first()
    Theme.objects.filter(pk=theme.pk).get().save()
    assert client.get(practice.url)["X-Page-Cache"] == "miss"


@override_settings(PAGE_CACHE_SECONDS=60)
def test_visitors_with_a_session_and_the_admin_are_never_cached(client):
    client.cookies["sessionid"] = "whatever"
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")
    client.cookies.clear()
    assert "X-Page-Cache" not in client.get("/health/")


@override_settings(PAGE_CACHE_SECONDS=60)
def test_errors_are_not_cached(client):
    client.get("/bestaat-niet/")
    assert "X-Page-Cache" not in client.get("/bestaat-niet/")


def test_cache_is_off_by_default(client):
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")


@override_settings(PAGE_CACHE_SECONDS=60)
def test_pages_showing_index_counts_are_rebuilt_after_the_index_changes(client):
    from search.service import update_index

    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    practice = PracticePageFactory()
    update_index("practice", [practice.pk])
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_remembered_route_follows_publishing(client):
    """HomePage.route remembers where a path leads, until a page changes."""
    practice = PracticePageFactory(title="Een route om te onthouden")
    practice.save_revision().publish()
    old_url = practice.url
    assert client.get(old_url).status_code == 200
    assert client.get(old_url).status_code == 200  # from the remembered route

    practice.slug = "een-nieuwe-naam"
    practice.save_revision().publish()
    practice = PracticePage.objects.get(pk=practice.pk)
    assert practice.url.endswith("/een-nieuwe-naam/")
    assert client.get(old_url).status_code == 404
    assert client.get(practice.url).status_code == 200

    practice.unpublish()
    assert client.get(practice.url).status_code == 404


def test_a_remembered_route_to_a_deleted_page_is_a_404(client):
    practice = PracticePageFactory(title="Een pagina die verdwijnt")
    practice.save_revision().publish()
    url = practice.url
    assert client.get(url).status_code == 200
    PracticePage.objects.filter(pk=practice.pk).update(live=False)  # no signal
    assert client.get(url).status_code == 404
