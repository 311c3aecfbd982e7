"""The review workflow's messages: editors hear of submissions, owners of the outcome.

Wagtail (8.0) sends its own workflow emails from `wagtail.admin.signal_handlers`:
`task_submitted` emails the members of the task's groups (Editors and
Moderators for "Controle door de redactie") plus superusers
(WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS), `workflow_submitted` emails
superusers, and `workflow_approved` / `workflow_rejected` email the person who
started the workflow. Each recipient must have an email address and the
matching preference in their admin account ("submitted", "approved",
"rejected" notifications, on by default). Wagtail sends these synchronously
over SMTP in the middle of the request and drops them when SMTP fails.

Here:
- The four notifiers are replaced by subclasses that render Wagtail's own
  templates (in Dutch) but put the email in the site's outbox
  (`notifications.mail.queue_email`): sent after commit, retried on failure.
- Wagtail's approved/rejected emails link to the admin, which members cannot
  open. They now only go to people with admin access who are not the page's
  owner. The owner of a practice gets the site's own Dutch email and an in-site
  notification instead (`workflow_approved` → "gepubliceerd" with the live
  URL; `workflow_rejected` → the editor's comment and a link to
  /mijn-initiatieven/), unless the owner is the editor who acted.
- Editors also get an in-site notification when a page is submitted.

Replacing works whatever the app order: `connect()` first disconnects
Wagtail's receiver by its dispatch_uid (if Wagtail's admin app is ready
already), then connects ours under the same dispatch_uid and sender, which
makes a later `connect` by Wagtail a no-op (Django keeps one receiver per
dispatch_uid and sender).
"""

import logging

from wagtail.admin import mail as wagtail_mail
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.signals import (
    task_submitted,
    workflow_approved,
    workflow_rejected,
    workflow_submitted,
)

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from notifications.events import SUBJECT_PREFIX, display_name
from notifications.mail import absolute_url, queue_email
from notifications.models import Notification
from practices.models import PracticePage

logger = logging.getLogger("vindplaats.editorial")

# Notification.event values for the redactie's messages (see the report: the
# notifications app may add them to Notification.Event for the admin).
EVENT_REVIEW_REQUESTED = "review_requested"
EVENT_PRACTICE_APPROVED = "practice_approved"
EVENT_CHANGES_REQUESTED = "changes_requested"

ADMIN_ACCESS = "wagtailadmin.access_admin"


def my_practices_url():
    """The member's own list of submissions (the submissions app), or the home
    page while that app has no such page."""
    try:
        return reverse("submissions:mine")
    except NoReverseMatch:
        return "/"


# Wagtail's notifiers, through the outbox -----------------------------------


class OutboxEmailMixin:
    """Render Wagtail's notification templates, queue instead of sending."""

    def send_emails(self, template_set, context, recipients, **kwargs):
        for recipient in recipients:
            context["user"] = recipient
            language = recipient.wagtail_userprofile.get_preferred_language()
            with translation.override(language):
                subject = render_to_string(template_set["subject"], context).strip()
                body = render_to_string(template_set["text"], context).strip()
                html = ""
                if getattr(settings, "WAGTAILADMIN_NOTIFICATION_USE_HTML", False):
                    html = render_to_string(template_set["html"], context)
            queue_email(
                recipient.email,
                " ".join(subject.split()),
                body=body,
                html_body=html,
                headers={"Auto-Submitted": "auto-generated"},
            )
        return True


class AdminOnlyOutcomeMixin:
    """Approved/rejected emails that link to the admin: only for people who
    can open it, and not for the owner, who gets the site's own message."""

    def get_recipient_users(self, workflow_state, **kwargs):
        recipients = super().get_recipient_users(workflow_state, **kwargs)
        owner_id = getattr(workflow_state.content_object, "owner_id", None)
        return {
            user
            for user in recipients
            if user.pk != owner_id and user.has_perm(ADMIN_ACCESS)
        }


class TaskSubmittedNotifier(
    OutboxEmailMixin, wagtail_mail.GroupApprovalTaskStateSubmissionEmailNotifier
):
    pass


class WorkflowSubmittedNotifier(
    OutboxEmailMixin, wagtail_mail.WorkflowStateSubmissionEmailNotifier
):
    pass


class WorkflowApprovedNotifier(
    OutboxEmailMixin,
    AdminOnlyOutcomeMixin,
    wagtail_mail.WorkflowStateApprovalEmailNotifier,
):
    pass


class WorkflowRejectedNotifier(
    OutboxEmailMixin,
    AdminOnlyOutcomeMixin,
    wagtail_mail.WorkflowStateRejectionEmailNotifier,
):
    pass


# (signal, sender, Wagtail's dispatch_uid, our notifier)
WAGTAIL_NOTIFIERS = [
    (
        task_submitted,
        TaskState,
        "group_approval_task_submitted_email_notification",
        TaskSubmittedNotifier(),
    ),
    (
        workflow_submitted,
        WorkflowState,
        "workflow_state_submitted_email_notification",
        WorkflowSubmittedNotifier(),
    ),
    (
        workflow_rejected,
        WorkflowState,
        "workflow_state_rejected_email_notification",
        WorkflowRejectedNotifier(),
    ),
    (
        workflow_approved,
        WorkflowState,
        "workflow_state_approved_email_notification",
        WorkflowApprovedNotifier(),
    ),
]


# The site's own messages --------------------------------------------------


def _page_of(workflow_state):
    obj = workflow_state.content_object
    if isinstance(obj, Page):
        return obj.specific
    return None


def _notify(user, event, message, url):
    """One in-site notification; the email about it is sent separately."""
    now = timezone.now()
    Notification.objects.create(
        user=user,
        event=event,
        message=Truncator(message).chars(300),
        url=url,
        created_at=now,
        emailed_at=now,
    )


def _owner_to_tell(page, acting_user):
    owner = page.owner
    if owner is None or not owner.is_active:
        return None
    if acting_user is not None and owner.pk == acting_user.pk:
        return None
    return owner


def review_url(page):
    """Where an editor reviews a page: for a changed page, Wagtail's
    comparison of the version in review with the one before it (a member's
    update sent in on top of an editor's newer version shows exactly what
    the member changed); for a new page, the editor."""
    latest = page.latest_revision
    previous = (
        page.revisions.exclude(pk=latest.pk).order_by("-created_at", "-pk").first()
        if latest is not None
        else None
    )
    if previous is None:
        return reverse("wagtailadmin_pages:edit", args=[page.pk])
    return reverse(
        "wagtailadmin_pages:revisions_compare", args=[page.pk, previous.pk, latest.pk]
    )


def review_requested(sender, instance, user=None, **kwargs):
    """A page waits for the redactie: an in-site notification for each editor
    of the task's groups (their email comes from TaskSubmittedNotifier)."""
    task = instance.task.specific
    groups = getattr(task, "groups", None)
    if groups is None:
        return
    page = _page_of(instance.workflow_state)
    if page is None:
        return
    User = get_user_model()
    editors = User.objects.filter(is_active=True, groups__in=groups.all())
    if getattr(settings, "WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS", True):
        editors = editors | User.objects.filter(is_active=True, is_superuser=True)
    if user is not None:
        editors = editors.exclude(pk=user.pk)
    editor_ids = set(editors.values_list("pk", flat=True))
    if not editor_ids:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = Truncator(
            _("“%(title)s” waits for review by the editors") % {"title": page.title}
        ).chars(300)
    url = review_url(page)
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            user_id=pk,
            event=EVENT_REVIEW_REQUESTED,
            message=message,
            url=url,
            created_at=now,
            emailed_at=now,
        )
        for pk in sorted(editor_ids)
    )


def practice_approved(sender, instance, user=None, **kwargs):
    """The workflow finished and published the practice: tell its owner."""
    page = _page_of(instance)
    if not isinstance(page, PracticePage):
        return
    owner = _owner_to_tell(page, user)
    if owner is None:
        return
    page.refresh_from_db(
        fields=["live", "url_path", "first_published_at", "last_published_at"]
    )
    first = page.first_published_at == page.last_published_at
    task_state = instance.current_task_state
    comment = task_state.specific.get_comment() if task_state else ""
    path = page.get_url() or "/"
    with translation.override(settings.LANGUAGE_CODE):
        if first:
            message = _("Your initiative “%(title)s” has been published") % {
                "title": page.title
            }
        else:
            message = _("Your changes to “%(title)s” have been published") % {
                "title": page.title
            }
        _notify(owner, EVENT_PRACTICE_APPROVED, message, path)
        if owner.email:
            queue_email(
                owner.email,
                SUBJECT_PREFIX + message,
                "email/editorial_published",
                {
                    "name": display_name(owner),
                    "title": page.title,
                    "first": first,
                    "comment": comment,
                    "url": absolute_url(path),
                    "mine_url": absolute_url(my_practices_url()),
                },
            )


def changes_requested(sender, instance, user=None, **kwargs):
    """An editor asked for changes ("Wijzigingen vragen"): the owner gets the
    editor's comment and the way to their submissions."""
    page = _page_of(instance)
    if not isinstance(page, PracticePage):
        return
    owner = _owner_to_tell(page, user)
    if owner is None:
        return
    task_state = instance.current_task_state
    comment = task_state.specific.get_comment() if task_state else ""
    mine = my_practices_url()
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The editors ask for changes to “%(title)s”") % {
            "title": page.title
        }
        notification = f"{message}: {comment}" if comment else message
        _notify(owner, EVENT_CHANGES_REQUESTED, notification, mine)
        if owner.email:
            queue_email(
                owner.email,
                SUBJECT_PREFIX + message,
                "email/editorial_changes_requested",
                {
                    "name": display_name(owner),
                    "title": page.title,
                    "comment": comment,
                    "mine_url": absolute_url(mine),
                },
            )


def connect():
    for signal, sender, dispatch_uid, notifier in WAGTAIL_NOTIFIERS:
        signal.disconnect(sender=sender, dispatch_uid=dispatch_uid)
        signal.connect(notifier, sender=sender, dispatch_uid=dispatch_uid)
    task_submitted.connect(
        review_requested, sender=TaskState, dispatch_uid="editorial-review-requested"
    )
    workflow_approved.connect(
        practice_approved,
        sender=WorkflowState,
        dispatch_uid="editorial-practice-approved",
    )
    workflow_rejected.connect(
        changes_requested,
        sender=WorkflowState,
        dispatch_uid="editorial-changes-requested",
    )
