"""Back up the database and the media files into one signed archive.

    manage.py backup [--output PATH]

The archive's format, its signature and how the database is copied are
described in kb/backups/.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from kb.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database and MEDIA_ROOT into one .tar.gz archive "
        "(default: var/backups/vindplaats-YYYYmmdd-HHMMSS.tar.gz)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Path of the archive to write; it must not exist yet.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="Database alias to back up (default: %(default)s).",
        )

    def handle(self, *args, output=None, database=DEFAULT_DB_ALIAS, **options):
        started = time.monotonic()
        try:
            output, manifest = create_backup(output, using=database, warn=self.warn)
        except BackupError as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        size = output.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output} ({size / 1024 / 1024:.1f} MB, "
                f"{manifest['database']['vendor']} database, "
                f"{manifest['media']['files']} media files) in {seconds:.1f} s."
            )
        )

    def warn(self, message):
        self.stderr.write(self.style.WARNING(message))
