"""A member's story on its way to becoming a practice page.

A `Submission` is the member's own workspace: what they typed (as JSON, the
way the form holds it) and the files they attached (`SubmissionFile`). It is
saved as a draft at any time without validation. Sending it in validates
everything and turns it into a PracticePage revision that the editors review
through the Wagtail workflow; from then on the page (and its workflow state)
tells the status, and the submission is kept as the record of what was sent
(including the contact persons' consent).

A submission for a new practice has no page until it is sent in; a proposed
update to an existing practice points at that page from the start.
"""

import os
import secrets

from wagtail.documents import get_document_model_string
from wagtail.images import get_image_model_string

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def upload_path(instance, filename):
    """A random name: the original name is kept in the row, not on disk."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"submissions/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension}"


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    page = models.ForeignKey(
        "practices.PracticePage",
        verbose_name=_("practice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        help_text=_("The practice this submission created or proposes to change."),
    )
    # The revision an update started from (to tell the editors what changed).
    base_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("form data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # A random token in the form a draft was first typed in: a second POST
    # of the same form (a double click on "Insturen", parallel requests, Back
    # and send again) finds this row instead of starting another one.
    form_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            # At most one open draft of changes per practice and member.
            models.UniqueConstraint(
                fields=["owner", "page"],
                condition=models.Q(status="draft", page__isnull=False),
                name="submissions_one_update_draft_per_page",
            ),
            models.UniqueConstraint(
                fields=["owner", "form_token"],
                condition=~models.Q(form_token=""),
                name="submissions_one_submission_per_form",
            ),
        ]

    def __str__(self):
        return self.title or str(_("(untitled)"))

    def get_absolute_url(self):
        return reverse("submissions:edit", args=[self.pk])

    @property
    def title(self):
        return str(self.data.get("fields", {}).get("title") or "").strip()

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_update(self):
        return self.page_id is not None


class SubmissionFile(models.Model):
    """An image or document attached to a submission.

    Either a file the member uploaded (checked and, for images, re-encoded
    before it is stored), or an image or document the practice already has
    (when proposing an update), kept by reference.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(
        _("file"), upload_to=upload_path, blank=True, max_length=200
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    # Alt text of an image, title of a document.
    text = models.CharField(_("description"), max_length=250, blank=True)
    caption = models.CharField(_("caption"), max_length=250, blank=True)
    image = models.ForeignKey(
        get_image_model_string(),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    document = models.ForeignKey(
        get_document_model_string(),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE

    @property
    def is_existing(self):
        """Already part of the practice (not a new upload)."""
        return bool(self.image_id or self.document_id)
