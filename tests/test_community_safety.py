"""What a review of the community found, kept fixed: restricted practices stay
out of questions, one question cannot mail the whole catalogue, a follow can
always be stopped, and flash messages are never lost to the page cache."""

import pytest
from wagtail.models import PageViewRestriction

from django.test import override_settings
from django.urls import reverse

from community.forms import MAX_PRACTICES_PER_QUESTION
from community.models import Question
from community.services import hide_post
from community.signals import question_asked
from notifications.models import Follow, Notification
from practices.models import Province, Theme
from search.query import SearchQuery
from search.service import search
from tests.factories import PracticeContactFactory, PracticePageFactory
from tests.factories_community import (
    AnswerFactory,
    MemberFactory,
    ModeratorFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted():
    page = PracticePageFactory(title="Geheim proefproject Zeldzaam")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    return page


def ask(client, **data):
    theme = Theme.objects.order_by("pk").first()
    return client.post(
        reverse("community:ask"),
        {
            "title": "Wie heeft ervaring met avondspreekuren?",
            "body": "Wij willen een avondspreekuur in de wijk starten.",
            "themes": [theme.pk],
            **data,
        },
    )


def test_restricted_practice_is_not_offered_linked_or_indexed(
    client, restricted, django_capture_on_commit_callbacks
):
    client.force_login(MemberFactory())
    form = client.get(reverse("community:ask") + f"?praktijk={restricted.pk}")
    assert restricted.title not in form.content.decode()
    response = ask(client, practices=[restricted.pk])
    assert response.status_code == 400  # not a valid choice
    assert not Question.objects.filter(title__startswith="Wie heeft").exists()

    # Linked before the practice was restricted: the question does not show it.
    question = QuestionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        question.practices.set([restricted])
        question.save()
        from search.service import schedule_update

        schedule_update("question", [question.pk])
    client.logout()
    page = client.get(question.get_absolute_url(), follow=True).content.decode()
    assert restricted.title not in page
    results = search(SearchQuery(text="Zeldzaam", kinds=("question",)))
    assert results.total == 0


def test_a_question_links_at_most_a_few_practices(client):
    practices = [PracticePageFactory() for _ in range(MAX_PRACTICES_PER_QUESTION + 1)]
    client.force_login(MemberFactory())
    response = ask(client, practices=[p.pk for p in practices])
    assert response.status_code == 400
    assert not Question.objects.filter(title__startswith="Wie heeft").exists()
    assert response.context["form"].errors["practices"]
    response = ask(client, practices=[p.pk for p in practices[:-1]])
    assert response.status_code == 302


def test_a_member_can_stop_following_a_hidden_question(client):
    member = MemberFactory()
    question = QuestionFactory()
    Follow.objects.create(user=member, question=question)
    hide_post(question, ModeratorFactory())
    client.force_login(member)
    response = client.post(
        reverse("notifications:follow"),
        {"target": "question", "id": question.pk, "action": "unfollow", "next": "/"},
    )
    assert response.status_code == 302
    assert not Follow.objects.filter(user=member).exists()
    # Following it again is not possible while it is hidden.
    response = client.post(
        reverse("notifications:follow"),
        {"target": "question", "id": question.pk, "action": "follow", "next": "/"},
    )
    assert response.status_code == 404


def test_hiding_the_accepted_answer_reopens_the_question():
    answer = AnswerFactory()
    question = answer.question
    question.accepted_answer = answer
    question.save()
    hide_post(answer, ModeratorFactory())
    question.refresh_from_db()
    assert question.accepted_answer is None
    assert question.answer_count == 0


def test_province_followers_hear_of_a_question_about_a_practice_there(
    django_capture_on_commit_callbacks,
):
    province = Province.objects.get(slug="gelderland")
    practice = PracticePageFactory()
    practice.provinces.set([province])
    practice.save_revision().publish()
    follower = MemberFactory()
    Follow.objects.create(user=follower, province=province)
    question = QuestionFactory(themes=[Theme.objects.create(name="Nieuw thema X")])
    question.practices.set([practice])
    with django_capture_on_commit_callbacks(execute=True):
        question_asked.send(sender=Question, question=question)
    notification = Notification.objects.get(user=follower)
    assert notification.event == Notification.Event.NEW_QUESTION
    assert "Gelderland" in notification.message


def test_the_contacts_of_a_restricted_practice_get_no_email(
    restricted, mailoutbox, django_capture_on_commit_callbacks
):
    PracticeContactFactory(page=restricted, email="verborgen@example.org")
    question = QuestionFactory()
    question.practices.set([restricted])
    with django_capture_on_commit_callbacks(execute=True):
        question_asked.send(sender=Question, question=question)
    assert all("verborgen@example.org" not in m.to for m in mailoutbox)


@override_settings(PAGE_CACHE_SECONDS=60)
def test_a_waiting_flash_message_is_not_hidden_by_the_page_cache(client):
    client.get("/")  # fills the cache
    assert client.get("/")["X-Page-Cache"] == "hit"
    client.cookies["messages"] = "something-signed"
    response = client.get("/")
    assert "X-Page-Cache" not in response
