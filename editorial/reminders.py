"""The yearly "is your practice still current?" email to a practice's owner.

Who gets it: the owner of a live practice that is due for a check (not
reviewed for twelve months, see freshness.py), when the owner is an active
member with an email address and no access to the Wagtail admin. Practices
owned by editors (or by nobody, as the demo practices) get no email: the
editors see them in the admin report "Practices due for a check". Stopped
practices (phase gestopt) get no reminder either: their story is finished.

At most one reminder per practice per twelve months: each one is recorded as
a ReviewReminder in the same transaction as the queued email.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.events import SUBJECT_PREFIX, display_name
from notifications.mail import absolute_url, queue_email
from practices.models import PracticePage

from .freshness import REMINDER_INTERVAL, confirm_current_link, stale_practices
from .models import ReviewReminder
from .workflow import my_practices_url


def admin_user_ids():
    """Users who can open the Wagtail admin: they use the report instead."""
    User = get_user_model()
    access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    return set(
        User.objects.filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=access)
            | Q(groups__permissions__in=access)
        ).values_list("pk", flat=True)
    )


def due_for_reminder(now=None):
    """Stale practices whose owner should get a reminder now."""
    now = now or timezone.now()
    recently = ReviewReminder.objects.filter(sent_at__gte=now - REMINDER_INTERVAL)
    return (
        stale_practices(today=timezone.localdate(now))
        .exclude(phase=PracticePage.Phase.STOPPED)
        .filter(owner__isnull=False, owner__is_active=True)
        .exclude(owner__email="")
        .exclude(owner_id__in=admin_user_ids())
        .exclude(pk__in=recently.values("page_id"))
        .select_related("owner", "owner__profile")
    )


def send_reminder(page, now=None):
    """Queue the email and record it; returns False when another run was first."""
    now = now or timezone.now()
    owner = page.owner
    with transaction.atomic():
        # Serialise runs per practice, then check again inside the lock.
        PracticePage.objects.select_for_update().filter(pk=page.pk).first()
        if ReviewReminder.objects.filter(
            page=page, sent_at__gte=now - REMINDER_INTERVAL
        ).exists():
            return False
        ReviewReminder.objects.create(page=page, sent_to=owner, sent_at=now)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Is “%(title)s” still current?") % {"title": page.title}
            queue_email(
                owner.email,
                SUBJECT_PREFIX + subject,
                "email/editorial_review_reminder",
                {
                    "name": display_name(owner),
                    "title": page.title,
                    "last_reviewed_at": page.last_reviewed_at,
                    "page_url": absolute_url(page.get_url() or "/"),
                    # A placeholder: the signed link is made when sent.
                    "confirm_url": confirm_current_link(page),
                    "mine_url": absolute_url(my_practices_url()),
                },
            )
    return True


def send_reminders(now=None):
    sent = 0
    for page in due_for_reminder(now).iterator(chunk_size=200):
        if send_reminder(page, now):
            sent += 1
    return sent
