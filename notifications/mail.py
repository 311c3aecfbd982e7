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

from .models import OutgoingEmail

logger = logging.getLogger("vindplaats.notifications")

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# How long a claimed row is left alone before another sender may try it
# again (the sender died between claiming and recording the result).
CLAIM_LEASE = datetime.timedelta(minutes=10)
MAX_RETRY_DELAY = datetime.timedelta(hours=6)


def absolute_url(path):
    """A site path as a full URL for an email, from WAGTAILADMIN_BASE_URL."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def unsubscribe_token(user_id, scope="all"):
    """A signed token for a one-click unsubscribe link.

    `scope` is "all" (no more notification emails) or a Follow's id (stop
    following that one thing). The token is the credential: no login needed.
    """
    return signing.dumps({"u": user_id, "s": str(scope)}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(user_id, scope) from a token; raises signing.BadSignature when forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
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
    """The contact row's id; raises signing.BadSignature when forged."""
    data = signing.loads(token, salt=CONTACT_OPT_OUT_SALT)
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
    context = {"site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"), **context}
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
):
    """Put one email in the outbox; it is sent after the current transaction.

    Give either a template base name (rendered as `.txt` and `.html` with
    `context`) or a ready `body` (and optional `html_body`).
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
    )
    transaction.on_commit(partial(enqueue, email.pk))
    return email


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
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            reply_to=[email.reply_to] if email.reply_to else None,
            headers=email.headers or None,
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
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
    email.save(update_fields=["attempts", "status", "sent_at"])
    return True


def due_email_ids():
    return list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
