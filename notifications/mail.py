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

No usable token is ever stored in a row. Every link that carries a signed
token (allauth's password reset and address confirmation, unsubscribe and
contact opt-out links, the yearly "still current?" link) is a placeholder
in the stored text (`secret_link`), and `secret_refs` says how `deliver`
builds it when it sends the email; an account email's text is wiped once
sent. As a second line, `queue_email` cuts the token out of any such link
that still reaches it in clear (`redact_tokens`). `purge_old_emails`
deletes sent and failed rows after NOTIFICATIONS_EMAIL_RETENTION_DAYS.
"""

import datetime
import logging
import re
import secrets
import threading
from collections import OrderedDict
from functools import partial
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape

from core.site_url import base_url, site_url

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

    Never from a request's Host header (core.site_url): a full URL keeps only
    its path, so every link in an email points at the configured site.
    """
    return site_url(path)


def unsubscribe_token(user_id, scope="all"):
    """A signed token for a one-click unsubscribe link.

    `scope` is "all" (no more notification emails), a Follow's id (stop
    following that one thing) or "search-<id>" (stop following a saved
    search). The token is the credential: no login needed.
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
    if scope != "all" and not scope.removeprefix("search-").isdigit():
        raise signing.BadSignature("Unexpected unsubscribe scope")
    return data["u"], scope


def unsubscribe_url(user_id, scope="all"):
    """The real unsubscribe link; emails use `unsubscribe_link` instead."""
    return absolute_url(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, scope)])
    )


CONTACT_OPT_OUT_SALT = "notifications.contact-opt-out"


def address_hash(address):
    """A keyed hash of an address: an opt-out token holds it, not the address."""
    return salted_hmac(
        CONTACT_OPT_OUT_SALT, str(address or "").strip().lower()
    ).hexdigest()[:24]


def contact_opt_out_token(contact, address=None):
    """The token names the contact row and (hashed) the address it was sent
    to: after the editors change the row's address, an old link no longer
    opts out the new person."""
    return signing.dumps(
        {
            "c": contact.pk,
            "h": address_hash(
                address if address is not None else getattr(contact, "email", "")
            ),
        },
        salt=CONTACT_OPT_OUT_SALT,
    )


def contact_opt_out_url(contact, address=None):
    """The real opt-out link for a practice's contact person; emails use
    `contact_opt_out_link` instead. No email address ends up in the URL
    (and so in a server log)."""
    return absolute_url(
        reverse(
            "notifications:contact_opt_out",
            args=[contact_opt_out_token(contact, address)],
        )
    )


def read_contact_opt_out_token(token):
    """(contact row id, address hash or None for a token made before the
    hash); raises signing.BadSignature when forged and
    signing.SignatureExpired (a BadSignature) when older than LINK_MAX_AGE."""
    data = signing.loads(token, salt=CONTACT_OPT_OUT_SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise signing.BadSignature("Unexpected opt-out payload")
    digest = data.get("h")
    if digest is not None and not isinstance(digest, str):
        raise signing.BadSignature("Unexpected opt-out payload")
    return data["c"], digest


def opt_out_token_fits(digest, address):
    return digest is not None and constant_time_compare(digest, address_hash(address))


def unsubscribe_headers(url):
    """RFC 2369 / RFC 8058 headers: mail clients offer a one-click unsubscribe.

    Give it a placeholder from `secret_link`: the header is filled when sent.
    """
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# Links with a signed token -------------------------------------------------

PLACEHOLDER = re.compile(r"vindplaats-secret-[0-9a-f]{32}")
# Placeholders made by secret_link and not yet taken by queue_email. Each is
# random, so a member cannot write one into a message they send.
_pending_refs = OrderedDict()
_pending_lock = threading.Lock()
_PENDING_MAX = 10_000


def new_placeholder():
    return f"vindplaats-secret-{secrets.token_hex(16)}"


def secret_link(kind, **ref):
    """A placeholder for a link that carries a signed token, made when sent.

    Put it in an email's context or headers like the link itself;
    `queue_email` stores the placeholder and its reference (ids, never the
    token) in `secret_refs`, and `deliver` puts the link in when it sends.
    """
    placeholder = new_placeholder()
    with _pending_lock:
        _pending_refs[placeholder] = {"kind": kind, **ref}
        while len(_pending_refs) > _PENDING_MAX:
            _pending_refs.popitem(last=False)
    return placeholder


def unsubscribe_link(user_id, scope="all"):
    return secret_link("unsubscribe", user=user_id, scope=str(scope))


def contact_opt_out_link(contact):
    return secret_link("contact_opt_out", contact=contact.pk)


def taken_refs(*texts):
    """The references of the placeholders in these texts, taken from the
    ones secret_link made; unknown placeholders stay plain text."""
    found = set()
    for text in texts:
        found.update(PLACEHOLDER.findall(text or ""))
    refs = {}
    with _pending_lock:
        for placeholder in found:
            ref = _pending_refs.pop(placeholder, None)
            if ref is not None:
                refs[placeholder] = ref
    return refs


# How each kind of secret is made when an email is sent: {kind: make}, where
# `make(refs, to)` returns {placeholder: link or key} for the references of
# its kinds in one row, sent to `to`. The outbox makes its own links below;
# the apps above it register theirs when they start (accounts: password
# reset and address confirmation; editorial: the "still current?" link).
_secret_makers = {}


def register_secrets(kinds, make):
    """Let the outbox make secrets of these kinds when it sends."""
    for kind in kinds:
        _secret_makers[kind] = make


def _outbox_secrets(refs, to):
    made = {}
    for placeholder, ref in refs.items():
        if ref["kind"] == "unsubscribe":
            made[placeholder] = unsubscribe_url(ref["user"], ref["scope"])
        else:
            # The hash of the address this email goes to, not of the row's
            # current one: the link can only opt out its own recipient.
            made[placeholder] = contact_opt_out_url(
                SimpleNamespace(pk=ref["contact"]), to
            )
    return made


register_secrets(("unsubscribe", "contact_opt_out"), _outbox_secrets)


# The site's routes whose last path segment is a credential, and Django's
# signed values (payload:timestamp:signature) anywhere.
TOKEN_ROUTES = (
    ("notifications:unsubscribe", ["TOKEN"]),
    ("notifications:contact_opt_out", ["TOKEN"]),
    ("editorial:confirm_current", ["TOKEN"]),
    ("account_confirm_email", ["TOKEN"]),
)
SIGNED_VALUE = re.compile(r"\.?[A-Za-z0-9_-]{2,}:[0-9A-Za-z]{5,8}:[A-Za-z0-9_-]{20,}")
REDACTED = "…"


def _route_patterns():
    patterns = []
    for name, args in TOKEN_ROUTES:
        prefix = reverse(name, args=args).removesuffix("TOKEN/")
        patterns.append(re.compile(re.escape(prefix) + r"[^/\s\"'<>]+"))
    key_prefix = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}
    ).removesuffix("UID-KEY/")
    patterns.append(re.compile(re.escape(key_prefix) + r"[^/\s\"'<>]+"))
    return patterns


def redact_tokens(text):
    """The text with every credential in a link cut out, and every signed
    value Django's signing makes: for showing a row in the admin, and as a
    second line for whatever reaches the outbox in clear."""
    if not text:
        return text
    for pattern in _route_patterns():
        text = pattern.sub(
            lambda m: m.group(0)[: m.group(0).rindex("/") + 1] + REDACTED, text
        )
    return SIGNED_VALUE.sub(REDACTED, text)


def redact_headers(headers):
    return {name: redact_tokens(str(value)) for name, value in (headers or {}).items()}


def hide_placeholders(text):
    """Placeholders as the admin shows them: a link made when sent."""
    return PLACEHOLDER.sub("[link]", text or "")


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
    sender=None,
    account_email=False,
    secret_refs=None,
):
    """Put one email in the outbox; it is sent after the current transaction.

    Give either a template base name (rendered as `.txt` and `.html` with
    `context`) or a ready `body` (and optional `html_body`). `user` is the
    member the email is for (found by the address when not given): the row
    goes when the account does. Account emails pass `account_email=True`
    and, for a one-time link, `secret_refs` (see accounts.adapter).
    `sender` is the member an email is sent on behalf of (the contact
    relay): it goes when their account does.

    Links with a token are placeholders from `secret_link`, in `context`,
    `body` or `headers`; their references are kept in `secret_refs` and
    `deliver` makes the links when sending. Any token-carrying link that
    still arrives in clear is cut out (`redact_tokens`).
    """
    if template:
        body, html_body = render_email(template, context or {})
    headers = {name: str(value) for name, value in (headers or {}).items()}
    refs = taken_refs(body, html_body, *headers.values())
    refs.update(secret_refs or {})
    email = OutgoingEmail.objects.create(
        to=to,
        subject=" ".join(str(subject).split())[:200],
        body=redact_tokens(body),
        html_body=redact_tokens(html_body),
        reply_to=reply_to or "",
        headers=redact_headers(headers),
        user_id=getattr(user, "pk", user) or member_id_for(to),
        sender_id=getattr(sender, "pk", sender),
        is_account_email=account_email,
        secret_refs=refs,
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
        body, html_body, headers = with_secrets(email)
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
            headers=headers or None,
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
    fields = ["attempts", "status", "sent_at", "secret_refs"]
    email.secret_refs = {}  # the placeholders stay, and now stand for nothing
    if email.is_account_email:
        # Nobody needs an account email's text once it is sent.
        email.body = email.html_body = ""
        fields += ["body", "html_body"]
    email.save(update_fields=fields)
    return True


def with_secrets(email):
    """(text, html, headers) of a row, its placeholders replaced by links
    made now. Raises when one can no longer be made (a maker refuses, as
    accounts.adapter does for a changed account): the email is then not
    sent."""
    body, html_body = email.body, email.html_body
    headers = dict(email.headers or {})
    by_maker = {}
    for placeholder, ref in (email.secret_refs or {}).items():
        make = _secret_makers.get(ref.get("kind"))
        if make is None:
            raise ValueError(f"Unknown kind of secret: {ref.get('kind')}")
        by_maker.setdefault(make, {})[placeholder] = ref
    values = {}
    for make, refs in by_maker.items():
        values.update(make(refs, email.to))
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
        html_body = html_body.replace(placeholder, escape(value))
        headers = {
            name: str(header).replace(placeholder, value)
            for name, header in headers.items()
        }
    return body, html_body, headers


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
