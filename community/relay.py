"""The contact relay: messages to a practice's contact persons, whose address
is never shown to anyone.

Two ways in (community.contact has the pages):

- a member writes, and the message goes at once (`send_contact_message`),
  with the account's address as Reply-To;
- a visitor without an account writes name, address and message
  (`write_visitor_message`). The message waits as PENDING and the visitor
  gets an email with a confirmation link (`send_confirmation`); the page
  behind the link shows the message with one button, which relays it once
  (`relay_visitor_message`) with the now confirmed address as Reply-To. A
  second click finds it SENT and says so; an expired link offers a new one
  (`resend_confirmation`) while the message is kept. Opening the link does
  nothing by itself: mail scanners that open every link send nothing.

The confirmation email holds nothing the visitor typed (no name, no text):
whoever types someone else's address cannot use it to mail them their own
words.

Links: the confirmation link, and the "report abuse" link in every relayed
email, carry a signed token naming the message. The outbox makes them when
it sends (kinds "contact_confirm" and "contact_report", `outbox_links`,
registered by CommunityConfig), so no working link is ever stored. A
confirmation link works CONFIRM_LINK_HOURS and once; a report link as long
as the message's details are kept (KEEP_DAYS).

Abuse: a contact person reports a relayed message with the link
(`report_message`); the moderators hear of it, and its sender (the member,
or the visitor's address) can no longer write to that contact person
(`is_blocked`) for REPORTED_KEEP_DAYS.

What is kept, and how long (`purge_contact_messages`, run by the periodic
jobs; every read ignores what is past its time even before the job runs):

- a message waiting for confirmation, as typed: until PENDING_KEEP_HOURS
  after the last confirmation email (each link works CONFIRM_LINK_HOURS,
  so an expired link can still be renewed for a while);
- a visitor's relayed message: its text is deleted the moment it is
  relayed; name, address, contact person, practice and times stay
  KEEP_DAYS for reports of abuse, then the row goes;
- a reported one: REPORTED_KEEP_DAYS after the report (the block holds
  that long).

The emails themselves sit in the outbox like every other email and are
deleted NOTIFICATIONS_EMAIL_RETENTION_DAYS after they were sent
(notifications.mail). Members' messages are kept for the redactie as
before and go with the account's other data.

Limits for visitors (settings.COMMUNITY_FLOOD, read on every call):
CONTACT_VISITOR_PER_IP_PER_HOUR messages per IP address,
CONTACT_VISITOR_PER_ADDRESS_PER_DAY confirmation emails per email address
(new links included), CONTACT_VISITOR_PER_CONTACT_PER_DAY visitors'
messages relayed to one contact person, CONTACT_CONFIRMATION_RESENDS new
links per message. The first two are sliding windows in the shared cache
(core.cache.within_rate) under a keyed hash: the cache holds neither IP
addresses nor email addresses.
"""

import datetime

from allauth.account.adapter import get_adapter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core.cache import within_rate
from notifications.events import SUBJECT_PREFIX, display_name, mail_member
from notifications.mail import (
    absolute_url,
    contact_opt_out_link,
    queue_email,
    secret_link,
    unsubscribe_headers,
)
from notifications.models import contact_opted_out
from practices.models import Adoption, PracticeContact, PracticePage

from . import flood
from .models import ContactMessage
from .services import Refused

CONFIRM_LINK_HOURS = 24
PENDING_KEEP_HOURS = 48
KEEP_DAYS = 30
REPORTED_KEEP_DAYS = 365

CONFIRM_SALT = "community.contact-confirm"
REPORT_SALT = "community.contact-report"
LIMIT_SALT = "community.contact-limit"
SECRET_KINDS = ("contact_confirm", "contact_report")
HOUR = 3600
DAY = 24 * HOUR


class Gone(Exception):
    """The message is no longer kept (or never was)."""


def _lang():
    return translation.override(settings.LANGUAGE_CODE)


def waiting(now=None):
    """Visitors' messages that still wait for their confirmation."""
    now = now or timezone.now()
    return ContactMessage.objects.filter(
        status=ContactMessage.Status.PENDING,
        confirmation_sent_at__gte=now - datetime.timedelta(hours=PENDING_KEEP_HOURS),
    )


def reachable_contact(contact_id):
    """A contact person of a live, public practice, or None."""
    return (
        PracticeContact.objects.select_related("page")
        .filter(pk=contact_id, page__in=PracticePage.objects.reachable())
        .first()
    )


class Adopter:
    """The member who recorded a confirmed adoption of a practice, as the
    relay writes to them: shaped like a PracticeContact (pk, name, email,
    page, anchor), named by their organisation. Their address is their
    account's; they stop getting messages by withdrawing the adoption."""

    def __init__(self, adoption):
        self.adoption = adoption
        self.pk = adoption.pk
        self.name = adoption.organisation
        self.email = adoption.member.email
        self.page = adoption.practice
        self.anchor = adoption.anchor


def reachable_adopter(adoption_id):
    """The adopter of a confirmed adoption of a live, public practice whose
    member still has an active account with an address, or None."""
    adoption = (
        Adoption.objects.confirmed()
        .select_related("practice", "member")
        .filter(
            pk=adoption_id,
            practice__in=PracticePage.objects.reachable(),
            member__is_active=True,
        )
        .exclude(member__email="")
        .first()
    )
    return Adopter(adoption) if adoption is not None else None


def recipient(contact):
    """The ContactMessage fields that name who a message is to (by id: for
    filtering and creating alike)."""
    if isinstance(contact, Adopter):
        return {"adoption_id": contact.pk}
    return {"contact_id": contact.pk}


def recipient_of(message):
    """Whom a stored message is to, if they can still be reached."""
    if message.adoption_id:
        return reachable_adopter(message.adoption_id)
    return message.contact_id and reachable_contact(message.contact_id)


def recipient_of_stored(message):
    """recipient() of the one a stored message is to, by id (no query)."""
    if message.adoption_id:
        return {"adoption_id": message.adoption_id}
    return {"contact_id": message.contact_id}


def _lock(contact):
    """Lock the recipient's row: one message to them at a time."""
    model = Adoption if isinstance(contact, Adopter) else PracticeContact
    model.objects.select_for_update().filter(pk=contact.pk).first()


# Tokens ------------------------------------------------------------------------


def confirm_token(message):
    return signing.dumps({"m": message.pk, "c": message.contact_id}, salt=CONFIRM_SALT)


def read_confirm_token(token):
    """(message id, contact id or None, expired) from a confirmation link's
    token; raises signing.BadSignature when it was changed or made up. An
    expired token still names its message: the page offers a new link."""
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_HOURS * HOUR
        )
        expired = False
    except signing.SignatureExpired:
        data = signing.loads(token, salt=CONFIRM_SALT)
        expired = True
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("m"), int)
        or not isinstance(data.get("c"), int | None)
    ):
        raise signing.BadSignature("Unexpected confirmation payload")
    return data["m"], data.get("c"), expired


def report_token(message_id):
    return signing.dumps({"m": message_id}, salt=REPORT_SALT)


def read_report_token(token):
    """The message id of a report link; raises signing.SignatureExpired
    after KEEP_DAYS and signing.BadSignature (its parent) when forged."""
    data = signing.loads(token, salt=REPORT_SALT, max_age=KEEP_DAYS * DAY)
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise signing.BadSignature("Unexpected report payload")
    return data["m"]


def outbox_links(refs, to):
    """{placeholder: link} for the outbox, made when it sends an email. A
    confirmation link is made only while its message still waits for the
    address the email goes to: else the email is not sent."""
    made = {}
    for placeholder, ref in refs.items():
        if ref["kind"] == "contact_confirm":
            message = waiting().filter(pk=ref["message"]).first()
            if message is None or message.sender_email.lower() != to.lower():
                raise ValueError("This message no longer waits for its confirmation")
            path = reverse("community:contact_confirm", args=[confirm_token(message)])
        else:
            path = reverse(
                "community:contact_report", args=[report_token(ref["message"])]
            )
        made[placeholder] = absolute_url(path)
    return made


# Limits ------------------------------------------------------------------------


def _limit_key(kind, value):
    return f"contact-{kind}:" + salted_hmac(LIMIT_SALT, value).hexdigest()[:32]


def _client_ip(request):
    """As allauth's rate limits see it (ALLAUTH_TRUSTED_PROXY_COUNT)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"


def _check_rates(request, address):
    """Count one confirmation email from this IP address to this address."""
    limits = settings.COMMUNITY_FLOOD
    if not within_rate(
        _limit_key("ip", _client_ip(request)),
        limits["CONTACT_VISITOR_PER_IP_PER_HOUR"],
        HOUR,
    ):
        raise Refused(
            _(
                "Many messages have been sent from your internet connection in "
                "the past hour. Please try again in an hour."
            ),
            status=429,
        )
    if not within_rate(
        _limit_key("address", address.strip().lower()),
        limits["CONTACT_VISITOR_PER_ADDRESS_PER_DAY"],
        DAY,
    ):
        raise Refused(
            _(
                "We have sent the most confirmation emails we send to this email "
                "address in 24 hours. Please try again tomorrow."
            ),
            status=429,
        )


def relayed_today(contact, now=None):
    """Visitors' messages relayed to this contact person in the past 24 hours."""
    since = (now or timezone.now()) - datetime.timedelta(days=1)
    return (
        ContactMessage.objects.from_visitors()
        .filter(confirmed_at__gte=since, **recipient(contact))
        .count()
    )


def _check_contact_cap(contact):
    if (
        relayed_today(contact)
        >= (settings.COMMUNITY_FLOOD["CONTACT_VISITOR_PER_CONTACT_PER_DAY"])
    ):
        raise Refused(
            _(
                "%(name)s has received many messages through Vindplaats today. "
                "Please try again tomorrow."
            )
            % {"name": contact.name},
            status=429,
        )


def is_blocked(contact, address="", user=None, now=None):
    """Has this contact person reported a message from this member or this
    address, in the past REPORTED_KEEP_DAYS?"""
    who = Q()
    if user is not None:
        who |= Q(sender=user)
    if address:
        who |= Q(sender_email__iexact=address)
    if not who:
        return False
    since = (now or timezone.now()) - datetime.timedelta(days=REPORTED_KEEP_DAYS)
    return ContactMessage.objects.filter(
        who, reported_at__gte=since, **recipient(contact)
    ).exists()


def opted_out_refusal(contact):
    return Refused(
        _(
            "This contact person does not want to receive messages through "
            "Vindplaats. The practice page may list other ways to reach them."
        ),
        status=403,
    )


def blocked_refusal(contact):
    return Refused(
        _("You can no longer send messages to %(name)s through Vindplaats.")
        % {"name": contact.name},
        status=403,
    )


# Members -----------------------------------------------------------------------


def send_contact_message(request, contact, data):
    """A member's message: store the copy and queue the email, in the
    caller's transaction."""
    message = ContactMessage.objects.create(
        practice=contact.page,
        contact_name=contact.name,
        sender=request.user,
        **recipient(contact),
        subject=data["subject"],
        message=data["message"],
    )
    sender = display_name(request.user)
    _relay(
        message,
        contact,
        _("[Vindplaats] %(subject)s (from %(sender)s)")
        % {"subject": data["subject"], "sender": sender},
        sender=sender,
        reply_to=request.user.email,
        on_behalf_of=request.user,
    )
    return message


def _relay(message, contact, subject, *, sender, reply_to, on_behalf_of=None):
    """Queue the email to the contact person: the message, who sent it, how
    to answer (Reply-To), how to report abuse and how to stop these emails."""
    practice = contact.page
    adopter = isinstance(contact, Adopter)
    if adopter:
        # A member, not a contact person: they stop by withdrawing it.
        opt_out = absolute_url(
            reverse("community:withdraw_adoption", args=[contact.pk])
        )
    else:
        opt_out = contact_opt_out_link(contact)  # made when sent, never stored
    queue_email(
        contact.email,
        subject,
        "email/contact_message",
        {
            "adopter": adopter,
            "contact_name": contact.name,
            "sender": sender,
            "visitor_email": message.sender_email,
            "practice": practice.title,
            "practice_url": absolute_url(practice.url),
            "subject": message.subject,
            "message": message.message,
            "opt_out_url": opt_out,
            "report_url": secret_link("contact_report", message=message.pk),
            "report_days": KEEP_DAYS,
        },
        reply_to=reply_to,
        headers={} if adopter else unsubscribe_headers(opt_out),
        sender=on_behalf_of,
    )


# Visitors ----------------------------------------------------------------------


def write_visitor_message(request, contact, name, email, text, replaces=None):
    """Keep a visitor's message until they confirm their address, and send
    them the confirmation email; returns the waiting message.

    The same message sent again while it waits (a double click, the Back
    button) is kept and mailed once. `replaces` is the id of this browser's
    earlier waiting message to the same person (the visitor corrected it):
    that one is thrown away. Raises Refused when the contact person takes
    no messages or a limit is reached.
    """
    if contact_opted_out(contact.email):
        raise opted_out_refusal(contact)
    _check_contact_cap(contact)
    with transaction.atomic():
        # One visitor's message to one person at a time: a double click
        # waits here, then finds the first one.
        _lock(contact)
        wanted = flood.normalise(text)
        for earlier in waiting().filter(
            sender_email__iexact=email, **recipient(contact)
        ):
            if earlier.sender_name == name and flood.normalise(earlier.message) == (
                wanted
            ):
                return earlier
        _check_rates(request, email)
        if replaces:
            waiting().filter(pk=replaces, **recipient(contact)).delete()
        message = ContactMessage.objects.create(
            practice=contact.page,
            contact_name=contact.name,
            **recipient(contact),
            sender_name=name,
            sender_email=email,
            message=text,
            status=ContactMessage.Status.PENDING,
        )
        send_confirmation(message)
    return message


def send_confirmation(message):
    """Email the visitor the link that confirms their address and relays
    the message; the message is kept PENDING_KEEP_HOURS from now."""
    practice = message.practice
    with _lang():
        queue_email(
            message.sender_email,
            SUBJECT_PREFIX
            + _("Confirm your email address to send your message to %(name)s")
            % {"name": message.contact_name},
            "email/contact_confirm",
            {
                "contact_name": message.contact_name,
                "practice": practice.title if practice else "",
                "practice_url": absolute_url(practice.url) if practice else "",
                "confirm_url": secret_link("contact_confirm", message=message.pk),
                "link_hours": CONFIRM_LINK_HOURS,
                "keep_hours": PENDING_KEEP_HOURS,
            },
        )
    now = timezone.now()
    ContactMessage.objects.filter(pk=message.pk).update(
        confirmation_sent_at=now, confirmations_sent=F("confirmations_sent") + 1
    )
    message.confirmation_sent_at = now
    message.confirmations_sent += 1


def resend_confirmation(request, message):
    """A new confirmation link for a message that still waits."""
    most = 1 + settings.COMMUNITY_FLOOD["CONTACT_CONFIRMATION_RESENDS"]
    if message.confirmations_sent >= most:
        raise Refused(
            _(
                "We have sent the confirmation email %(count)d times already. "
                "Look for it in your spam folder too. Is the address wrong? "
                "Then write your message again with the right one."
            )
            % {"count": message.confirmations_sent},
            status=429,
        )
    _check_rates(request, message.sender_email)
    with transaction.atomic():
        if not waiting().select_for_update().filter(pk=message.pk).exists():
            return False
        send_confirmation(message)
    return True


def relay_visitor_message(message_id):
    """Relay a confirmed visitor's message, once. Returns (message, True)
    when it went now, (message, False) when it had gone before. Raises Gone
    when it is no longer kept, and Refused when it cannot go: the contact
    person is gone, opted out or blocked this sender (the message is then
    deleted), or had enough messages today (it waits; the link still works
    tomorrow, or a new one does)."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            ContactMessage.objects.from_visitors()
            .select_for_update()
            .filter(pk=message_id)
            .first()
        )
        if message is not None and message.status == ContactMessage.Status.SENT:
            return message, False
        if message is None or not waiting(now).filter(pk=message_id).exists():
            raise Gone
        contact = recipient_of(message)
        refusal = _undeliverable(message, contact)
        if refusal is not None:
            message.delete()
        else:
            # Confirmations to one person wait their turn for the daily count.
            _lock(contact)
            _check_contact_cap(contact)
            _relay_confirmed(message, contact, now)
    if refusal is not None:
        raise refusal
    return message, message.confirmed_at == now


def _undeliverable(message, contact):
    """Why this message can never go to its contact person, or None."""
    if not contact:
        return Refused(
            _(
                "%(name)s is no longer a contact person on Vindplaats, so we "
                "cannot pass your message on. We have deleted it."
            )
            % {"name": message.contact_name},
            status=410,
        )
    if contact_opted_out(contact.email):
        return opted_out_refusal(contact)
    if is_blocked(contact, message.sender_email):
        return blocked_refusal(contact)
    return None


def _relay_confirmed(message, contact, now):
    # Only the request that changes the row relays: a parallel click finds
    # it sent.
    if not ContactMessage.objects.filter(
        pk=message.pk, status=ContactMessage.Status.PENDING
    ).update(status=ContactMessage.Status.SENT, confirmed_at=now):
        message.refresh_from_db()
        return
    message.status, message.confirmed_at = ContactMessage.Status.SENT, now
    with _lang():
        _relay(
            message,
            contact,
            SUBJECT_PREFIX
            + _("Message from %(sender)s about %(practice)s")
            % {"sender": message.sender_name, "practice": contact.page.title},
            sender=message.sender_name,
            reply_to=message.sender_email,
        )
    # The contact person has the text now; what stays is who wrote to whom.
    ContactMessage.objects.filter(pk=message.pk).update(subject="", message="")


# Reports of abuse --------------------------------------------------------------


def report_message(message, note=""):
    """The contact person reports a message they got: the moderators hear
    of it and its sender can no longer write to them. Returns False when it
    was reported before."""
    now = timezone.now()
    with transaction.atomic():
        if not ContactMessage.objects.filter(
            pk=message.pk, reported_at__isnull=True
        ).update(reported_at=now, report_note=note):
            return False
        message.reported_at, message.report_note = now, note
        moderators = (
            get_user_model()
            .objects.with_perm(
                "community.moderate_posts",
                is_active=True,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            .exclude(email="")
            .select_related("profile")
        )
        with _lang():
            context = {
                "contact_name": message.contact_name,
                "practice": message.practice.title if message.practice else "",
                "sender": message.sender_label,
                "sent_at": formats.date_format(
                    timezone.localtime(message.confirmed_at or message.created_at),
                    "j F Y H:i",
                ),
                "note": note,
                "review_url": absolute_url(
                    reverse("contactmessage:inspect", args=[message.pk])
                ),
                "retention_days": settings.NOTIFICATIONS_EMAIL_RETENTION_DAYS,
            }
            for moderator in moderators:
                mail_member(
                    moderator,
                    _("Abuse of the contact form reported by %(name)s")
                    % {"name": message.contact_name},
                    "email/contact_reported",
                    context,
                )
    return True


# Retention ---------------------------------------------------------------------


def purge_contact_messages(now=None):
    """Delete what the relay no longer needs (see the module's docstring);
    returns how many messages went."""
    now = now or timezone.now()
    visitors = ContactMessage.objects.from_visitors()
    deleted = 0
    for condition in (
        Q(
            status=ContactMessage.Status.PENDING,
            confirmation_sent_at__lt=now - datetime.timedelta(hours=PENDING_KEEP_HOURS),
        ),
        Q(
            status=ContactMessage.Status.SENT,
            reported_at__isnull=True,
            confirmed_at__lt=now - datetime.timedelta(days=KEEP_DAYS),
        ),
        Q(reported_at__lt=now - datetime.timedelta(days=REPORTED_KEEP_DAYS)),
    ):
        count, _rows = visitors.filter(condition).delete()
        deleted += count
    return deleted
