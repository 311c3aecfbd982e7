"""Anonymous pages come from the shared cache until what they show changes,
and only then (core.cache, practices.caching)."""

import re

import pytest

from django.db import transaction

from community import services as community
from practices.models import PracticePage
from search.service import update_index
from tests.factories import PracticePageFactory
from tests.factories_community import MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db


# Through pytest-django's settings fixture, never an override_settings
# decorator: a test that also changes a setting through the fixture would
# otherwise restore the cache setting after the decorator, for every later test.
@pytest.fixture
def cached(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def practice():
    return PracticePage.objects.live().get(slug="havenue-rotterdam")


def state(client, url):
    return client.get(url).get("X-Page-Cache")


def text(response):
    return response.content.decode()


def similar_links(html):
    """(href, title) of the practices in a practice page's similar block."""
    if 'class="similar__list"' not in html:
        return []
    block = html.split('class="similar__list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)


def test_second_anonymous_request_is_served_from_the_cache(client, cached):
    first = client.get("/praktijkvoorbeelden/")
    second = client.get("/praktijkvoorbeelden/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content


def test_publishing_shows_at_once(client, cached, commit):
    assert "Zojuist gepubliceerd" not in text(client.get("/zoeken/?sort=newest"))
    assert state(client, "/zoeken/?sort=newest") == "hit"

    def publish():
        practice = PracticePageFactory(title="Zojuist gepubliceerd")
        practice.save_revision().publish()

    commit(publish)
    response = client.get("/zoeken/?sort=newest")
    assert response["X-Page-Cache"] == "miss"
    assert "Zojuist gepubliceerd" in text(response)


def test_publishing_a_practice_leaves_other_practice_pages_cached(
    client, cached, commit, practice
):
    others = ["/", "/praktijkvoorbeelden/", "/zoeken/", "/over/"]
    for url in [practice.url, *others]:
        client.get(url)
        assert state(client, url) == "hit", url

    def publish():
        new = PracticePageFactory(title="Een nieuwe buur", themes=["ggz"])
        new.save_revision().publish()

    commit(publish)
    assert state(client, practice.url) == "hit"  # not every practice page
    assert state(client, "/over/") == "hit"  # nor the menus
    for url in ["/", "/praktijkvoorbeelden/", "/zoeken/"]:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert "Een nieuwe buur" in text(response), url


def test_renaming_a_theme_shows_at_once_where_it_shows(
    client, cached, commit, practice
):
    theme = practice.themes.first()
    without = PracticePage.objects.live().exclude(themes=theme).first()
    for url in (practice.url, without.url):
        client.get(url)
        assert state(client, url) == "hit"

    def rename():
        theme.name = "Een hernoemd thema"
        theme.save()

    commit(rename)
    response = client.get(practice.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Een hernoemd thema" in text(response)
    assert "Een hernoemd thema" in text(client.get(f"/zoeken/?thema={theme.slug}"))
    assert state(client, without.url) == "hit"  # a practice without the theme


def test_a_rename_that_is_rolled_back_never_shows_and_a_committed_one_does(
    client, commit, practice
):
    """Labels and page parts drawn inside the transaction that renames are
    shown there, but kept only once it commits (core.cache.changing)."""
    theme = practice.themes.first()
    original = theme.name
    search_url = f"/zoeken/?thema={theme.slug}"
    assert original in text(client.get(search_url))  # the labels are cached
    assert original in text(client.get(practice.url))  # and the page's parts

    with transaction.atomic():
        theme.name = "Teruggedraaid thema"
        theme.save()
        assert "Teruggedraaid thema" in text(client.get(search_url))
        assert "Teruggedraaid thema" in text(client.get(practice.url))
        transaction.set_rollback(True)
    for url in (search_url, practice.url):
        html = text(client.get(url))
        assert original in html and "Teruggedraaid thema" not in html

    def rename():
        theme.name = "Vastgelegd thema"
        theme.save()
        client.get(search_url)  # drawn before the commit: shown, not kept

    commit(rename)
    for url in (search_url, practice.url):
        assert "Vastgelegd thema" in text(client.get(url))


def test_a_community_answer_leaves_other_practice_pages_cached(
    client, cached, commit, practice
):
    question = commit(lambda: QuestionFactory(title="Hoe is de haven begonnen?"))
    commit(lambda: question.practices.set([practice]))
    other = PracticePage.objects.live().exclude(pk=practice.pk).first()
    for url in (practice.url, other.url):
        client.get(url)
        assert state(client, url) == "hit"

    commit(lambda: community.post_answer(question, MemberFactory(), "Met de haven."))
    assert state(client, other.url) == "hit"
    assert state(client, practice.url) == "miss"


def test_unpublishing_a_practice_removes_it_from_similar_lists_at_once(
    client, cached, commit, practice
):
    links = similar_links(text(client.get(practice.url)))
    assert links and state(client, practice.url) == "hit"
    href, title = links[0]
    shown = next(page for page in PracticePage.objects.live() if page.url == href)
    # A practice whose list does not show it keeps its cached page.
    for other in PracticePage.objects.live().exclude(pk__in=[practice.pk, shown.pk]):
        if href not in dict(similar_links(text(client.get(other.url)))):
            break
    assert state(client, other.url) == "hit"

    commit(shown.unpublish)
    response = client.get(practice.url)
    assert response["X-Page-Cache"] == "miss"
    assert href not in dict(similar_links(text(response)))
    assert state(client, other.url) == "hit"


def test_visitors_with_a_session_and_the_admin_are_never_cached(client, cached):
    client.cookies["sessionid"] = "whatever"
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")
    client.cookies.clear()
    assert "X-Page-Cache" not in client.get("/health/")


def test_errors_are_not_cached(client, cached):
    client.get("/bestaat-niet/")
    assert "X-Page-Cache" not in client.get("/bestaat-niet/")


def test_cache_is_off_by_default(client):
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")


def test_pages_showing_index_counts_are_rebuilt_after_the_index_changes(client, cached):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    practice = PracticePageFactory()
    update_index("practice", [practice.pk])
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_remembered_route_follows_publishing(client):
    """HomePage.route remembers where a path leads, while the page is there."""
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


def test_a_data_migration_tells_the_cache_after_it_commits(commit):
    from core.cache import bump_after_migration, versions

    before = versions("migrated")["migrated"]
    commit(bump_after_migration, "migrated")
    assert versions("migrated")["migrated"] != before


def test_a_data_migration_goes_on_before_the_cache_table_exists(commit):
    """Production without Redis caches in a table that `createcachetable`
    makes after `migrate`: the seed migrations must not need it."""
    from django.test import override_settings

    from core.cache import bump_after_migration

    missing = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_cache_table_yet",
        }
    }
    with override_settings(CACHES=missing):
        commit(bump_after_migration, "search-synonyms")  # no error
