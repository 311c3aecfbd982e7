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
