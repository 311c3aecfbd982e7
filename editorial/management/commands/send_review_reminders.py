"""Email owners of practices not reviewed for a year (run daily from cron)."""

from django.core.management.base import BaseCommand

from editorial.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Ask the owners of practices not reviewed for twelve months whether the "
        "story is still current (at most once a year per practice)."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"Herinneringen verstuurd: {sent}.")
