"""Following, notifications, notification email, unsubscribe links and the outbox."""

import datetime
import io
import re
from unittest import mock

import pytest
from wagtail.models import Page

from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Profile
from community.models import Answer, Question
from community.signals import answer_accepted, answer_posted, question_asked
from notifications.mail import queue_email
from notifications.models import ContactOptOut, Follow, Notification, OutgoingEmail
from practices.models import Province

from .factories import (
    EditorFactory,
    PracticeContactFactory,
    PracticePageFactory,
    ThemeFactory,
    UserFactory,
)
from .factories_community import AnswerFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def member(frequency=Profile.EmailFrequency.IMMEDIATE, **kwargs):
    user = MemberFactory(**kwargs)
    user.profile.email_frequency = frequency
    user.profile.save(update_fields=["email_frequency"])
    return user


def notified(event=None):
    rows = Notification.objects.all()
    if event:
        rows = rows.filter(event=event)
    return sorted(rows.values_list("user_id", flat=True))


def follow_post(client, kind, pk, next_url="/", action=None):
    data = {"target": kind, "id": pk, "next": next_url}
    if action:
        data["action"] = action
    return client.post(reverse("notifications:follow"), data)


# Following -------------------------------------------------------------


def test_follow_and_unfollow_a_practice(client):
    practice = PracticePageFactory()
    user = member()
    client.force_login(user)

    response = follow_post(client, "practice", practice.pk, practice.url)
    assert response.status_code == 302
    assert response["Location"] == practice.url
    assert Follow.objects.filter(user=user, practice=practice).count() == 1

    # A double submit of the same button does not undo it.
    follow_post(client, "practice", practice.pk, practice.url, action="follow")
    assert Follow.objects.filter(user=user, practice=practice).count() == 1

    follow_post(client, "practice", practice.pk, practice.url, action="unfollow")
    assert not Follow.objects.filter(user=user).exists()


@pytest.mark.parametrize("kind", ["question", "theme", "province"])
def test_follow_toggles_each_kind(client, kind):
    user = member()
    target = {
        "question": lambda: QuestionFactory(),
        "theme": ThemeFactory,
        "province": lambda: Province.objects.get(slug="utrecht"),
    }[kind]()
    client.force_login(user)
    follow_post(client, kind, target.pk)
    assert Follow.objects.filter(user=user, **{kind: target}).exists()
    follow_post(client, kind, target.pk)
    assert not Follow.objects.filter(user=user).exists()


def test_follow_anonymous_goes_to_login_and_back(client):
    practice = PracticePageFactory()
    response = follow_post(client, "practice", practice.pk, practice.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={practice.url}" in response["Location"].replace("%2F", "/")
    assert not Follow.objects.exists()


def test_follow_refuses_foreign_next_unknown_and_hidden_targets(client):
    user = member()
    client.force_login(user)
    practice = PracticePageFactory()
    response = follow_post(client, "practice", practice.pk, "https://evil.example/")
    assert response["Location"] == "/"
    assert follow_post(client, "practice", 999_999).status_code == 404
    assert follow_post(client, "nonsense", practice.pk).status_code == 404
    hidden = QuestionFactory(is_hidden=True)
    assert follow_post(client, "question", hidden.pk).status_code == 404
    assert client.get(reverse("notifications:follow")).status_code == 405


def test_follow_needs_csrf(client):
    practice = PracticePageFactory()
    user = member()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(
        reverse("notifications:follow"), {"target": "practice", "id": practice.pk}
    )
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_follow_button_on_the_practice_page(client):
    practice = PracticePageFactory()
    html = client.get(practice.url).content.decode()
    assert gettext("Log in to follow") in html
    assert reverse("notifications:follow") not in html

    user = member()
    client.force_login(user)
    html = client.get(practice.url).content.decode()
    assert reverse("notifications:follow") in html
    assert 'aria-pressed="false"' in html
    Follow.objects.create(user=user, practice=practice)
    html = client.get(practice.url).content.decode()
    assert 'aria-pressed="true"' in html
    assert gettext("Unfollow") in html


def test_follow_button_on_the_search_page_for_one_theme_or_province(client):
    theme = ThemeFactory()
    user = member()
    client.force_login(user)
    html = client.get(f"/zoeken/?thema={theme.slug}").content.decode()
    assert f"Volg het thema {theme.name}" in html
    assert f'name="id" value="{theme.pk}"' in html
    html = client.get("/zoeken/?provincie=utrecht").content.decode()
    assert "Volg de provincie Utrecht" in html
    other = ThemeFactory()
    html = client.get(
        f"/zoeken/?thema={theme.slug}&thema={other.slug}"
    ).content.decode()
    assert reverse("notifications:follow") not in html


def test_settings_page_lists_follows_with_unfollow_buttons(client):
    user = member()
    practice = PracticePageFactory()
    theme = ThemeFactory()
    question = QuestionFactory()
    Follow.objects.create(user=user, practice=practice)
    Follow.objects.create(user=user, theme=theme)
    Follow.objects.create(user=user, question=question)
    Follow.objects.create(user=member(), province=Province.objects.first())
    client.force_login(user)
    html = client.get(reverse("notifications:settings")).content.decode()
    assert practice.title in html and theme.name in html and question.title in html
    assert Province.objects.first().name not in html.split("<main")[1]
    assert html.count('aria-pressed="true"') == 3


# Events ----------------------------------------------------------------


def test_first_publication_notifies_theme_and_province_followers_once(commit):
    theme = ThemeFactory()
    utrecht = Province.objects.get(slug="utrecht")
    both = member()
    Follow.objects.create(user=both, theme=theme)
    Follow.objects.create(user=both, province=utrecht)
    province_only = member()
    Follow.objects.create(user=province_only, province=utrecht)
    bystander = member()
    Follow.objects.create(user=bystander, theme=ThemeFactory())
    editor = EditorFactory()
    Follow.objects.create(user=editor, theme=theme)

    page = PracticePageFactory(live=False, first_published_at=None, themes=[theme.slug])
    commit(lambda: page.save_revision(user=editor).publish())

    assert notified(Notification.Event.NEW_PRACTICE) == sorted(
        [both.pk, province_only.pk]
    )
    assert notified() == notified(Notification.Event.NEW_PRACTICE)
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {both.email, province_only.email}


def test_later_publication_notifies_practice_followers_only(commit):
    theme = ThemeFactory()
    page = PracticePageFactory(themes=[theme.slug])
    follower = member()
    Follow.objects.create(user=follower, practice=page)
    Follow.objects.create(user=member(), theme=theme)
    commit(lambda: page.save_revision().publish())
    assert notified() == [follower.pk]
    assert Notification.objects.get().event == Notification.Event.PRACTICE_UPDATED
    assert Notification.objects.get().url == page.url


def test_restricted_practice_notifies_nobody(commit):
    from wagtail.models import PageViewRestriction

    page = PracticePageFactory()
    Follow.objects.create(user=member(), practice=page)
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    commit(lambda: page.save_revision().publish())
    assert notified() == []


def test_practice_in_a_section_that_is_not_live_notifies_nobody(client, commit):
    """What a visitor cannot reach (PracticePage.objects.reachable()) is no
    news and cannot be followed: here the practice index was unpublished."""
    page = PracticePageFactory()
    follower = member()
    Follow.objects.create(user=follower, practice=page)
    Page.objects.filter(pk=page.get_parent().pk).update(live=False)
    commit(lambda: page.save_revision().publish())
    assert notified() == []
    client.force_login(member())
    assert follow_post(client, "practice", page.pk).status_code == 404


def ask(commit, **kwargs):
    practices = kwargs.pop("practices", [])
    question = QuestionFactory(**kwargs)
    question.practices.set(practices)
    commit(question_asked.send, sender=Question, question=question)
    return question


def test_new_question_notifies_theme_followers_and_auto_follows_the_asker(commit):
    theme = ThemeFactory()
    follower = member()
    Follow.objects.create(user=follower, theme=theme)
    Follow.objects.create(user=member(), theme=ThemeFactory())
    asker = member()
    Follow.objects.create(user=asker, theme=theme)

    question = ask(commit, author=asker, themes=[theme])

    assert notified() == [follower.pk]
    notification = Notification.objects.get()
    assert notification.event == Notification.Event.NEW_QUESTION
    assert notification.url == question.get_absolute_url()
    assert Follow.objects.filter(user=asker, question=question).exists()
    assert [m.to for m in mail.outbox] == [[follower.email]]


def test_question_about_a_practice_reaches_its_contact_persons(commit):
    theme = ThemeFactory()
    practice = PracticePageFactory()
    outsider = PracticeContactFactory(page=practice)
    colleague = member()
    PracticeContactFactory(page=practice, email=colleague.email.upper())
    Follow.objects.create(user=colleague, theme=theme)

    question = ask(commit, themes=[theme], practices=[practice])

    # The member contact gets one in-site notification, not a second one
    # for the theme they follow.
    assert notified() == [colleague.pk]
    notification = Notification.objects.get()
    assert notification.event == Notification.Event.QUESTION_ABOUT_PRACTICE
    # Each contact person gets exactly one email, linking to the question.
    recipients = sorted(m.to[0].lower() for m in mail.outbox)
    assert recipients == sorted([outsider.email, colleague.email.lower()])
    for message in mail.outbox:
        assert "http://testserver" + question.get_absolute_url() in message.body


def test_a_contact_person_can_opt_out_of_question_emails(client, commit):
    theme = ThemeFactory()
    practice = PracticePageFactory()
    outsider = PracticeContactFactory(page=practice, email="Contact@Example.org")

    ask(commit, themes=[theme], practices=[practice])

    (message,) = mail.outbox
    link = re.search(
        r"http://testserver(/meldingen/afmelden-contactpersoon/\S+/)", message.body
    )
    assert link, message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{link[1]}>"
    page = client.get(link[1])
    assert page.status_code == 200
    assert not ContactOptOut.objects.exists()  # a GET (a link preview) changes nothing
    client.post(link[1])
    assert ContactOptOut.objects.get().email == outsider.email.lower()
    assert (
        gettext(
            "You will no longer receive emails through Vindplaats as contact "
            "person: no questions about your practices and no messages "
            "through the contact form."
        )
        in client.get(link[1]).content.decode()
    )

    mail.outbox.clear()
    ask(commit, themes=[theme], practices=[practice])
    assert mail.outbox == []
    assert client.post("/meldingen/afmelden-contactpersoon/vals/").status_code == 400


def test_a_contact_person_who_is_a_member_follows_their_own_email_choice(commit):
    practice = PracticePageFactory()
    colleague = member(frequency=Profile.EmailFrequency.NEVER)
    PracticeContactFactory(page=practice, email=colleague.email)

    ask(commit, themes=[ThemeFactory()], practices=[practice])

    assert notified(Notification.Event.QUESTION_ABOUT_PRACTICE) == [colleague.pk]
    assert mail.outbox == []


def test_hidden_questions_and_suspended_askers_trigger_nothing(commit):
    theme = ThemeFactory()
    Follow.objects.create(user=member(), theme=theme)
    practice = PracticePageFactory()
    PracticeContactFactory(page=practice)
    ask(commit, themes=[theme], practices=[practice], is_hidden=True)
    suspended = member()
    suspended.profile.suspended_until = timezone.now() + datetime.timedelta(days=3)
    suspended.profile.save()
    ask(commit, author=suspended, themes=[theme], practices=[practice])
    assert notified() == []
    assert mail.outbox == []


def test_new_answer_notifies_question_followers_but_not_the_answerer(commit):
    question = ask(commit)
    asker = question.author
    other_follower = member()
    Follow.objects.create(user=other_follower, question=question)
    member()  # not following
    answer = AnswerFactory(question=question)
    commit(answer_posted.send, sender=Answer, answer=answer)

    assert notified(Notification.Event.NEW_ANSWER) == sorted(
        [asker.pk, other_follower.pk]
    )
    assert Follow.objects.filter(user=answer.author, question=question).exists()
    assert Notification.objects.filter(user=answer.author).count() == 0

    hidden = AnswerFactory(question=question, is_hidden=True)
    commit(answer_posted.send, sender=Answer, answer=hidden)
    assert Notification.objects.filter(event="new_answer").count() == 2


def test_accepted_answer_notifies_its_author_and_followers(commit):
    question = ask(commit)
    answer = AnswerFactory(question=question)
    commit(answer_posted.send, sender=Answer, answer=answer)
    Notification.objects.all().delete()
    follower = member()
    Follow.objects.create(user=follower, question=question)
    question.accepted_answer = answer
    question.save()

    commit(answer_accepted.send, sender=Answer, answer=answer)

    assert notified(Notification.Event.ANSWER_ACCEPTED) == sorted(
        [answer.author_id, follower.pk]
    )
    # The asker accepted it: they are not told about their own action.
    assert not Notification.objects.filter(user=question.author).exists()
    messages = dict(Notification.objects.values_list("user_id", "message"))
    assert messages[answer.author_id] != messages[follower.pk]


# Email frequency and unsubscribing -------------------------------------


def follower_of_new_question(commit, frequency):
    theme = ThemeFactory()
    user = member(frequency)
    follow = Follow.objects.create(user=user, theme=theme)
    ask(commit, themes=[theme])
    return user, follow


def test_immediate_member_gets_one_email_with_unsubscribe_headers(commit):
    user, follow = follower_of_new_question(commit, "immediate")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://testserver/meldingen/afmelden/"
    )
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert Notification.objects.get().emailed_at is not None
    out = io.StringIO()
    call_command("send_notification_digests", stdout=out)
    assert len(mail.outbox) == 1


def test_daily_member_gets_a_digest_once(commit):
    user, follow = follower_of_new_question(commit, "daily")
    ask(commit, themes=[follow.theme])
    assert mail.outbox == []
    assert Notification.objects.filter(user=user, emailed_at__isnull=True).count() == 2

    commit(call_command, "send_notification_digests", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [user.email]
    for notification in Notification.objects.filter(user=user):
        assert notification.message in digest.body
        assert notification.emailed_at is not None
    assert "List-Unsubscribe" in digest.extra_headers

    commit(call_command, "send_notification_digests", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_never_member_gets_no_email_but_sees_the_notification(commit):
    user, follow = follower_of_new_question(commit, "never")
    commit(call_command, "send_notification_digests", stdout=io.StringIO())
    assert mail.outbox == []
    assert notified() == [user.pk]


def unsubscribe_link(message):
    return re.search(
        r"<(http://testserver(/[^>]+))>", message.extra_headers["List-Unsubscribe"]
    ).group(2)


def test_unsubscribe_link_from_an_email_stops_that_follow(client, commit):
    user, follow = follower_of_new_question(commit, "immediate")
    path = unsubscribe_link(mail.outbox[0])
    assert path in mail.outbox[0].body

    response = client.get(path)
    assert response.status_code == 200
    assert Follow.objects.filter(pk=follow.pk).exists()
    assert follow.theme.name in response.content.decode()

    response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 200
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert user.email not in response.content.decode()


def test_one_click_unsubscribe_from_all_email(commit):
    question = ask(commit)
    answer = AnswerFactory(question=question)
    commit(answer_posted.send, sender=Answer, answer=answer)
    question.accepted_answer = answer
    question.save()
    mail.outbox.clear()
    commit(answer_accepted.send, sender=Answer, answer=answer)
    to_author = next(m for m in mail.outbox if m.to == [answer.author.email])
    path = unsubscribe_link(to_author)

    # RFC 8058: the mail client POSTs, without cookies or a CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    answer.author.profile.refresh_from_db()
    assert answer.author.profile.email_frequency == Profile.EmailFrequency.NEVER


def test_tampered_unsubscribe_token_is_refused(client, commit):
    user, follow = follower_of_new_question(commit, "immediate")
    path = unsubscribe_link(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = path.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    for method in (client.get, client.post):
        response = method(forged)
        assert response.status_code == 400
        assert gettext("This link does not work") in response.content.decode()
    assert client.post("/meldingen/afmelden/nonsense/").status_code == 400
    assert Follow.objects.filter(pk=follow.pk).exists()


# The outbox ------------------------------------------------------------


def test_failed_send_is_kept_and_retried_exactly_once(commit):
    def queue():
        with transaction.atomic():
            return queue_email("lid@example.org", "Proef", body="Hallo")

    with mock.patch(
        "notifications.mail.EmailMultiAlternatives.send",
        side_effect=ConnectionRefusedError("SMTP server down"),
    ):
        email = commit(queue)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.PENDING
    assert email.attempts == 1
    assert "SMTP server down" in email.last_error
    assert email.next_attempt_at > timezone.now()
    assert mail.outbox == []

    # Not due yet: the command leaves it alone.
    call_command("send_pending_emails", stdout=io.StringIO())
    assert mail.outbox == []

    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    call_command("send_pending_emails", stdout=io.StringIO())
    call_command("send_pending_emails", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2


def test_a_failed_email_is_listed_in_the_admin_and_can_be_sent_again(client, commit):
    email = OutgoingEmail.objects.create(
        to="lid@example.org",
        subject="Een vraag over uw praktijk",
        body="Hallo",
        status=OutgoingEmail.Status.FAILED,
        attempts=8,
        last_error="ConnectionRefusedError: SMTP server down",
    )
    retry_url = reverse("outbox_retry", args=[email.pk])
    # Members cannot; the redactie can (tests/test_hardening_outbox.py).
    for user in (MemberFactory(),):
        client.force_login(user)
        assert client.get(reverse("outbox:index")).status_code in (302, 403)
        assert client.post(retry_url).status_code in (302, 403)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get(reverse("outbox:index") + "?status=failed")
    assert listing.status_code == 200
    assert "Een vraag over uw praktijk" in listing.content.decode()
    assert retry_url in listing.content.decode()
    confirm = client.get(retry_url).content.decode()
    assert "SMTP server down" in confirm

    commit(client.post, retry_url)

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["lid@example.org"]]
    assert client.post(retry_url).status_code == 404  # sent: nothing to retry


def test_an_email_whose_task_was_lost_is_sent_by_the_command(settings):
    with transaction.atomic():
        email = queue_email("lid@example.org", "Proef", body="Hallo")
    # No on-commit callbacks ran: the enqueue was "lost".
    assert mail.outbox == []
    call_command("send_pending_emails", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["lid@example.org"]]
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT


def test_email_gives_up_after_the_maximum_attempts(settings, commit):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 2
    with mock.patch(
        "notifications.mail.EmailMultiAlternatives.send",
        side_effect=OSError("down"),
    ):
        email = commit(queue_email, "lid@example.org", "Proef", body="Hallo")
        OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        call_command("send_pending_emails", stdout=io.StringIO())
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.status == OutgoingEmail.Status.FAILED


# The notification list -------------------------------------------------


def make_notifications(user, count):
    Notification.objects.bulk_create(
        Notification(
            user=user,
            event=Notification.Event.NEW_ANSWER,
            message=f"Melding {n}",
            url=f"/community/vragen/{n}/",
        )
        for n in range(count)
    )


def test_notification_list_needs_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_notification_list_open_and_mark_all_read(client):
    user = member()
    make_notifications(user, 3)
    make_notifications(member(), 1)
    client.force_login(user)
    html = client.get(reverse("notifications:list")).content.decode()
    assert html.count("notification--unread") == 3
    assert "Melding 2" in html

    first = Notification.objects.filter(user=user).first()
    response = client.get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == first.url
    first.refresh_from_db()
    assert first.read_at is not None

    other = Notification.objects.exclude(user=user).get()
    assert client.get(reverse("notifications:open", args=[other.pk])).status_code == 404

    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_notification_list_is_paginated_newest_first(client):
    user = member()
    make_notifications(user, 30)
    client.force_login(user)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Melding 29" in html and "Melding 0<" not in html
    html = client.get(reverse("notifications:list") + "?pagina=2").content.decode()
    assert "Melding 0<" in html


def test_notification_list_query_count_is_constant(client):
    user = member()
    client.force_login(user)
    make_notifications(user, 2)
    client.get(reverse("notifications:list"))  # warm the site caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    make_notifications(user, 20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:list"))
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]
