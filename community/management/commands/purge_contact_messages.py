"""Delete what the contact relay no longer needs: run from cron, like the
outbox sweep (community.relay says what is kept and how long).

    */5 * * * *  cd /srv/vindplaats && .venv/bin/python manage.py purge_contact_messages
"""

from django.core.management.base import BaseCommand

from community.relay import purge_contact_messages


class Command(BaseCommand):
    help = (
        "Verwijder contactberichten van bezoekers die niet op tijd zijn "
        "bevestigd, en gegevens van doorgestuurde berichten na hun bewaartermijn."
    )

    def handle(self, *args, **options):
        deleted = purge_contact_messages()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{deleted} contactberichten verwijderd.")
