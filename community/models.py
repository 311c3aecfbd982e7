"""Questions and answers between members, reports on them, and messages to
the contact persons of a practice.

Post bodies are Markdown: the raw text the author typed is stored next to
the sanitised HTML rendered from it (core.sanitize), so the text can be edited
again and the page never renders anything unsanitised. Posts whose author
deleted their account keep `author = NULL` and show as "verwijderd lid".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.sanitize import render_markdown


class PostQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What `user` may see: everything not hidden, plus their own hidden
        posts; editors with the moderation permission see everything."""
        if user.is_authenticated and user.has_perm("community.moderate_posts"):
            return self
        if user.is_authenticated:
            return self.filter(Q(is_hidden=False) | Q(author=user))
        return self.filter(is_hidden=False)

    def public(self):
        """Posts everyone may see."""
        return self.filter(is_hidden=False)


class Post(models.Model):
    """What questions and answers share: author, Markdown body, moderation."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",  # user.questions, user.answers
    )
    body = models.TextField(_("text"), max_length=10_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by the editors"), default=False)
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def visible_to(self, user):
        """Hidden posts remain visible to editors and to their author."""
        if not self.is_hidden:
            return True
        return user.is_authenticated and (
            user.pk == self.author_id or user.has_perm("community.moderate_posts")
        )


class Question(Post):
    title = models.CharField(_("question"), max_length=160)
    themes = models.ManyToManyField(
        "practices.Theme", verbose_name=_("themes"), related_name="questions"
    )
    practices = models.ManyToManyField(
        "practices.PracticePage",
        verbose_name=_("about practices"),
        blank=True,
        related_name="questions",
    )
    accepted_answer = models.OneToOneField(
        "Answer",
        verbose_name=_("accepted answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_locked = models.BooleanField(
        _("closed for new answers"),
        default=False,
        help_text=_("Editors close a question when the discussion should stop."),
    )
    last_activity_at = models.DateTimeField(
        _("last activity"), default=timezone.now, db_index=True
    )
    answer_count = models.PositiveIntegerField(_("answers"), default=0, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-last_activity_at", "-pk"]
        permissions = [("moderate_posts", _("Can moderate community posts"))]
        indexes = [models.Index(fields=["is_hidden", "-last_activity_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:question", args=[self.pk, self.slug])

    @property
    def slug(self):
        return slugify(self.title)[:80] or "vraag"

    def refresh_counts(self):
        """Recount the visible answers; the listing's "unanswered" uses it."""
        self.answer_count = self.answers.filter(is_hidden=False).count()
        Question.objects.filter(pk=self.pk).update(answer_count=self.answer_count)

    def touch(self, moment=None):
        """Move the question up in the listing (new answer, accepted answer)."""
        self.last_activity_at = moment or timezone.now()
        Question.objects.filter(pk=self.pk).update(
            last_activity_at=self.last_activity_at
        )


class Answer(Post):
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    helpful_count = models.PositiveIntegerField(_("marked helpful"), default=0)
    # When the asker first accepted it: only that first time tells anyone.
    first_accepted_at = models.DateTimeField(
        _("first accepted"), null=True, blank=True, editable=False
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return _("Answer to “%(question)s”") % {"question": self.question.title}

    def get_absolute_url(self):
        return f"{self.question.get_absolute_url()}#antwoord-{self.pk}"


class HelpfulVote(models.Model):
    """A member found an answer helpful ("nuttig"); one vote per member."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "user"], name="one_helpful_vote_per_member"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.answer_id}"


class Report(models.Model):
    """A member's report that a question or answer breaks the rules."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive or hurtful")
        PRIVACY = "privacy", _("Shares personal or medical details")
        WRONG = "wrong", _("Misleading or dangerous information")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("explanation"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="report_targets_one_post",
            ),
            models.UniqueConstraint(
                fields=["reporter", "question"],
                condition=Q(status="open", question__isnull=False),
                name="one_open_report_per_member_per_question",
            ),
            models.UniqueConstraint(
                fields=["reporter", "answer"],
                condition=Q(status="open", answer__isnull=False),
                name="one_open_report_per_member_per_answer",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.post}"

    @property
    def post(self):
        return self.question or self.answer


class ContactMessageQuerySet(models.QuerySet):
    def from_visitors(self):
        """Messages written without an account (a member's that outlived
        their account has neither a sender nor an address)."""
        return self.filter(sender__isnull=True).exclude(sender_email="")


class ContactMessage(models.Model):
    """A message to a practice's contact person, relayed by email.

    A member's message is sent at once; the copy stays here for the
    redactie. A visitor's (no account: `sender` empty, `sender_name` and
    `sender_email` set) waits as PENDING until the visitor opens the link we
    emailed to that address, and is then relayed once and SENT
    (community.relay). From then on its text is gone from here: what stays
    is who wrote to whom and when, which is what handling a report of abuse
    needs, for as long as community.relay.purge_contact_messages keeps it.
    The contact's address is looked up when the mail is sent and never
    shown to the sender.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the sender to confirm their address")
        SENT = "sent", _("Sent")

    practice = models.ForeignKey(
        "practices.PracticePage",
        verbose_name=_("practice"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contact_messages",
    )
    contact = models.ForeignKey(
        "practices.PracticeContact",
        verbose_name=_("contact person"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    # Or the member who recorded an adoption of the practice (issue 18),
    # written to through the same relay (community.relay.Adopter).
    adoption = models.ForeignKey(
        "practices.Adoption",
        verbose_name=_("adoption"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    contact_name = models.CharField(_("contact person"), max_length=120)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contact_messages",
    )
    # A visitor's name and address, as typed; the address is confirmed
    # before anything is relayed. Empty for members.
    sender_name = models.CharField(_("sender's name"), max_length=100, blank=True)
    sender_email = models.EmailField(_("sender's email address"), blank=True)
    subject = models.CharField(_("subject"), max_length=150, blank=True)
    message = models.TextField(_("message"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    # The last confirmation email to a visitor, and how many went out: a
    # pending message is kept for a while after the last one.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmations_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    confirmed_at = models.DateTimeField(
        _("address confirmed and relayed at"), null=True, blank=True
    )
    # The contact person's report through the link in the relayed email.
    reported_at = models.DateTimeField(_("reported as abuse at"), null=True, blank=True)
    report_note = models.TextField(
        _("what the contact person reported"), max_length=2000, blank=True
    )

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        ordering = ["-created_at"]
        indexes = [
            # The daily cap per contact person, and what the purge deletes.
            models.Index(
                fields=["contact", "confirmed_at"], name="contact_message_relayed"
            ),
            models.Index(
                fields=["status", "confirmation_sent_at"],
                name="contact_message_pending",
            ),
        ]

    def __str__(self):
        return self.subject or _("Message from %(name)s") % {"name": self.sender_label}

    @property
    def is_from_visitor(self):
        return self.sender_id is None and bool(self.sender_email)

    @property
    def sender_label(self):
        """Who wrote it, for the editors: the member, or the visitor's name
        and address."""
        if self.sender_id:
            return str(self.sender)
        if self.sender_email:
            return f"{self.sender_name} ({self.sender_email})"
        return str(_("deleted member"))


class UsedFormToken(models.Model):
    """A form that was sent once: a digest of its one-time token, address
    and data (community.once.claim_key), who sent it and where its result
    is. The unique digest makes a double click or a repeated request find
    the first result instead of creating again."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sent form")
        verbose_name_plural = _("sent forms")

    def __str__(self):
        return self.token
