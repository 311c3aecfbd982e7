"""Issue 14 (hardening), the community: a member's action makes stale only
the cached pages it changed, toggles and edits meet flood control, hidden
posts stay hidden (also from notifications), create actions happen once,
typed text survives a login in between, and moderation is not silent."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from django.conf import settings
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from community import services
from community.models import Answer, ContactMessage, HelpfulVote, Question
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


# Through pytest-django's settings fixture, never an override_settings
# decorator: a test that also changes a setting through the fixture would
# otherwise restore the cache setting after the decorator, for every later test.
@pytest.fixture
def cached(settings):
    settings.PAGE_CACHE_SECONDS = 60


CACHED = pytest.mark.usefixtures("cached")


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

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client(member).post(
            reverse("community:helpful", args=[answer.pk])
        )
    assert response.status_code == 302

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

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client(member).post(
            question_url, {"body": "Wij werken met twee wijkteams."}
        )
    assert response.status_code == 302

    assert cache_state(client, practices[1].url) == "hit"
    for url in (question_url, practices[0].url, "/community/"):
        assert cache_state(client, url) == "miss"
    assert "Wij werken met twee wijkteams." in client.get(question_url).content.decode()


def profile_data(user, **changes):
    """What the profile form posts when nothing is changed, plus `changes`."""
    profile = user.profile
    data = {
        "display_name": profile.display_name,
        "organisation": profile.organisation,
        "role": profile.role,
        "bio": profile.bio,
        "email_frequency": profile.email_frequency,
    }
    for name in (
        "lived_experience",
        "show_organisation",
        "show_role",
        "show_province",
        "show_bio",
        "show_avatar",
    ):
        if getattr(profile, name):
            data[name] = "on"
    if profile.province_id:
        data["province"] = profile.province_id
    data.update(changes)
    return data


@CACHED
def test_a_profile_save_rebuilds_only_what_shows_a_changed_name(
    client, practices, question, django_capture_on_commit_callbacks
):
    asker = question.author
    answerer = AnswerFactory(question=question).author
    other = QuestionFactory()  # another question: its page shows neither
    question_url = question.get_absolute_url()
    pages = [question_url, practices[0].url, practices[1].url, "/community/"]
    pages.append(other.get_absolute_url())
    for url in pages:
        client.get(url)
    edit = reverse("accounts:edit")

    # Saving without a change (or a change nobody sees next to posts)
    # rebuilds nothing, however often.
    for changes in ({}, {}, {"email_frequency": "never"}, {"bio": "Over mij."}):
        with django_capture_on_commit_callbacks(execute=True):
            response = member_client(asker).post(edit, profile_data(asker, **changes))
        assert response.status_code == 302
        asker.profile.refresh_from_db()
    assert [cache_state(client, url) for url in pages] == ["hit"] * len(pages)

    # An answerer's new name: their question page only (lists show askers).
    with django_capture_on_commit_callbacks(execute=True):
        member_client(answerer).post(
            edit, profile_data(answerer, display_name="Andere Beantwoorder")
        )
    assert cache_state(client, "/community/") == "hit"
    assert cache_state(client, practices[0].url) == "hit"
    assert "Andere Beantwoorder" in client.get(question_url).content.decode()

    # The asker's new name: their question, its practice and the lists.
    with django_capture_on_commit_callbacks(execute=True):
        member_client(asker).post(edit, profile_data(asker, display_name="Nieuwe naam"))
    assert cache_state(client, practices[1].url) == "hit"
    assert cache_state(client, other.get_absolute_url()) == "hit"
    assert "Nieuwe naam" in client.get(question_url).content.decode()
    assert "Nieuwe naam" in client.get(practices[0].url).content.decode()
    assert "Nieuwe naam" in client.get("/community/").content.decode()


def test_profile_saves_are_limited_per_hour_and_keep_the_text(settings, member):
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "PROFILE_SAVES_PER_HOUR": 2,
    }
    client = member_client(member)
    edit = reverse("accounts:edit")
    for n in range(2):
        data = profile_data(member, display_name=f"Naam {n}")
        assert client.post(edit, data).status_code == 302
    response = client.post(edit, profile_data(member, bio="Mijn getypte tekst."))
    assert response.status_code == 429
    assert "Mijn getypte tekst." in response.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.display_name == "Naam 1" and member.profile.bio == ""


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
        **django_settings.COMMUNITY_FLOOD,
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


# Review follow-up: accepting, edits, the "still current" link ----------------------


def test_accepting_is_flood_limited_a_double_click_does_not_undo_and_tells_once(
    settings, question, django_capture_on_commit_callbacks
):
    settings.COMMUNITY_FLOOD = {**settings.COMMUNITY_FLOOD, "TOGGLES_PER_MINUTE": 6}
    answer = AnswerFactory(question=question)
    follower = MemberFactory()
    Follow.objects.create(user=follower, question=question)
    client = member_client(question.author)
    url = reverse("community:accept", args=[answer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        double = [client.post(url, {"aanvaard": "ja"}) for _ in range(2)]
    assert [r.status_code for r in double] == [302, 302]
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk  # not undone by the 2nd click
    with django_capture_on_commit_callbacks(execute=True):
        # Undo and accept again: nobody hears of it a second time.
        client.post(url, {"aanvaard": "nee"})
        client.post(url, {"aanvaard": "ja"})
        statuses = [client.post(url).status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert Notification.objects.filter(user=follower).count() == 1
    assert Notification.objects.filter(user=answer.author).count() == 1
    assert len([m for m in mail.outbox if m.to == [answer.author.email]]) <= 1


@CACHED
def test_an_unchanged_edit_saves_nothing_and_an_answer_edit_keeps_the_lists(
    client, settings, practices, question, django_capture_on_commit_callbacks
):
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "MIN_INTERVAL_SECONDS": 0,
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
    }
    answer = AnswerFactory(question=question, body="Zelfde tekst blijft staan.")
    question_url = question.get_absolute_url()
    pages = [question_url, practices[0].url, "/community/"]
    for url in pages:
        client.get(url)
    author = member_client(answer.author)
    edit = reverse("community:edit_answer", args=[answer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            response = author.post(edit, {"body": "Zelfde tekst blijft staan."})
            assert response.status_code == 302
        asker = member_client(question.author)
        response = asker.post(
            reverse("community:edit_question", args=[question.pk]),
            {
                "title": question.title,
                "body": question.body,
                "themes": [t.pk for t in question.themes.all()],
                "practices": [practices[0].pk],
            },
        )
        assert response.status_code == 302
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.edited_at is None and question.edited_at is None
    assert [cache_state(client, url) for url in pages] == ["hit"] * 3

    with django_capture_on_commit_callbacks(execute=True):
        author.post(edit, {"body": "Een echt nieuwe tekst bij dit antwoord."})
    # The database lists and the practice show no answer text.
    assert cache_state(client, "/community/") == "hit"
    assert cache_state(client, practices[0].url) == "hit"
    assert "Een echt nieuwe tekst" in client.get(question_url).content.decode()


def test_a_post_can_be_changed_only_so_often_a_day(settings, question):
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "MIN_INTERVAL_SECONDS": 0,
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
        "EDITS_PER_POST_PER_DAY": 2,
    }
    answer = AnswerFactory(question=question, body="Versie nul van het antwoord.")
    client = member_client(answer.author)
    edit = reverse("community:edit_answer", args=[answer.pk])
    statuses = [
        client.post(edit, {"body": f"Versie {n} van het antwoord."}).status_code
        for n in (1, 2, 3)
    ]
    assert statuses == [302, 302, 429]
    answer.refresh_from_db()
    assert answer.body == "Versie 2 van het antwoord."


@CACHED
def test_the_still_current_link_rebuilds_its_practice_once_a_day_and_is_limited(
    client, practices, django_capture_on_commit_callbacks
):
    from editorial.freshness import confirm_token

    page, other = practices
    page.owner = MemberFactory()
    page.save(update_fields=["owner"])
    PracticePage.objects.filter(pk=page.pk).update(last_reviewed_at=None)
    for url in (page.url, other.url, "/community/"):
        client.get(url)
    confirm = reverse("editorial:confirm_current", args=[confirm_token(page)])
    visitor = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post(confirm).status_code == 200
    assert cache_state(client, other.url) == "hit"
    assert cache_state(client, "/community/") == "hit"
    assert cache_state(client, page.url) == "miss"
    assert cache_state(client, page.url) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [visitor.post(confirm).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert cache_state(client, page.url) == "hit"  # confirmed today already


def test_the_click_limit_is_a_sliding_window():
    from core.cache import within_rate

    # Three clicks just before a minute boundary and one just after: a
    # counter per clock minute would let the fourth through.
    assert all(within_rate("test-window", 3, 60, now=t) for t in (59.0, 59.5, 59.9))
    assert not within_rate("test-window", 3, 60, now=60.1)
    assert within_rate("test-window", 3, 60, now=119.1)


# Review follow-up: kept input ------------------------------------------------------


def test_a_failed_csrf_check_never_keeps_a_password_or_an_account_form(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    here = {"HTTP_ORIGIN": "http://testserver"}
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "Geheim-oud-123", "password1": "x", "password2": "x"},
        **here,
    )
    assert response.status_code == 403
    client.post(
        "/admin/account/",
        {"old_password": "Geheim-oud-123", "new_password1": "y"},
        **here,
    )
    client.post(
        reverse("community:ask"),
        {"title": "Een vraag?", "api_token": "t0k", "my_secret": "s", "code": "1"},
        **here,
    )
    kept = json.dumps(dict(client.session.items()))
    for secret in ("Geheim-oud-123", "t0k", '"s"', "my_secret", '"code"'):
        assert secret not in kept
    assert "Een vraag?" in kept


def test_a_failed_csrf_check_on_a_button_is_a_clear_403(question, member):
    answer = AnswerFactory(question=question)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        reverse("community:helpful", args=[answer.pk]),
        {"stem": "aan"},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 403
    assert gettext("The form has expired") in response.content.decode()
    # A form that keeps its text says the form expired, not "logged out".
    url = reverse("community:ask")
    client.post(url, {"title": "Verlopen formulier?"}, HTTP_ORIGIN="http://testserver")
    html = client.get(url).content.decode()
    assert "Verlopen formulier?" in html
    assert (
        escape(
            gettext(
                "Your form had expired before it was sent. We kept what you "
                "typed: check it and send it again."
            )
        )
        in html
    )


def test_kept_text_is_shown_only_to_the_member_who_typed_it(question, member):
    url = question.get_absolute_url()
    browser = Client()
    browser.force_login(member)
    browser.get(url)  # the browser now carries the member's hint cookie
    del browser.cookies[settings.SESSION_COOKIE_NAME]  # ... the session expired
    browser.post(url, {"body": "Privé tekst van A over een cliënt"})
    someone_else = MemberFactory()
    browser.force_login(someone_else)
    assert "Privé tekst van A" not in browser.get(url).content.decode()

    browser.force_login(member)
    browser.get(url)  # the member's own hint again
    del browser.cookies[settings.SESSION_COOKIE_NAME]
    browser.post(url, {"body": "Privé tekst van A over een cliënt"})
    browser.force_login(member)
    assert "Privé tekst van A" in browser.get(url).content.decode()


def test_kept_text_has_one_entry_per_form_and_expires(question, member):
    from core import keep_input

    answer = AnswerFactory(question=question)
    client = Client()
    url = question.get_absolute_url()
    client.post(url, {"body": "Mijn lange antwoord dat ik typte"})
    client.post(
        reverse("community:report_answer", args=[answer.pk]),
        {"reason": "spam", "explanation": "Reclame"},
    )
    client.force_login(member)
    assert "Mijn lange antwoord" in client.get(url).content.decode()
    report = client.get(reverse("community:report_answer", args=[answer.pk]))
    assert "Reclame" in report.content.decode()

    client.logout()
    client.post(url, {"body": "Te oud om nog te tonen"})
    session = client.session
    for entry in session[keep_input.SESSION_KEY].values():
        entry["at"] -= keep_input.MAX_AGE + 1
    session.save()
    client.force_login(member)
    assert "Te oud om nog te tonen" not in client.get(url).content.decode()


def test_the_profile_form_keeps_its_text_through_the_login(client, member):
    edit = reverse("accounts:edit")
    response = client.post(edit, profile_data(member, bio="Mijn lange bio."))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    assert "Mijn lange bio." in client.get(edit).content.decode()


# Review follow-up: one-time tokens ---------------------------------------------------


def test_the_same_token_with_new_text_is_a_new_post_not_a_silent_drop(question, member):
    client = member_client(member)
    token = token_of(client.get(reverse("community:ask")).content.decode())
    theme = Theme.objects.order_by("pk").first()
    data = {
        "title": "Eerste vraag over nachtzorg in de wijk?",
        "body": "Wij willen beginnen met zorg op afstand.",
        "themes": [theme.pk],
        "form_token": token,
    }
    assert client.post(reverse("community:ask"), data).status_code == 302
    # The Back button, a new question typed into the old page.
    data.update(
        title="Een heel andere tweede vraag hierover?",
        body="Een totaal andere tekst, ook lang genoeg.",
    )
    second = client.post(reverse("community:ask"), data)
    assert second.status_code == 302
    titles = set(Question.objects.filter(author=member).values_list("title", flat=True))
    assert "Een heel andere tweede vraag hierover?" in titles
    # The same token on another form is that form's own submission.
    answer = {"body": "Een antwoord met het oude token.", "form_token": token}
    client.post(question.get_absolute_url(), answer)
    assert Answer.objects.filter(author=member, question=question).count() == 1


def test_a_contact_message_with_someone_elses_token_is_really_sent(member, practices):
    contact = PracticeContactFactory(page=practices[0])
    url = reverse("community:contact", args=[contact.pk])
    other = member_client(MemberFactory())
    token = token_of(other.get(url).content.decode())
    data = {
        "subject": "Vraag",
        "message": "Hoe begonnen jullie?",
        "consent": "on",
        "form_token": token,
    }
    assert other.post(url, data).status_code == 302
    assert member_client(member).post(url, data).status_code == 302
    assert ContactMessage.objects.filter(sender=member).count() == 1


# Review follow-up: hidden questions, moderation -------------------------------------


def test_hiding_a_question_scrubs_links_waiting_emails_and_the_follow_page(
    question, django_capture_on_commit_callbacks
):
    from notifications.mail import absolute_url
    from notifications.models import OutgoingEmail

    follower = MemberFactory()
    Follow.objects.create(user=follower, question=question)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(question, MemberFactory(), "Een antwoord voor volgers.")
    waiting = OutgoingEmail.objects.create(
        to=follower.email,
        subject=f"[Vindplaats] Iemand antwoordde op “{question.title}”",
        body=f"“{question.title}”\n{absolute_url(question.get_absolute_url())}",
        html_body=f"<p>{escape(question.title)}</p>",
    )
    with translation.override("en"):
        services.hide_post(question, ModeratorFactory())

    notification = Notification.objects.get(user=follower)
    assert question.slug not in notification.url
    with translation.override(settings.LANGUAGE_CODE):
        assert notification.message == gettext(
            "A question you followed was hidden by the editors."
        )
    waiting.refresh_from_db()
    for text in (waiting.subject, waiting.body, waiting.html_body):
        assert question.title not in text and question.slug not in text
    client = member_client(follower)
    assert question.title not in (
        client.get(reverse("notifications:settings")).content.decode()
    )
    response = client.post(
        reverse("notifications:follow"),
        {"target": "question", "id": question.pk, "action": "unfollow", "next": "/"},
        follow=True,
    )
    assert question.title not in response.content.decode()


def test_an_answer_to_a_question_hidden_meanwhile_notifies_nobody(
    question, django_capture_on_commit_callbacks
):
    follower = MemberFactory()
    Follow.objects.create(user=follower, question=question)
    answer = AnswerFactory(question=question)
    Question.objects.filter(pk=question.pk).update(is_hidden=True)
    from community import signals

    # The answer's event was sent with the question as loaded before the hide.
    signals.answer_posted.send(sender=Answer, answer=answer)
    assert not Notification.objects.filter(user=follower).exists()


def test_a_moderator_who_wrote_the_post_never_learns_the_reporter(
    question, django_capture_on_commit_callbacks
):
    moderator = ModeratorFactory(email="schrijver@example.org")
    answer = AnswerFactory(question=question, author=moderator)
    reporter = MemberFactory(display_name="Jan Melder")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_post(answer, reporter, reason="spam")
    assert not [m for m in mail.outbox if m.to == [moderator.email]]


def test_hiding_twice_tells_the_author_once(
    question, django_capture_on_commit_callbacks
):
    answer = AnswerFactory(question=question)
    moderator = ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(answer, moderator)
        services.hide_post(Answer.objects.get(pk=answer.pk), moderator)
    assert len([m for m in mail.outbox if m.to == [answer.author.email]]) == 1


def test_moderation_emails_read_as_dutch(
    question, member, django_capture_on_commit_callbacks
):
    answer = AnswerFactory(question=question)
    moderator = ModeratorFactory()
    services.report_post(question, member, reason="spam")
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(answer, moderator)
        services.hide_post(question, moderator)
        services.report_post(answer, MemberFactory(display_name="Jan"), reason="spam")
        services.suspend_member(member, days=3, reason="", moderator=moderator)
    subjects = {m.subject for m in mail.outbox}
    title = question.title
    assert f"[Vindplaats] Je antwoord op “{title}” is verborgen" in subjects
    assert f"[Vindplaats] Je vraag “{title}” is verborgen" in subjects
    bodies = "\n".join(m.body for m in mail.outbox)
    assert f"De redactie heeft je vraag “{title}” verborgen." in bodies
    assert f"Jan heeft het antwoord op “{title}” gemeld." in bodies
    assert (
        "maar geen vragen of antwoorden plaatsen, niet stemmen of melden en geen "
        "berichten sturen."
    ) in " ".join(bodies.split())
    assert "‘" not in bodies
