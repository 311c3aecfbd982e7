"""Every email the site sends goes through the outbox.

`queue_email` writes an OutgoingEmail row in the caller's transaction and
hands it to the background task once that transaction commits: if the event
is rolled back, no email leaves; if the task is lost (a worker down, a queue
restarted), `manage.py send_pending_emails` finds the row and sends it.

`deliver` sends one row. It first claims the row with a conditional UPDATE
(pending and due → due again only after a lease), so two workers, or a
worker and the cron command, never send the same row twice, on SQLite and
PostgreSQL alike. A failed send is counted, its error kept and the row left
pending with a later `next_attempt_at` (doubling each time); after
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS tries it is marked failed for the editors.

Account emails (allauth's, see accounts.adapter) carry one-time links that
must never be stored: their row holds a placeholder instead, and
`secret_refs` says how `deliver` builds the link when it sends the email;
once sent, the body is wiped. `purge_old_emails` deletes sent and failed
rows after NOTIFICATIONS_EMAIL_RETENTION_DAYS.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from kb.site_url import base_url, site_url

from .models import OutgoingEmail

logger = logging.getLogger("vindplaats.notifications")

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# How long a claimed row is left alone before another sender may try it
# again (the sender died between claiming and recording the result).
CLAIM_LEASE = datetime.timedelta(minutes=10)
MAX_RETRY_DELAY = datetime.timedelta(hours=6)
# Unsubscribe and opt-out links stop working after this long; the emails
# of the past year carry working ones.
LINK_MAX_AGE = datetime.timedelta(days=365)


def absolute_url(path):
    """A site path as a full URL for an email, from WAGTAILADMIN_BASE_URL.

    Never from a request's Host header (kb.site_url): a full URL keeps only
    its path, so every link in an email points at the configured site.
    """
    return site_url(path)


def unsubscribe_token(user_id, scope="all"):
    """A signed token for a one-click unsubscribe link.

    `scope` is "all" (no more notification emails) or a Follow's id (stop
    following that one thing). The token is the credential: no login needed.
    """
    return signing.dumps({"u": user_id, "s": str(scope)}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(user_id, scope) from a token.

    Raises signing.SignatureExpired when older than LINK_MAX_AGE and
    signing.BadSignature (its parent) when forged.
    """
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Unexpected unsubscribe payload")
    scope = str(data.get("s", ""))
    if scope != "all" and not scope.isdigit():
        raise signing.BadSignature("Unexpected unsubscribe scope")
    return data["u"], scope


def unsubscribe_url(user_id, scope="all"):
    return absolute_url(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, scope)])
    )


CONTACT_OPT_OUT_SALT = "notifications.contact-opt-out"


def contact_opt_out_url(contact):
    """The link in emails to a practice's contact person: no more of them.

    The token names the contact row, not the address, so no email address
    ends up in a URL (and so in a server log).
    """
    token = signing.dumps({"c": contact.pk}, salt=CONTACT_OPT_OUT_SALT)
    return absolute_url(reverse("notifications:contact_opt_out", args=[token]))


def read_contact_opt_out_token(token):
    """The contact row's id; raises signing.BadSignature when forged and
    signing.SignatureExpired (a BadSignature) when older than LINK_MAX_AGE."""
    data = signing.loads(token, salt=CONTACT_OPT_OUT_SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise signing.BadSignature("Unexpected opt-out payload")
    return data["c"]


def unsubscribe_headers(url):
    """RFC 2369 / RFC 8058 headers: mail clients offer a one-click unsubscribe."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def render_email(template, context):
    """(text, html) from `<template>.txt` and `<template>.html`, in Dutch."""
    context = {"site_url": base_url(), **context}
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return text, html


def queue_email(
    to,
    subject,
    template=None,
    context=None,
    *,
    body="",
    html_body="",
    reply_to=None,
    headers=None,
    user=None,
    account_email=False,
    secret_refs=None,
):
    """Put one email in the outbox; it is sent after the current transaction.

    Give either a template base name (rendered as `.txt` and `.html` with
    `context`) or a ready `body` (and optional `html_body`). `user` is the
    member the email is for (found by the address when not given): the row
    goes when the account does. Account emails pass `account_email=True`
    and, for a one-time link, `secret_refs`: the body holds a placeholder
    and `deliver` builds the link when sending (see accounts.adapter).
    """
    if template:
        body, html_body = render_email(template, context or {})
    email = OutgoingEmail.objects.create(
        to=to,
        subject=" ".join(str(subject).split())[:200],
        body=body,
        html_body=html_body,
        reply_to=reply_to or "",
        headers=headers or {},
        user_id=getattr(user, "pk", user) or member_id_for(to),
        is_account_email=account_email,
        secret_refs=secret_refs or {},
    )
    transaction.on_commit(partial(enqueue, email.pk))
    return email


def member_id_for(address):
    """The id of the member with this address (primary or another), or None."""
    from allauth.account.models import EmailAddress

    from django.contrib.auth import get_user_model

    if not address:
        return None
    user_id = (
        EmailAddress.objects.filter(email__iexact=address)
        .values_list("user_id", flat=True)
        .first()
    )
    if user_id is None:
        user_id = (
            get_user_model()
            .objects.filter(email__iexact=address)
            .values_list("pk", flat=True)
            .first()
        )
    return user_id


def enqueue(email_id, run_after=None):
    """Hand a row to the background task; a failure here only delays it."""
    from .tasks import send_outgoing_email

    task = send_outgoing_email
    try:
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # send_pending_emails picks it up when it is due
            task = task.using(run_after=run_after)
        task.enqueue(email_id)
    except Exception:
        logger.exception(
            "Could not enqueue email %s; send_pending_emails will send it", email_id
        )


def retry_delay(attempts):
    """A minute after the first failure, doubling, at most six hours."""
    first = datetime.timedelta(
        seconds=getattr(settings, "NOTIFICATIONS_EMAIL_RETRY_SECONDS", 60)
    )
    return min(first * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def deliver(email_id):
    """Send one pending, due row; returns True when it was sent now."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(
        pk=email_id,
        status=OutgoingEmail.Status.PENDING,
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return False  # sent already, given up, not due, or claimed by another sender
    email = OutgoingEmail.objects.get(pk=email_id)
    email.attempts += 1
    try:
        body, html_body = with_secrets(email)
    except Exception as error:
        # The link can no longer be made (the address or account is gone):
        # trying again will not help.
        email.status = OutgoingEmail.Status.FAILED
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        email.save(update_fields=["attempts", "last_error", "status"])
        logger.warning("Email %s not sent: %s", email.pk, email.last_error)
        return False
    try:
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            reply_to=[email.reply_to] if email.reply_to else None,
            headers=email.headers or None,
        )
        if html_body:
            message.attach_alternative(html_body, "text/html")
        message.send()
    except Exception as error:
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        max_attempts = getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 8)
        if email.attempts >= max_attempts:
            email.status = OutgoingEmail.Status.FAILED
            logger.error(
                "Gave up on email %s after %s attempts: %s",
                email.pk,
                email.attempts,
                email.last_error,
            )
        else:
            email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
            logger.warning(
                "Email %s failed (attempt %s), retrying at %s: %s",
                email.pk,
                email.attempts,
                email.next_attempt_at.isoformat(),
                email.last_error,
            )
        email.save(
            update_fields=["attempts", "last_error", "status", "next_attempt_at"]
        )
        if email.status == OutgoingEmail.Status.PENDING:
            enqueue(email.pk, run_after=email.next_attempt_at)
        return False
    email.status = OutgoingEmail.Status.SENT
    email.sent_at = timezone.now()
    fields = ["attempts", "status", "sent_at"]
    if email.is_account_email:
        # Nobody needs an account email's text once it is sent.
        email.body = email.html_body = ""
        email.secret_refs = {}
        fields += ["body", "html_body", "secret_refs"]
    email.save(update_fields=fields)
    return True


def with_secrets(email):
    """(text, html) of a row, its placeholders replaced by fresh secrets."""
    body, html_body = email.body, email.html_body
    if email.secret_refs:
        from accounts.adapter import build_account_secrets

        for placeholder, value in build_account_secrets(email.secret_refs).items():
            body = body.replace(placeholder, value)
            html_body = html_body.replace(placeholder, escape(value))
    return body, html_body


def purge_old_emails(now=None):
    """Delete sent and failed rows older than the retention period.

    Sent rows count from when they were sent, failed ones from when they
    were queued; rows still waiting are kept. Returns the number deleted.
    """
    days = getattr(settings, "NOTIFICATIONS_EMAIL_RETENTION_DAYS", 30)
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _ = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff
    ).delete()
    failed, _ = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.FAILED, created_at__lt=cutoff
    ).delete()
    return deleted + failed


def due_email_ids():
    return list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
