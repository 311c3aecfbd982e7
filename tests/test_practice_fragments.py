"""The practice page's parts come from the fragment cache, and never stale.

Every request here carries a session cookie, as the benchmark's "uncached"
requests do, so the page cache (core.cache) lets it through and what is tested
is the fragment cache alone.
"""

import pytest

from django.urls import reverse

from community import services as community
from practices.models import PracticePage
from tests.factories import PracticeContactFactory, PracticePageFactory
from tests.factories_community import MemberFactory, ModeratorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticePage.objects.live().get(slug="havenue-rotterdam")


def visit(client, page):
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_costs_fewer_queries(
    client, practice, django_assert_max_num_queries
):
    visit(client, practice)
    with django_assert_max_num_queries(12):
        html = visit(client, practice)
    assert practice.title in html and "Vergelijkbare initiatieven" in html


def test_a_published_change_shows_at_once(client, practice):
    visit(client, practice)
    practice.summary = "Een nieuwe samenvatting, net gepubliceerd."
    practice.save_revision().publish()
    lead = '<p class="lead">Een nieuwe samenvatting, net gepubliceerd.</p>'
    assert lead in visit(client, practice)


def test_a_draft_never_reaches_visitors_and_a_preview_is_never_cached(
    client, practice, rf
):
    visit(client, practice)
    practice.summary = "Nog niet gepubliceerd."
    practice.save_revision()  # a draft
    assert "Nog niet gepubliceerd." not in visit(client, practice)
    lead = '<p class="lead">Alleen in de voorvertoning.</p>'

    preview = PracticePage.objects.get(pk=practice.pk)
    preview.summary = "Alleen in de voorvertoning."
    request = rf.get(practice.url)
    request.user = MemberFactory()
    response = preview.make_preview_request(request)
    assert lead in response.content.decode()
    assert "Alleen in de voorvertoning." not in visit(client, practice)


def test_the_contact_section_follows_who_is_looking(client, practice):
    """Everyone gets the same link to the form; what happens next differs
    (visitors confirm their address first), and the cached part is kept
    apart for visitors and members."""
    contact = PracticeContactFactory(page=practice, name="Ria Bakker")
    practice.save_revision().publish()
    form = reverse("community:contact", args=[contact.pk])
    confirm_first = "Je krijgt eerst een e-mail om je adres te bevestigen"
    for _ in range(2):  # drawn, then from the fragment cache
        visitor_html = visit(client, practice)
        assert confirm_first in visitor_html
        assert f'href="{form}"' in visitor_html.split("Ria Bakker")[1][:600]

    client.force_login(MemberFactory())
    for _ in range(2):
        member_html = client.get(practice.url).content.decode()
        assert confirm_first not in member_html
        assert "rechtstreeks op je e-mailadres" in member_html
        assert f'href="{form}"' in member_html.split("Ria Bakker")[1][:600]
    client.logout()
    assert confirm_first in visit(client, practice)


def test_a_new_question_shows_to_visitors_at_once(
    client, practice, django_capture_on_commit_callbacks
):
    visit(client, practice)
    with django_capture_on_commit_callbacks(execute=True):
        community.ask_question(
            MemberFactory(),
            title="Hoe begonnen jullie met de haven?",
            body="Wij willen iets vergelijkbaars opzetten.",
            themes=list(practice.themes.all()[:1]),
            practices=[practice],
        )
    assert "Hoe begonnen jullie met de haven?" in visit(client, practice)


def test_a_hidden_question_stays_visible_to_its_author_only(
    client, practice, django_capture_on_commit_callbacks
):
    author = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        question = community.ask_question(
            author,
            title="Een vraag die verborgen wordt",
            body="Wat was jullie grootste les?",
            themes=list(practice.themes.all()[:1]),
            practices=[practice],
        )
    visit(client, practice)  # the visitors' list is cached with the question
    with django_capture_on_commit_callbacks(execute=True):
        community.hide_post(question, ModeratorFactory())
    assert "Een vraag die verborgen wordt" not in visit(client, practice)

    client.force_login(author)
    assert "Een vraag die verborgen wordt" in client.get(practice.url).content.decode()


def test_another_practice_gets_its_own_parts(client, practice):
    other = PracticePageFactory(title="Een heel ander initiatief")
    other.save_revision().publish()
    visit(client, practice)
    html = visit(client, other)
    assert "Een heel ander initiatief" in html and practice.title not in html
