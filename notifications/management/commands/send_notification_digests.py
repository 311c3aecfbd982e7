"""Email each "daily digest" member their notifications: run from cron once a day.

Collects every notification not yet emailed of members who chose the daily
digest, puts one email per member in the outbox and marks the notifications
as emailed in the same transaction, so a second run the same day sends
nothing twice.

    0 7 * * *  cd /srv/vindplaats && \
               .venv/bin/python manage.py send_notification_digests
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.events import SUBJECT_PREFIX, display_name
from notifications.mail import (
    absolute_url,
    queue_email,
    unsubscribe_headers,
    unsubscribe_link,
)
from notifications.models import EmailFrequency, Notification

# A digest lists at most this many notifications; the rest are on the site.
MAX_ITEMS = 50


class Command(BaseCommand):
    help = "Send the daily notification digest (run from cron once a day)."

    def handle(self, *args, **options):
        pending = Notification.objects.filter(
            emailed_at__isnull=True,
            user__is_active=True,
            user__profile__email_frequency=EmailFrequency.DAILY,
        )
        user_ids = list(pending.values_list("user_id", flat=True).distinct())
        sent = 0
        with translation.override(settings.LANGUAGE_CODE):
            for user_id in user_ids:
                sent += self.send_digest(user_id)
        if options["verbosity"] >= 1:
            self.stdout.write(f"{sent} digests queued.")

    @transaction.atomic
    def send_digest(self, user_id):
        notifications = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(user_id=user_id, emailed_at__isnull=True)
            .select_related("user__profile")
            .order_by("-created_at", "-pk")
        )
        if not notifications:
            return 0
        user = notifications[0].user
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            emailed_at=timezone.now()
        )
        if not user.email:
            return 0
        for item in notifications:
            item.absolute_url = absolute_url(item.url)
        link = unsubscribe_link(user.pk, "all")
        count = len(notifications)
        queue_email(
            user.email,
            SUBJECT_PREFIX
            + (
                _("Your daily notification")
                if count == 1
                else _("Your %(count)d notifications of the past day")
                % {"count": count}
            ),
            "email/digest",
            {
                "name": display_name(user),
                "notifications": notifications[:MAX_ITEMS],
                "unsubscribe_url": link,
                "settings_url": absolute_url(reverse("notifications:settings")),
            },
            headers=unsubscribe_headers(link),
        )
        return 1
