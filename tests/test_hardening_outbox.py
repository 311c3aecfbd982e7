"""Issue 14, the outbox and every absolute link (items 1, 11, 13, 17, 22, 25).

- No usable account secret (password reset, address confirmation) is ever
  stored in the outbox, the admin never shows an account email's text, old
  rows are purged and a deleted member's rows go with the account.
- The redactie (Editors, Moderators) opens the outbox and sends a failed
  email again.
- Every link in an email comes from the configured base URL, never from the
  Host header; production refuses to start without one; `make run` uses the
  port it serves on.
- No gravatar.com in the admin.
- Unsubscribe links expire; a contact person's opt-out stops the relay.
"""

import datetime
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from allauth.account.models import EmailAddress

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst

from accounts.services import delete_account
from community.models import ContactMessage
from notifications.mail import queue_email, unsubscribe_token, unsubscribe_url
from notifications.models import ContactOptOut, OutgoingEmail

from .factories import EditorFactory, PracticeContactFactory
from .factories_community import MemberFactory, ModeratorFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://vindplaats.example"
RESET_LINK = re.compile(r"(https?://[^/\s]+)(/account/password/reset/key/\S+/)")
CONFIRM_LINK = re.compile(r"(https?://[^/\s]+)(/account/confirm-email/\S+/)")


def stored_text(row):
    return row.body + row.html_body


def request_reset(client, address, **extra):
    return client.post(reverse("account_reset_password"), {"email": address}, **extra)


def sign_up(client, address, **extra):
    password = "zeer-geheim-wachtwoord-42"
    return client.post(
        reverse("account_signup"),
        {
            "display_name": "Nieuw Lid",
            "email": address,
            "password1": password,
            "password2": password,
        },
        **extra,
    )


# Item 1: no secret at rest ---------------------------------------------------


def test_a_queued_password_reset_holds_no_link_and_is_sent_with_a_working_one(
    client, django_capture_on_commit_callbacks
):
    member = MemberFactory(email="vergeten@example.org")
    # The mail server is down: the row waits, as it would after a restart.
    with (
        mock.patch(
            "notifications.mail.EmailMultiAlternatives.send",
            side_effect=ConnectionRefusedError("SMTP server down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert request_reset(client, member.email).status_code == 302
    row = OutgoingEmail.objects.get(to=member.email)
    assert row.status == OutgoingEmail.Status.PENDING
    assert row.is_account_email and row.user_id == member.pk
    assert "/account/password/reset/key/" not in stored_text(row)
    assert not RESET_LINK.search(stored_text(row))

    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    call_command("send_pending_emails", stdout=io.StringIO())
    (message,) = mail.outbox
    link = RESET_LINK.search(message.body)
    assert link and "vindplaats-secret" not in message.body
    # Sent: nothing of the email's text is kept.
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.SENT
    assert row.body == row.html_body == "" and row.secret_refs == {}

    # The link made when sending works.
    response = client.get(link.group(2), follow=True)
    assert 'name="password1"' in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": "nieuw-wachtwoord-9876", "password2": "nieuw-wachtwoord-9876"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("nieuw-wachtwoord-9876")


def test_a_queued_confirmation_holds_no_link_and_the_sent_one_confirms(
    client, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "notifications.mail.EmailMultiAlternatives.send",
            side_effect=ConnectionRefusedError("SMTP server down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sign_up(client, "jan@example.org").status_code == 302
    row = OutgoingEmail.objects.get(to="jan@example.org")
    assert row.is_account_email
    assert row.user_id == get_user_model().objects.get(email="jan@example.org").pk
    assert not CONFIRM_LINK.search(stored_text(row))

    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    call_command("send_pending_emails", stdout=io.StringIO())
    link = CONFIRM_LINK.search(mail.outbox[-1].body)
    assert link
    client.post(link.group(2))
    assert EmailAddress.objects.get(email="jan@example.org").verified


def test_a_confirmation_sent_late_still_expires_from_the_sign_up(
    client, django_capture_on_commit_callbacks
):
    import time

    from allauth.account import app_settings as account_settings

    days = account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS
    signed_up = time.time()
    with (
        mock.patch(
            "notifications.mail.EmailMultiAlternatives.send",
            side_effect=ConnectionRefusedError("SMTP server down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sign_up(client, "laat@example.org").status_code == 302
    row = OutgoingEmail.objects.get(to="laat@example.org")
    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    # The mail server comes back an hour before the link would expire.
    late = signed_up + days * 86400 - 3600
    with mock.patch("django.core.signing.time.time", return_value=late):
        call_command("send_pending_emails", stdout=io.StringIO())
    link = CONFIRM_LINK.search(mail.outbox[-1].body)
    assert link
    # Two hours later the link has expired, as it would have on time.
    with mock.patch("django.core.signing.time.time", return_value=late + 7200):
        client.post(link.group(2))
    assert not EmailAddress.objects.get(email="laat@example.org").verified


def test_the_admin_never_shows_an_account_emails_text(
    client, django_capture_on_commit_callbacks
):
    member = MemberFactory(email="vergeten@example.org")
    with (
        mock.patch(
            "notifications.mail.EmailMultiAlternatives.send",
            side_effect=ConnectionRefusedError("SMTP server down"),
        ),
        override_settings(NOTIFICATIONS_EMAIL_MAX_ATTEMPTS=1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request_reset(client, member.email)
    account_row = OutgoingEmail.objects.get(to=member.email)
    assert account_row.status == OutgoingEmail.Status.FAILED
    link = unsubscribe_url(member.pk)
    other_row = queue_email(
        member.email, "Nieuw antwoord", body=f"Tekst Grutto\nAfmelden: {link}"
    )

    client.force_login(EditorFactory())
    html = client.get(reverse("outbox:inspect", args=[account_row.pk])).content
    html = html.decode()
    assert account_row.subject in html
    assert "account/password/reset" not in html
    assert account_row.body.strip()[:40] not in html
    html = client.get(reverse("outbox:inspect", args=[other_row.pk])).content
    assert "Tekst Grutto" in html.decode()
    # The member's one-click unsubscribe link is theirs, not the reader's.
    assert link.rsplit("/", 2)[-2] not in html.decode()


def test_sent_and_failed_rows_are_purged_after_the_retention_period():
    now = timezone.now()
    old = now - datetime.timedelta(days=31)
    recent = now - datetime.timedelta(days=29)
    sent_old = OutgoingEmail.objects.create(
        to="a@example.org", subject="Oud", body="x", status="sent", sent_at=old
    )
    sent_recent = OutgoingEmail.objects.create(
        to="b@example.org", subject="Recent", body="x", status="sent", sent_at=recent
    )
    failed_old = OutgoingEmail.objects.create(
        to="c@example.org", subject="Mislukt", body="x", status="failed", created_at=old
    )
    pending_old = OutgoingEmail.objects.create(
        to="d@example.org",
        subject="Wacht",
        body="x",
        created_at=old,
        next_attempt_at=now + datetime.timedelta(hours=1),
    )
    call_command("send_pending_emails", stdout=io.StringIO())
    left = set(OutgoingEmail.objects.values_list("pk", flat=True))
    assert sent_old.pk not in left and failed_old.pk not in left
    assert {sent_recent.pk, pending_old.pk} <= left

    with override_settings(NOTIFICATIONS_EMAIL_RETENTION_DAYS=7):
        call_command("send_pending_emails", stdout=io.StringIO())
    assert not OutgoingEmail.objects.filter(pk=sent_recent.pk).exists()


def test_a_deleted_members_emails_go_with_the_account():
    member = MemberFactory(email="weg@example.org")
    other = MemberFactory(email="blijft@example.org")
    # Queued before the account existed (nobody linked it to the member).
    early = OutgoingEmail.objects.create(
        to="Weg@example.org", subject="Account bestaat al", body="x"
    )
    queue_email(member.email, "Melding", body="Tekst")
    kept = queue_email(other.email, "Melding", body="Tekst")
    assert OutgoingEmail.objects.get(to=member.email).user_id == member.pk

    delete_account(member)
    assert not OutgoingEmail.objects.filter(to__iexact="weg@example.org").exists()
    assert not OutgoingEmail.objects.filter(pk=early.pk).exists()
    assert OutgoingEmail.objects.filter(pk=kept.pk).exists()


# Item 22 and 25: the redactie and the outbox -----------------------------------


@pytest.mark.parametrize("factory", [EditorFactory, ModeratorFactory])
def test_the_redactie_sees_failed_emails_and_sends_them_again(
    client, factory, django_capture_on_commit_callbacks
):
    failed = OutgoingEmail.objects.create(
        to="lid@example.org",
        subject="Nieuw antwoord op je vraag",
        body="Hallo",
        status=OutgoingEmail.Status.FAILED,
        attempts=8,
    )
    client.force_login(factory())
    response = client.get(reverse("outbox:index") + "?status=failed")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nieuw antwoord op je vraag" in html
    assert reverse("outbox_retry", args=[failed.pk]) in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["lid@example.org"]]


def test_a_member_cannot_open_the_outbox(client):
    client.force_login(MemberFactory())
    response = client.get(reverse("outbox:index"))
    assert response.status_code in (302, 403)


def test_the_outbox_columns_are_translated(client):
    OutgoingEmail.objects.create(to="lid@example.org", subject="Onderwerp", body="x")
    client.force_login(EditorFactory())
    with translation.override("nl"):
        html = client.get(reverse("outbox:index")).content.decode()
        for name in ("to", "subject", "attempts", "created_at", "sent_at"):
            label = OutgoingEmail._meta.get_field(name).verbose_name
            assert isinstance(label, Promise)
            assert capfirst(str(label)) in html
    # The Dutch column headings, as the redactie reads them.
    for dutch in ("Aan", "Onderwerp", "Pogingen", "Aangemaakt", "Verstuurd"):
        assert re.search(rf">\s*{dutch}\s*<", html), dutch


# Item 11: one base URL ---------------------------------------------------------


@override_settings(WAGTAILADMIN_BASE_URL=BASE)
def test_account_email_links_come_from_the_base_url_not_the_host_header(
    client, django_capture_on_commit_callbacks
):
    member = MemberFactory(email="vergeten@example.org")
    evil = {"HTTP_HOST": "evil.example:8080"}
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(client, member.email, **evil)
        request_reset(client, "onbekend@example.org", **evil)  # unknown account
        sign_up(client, "nieuw@example.org", **evil)
        sign_up(client, member.email, **evil)  # "an account exists already"
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        text = message.body + "".join(c for c, _ in message.alternatives)
        assert "evil.example" not in text
        links = re.findall(r"https?://[^\s\"'<>]+", text)
        assert links, message.subject
        assert all(link.startswith(BASE + "/") for link in links), links
    assert RESET_LINK.search(mail.outbox[0].body).group(1) == BASE
    assert CONFIRM_LINK.search(mail.outbox[2].body).group(1) == BASE


def run_python(code, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SITE_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_base_url():
    code = "import kb.settings.production as s; print(s.WAGTAILADMIN_BASE_URL)"
    env = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "vindplaats.example"}
    refused = run_python(code, **env)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "SITE_URL" in refused.stderr
    started = run_python(code, SITE_URL=BASE + "/", **env)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == BASE


def test_make_run_links_to_the_port_it_serves_on():
    dry_run = subprocess.run(
        ["make", "-n", "serve", "PORT=8123"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "SITE_URL"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "runserver 127.0.0.1:8123" in dry_run.stdout
    (line,) = [line for line in dry_run.stdout.splitlines() if "SITE_URL=" in line]
    shell = subprocess.run(
        ["sh", "-c", line.rstrip(" \\") + ' echo "$SITE_URL"'],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "SITE_URL"},
    )
    assert shell.stdout.strip() == "http://127.0.0.1:8123"


# Item 13: no Gravatar ----------------------------------------------------------


def test_the_admin_sends_no_email_hash_to_gravatar(client):
    client.force_login(EditorFactory())
    for url in ("/admin/", reverse("outbox:index"), "/admin/account/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "gravatar" not in response.content.decode().lower(), url


# Item 17: unsubscribe links expire, the opt-out covers the relay ----------------


def old_token(user_id, days):
    past = time.time() - days * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=past):
        return unsubscribe_token(user_id, "all")


def test_an_unsubscribe_link_older_than_a_year_no_longer_works(client):
    member = MemberFactory()
    frequency = member.profile.email_frequency
    token = old_token(member.pk, days=366)
    path = reverse("notifications:unsubscribe", args=[token])

    response = client.get(path)
    assert response.status_code == 410
    html = response.content.decode()
    assert reverse("notifications:settings") in html
    assert client.post(path).status_code == 410
    member.profile.refresh_from_db()
    assert member.profile.email_frequency == frequency

    # A link of last month still works.
    recent = reverse("notifications:unsubscribe", args=[old_token(member.pk, 30)])
    assert client.post(recent).status_code == 200
    member.profile.refresh_from_db()
    assert member.profile.email_frequency == member.profile.EmailFrequency.NEVER
    assert unsubscribe_url(member.pk).startswith("http://testserver/meldingen/")


def test_a_tampered_old_token_is_refused_as_forged(client):
    token = old_token(MemberFactory().pk, days=366)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    path = reverse("notifications:unsubscribe", args=[tampered])
    assert client.get(path).status_code == 400


def test_a_contact_persons_opt_out_stops_relayed_messages(client):
    contact = PracticeContactFactory(email="Afgemeld@Voorbeeld-zorg.nl")
    ContactOptOut.objects.create(email="afgemeld@voorbeeld-zorg.nl")
    client.force_login(MemberFactory(display_name="Sanne de Vries"))
    url = reverse("community:contact", args=[contact.pk])
    response = client.post(
        url, {"subject": "Vraag", "message": "Hallo daar", "consent": "on"}
    )
    assert response.status_code == 403
    assert not ContactMessage.objects.filter(contact=contact).exists()
    assert not OutgoingEmail.objects.filter(to__iexact=contact.email).exists()
    assert client.get(url).status_code == 403


# Review of items 1, 17, 22: no usable token at rest, anywhere -------------------

SMTP_DOWN = mock.patch(
    "notifications.mail.EmailMultiAlternatives.send",
    side_effect=ConnectionRefusedError("SMTP server down"),
)
SIGNED = re.compile(r"[A-Za-z0-9_.-]+:[0-9A-Za-z]{5,8}:[A-Za-z0-9_-]{20,}")


def send_due():
    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
    call_command("send_pending_emails", stdout=io.StringIO())


def working_tokens(text):
    """Every signed value in the text that one of the site's links accepts,
    and every password reset key that would reset a password."""
    from allauth.account import app_settings as account_settings
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import url_str_to_user_pk

    from django.core import signing

    found = []
    for candidate in set(SIGNED.findall(text or "")):
        for salt in (
            "notifications.unsubscribe",
            "notifications.contact-opt-out",
            "editorial.confirm-current",
            "community.contact-confirm",
            "community.contact-report",
            account_settings.SALT,
        ):
            try:
                signing.loads(candidate, salt=salt)
            except signing.BadSignature:
                continue
            found.append(candidate)
    for match in re.finditer(
        r"/account/password/reset/key/([0-9a-z]+)-([^/\s\"]+)/", text or ""
    ):
        user = get_user_model().objects.filter(pk=url_str_to_user_pk(match[1])).first()
        if user and default_token_generator.check_token(user, match[2]):
            found.append(match[0])
    return found


def row_text(row):
    return "\n".join(
        [row.body, row.html_body, row.last_error, *map(str, row.headers.values())]
    )


def view_only_client(client):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Alleen uitgaande e-mails lezen")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_outgoingemail"),
    )
    reader = MemberFactory()
    reader.groups.add(group)
    client.force_login(reader)
    return client


def queue_every_kind_of_email(client):
    """Every email the site queues that carries a link with a token (the
    others carry none): notification, digest, question to a contact person,
    relayed message, a visitor's confirmation link, yearly reminder, password
    reset, address confirmation."""
    from community.models import ContactMessage, Question
    from community.relay import send_confirmation, send_contact_message
    from community.signals import question_asked
    from editorial.reminders import send_reminder
    from notifications.events import send_notification_email
    from notifications.models import Follow, Notification

    from .factories import PracticePageFactory, ThemeFactory
    from .factories_community import QuestionFactory

    owner = MemberFactory(email="eigenaar@example.org")
    owner.profile.email_frequency = owner.profile.EmailFrequency.DAILY
    owner.profile.save()
    practice = PracticePageFactory(owner=owner)
    contact = PracticeContactFactory(page=practice, email="contact@voorbeeld.nl")
    notification = Notification.objects.create(
        user=owner, event="new_answer", message="Nieuw antwoord", url="/"
    )
    follow = Follow.objects.create(user=owner, theme=ThemeFactory())
    send_notification_email(owner, notification, follow)
    call_command("send_notification_digests", stdout=io.StringIO())
    question = QuestionFactory()
    question.practices.set([practice])
    question_asked.send(sender=Question, question=question)
    writer = MemberFactory(email="schrijver@example.org")
    send_contact_message(
        mock.Mock(user=writer), contact, {"subject": "Vraag", "message": "Hallo"}
    )
    send_confirmation(
        ContactMessage.objects.create(
            practice=practice,
            contact=contact,
            contact_name=contact.name,
            sender_name="Bezoeker",
            sender_email="bezoeker@example.org",
            message="Hallo",
            status=ContactMessage.Status.PENDING,
        )
    )
    send_reminder(practice)
    request_reset(Client(), owner.email)
    sign_up(Client(), "nieuw@example.org")
    return owner, contact


def test_no_email_holds_a_working_token_at_rest_or_in_the_admin(
    client, django_capture_on_commit_callbacks
):
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        owner, contact = queue_every_kind_of_email(client)
    rows = list(OutgoingEmail.objects.all())
    kinds = {row.to for row in rows}
    assert {owner.email, contact.email, "nieuw@example.org"} <= kinds
    assert "bezoeker@example.org" in kinds
    assert len(rows) >= 8
    # Defence in depth: a token that reached an error message anyway.
    from notifications.mail import unsubscribe_token

    leaked = unsubscribe_token(owner.pk)
    OutgoingEmail.objects.filter(pk=rows[0].pk).update(
        status="failed", last_error=f"SMTP 550 bij /meldingen/afmelden/{leaked}/"
    )
    for row in OutgoingEmail.objects.all():
        assert not working_tokens(row_text(row).replace(leaked, "")), row.subject

    reader = view_only_client(client)
    for row in OutgoingEmail.objects.all():
        html = reader.get(reverse("outbox:inspect", args=[row.pk])).content.decode()
        assert row.subject[:20] in html
        assert not working_tokens(html), row.subject
    editor = Client()
    editor.force_login(EditorFactory())
    html = editor.get(reverse("outbox_retry", args=[rows[0].pk])).content.decode()
    assert "SMTP 550" in html and not working_tokens(html)

    # Sent with working links, and nothing working stays behind (item 3).
    OutgoingEmail.objects.filter(pk=rows[0].pk).update(status="pending", last_error="")
    with django_capture_on_commit_callbacks(execute=True):
        send_due()
    sent = "\n".join(
        m.body + "".join(str(a[0]) for a in m.alternatives) + str(m.extra_headers)
        for m in mail.outbox
    )
    assert len(working_tokens(sent)) >= 6
    assert "vindplaats-secret" not in sent
    for row in OutgoingEmail.objects.all():
        assert row.status == OutgoingEmail.Status.SENT, (row.subject, row.last_error)
        assert not working_tokens(row_text(row)), row.subject


def test_a_queued_reset_link_dies_when_the_password_changes(
    django_capture_on_commit_callbacks,
):
    member = MemberFactory(email="vergeten@example.org")
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        request_reset(Client(), member.email)
    member.set_password("al-weer-een-ander-wachtwoord-7")
    member.save()
    send_due()
    assert mail.outbox == []
    row = OutgoingEmail.objects.get(to=member.email)
    assert row.status == OutgoingEmail.Status.FAILED


def test_a_queued_reset_link_expires_from_the_time_it_was_asked_for(
    django_capture_on_commit_callbacks,
):
    from django.conf import settings as django_settings
    from django.contrib.auth.tokens import PasswordResetTokenGenerator

    member = MemberFactory(email="vergeten@example.org")
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        request_reset(Client(), member.email)
    later = datetime.datetime.now() + datetime.timedelta(
        seconds=django_settings.PASSWORD_RESET_TIMEOUT + 60
    )
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        send_due()
    assert mail.outbox == []
    assert OutgoingEmail.objects.get(to=member.email).status == "failed"


def test_a_queued_reset_is_not_sent_to_an_address_the_member_no_longer_has(
    django_capture_on_commit_callbacks,
):
    member = MemberFactory(email="oud@example.org")
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        request_reset(Client(), member.email)
    EmailAddress.objects.filter(user=member).update(email="nieuw@example.org")
    get_user_model().objects.filter(pk=member.pk).update(email="nieuw@example.org")
    send_due()
    assert mail.outbox == []
    assert OutgoingEmail.objects.get(to="oud@example.org").status == "failed"


def test_a_queued_confirmation_is_not_sent_once_the_address_is_confirmed(
    django_capture_on_commit_callbacks,
):
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        sign_up(Client(), "nieuw@example.org")
    EmailAddress.objects.filter(email="nieuw@example.org").update(verified=True)
    send_due()
    assert mail.outbox == []
    assert OutgoingEmail.objects.get(to="nieuw@example.org").status == "failed"


def test_an_account_email_cannot_be_sent_again_from_the_admin(
    client, django_capture_on_commit_callbacks
):
    member = MemberFactory(email="vergeten@example.org")
    with (
        SMTP_DOWN,
        override_settings(NOTIFICATIONS_EMAIL_MAX_ATTEMPTS=1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request_reset(Client(), member.email)
    row = OutgoingEmail.objects.get(to=member.email)
    assert row.status == OutgoingEmail.Status.FAILED
    client.force_login(EditorFactory())
    index = client.get(reverse("outbox:index")).content.decode()
    assert reverse("outbox_retry", args=[row.pk]) not in index
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox_retry", args=[row.pk]), follow=True)
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.FAILED and mail.outbox == []
    assert "nieuwe link" in response.content.decode()


# Item 4 of the review: a deleted member's other addresses and relayed messages


def test_a_deleted_members_other_addresses_and_relayed_messages_go(
    client, django_capture_on_commit_callbacks
):
    member = MemberFactory(email="hoofd@example.org")
    EmailAddress.objects.create(user=member, email="Tweede@example.org")
    to_second = OutgoingEmail.objects.create(
        to="tweede@example.org", subject="Account bestaat al", body="x"
    )
    contact = PracticeContactFactory(email="contact@voorbeeld.nl")
    client.force_login(member)
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:contact", args=[contact.pk]),
            {"subject": "Vraag", "message": "Mijn eigen verhaal", "consent": "on"},
        )
    relayed = OutgoingEmail.objects.get(to=contact.email)
    assert relayed.sender_id == member.pk
    other = queue_email("ander@example.org", "Blijft", body="x")

    delete_account(member)
    assert not OutgoingEmail.objects.filter(pk__in=[to_second.pk, relayed.pk]).exists()
    assert OutgoingEmail.objects.filter(pk=other.pk).exists()


# Item 5 of the review: the contact opt-out in relayed messages -----------------


def test_a_relayed_message_carries_a_working_contact_opt_out(
    client, django_capture_on_commit_callbacks
):
    contact = PracticeContactFactory(email="contact@voorbeeld.nl")
    client.force_login(MemberFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:contact", args=[contact.pk]),
            {"subject": "Vraag", "message": "Hallo", "consent": "on"},
        )
    (message,) = mail.outbox
    link = re.search(
        r"https?://[^/\s]+(/meldingen/afmelden-contactpersoon/\S+/)", message.body
    )
    assert link, message.body
    assert link[1] in message.extra_headers["List-Unsubscribe"]
    assert link[1] in message.alternatives[0][0]
    page = Client().get(link[1]).content.decode()
    assert "contactformulier" in page
    Client().post(link[1])
    assert ContactOptOut.objects.filter(email="contact@voorbeeld.nl").exists()


def test_an_old_opt_out_link_does_not_opt_out_the_new_contact_person():
    from django.core import signing

    from notifications.mail import CONTACT_OPT_OUT_SALT, contact_opt_out_url

    contact = PracticeContactFactory(email="vorige@voorbeeld.nl")
    old_link = contact_opt_out_url(contact).split("testserver", 1)[-1]
    before_hash = reverse(
        "notifications:contact_opt_out",
        args=[signing.dumps({"c": contact.pk}, salt=CONTACT_OPT_OUT_SALT)],
    )
    contact.email = "nieuwe@voorbeeld.nl"
    contact.save()
    for link in (old_link, before_hash):
        response = Client().post(link)
        assert response.status_code == 410
        assert "oudere e-mail" in response.content.decode()
    assert not ContactOptOut.objects.exists()


# Item 6 of the review: sending again needs view as well as change ---------------


def test_sending_again_needs_the_view_permission_too(client):
    from django.contrib.auth.models import Permission

    failed = OutgoingEmail.objects.create(
        to="lid@example.org",
        subject="Onderwerp",
        body="x",
        status="failed",
        last_error="Fout",
    )
    user = MemberFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_outgoingemail"),
    )
    client.force_login(user)
    response = client.get(reverse("outbox_retry", args=[failed.pk]))
    # Wagtail sends a refused admin user back to the dashboard.
    assert response.status_code in (302, 403)
    assert "lid@example.org" not in response.content.decode()


# Item 7 of the review: no secret the outbox cannot make; legacy rows ------------


def test_an_account_email_with_a_code_is_refused_not_stored():
    from accounts.adapter import AccountAdapter

    member = MemberFactory(email="lid@example.org")
    with pytest.raises(ValueError):
        AccountAdapter().send_mail(
            "account/email/login_code", member.email, {"user": member, "code": "X7K2Q9"}
        )
    assert not OutgoingEmail.objects.filter(body__contains="X7K2Q9").exists()


def test_migration_0006_leaves_no_working_link_in_legacy_rows():
    import importlib

    from django.apps import apps

    from notifications.mail import unsubscribe_token

    member = MemberFactory(email="lid@example.org")
    token = unsubscribe_token(member.pk)
    notice = OutgoingEmail.objects.create(
        to=member.email,
        subject="Melding",
        body=f"Afmelden: http://testserver/meldingen/afmelden/{token}/",
        headers={
            "List-Unsubscribe": f"<http://testserver/meldingen/afmelden/{token}/>"
        },
        status="sent",
    )
    reset = OutgoingEmail.objects.create(
        to=member.email,
        subject="Wachtwoord",
        body="http://testserver/account/password/reset/key/1-abc123-def456/",
        is_account_email=True,
    )
    migration = importlib.import_module(
        "notifications.migrations.0006_outbox_sender_and_legacy_links"
    )
    migration.wipe_legacy_links(apps, None)
    notice.refresh_from_db()
    reset.refresh_from_db()
    assert token not in row_text(notice) and "Afmelden" in notice.body
    assert reset.status == "failed" and reset.body == ""
