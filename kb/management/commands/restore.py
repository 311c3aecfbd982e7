"""Restore the database and the media files from a `manage.py backup` archive.

    manage.py restore var/backups/vindplaats-20250101-030000.tar.gz [--no-input]

What is checked before anything is replaced, and how the database and the
media are replaced, is described in kb/backups/. This command asks before it
replaces anything, and rebuilds the search index afterwards by calling
`rebuild_search_index`: with Elasticsearch the index lives outside the backup
and is stale; with the database backend the rebuild is cheap and makes sure.
`--skip-search-index` leaves that to the operator. When the backup predates
migrations of this code, the rebuild waits: run `migrate` first.

`--skip-signature-check` restores an archive whose signature is missing or
does not match, with a warning. Bare, it applies only when someone answers
the question; with `--no-input` it takes the start of the archive's SHA-256.
"""

import re
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from kb.backups import (
    BackupError,
    check_restorable,
    open_backup,
    pending_migrations,
    sha256_file,
)

# --skip-signature-check=PREFIX: at least this many hex digits of the
# archive's SHA-256.
CONFIRMATION_DIGITS = 12


class Command(BaseCommand):
    help = (
        "Replace the database and MEDIA_ROOT with the contents of a backup "
        "archive made by `manage.py backup`."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the .tar.gz archive.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--skip-signature-check",
            nargs="?",
            const=True,
            default=False,
            metavar="SHA256_PREFIX",
            help=(
                "Restore even when the archive's signature is missing or does "
                "not match this installation's BACKUP_KEY/SECRET_KEY. Only for "
                "an archive whose origin you know: a modified archive can hold "
                "anything. With --no-input, give the first "
                f"{CONFIRMATION_DIGITS} (or more) hex digits of the archive's "
                "SHA-256 (`sha256sum ARCHIVE`): "
                "--skip-signature-check=1a2b3c4d5e6f."
            ),
        )
        parser.add_argument(
            "--skip-search-index",
            action="store_true",
            help="Do not rebuild the search index afterwards.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="Database alias to restore into (default: %(default)s).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        archive = Path(options["archive"]).expanduser()
        connection = connections[options["database"]]
        try:
            # Before the flags are checked: a missing archive is the first thing
            # to say (open_backup checks again).
            check_restorable(archive, connection)
            skip_signature_check = self.signature_override(
                archive, options["skip_signature_check"], options["interactive"]
            )
            with open_backup(
                archive,
                using=options["database"],
                skip_signature_check=skip_signature_check,
                warn=self.warn,
            ) as backup:
                if options["interactive"] and not self.confirm(backup):
                    self.stdout.write("Restore cancelled; nothing was changed.")
                    return
                backup.restore()
        except BackupError as error:
            raise CommandError(str(error)) from error

        manifest = backup.manifest
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {connection.vendor} database and "
                f"{manifest['media']['files']} media files from {archive} "
                f"(made {manifest.get('created_at', '?')}) in {seconds:.1f} s."
            )
        )
        self.after_restore(
            pending_migrations(connection), options["skip_search_index"], connection
        )

    def signature_override(self, archive, value, interactive):
        """Whether --skip-signature-check applies. Bare, it does only when
        someone answers the question; with --no-input nobody would see the
        warning, so it takes the start of the archive's SHA-256 instead, which
        names the one archive the operator means to trust."""
        if value is False:
            return False
        if value is True:
            if interactive:
                return True
            raise CommandError(
                "Refusing to restore without checking the signature unattended: "
                "--skip-signature-check with --no-input needs the first "
                f"{CONFIRMATION_DIGITS} hex digits of the archive's SHA-256 "
                "(`sha256sum ARCHIVE`) as confirmation, e.g. "
                "--skip-signature-check=1a2b3c4d5e6f. Nothing was changed."
            )
        given = value.strip().lower()
        if not re.fullmatch(rf"[0-9a-f]{{{CONFIRMATION_DIGITS},64}}", given):
            raise CommandError(
                f"Refusing the archive: --skip-signature-check={value!r} is not "
                f"the first {CONFIRMATION_DIGITS} (or more) hex digits of its "
                "SHA-256. Nothing was changed."
            )
        if not sha256_file(archive).startswith(given):
            raise CommandError(
                "Refusing the archive: its SHA-256 does not start with "
                f"{given}, so it is not the archive you confirmed. Nothing was "
                "changed."
            )
        return True

    def confirm(self, backup):
        name = backup.connection.settings_dict.get("NAME")
        verified = backup.verified
        if not verified:
            self.stdout.write(
                self.style.WARNING(
                    "This archive is UNVERIFIED: it is unsigned, or its "
                    "signature does not match this installation's key, so "
                    "nothing shows it was made by `manage.py backup` here or "
                    "left unmodified. It can hold anything, an administrator "
                    "account included."
                )
            )
        self.stdout.write(
            f"This replaces the {backup.connection.vendor} database {name!s} and "
            f"everything in {backup.media_root}\nwith the "
            f"{'' if verified else 'UNVERIFIED '}backup {backup.path} made "
            f"{backup.manifest.get('created_at', '?')} "
            f"({backup.manifest['media'].get('files', '?')} media files).\n"
            "Everything written since that backup is lost."
        )
        question = (
            "Type 'yes' to continue, or 'no' to cancel: "
            if verified
            else "Type 'yes' to restore this unverified archive, or 'no' to cancel: "
        )
        try:
            answer = input(question)
        except EOFError:
            return False
        return answer.strip().lower() == "yes"

    def warn(self, message):
        self.stderr.write(self.style.WARNING(message))

    def after_restore(self, pending, skip_search_index, connection):
        if pending:
            listed = ", ".join(pending[:5])
            message = (
                f"The backup predates {len(pending)} migration(s) of this code "
                f"({listed}). Run `manage.py migrate`, then "
                "`manage.py rebuild_search_index`."
            )
            if connection.vendor == "postgresql":
                message += (
                    " (pg_restore leaves tables it does not know in place; if "
                    "migrate reports existing tables, restore into an empty "
                    "database.)"
                )
            self.stdout.write(self.style.WARNING(message))
            return
        if skip_search_index:
            self.stdout.write(
                self.style.WARNING(
                    "The search index was not rebuilt and may be stale: run "
                    "`manage.py rebuild_search_index`."
                )
            )
            return
        try:
            call_command(
                "rebuild_search_index",
                "--no-progress",
                stdout=self.stdout,
                stderr=self.stderr,
            )
        except Exception as error:
            raise CommandError(
                "The database and media were restored, but rebuilding the search "
                f"index failed ({error}). Run `manage.py rebuild_search_index` "
                "once the search engine is reachable."
            ) from error
