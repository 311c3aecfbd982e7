"""Issue 14 (hardening), the community: a member's action makes stale only
the cached pages it changed, toggles and edits meet flood control, hidden
posts stay hidden (also from notifications), create actions happen once,
typed text survives a login in between, and moderation is not silent."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from community import services
from community.caching import bump_member_on_commit
from community.models import Answer, ContactMessage, HelpfulVote, Question
from kb.cache import current_version
from notifications.models import Follow, Notification
from practices.models import PracticePage, Theme
from tests.factories import PracticeContactFactory
from tests.factories_community import (
    AnswerFactory,
    MemberFactory,
    ModeratorFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

CACHED = override_settings(PAGE_CACHE_SECONDS=60)


@pytest.fixture
def practices():
    first, second = PracticePage.objects.live().public().order_by("pk")[:2]
    return first, second


@pytest.fixture
def question(practices):
    question = QuestionFactory(title="Hoe houden jullie de nachtzorg vol?")
    question.practices.set([practices[0]])
    return question


@pytest.fixture
def member():
    return MemberFactory(display_name="Stemmer")


def member_client(user):
    client = Client()
    client.force_login(user)
    return client


def cache_state(client, url):
    return client.get(url).get("X-Page-Cache")


def helpful_text(count):
    return ngettext(
        "%(counter)s member found this helpful",
        "%(counter)s members found this helpful",
        count,
    ) % {"counter": count}


def token_of(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


# 6. A member's action makes stale only what it changed ----------------------


@CACHED
def test_a_helpful_vote_rebuilds_its_question_page_and_nothing_else(
    client, practices, question, member, django_capture_on_commit_callbacks
):
    answer = AnswerFactory(question=question, body="Met een vast nachtteam.")
    question_url = question.get_absolute_url()
    other_practice = practices[1].url
    pages = [question_url, practices[0].url, other_practice, "/community/"]
    for url in pages:
        assert cache_state(client, url) == "miss"
        assert cache_state(client, url) == "hit"
    version = current_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client(member).post(
            reverse("community:helpful", args=[answer.pk])
        )
    assert response.status_code == 302

    assert current_version() == version  # the whole cache was not emptied
    assert cache_state(client, other_practice) == "hit"
    assert cache_state(client, practices[0].url) == "hit"
    assert cache_state(client, "/community/") == "hit"
    fresh = client.get(question_url)
    assert fresh["X-Page-Cache"] == "miss"
    assert helpful_text(1) in fresh.content.decode()


@CACHED
def test_a_new_answer_rebuilds_its_question_its_practice_and_the_lists_only(
    client, practices, question, member, django_capture_on_commit_callbacks
):
    question_url = question.get_absolute_url()
    pages = [question_url, practices[0].url, practices[1].url, "/community/"]
    for url in pages:
        client.get(url)
        assert cache_state(client, url) == "hit"
    version = current_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client(member).post(
            question_url, {"body": "Wij werken met twee wijkteams."}
        )
    assert response.status_code == 302

    assert current_version() == version
    assert cache_state(client, practices[1].url) == "hit"
    for url in (question_url, practices[0].url, "/community/"):
        assert cache_state(client, url) == "miss"
    assert "Wij werken met twee wijkteams." in client.get(question_url).content.decode()


@CACHED
def test_a_profile_change_rebuilds_the_pages_that_show_the_member(
    client, practices, question, django_capture_on_commit_callbacks
):
    asker = question.author
    question_url = question.get_absolute_url()
    for url in (question_url, practices[0].url, practices[1].url):
        client.get(url)
    version = current_version()
    asker.profile.display_name = "Nieuwe naam"
    with django_capture_on_commit_callbacks(execute=True):
        asker.profile.save()
        bump_member_on_commit(asker)  # what accounts.views.edit calls
    assert current_version() == version
    assert cache_state(client, practices[1].url) == "hit"
    assert "Nieuwe naam" in client.get(question_url).content.decode()
    assert "Nieuwe naam" in client.get(practices[0].url).content.decode()


@CACHED
def test_editing_a_question_rebuilds_the_practice_it_left(
    client, practices, question, django_capture_on_commit_callbacks
):
    client.get(practices[0].url)
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_question(
            question,
            question.author,
            title=question.title,
            body="Een nieuwe uitleg bij de vraag, lang genoeg.",
            themes=list(question.themes.all()),
            practices=[practices[1]],
        )
    html = client.get(practices[0].url).content.decode()
    assert question.title not in html
    assert question.title in client.get(practices[1].url).content.decode()


@override_settings(
    COMMUNITY_FLOOD={
        "MIN_INTERVAL_SECONDS": 0,
        "POSTS_PER_DAY": 50,
        "NEW_ACCOUNT_DAYS": 7,
        "NEW_ACCOUNT_POSTS_PER_DAY": 5,
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
        "DUPLICATE_WINDOW_HOURS": 24,
        "REPORTS_PER_DAY": 20,
        "CONTACT_MESSAGES_PER_DAY": 10,
        "TOGGLES_PER_MINUTE": 3,
    }
)
def test_flooding_toggles_gets_429(question, member):
    answer = AnswerFactory(question=question)
    client = member_client(member)
    url = reverse("community:helpful", args=[answer.pk])
    statuses = [client.post(url).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    follow = {"target": "question", "id": question.pk, "next": "/"}
    assert client.post(reverse("notifications:follow"), follow).status_code == 429
    assert not Follow.objects.filter(user=member, question=question).exists()


# 15. Edits meet flood control; hidden posts stay as they are ------------------


def test_an_edit_meets_the_interval_and_keeps_the_text(settings, question):
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "MIN_INTERVAL_SECONDS": 60,
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 60,
    }
    answer = AnswerFactory(question=question, author=question.author)
    client = member_client(question.author)
    response = client.post(
        reverse("community:edit_answer", args=[answer.pk]),
        {"body": "Een snel gewijzigd antwoord"},
    )
    assert response.status_code == 429
    assert "Een snel gewijzigd antwoord" in response.content.decode()
    answer.refresh_from_db()
    assert answer.body != "Een snel gewijzigd antwoord"


def test_an_edit_may_not_repeat_another_post_but_may_keep_its_own_text(question):
    author = question.author
    AnswerFactory(question=question, author=author, body="Dit staat er al een keer.")
    mine = AnswerFactory(question=question, author=author, body="Mijn eigen antwoord.")
    client = member_client(author)
    url = reverse("community:edit_answer", args=[mine.pk])
    assert client.post(url, {"body": "Dit staat er al een keer."}).status_code == 400
    assert client.post(url, {"body": "Mijn eigen antwoord."}).status_code == 302


def test_the_author_cannot_edit_a_hidden_question(question):
    services.hide_post(question, ModeratorFactory())
    asker = member_client(question.author)
    edit = reverse("community:edit_question", args=[question.pk])
    assert asker.get(edit).status_code == 403
    response = asker.post(
        edit,
        {
            "title": "Een andere titel voor de vraag?",
            "body": "Een andere uitleg die lang genoeg is.",
            "themes": [question.themes.first().pk],
        },
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.title == "Hoe houden jullie de nachtzorg vol?"


def test_a_hidden_own_answer_cannot_be_edited(question):
    answer = AnswerFactory(question=question, body="Het oorspronkelijke antwoord.")
    services.hide_post(answer, ModeratorFactory())
    client = member_client(answer.author)
    url = reverse("community:edit_answer", args=[answer.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "Toch gewijzigd"}).status_code == 403
    answer.refresh_from_db()
    assert answer.body == "Het oorspronkelijke antwoord."
    with pytest.raises(services.Refused):
        services.edit_answer(answer, answer.author, "Via de service")


# 17. A hidden question's title leaves its followers' notifications ------------


def test_hiding_a_question_removes_its_title_from_followers_notifications(
    question, django_capture_on_commit_callbacks
):
    follower = MemberFactory()
    Follow.objects.create(user=follower, question=question)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(question, MemberFactory(), "Een antwoord om te melden.")
    notification = Notification.objects.get(user=follower)
    assert question.title in notification.message

    services.hide_post(question, ModeratorFactory())
    notification.refresh_from_db()
    assert question.title not in notification.message
    html = member_client(follower).get(reverse("notifications:list")).content.decode()
    assert question.title not in html


# 18. Create actions happen once ------------------------------------------------


def test_a_question_sent_three_times_is_asked_once(member):
    client = member_client(member)
    token = token_of(client.get(reverse("community:ask")).content.decode())
    data = {
        "title": "Wie heeft ervaring met nachtelijke zorg op afstand?",
        "body": "Wij willen beginnen met zorg op afstand in de nacht.",
        "themes": [Theme.objects.order_by("pk").first().pk],
        "form_token": token,
    }
    responses = [client.post(reverse("community:ask"), data) for _ in range(3)]
    assert Question.objects.filter(author=member).count() == 1
    question = Question.objects.get(author=member)
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert {r["Location"] for r in responses} == {question.get_absolute_url()}


def test_an_answer_sent_twice_is_posted_once(question, member):
    client = member_client(member)
    url = question.get_absolute_url()
    token = token_of(client.get(url).content.decode())
    data = {"body": "Een antwoord met een dubbele klik.", "form_token": token}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Answer.objects.filter(author=member).count() == 1


def test_a_contact_message_sent_twice_is_sent_once(member, practices):
    contact = PracticeContactFactory(page=practices[0], email="persoon@example.org")
    client = member_client(member)
    url = reverse("community:contact", args=[contact.pk])
    token = token_of(client.get(url).content.decode())
    data = {
        "subject": "Vraag over jullie aanpak",
        "message": "Hoe zijn jullie begonnen?",
        "consent": "on",
        "form_token": token,
    }
    statuses = [client.post(url, data).status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    assert ContactMessage.objects.filter(sender=member).count() == 1
    # Without a token, the same message again is refused, not sent again.
    data.pop("form_token")
    assert client.post(url, data).status_code == 400
    assert ContactMessage.objects.filter(sender=member).count() == 1


def test_following_three_times_makes_one_follow_and_no_error(question, member):
    client = member_client(member)
    data = {"target": "question", "id": question.pk, "action": "follow", "next": "/"}
    statuses = [
        client.post(reverse("notifications:follow"), data).status_code for _ in range(3)
    ]
    assert statuses == [302, 302, 302]
    assert Follow.objects.filter(user=member, question=question).count() == 1


def test_a_double_click_on_nuttig_does_not_undo_the_vote(question, member):
    answer = AnswerFactory(question=question)
    client = member_client(member)
    url = reverse("community:helpful", args=[answer.pk])
    client.post(url, {"stem": "aan"})
    client.post(url, {"stem": "aan"})
    assert HelpfulVote.objects.filter(answer=answer, user=member).count() == 1
    answer.refresh_from_db()
    assert answer.helpful_count == 1


# 20. Typed text survives a login in between -------------------------------------


def test_an_answer_sent_after_the_session_expired_is_kept_through_the_login(
    client, question, member
):
    url = question.get_absolute_url()
    response = client.post(url, {"body": "Getypt terwijl de sessie verliep."})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert parse_qs(urlsplit(response["Location"]).query)["next"][0].startswith(url)
    client.force_login(member)
    html = client.get(url).content.decode()
    assert "Getypt terwijl de sessie verliep." in html
    assert "Getypt terwijl de sessie verliep." not in client.get(url).content.decode()
    assert not Answer.objects.filter(author=member).exists()


def test_a_contact_message_sent_after_the_session_expired_is_kept(
    client, practices, member
):
    contact = PracticeContactFactory(page=practices[0])
    url = reverse("community:contact", args=[contact.pk])
    client.post(url, {"subject": "Mijn onderwerp", "message": "Mijn lange bericht"})
    client.force_login(member)
    html = client.get(url).content.decode()
    assert "Mijn onderwerp" in html and "Mijn lange bericht" in html


def test_a_question_sent_after_the_session_expired_is_kept(client, member):
    url = reverse("community:ask")
    theme = Theme.objects.order_by("pk").first()
    client.post(url, {"title": "Mijn getypte vraag?", "themes": [theme.pk]})
    client.force_login(member)
    html = client.get(url).content.decode()
    assert "Mijn getypte vraag?" in html
    assert re.search(rf'value="{theme.pk}"[^>]*checked', html)


def test_a_form_whose_csrf_token_expired_keeps_its_text_when_sent_from_this_site(
    member,
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = reverse("community:ask")
    data = {"title": "Een vraag met een verlopen formulier?"}
    foreign = client.post(url, data, HTTP_ORIGIN="https://elders.example")
    assert foreign.status_code == 403
    assert "Een vraag met een verlopen formulier?" not in (
        client.get(url).content.decode()
    )
    response = client.post(url, data, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302 and response["Location"] == url
    assert "Een vraag met een verlopen formulier?" in client.get(url).content.decode()
    assert not Question.objects.filter(author=member).exists()


# 24. Moderation is not silent ------------------------------------------------------


def test_moderators_hear_of_a_new_report(
    question, member, django_capture_on_commit_callbacks
):
    moderator = ModeratorFactory(email="moderator@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client(member).post(
            reverse("community:report_question", args=[question.pk]),
            {"reason": "spam", "explanation": "Reclame voor een product."},
        )
    assert response.status_code == 302
    to_moderator = [m for m in mail.outbox if m.to == [moderator.email]]
    assert len(to_moderator) == 1
    assert question.title[:40] in to_moderator[0].subject
    assert "Reclame voor een product." in to_moderator[0].body
    assert reverse("community_moderation:post", args=["vraag", question.pk]) in (
        to_moderator[0].body
    )
    assert not [m for m in mail.outbox if m.to == [member.email]]


def test_author_and_reporter_hear_when_a_post_is_hidden(
    question, member, django_capture_on_commit_callbacks
):
    answer = AnswerFactory(question=question, body="Koop nu onze zorgapp!")
    services.report_post(answer, member, reason="spam")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(answer, ModeratorFactory())
    by_address = {message.to[0]: message for message in mail.outbox}
    assert answer.author.email in by_address and member.email in by_address
    assert answer.get_absolute_url() in by_address[answer.author.email].body
    assert question.title in by_address[member.email].body
    # The reporter gets no link to a post they can no longer see.
    assert answer.get_absolute_url() not in by_address[member.email].body


def test_a_suspended_member_gets_an_email_with_the_reason(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_member(
            member, days=7, reason="Herhaald reclame geplaatst", moderator=None
        )
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    assert "Herhaald reclame geplaatst" in message.body
    assert gettext("Reason:") in message.body
