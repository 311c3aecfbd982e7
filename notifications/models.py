"""Following, notifications, and every email the site sends.

One Follow model covers the four things a member can follow; exactly one of
its targets is set. A Notification is what a member sees in the site's
notification list. An OutgoingEmail is written in the same transaction as
the event that causes it and sent by a background task; a failed send stays
in the table and is retried, so no email is lost.
"""

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TARGETS = ("practice", "question", "theme", "province")


class EmailFrequency(models.TextChoices):
    """How often a member hears of their notifications by email: the choice
    on their profile (accounts.Profile.email_frequency)."""

    IMMEDIATE = "immediate", _("An email for every notification")
    DAILY = "daily", _("One daily digest")
    NEVER = "never", _("No email, only on the site")


def _only(target):
    """This target set, every other one empty."""
    return Q(**{f"{other}__isnull": other != target for other in TARGETS})


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    practice = models.ForeignKey(
        "practices.PracticePage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
    )
    question = models.ForeignKey(
        "community.Question",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
    )
    theme = models.ForeignKey(
        "practices.Theme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
    )
    province = models.ForeignKey(
        "practices.Province",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=reduce(or_, (_only(target) for target in TARGETS)),
                name="follow_has_one_target",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"follow_{target}_once",
                )
                for target in TARGETS
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.target}"

    @property
    def target(self):
        return self.practice or self.question or self.theme or self.province

    @property
    def unsubscribe_scope(self):
        """What the one-click link in an email about it stops (mail)."""
        return str(self.pk)


class SavedSearch(models.Model):
    """A search a member follows: the search page's own query string (its
    text and filters, in one spelling: notifications.saved.canonical_query),
    so it opens as the page it was saved from and its feed is the page's
    feed. A member hears of each practice that newly matches it
    (notifications.saved.match_practice), like any other follow."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.TextField(_("search"), blank=True)
    # The query's sha256: one member saves one search once (a text column
    # may be too long for a unique index on PostgreSQL).
    query_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "query_hash"], name="saved_search_once"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.name}"

    def get_absolute_url(self):
        return reverse("search") + (f"?{self.query}" if self.query else "")

    @property
    def feed_url(self):
        return reverse("feed_practices") + (f"?{self.query}" if self.query else "")

    @property
    def unsubscribe_scope(self):
        return f"search-{self.pk}"


class SavedSearchKey(models.Model):
    """One key of a saved search (search.percolation): a term, the start of
    a word, a facet value or "all". A published practice looks up its own
    keys here, by the index on (kind, term), to find the few saved searches
    that may match it, instead of running every one."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="keys"
    )
    kind = models.CharField(max_length=10)
    term = models.CharField(max_length=255)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "term", "saved_search"], name="saved_key")
        ]

    def __str__(self):
        return f"{self.kind}:{self.term}"


class SavedSearchMatch(models.Model):
    """A practice a saved search has found: its member was told (or it was
    among the results when the search was saved). An update that keeps
    matching tells nobody again; one that stops matching removes the row,
    so matching again later is news again."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="matches"
    )
    practice = models.ForeignKey(
        "practices.PracticePage", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "practice"], name="saved_search_match_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["practice", "saved_search"], name="saved_match_practice"
            )
        ]

    def __str__(self):
        return f"{self.saved_search_id} ∋ {self.practice_id}"


class Notification(models.Model):
    class Event(models.TextChoices):
        PRACTICE_UPDATED = "practice_updated", _("A practice you follow was updated")
        NEW_ANSWER = "new_answer", _("New answer to a question you follow")
        ANSWER_ACCEPTED = "answer_accepted", _("An answer was accepted")
        NEW_QUESTION = (
            "new_question",
            _("New question in a theme or province you follow"),
        )
        NEW_PRACTICE = (
            "new_practice",
            _("New practice in a theme or province you follow"),
        )
        QUESTION_ABOUT_PRACTICE = (
            "question_about_practice",
            _("New question about a practice you are the contact for"),
        )
        REVIEW_REQUESTED = "review_requested", _("A practice waits for review")
        PRACTICE_APPROVED = "practice_approved", _("Your practice was published")
        CHANGES_REQUESTED = "changes_requested", _("The editors asked for changes")
        SEARCH_MATCH = "search_match", _("A new match for a search you follow")
        NEW_ADOPTION = (
            "new_adoption",
            _("A practice you follow was taken up elsewhere"),
        )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=30, choices=Event.choices)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the notification went out by email, alone or in a digest.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.message


class OutgoingEmail(models.Model):
    """One email waiting to be sent, sent, or given up on after many tries.

    Account emails (allauth's: address confirmation, password reset, ...)
    are marked `is_account_email`. Their one-time links are never stored:
    the body holds a placeholder and `secret_refs` says how to build the
    link when the email is sent (see notifications.mail.deliver); the admin
    never shows their body, and it is wiped once the email is sent. Sent
    rows are deleted after NOTIFICATIONS_EMAIL_RETENTION_DAYS, and a
    member's rows go with their account.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    html_body = models.TextField(_("message (HTML)"), blank=True)
    reply_to = models.EmailField(_("reply to"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # The member the email is for, when it is one: deleted with the account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The member an email is sent on behalf of (a message through the
    # contact relay): it holds their text and address, so it goes with them.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent on behalf of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_account_email = models.BooleanField(_("account email"), default=False)
    # Placeholder in the text or headers -> how to build its link when
    # sending, e.g. {"…": {"kind": "unsubscribe", "user": 12, "scope": "all"}};
    # never the token itself (notifications.mail.secret_link).
    secret_refs = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class ContactOptOut(models.Model):
    """A contact person who asked for no more emails through the site.

    It stops both the emails about questions on their practice and members'
    messages through the contact relay (see `contact_opted_out`).

    Contact persons of a practice need not be members, so their choice is
    kept by email address (lower case), the only thing we know of them.
    Members who are contact persons choose in their own settings instead.
    """

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact person who opted out")
        verbose_name_plural = _("contact persons who opted out")

    def __str__(self):
        return self.email


def contact_opted_out(email):
    """Whether a contact person asked for no more emails through the site.

    Covers every email to a practice's contact person: notifications about
    questions and members' messages through the contact relay alike.
    """
    return bool(email) and ContactOptOut.objects.filter(email=email.lower()).exists()


def member_addresses(user):
    """Every address of a member, lower case: the account's and allauth's."""
    from allauth.account.models import EmailAddress

    addresses = {
        email.lower()
        for email in EmailAddress.objects.filter(user=user).values_list(
            "email", flat=True
        )
    }
    if user.email:
        addresses.add(user.email.lower())
    return addresses


def purge_outbox_of(user, addresses=None):
    """Delete every outbox row of a member: the rows for them or sent on
    their behalf (cascades, and here too), and the rows to or replying to
    any of their addresses, queued before the account existed (allauth's
    "an account already exists" email) or relayed for them. Call it before
    the member's EmailAddress rows go (accounts.services.delete_account)."""
    addresses = member_addresses(user) | set(addresses or ())
    condition = Q(user=user) | Q(sender=user)
    for address in addresses:
        condition |= Q(to__iexact=address) | Q(reply_to__iexact=address)
    OutgoingEmail.objects.filter(condition).delete()


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def purge_outbox_of_deleted_member(sender, instance, **kwargs):
    """A deleted member's emails go with the account, whatever deletes it.

    The pre_delete signals all come before the cascade deletes anything, so
    the member's EmailAddress rows are still there.
    """
    purge_outbox_of(instance)
