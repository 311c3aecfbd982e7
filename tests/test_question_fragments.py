"""The question page's question and answers come from the fragment cache for
visitors, and never stale.

Every visitor request here carries a session cookie, as the benchmark's
"uncached" requests do, so the page cache (core.cache) lets it through and
what is tested is the fragment cache alone.
"""

import pytest

from community import services
from practices.models import Theme
from tests.factories import PracticePageFactory
from tests.factories_community import (
    AnswerFactory,
    MemberFactory,
    ModeratorFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db


def visit(client, question):
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _question():
    question = QuestionFactory(title="Hoe regel je nachtzorg in de wijk?")
    question.practices.add(PracticePageFactory(title="Nachtzorg Noord"))
    AnswerFactory(question=question, body="Wij werken met een vast nachtteam.")
    return question


@pytest.fixture
def question(commit):
    """Made and committed: what waits for a commit is drawn, never kept."""
    return commit(_question)


def test_a_second_visit_reads_nothing_but_the_session(
    client, question, django_assert_max_num_queries
):
    first = visit(client, question)
    with django_assert_max_num_queries(1):
        second = visit(client, question)
    assert second == first
    for shown in ("Hoe regel je nachtzorg", "Nachtzorg Noord", "vast nachtteam"):
        assert shown in second
    assert "1 antwoord" in second


def test_a_new_answer_and_a_vote_show_at_once(client, question, commit):
    visit(client, question)
    member = MemberFactory()
    answer = commit(services.post_answer, question, member, "Wij bellen elke nacht.")
    html = visit(client, question)
    assert "Wij bellen elke nacht." in html and "2 antwoorden" in html

    commit(services.toggle_helpful, answer, MemberFactory())
    assert "1 lid vond dit nuttig" in visit(client, question)


def test_a_renamed_theme_and_an_unpublished_practice_show_at_once(
    client, question, commit
):
    visit(client, question)
    theme = question.themes.get()
    theme.name = "Nachtzorg en toezicht"
    commit(theme.save)
    practice = question.practices.get()
    commit(practice.unpublish)
    html = visit(client, question)
    assert "Nachtzorg en toezicht" in html
    assert "Nachtzorg Noord" not in html
    assert Theme.objects.filter(name="Nachtzorg en toezicht").exists()


def test_a_hidden_answer_leaves_the_visitors_page(client, question, commit):
    visit(client, question)
    answer = question.answers.get()
    commit(services.hide_post, answer, ModeratorFactory())
    assert "vast nachtteam" not in visit(client, question)


def test_members_get_their_own_buttons_and_visitors_never_do(client, question):
    visit(client, question)  # the visitors' parts are in the cache
    client.force_login(MemberFactory())
    member_html = client.get(question.get_absolute_url()).content.decode()
    assert "Nuttig" in member_html and "Antwoord melden" in member_html
    client.logout()
    visitor_html = visit(client, question)
    assert "Antwoord melden" not in visitor_html
    assert "Log in om te antwoorden" in visitor_html


def test_an_edited_hidden_or_closed_question_shows_at_once(client, question, commit):
    visit(client, question)
    commit(
        services.edit_question,
        question,
        question.author,
        title="Hoe regel je nachtzorg op het platteland?",
        body="Wij zoeken ervaringen buiten de stad.",
        themes=list(question.themes.all()),
    )
    question.refresh_from_db()  # a new title, a new address
    html = visit(client, question)
    assert "nachtzorg op het platteland" in html and "buiten de stad" in html

    commit(services.set_locked, question, True, ModeratorFactory())
    assert "De redactie heeft deze vraag gesloten" in visit(client, question)

    commit(services.hide_post, question, ModeratorFactory())
    client.cookies["sessionid"] = "no-such-session"
    assert client.get(question.get_absolute_url()).status_code == 404


def test_a_question_asked_after_a_visit_to_its_address_is_found(client, commit):
    client.cookies["sessionid"] = "no-such-session"
    assert client.get("/community/vragen/987654/x/").status_code == 404
    question = commit(QuestionFactory, pk=987654)
    assert question.title in visit(client, question)
