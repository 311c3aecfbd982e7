"""Send every outbox email that is due: run from cron every few minutes.

The background task normally sends each email right after it is queued;
this command is the safety net for a lost task (a worker that was down, a
queue that was emptied) and sends retries that are due. A row is claimed
before it is sent, so running this next to the worker never sends an email
twice. It also deletes sent and failed emails older than
NOTIFICATIONS_EMAIL_RETENTION_DAYS (30 by default): the outbox is no archive.

    */5 * * * *  cd /srv/vindplaats && .venv/bin/python manage.py send_pending_emails
"""

from django.core.management.base import BaseCommand

from notifications.mail import deliver, due_email_ids, purge_old_emails


class Command(BaseCommand):
    help = (
        "Send every pending outbox email that is due and delete old sent and "
        "failed ones (run from cron every few minutes)."
    )

    def handle(self, *args, **options):
        ids = due_email_ids()
        sent = sum(1 for email_id in ids if deliver(email_id))
        purged = purge_old_emails()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{sent} of {len(ids)} due emails sent.")
            if purged:
                self.stdout.write(f"{purged} old emails deleted.")
