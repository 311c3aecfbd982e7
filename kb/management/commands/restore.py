"""Restore the database and the media files from a `manage.py backup` archive.

    manage.py restore var/backups/vindplaats-20250101-030000.tar.gz [--no-input]

Everything is checked before anything is replaced: every tar member must be
the manifest, its signature, the database file or a plain file or directory
under `media/` (absolute paths, `..`, links and devices are refused, and
extraction uses tarfile's "data" filter as a second line of defence); the
manifest's HMAC signature must match one of this installation's keys
(BACKUP_KEY, SECRET_KEY, SECRET_KEY_FALLBACKS; see backup.py), so an archive
someone modified, checksums and all, is refused; the manifest must be of a
known format version, made on the same database vendor, with no migration
this code does not know; and every extracted file must match its SHA-256.

`--skip-signature-check` restores an archive whose signature is missing or
does not match (one made before backups were signed, or on a machine whose
key is lost), with a warning: use it only for an archive whose origin you
know, since a modified archive can hold anything, an administrator account
included.

Then the database is replaced, then the media directory:

- SQLite: Django's connections are closed and the backup API copies the
  archived database into the live connection page by page, under SQLite's own
  locking, in one transaction. Processes that keep the file open see the
  restored data; nothing swaps the file under their feet.
- PostgreSQL: `pg_restore --clean --if-exists --no-owner --no-privileges
  --single-transaction` into the configured database, so a failed restore
  rolls back whole. Stop the web server and workers first: pg_restore waits
  for the locks their open transactions hold (it is warned about them).
- Media: the archive's files are extracted to a staging directory next to
  MEDIA_ROOT (inside it when it is a mount point) and swapped in with renames,
  so a failure leaves the old tree, never half of each.

Afterwards the caches are cleared (cached pages and labels describe the
replaced data) and the search index is rebuilt by calling
`rebuild_search_index`: with Elasticsearch the index lives outside the backup
and is stale; with the database backend the rebuild is cheap and makes sure.
`--skip-search-index` leaves that to the operator. When the backup predates
migrations of this code, the rebuild waits: run `migrate` first.
"""

import hmac
import json
import os
import re
import sqlite3
import tarfile
import tempfile
import time
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .backup import (
    DATABASE_FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_DIR,
    SIGNATURE_ALGORITHM,
    SIGNATURE_NAME,
    STAGING_PREFIX,
    code_migrations,
    manifest_hmac,
    postgres_arguments,
    require_binary,
    run_postgres_tool,
    sha256_file,
    signing_keys,
)

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_SIGNATURE_BYTES = 4096
HMAC_PATTERN = re.compile(r"[0-9a-f]{64}")
# --skip-signature-check=PREFIX: at least this many hex digits of the
# archive's SHA-256.
CONFIRMATION_DIGITS = 12
# What reading a damaged .tar.gz raises (BadGzipFile is an OSError).
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error)


class BackupRefused(CommandError):
    """The archive is not one this code can restore; nothing was changed."""


def check_members(members):
    """Refuse any member a restore must not write; return them by name."""
    database_files = set(DATABASE_FILES.values())
    by_name = {}
    for member in members:
        name = member.name
        path = PurePosixPath(name)
        if (
            not path.parts
            or "\x00" in name
            or path.is_absolute()
            or ".." in path.parts
            or str(path) != name.rstrip("/")
        ):
            raise BackupRefused(
                f"Refusing the archive: member {name!r} is not a plain relative "
                "path (absolute paths and '..' are not allowed)."
            )
        if not (member.isfile() or member.isdir()):
            raise BackupRefused(
                f"Refusing the archive: member {name!r} is a link or special file."
            )
        in_media = path.parts[0] == MEDIA_DIR
        if member.isdir():
            expected = in_media
        else:
            expected = (
                (in_media and len(path.parts) > 1)
                or name in database_files
                or name in (MANIFEST_NAME, SIGNATURE_NAME)
            )
        if not expected:
            raise BackupRefused(
                f"Refusing the archive: unexpected member {name!r}; a backup holds "
                f"only {MANIFEST_NAME}, {SIGNATURE_NAME}, the database file and "
                f"{MEDIA_DIR}/."
            )
        if str(path) in by_name:
            raise BackupRefused(f"Refusing the archive: member {name!r} appears twice.")
        by_name[str(path)] = member
    return by_name


def read_member(tar, member):
    try:
        return tar.extractfile(member).read()
    except ARCHIVE_ERRORS as error:
        raise BackupRefused(
            f"Refusing the archive: it is truncated or damaged ({error})."
        ) from error


class SignatureError(Exception):
    """The manifest is not signed with a key of this installation."""


def verify_signature(tar, members, data):
    """Check the manifest's bytes against its HMAC under this installation's
    keys; return the name of the key that matched, or raise SignatureError."""
    member = members.get(SIGNATURE_NAME)
    if member is None:
        raise SignatureError(
            f"it carries no signature ({SIGNATURE_NAME}): it was made before "
            "backups were signed, or the signature was removed"
        )
    if not member.isfile() or member.size > MAX_SIGNATURE_BYTES:
        raise SignatureError(f"its {SIGNATURE_NAME} is not a signature")
    try:
        signature = json.loads(read_member(tar, member))
        algorithm, signed_with = signature["algorithm"], signature["key"]
        given = signature["hmac"]
        # 64 lowercase hex digits, or nothing is compared: compare_digest
        # refuses non-ASCII text, and the comparison is of bytes.
        if not (isinstance(given, str) and HMAC_PATTERN.fullmatch(given)):
            raise TypeError
    except (ValueError, KeyError, TypeError) as error:
        raise SignatureError(f"its {SIGNATURE_NAME} is malformed") from error
    if algorithm != SIGNATURE_ALGORITHM:
        raise SignatureError(f"it is signed with {algorithm!r}, not HMAC-SHA256")
    for key_name, secret in signing_keys():
        if hmac.compare_digest(
            manifest_hmac(data, secret).encode("ascii"), given.encode("ascii")
        ):
            return key_name
    raise SignatureError(
        f"its signature (made with the {signed_with!r} of the machine that made "
        "it) does not match: the archive was modified, or it was made with "
        "another key. To restore a backup of another machine, set BACKUP_KEY "
        "(or SECRET_KEY) to that machine's value"
    )


def read_manifest(tar, members, skip_signature_check=False, warn=None):
    """The archive's manifest, checked, and whether its signature verified;
    with skip_signature_check, a manifest whose signature does not verify is
    returned too (warned)."""
    member = members.get(MANIFEST_NAME)
    if member is None or not member.isfile():
        raise BackupRefused(
            f"Refusing the archive: it has no {MANIFEST_NAME}, so it was not "
            "made by `manage.py backup`."
        )
    if member.size > MAX_MANIFEST_BYTES:
        raise BackupRefused(f"Refusing the archive: {MANIFEST_NAME} is too large.")
    data = read_member(tar, member)
    # Before anything in the manifest is believed: the checksums in it are
    # only worth what its signature is.
    verified = True
    try:
        verify_signature(tar, members, data)
    except SignatureError as problem:
        verified = False
        if not skip_signature_check:
            raise BackupRefused(
                f"Refusing the archive: {problem}. Nothing was changed. If you "
                "know where this archive came from and trust it, restore it with "
                "--skip-signature-check."
            ) from problem
        warn(
            f"WARNING: the archive's signature was NOT checked: {problem}.\n"
            "Restoring it anyway because of --skip-signature-check. A modified "
            "archive can hold anything, an administrator account included: "
            "restore only an archive whose origin you know."
        )
    try:
        manifest = json.loads(data)
    except ValueError as error:
        raise BackupRefused(
            f"Refusing the archive: {MANIFEST_NAME} is not valid JSON ({error})."
        ) from error
    found = manifest.get("format") if isinstance(manifest, dict) else None
    if found != FORMAT:
        raise BackupRefused(
            "Refusing the archive: its manifest is not of a Vindplaats backup "
            f"(format {found!r}, expected {FORMAT!r})."
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            f"Refusing the archive: backup format version "
            f"{manifest.get('format_version')!r} is not supported; this version "
            f"of Vindplaats restores format version {FORMAT_VERSION}."
        )
    return manifest, verified


def check_manifest(manifest, members, connection):
    """Validate the manifest against the archive and the target database."""
    try:
        database = manifest["database"]
        vendor = database["vendor"]
        db_file = database["file"]
        db_sha256 = database["sha256"]
        applied = manifest["migrations"]["applied"]
        media = manifest["media"]["sha256"]
        if not (
            isinstance(applied, dict)
            and all(isinstance(names, list) for names in applied.values())
            and isinstance(media, dict)
            and isinstance(db_sha256, str)
        ):
            raise TypeError
    except (KeyError, TypeError) as error:
        raise BackupRefused(
            "Refusing the archive: its manifest is incomplete or malformed."
        ) from error

    if vendor != connection.vendor:
        raise BackupRefused(
            f"Refusing the archive: it holds a {vendor} database, but the "
            f"configured database is {connection.vendor}. A backup restores only "
            f"onto the same database vendor: configure a {vendor} database "
            "(DATABASE_URL; unset for SQLite), or move the data with "
            "dumpdata/loaddata."
        )
    if DATABASE_FILES.get(vendor) != db_file or db_file not in members:
        raise BackupRefused(
            f"Refusing the archive: the database file {db_file!r} is missing."
        )
    extra_db_files = set(DATABASE_FILES.values()) & set(members) - {db_file}
    if extra_db_files:
        raise BackupRefused(
            f"Refusing the archive: unexpected member {sorted(extra_db_files)[0]!r}."
        )

    media_files = {
        name for name, member in members.items() if member.isfile() and name != db_file
    } - {MANIFEST_NAME, SIGNATURE_NAME}
    if media_files != set(media):
        differ = sorted(media_files ^ set(media))
        raise BackupRefused(
            "Refusing the archive: its media files do not match the manifest "
            f"(e.g. {differ[0]!r}); it is damaged or was modified."
        )

    newer = newer_migrations(applied)
    if newer:
        listed = ", ".join(newer[:5])
        raise BackupRefused(
            "Refusing the archive: it was made by a newer version of Vindplaats "
            f"(migrations this code does not have: {listed}). Restore it with the "
            "version that made it."
        )


def migration_number(name):
    digits = name.split("_", 1)[0]
    return int(digits) if digits.isdigit() else None


def newer_migrations(applied):
    """Applied migrations of the archive that are past this code's last one.

    Recorded migrations that are simply gone from disk (replaced by a squash
    long ago) are numbered below the code's own and are ignored, as `migrate`
    ignores them.
    """
    code = code_migrations()
    newer = []
    for app, names in sorted(applied.items()):
        if app not in code:
            continue
        last = max((migration_number(name) or 0) for name in code[app])
        for name in names:
            number = migration_number(name)
            if name not in code[app] and (number is None or number > last):
                newer.append(f"{app}.{name}")
    return newer


def pending_migrations(connection):
    """What `migrate` would apply to the restored database."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def verify_checksums(manifest, db_path, media_dir):
    damaged = []
    if sha256_file(db_path) != manifest["database"]["sha256"]:
        damaged.append(manifest["database"]["file"])
    for name, digest in manifest["media"]["sha256"].items():
        relative = PurePosixPath(name).relative_to(MEDIA_DIR)
        if sha256_file(media_dir / relative) != digest:
            damaged.append(name)
    if damaged:
        raise BackupRefused(
            f"Refusing the archive: checksum mismatch for {damaged[0]!r}"
            f"{f' and {len(damaged) - 1} more' if len(damaged) > 1 else ''}; it "
            "is damaged or was modified."
        )


def restore_sqlite(connection, db_path):
    source = sqlite3.connect(db_path)
    try:
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            check = str(error)
        if check != "ok":
            raise BackupRefused(
                f"Refusing the archive: its SQLite database is damaged ({check})."
            )
        # The backup API writes through the connection, under SQLite's locks,
        # into whatever the live connection points at (a file or in-memory).
        connection.close()
        connection.ensure_connection()
        try:
            source.backup(connection.connection)
        except sqlite3.Error as error:
            raise CommandError(
                f"Restoring the SQLite database failed; it was left unchanged: {error}"
            ) from error
    finally:
        source.close()


def other_sessions(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def restore_postgresql(connection, db_path, warn):
    args, env = postgres_arguments(connection.settings_dict)
    pg_restore = require_binary("pg_restore")
    # Readable as a whole before anything is dropped.
    run_postgres_tool([pg_restore, "--list", str(db_path)], env)
    # The dump itself sets lock_timeout = 0, so pg_restore waits for as long as
    # another session's transaction holds a lock on a table it drops.
    others = other_sessions(connection)
    if others:
        warn(
            f"{others} other session(s) are connected to the database; the "
            "restore waits for their transactions. Stop the web server and "
            "workers during a restore."
        )
    connection.close()
    run_postgres_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(db_path),
        ],
        env,
    )


def staging_parent(media_root):
    """Where to extract the media: on the same filesystem as MEDIA_ROOT."""
    if media_root.is_dir() and os.path.ismount(media_root):
        return media_root
    media_root.parent.mkdir(parents=True, exist_ok=True)
    return media_root.parent


def swap_media(new_media, media_root, staging):
    """Put the tree at new_media in MEDIA_ROOT's place, by renames only.

    The previous tree ends up in staging/previous (deleted with staging). A
    mount point cannot be renamed, so then its entries are swapped one by
    one; a failure moves back what was moved.
    """
    previous = staging / "previous"
    if not media_root.exists():
        os.rename(new_media, media_root)
        return
    if not (staging.parent == media_root and os.path.ismount(media_root)):
        os.rename(media_root, previous)
        try:
            os.rename(new_media, media_root)
        except OSError:
            os.rename(previous, media_root)
            raise
        return
    previous.mkdir()
    moved_out, moved_in = [], []
    try:
        for child in sorted(media_root.iterdir()):
            if child != staging:
                os.rename(child, previous / child.name)
                moved_out.append(child.name)
        for child in sorted(new_media.iterdir()):
            os.rename(child, media_root / child.name)
            moved_in.append(child.name)
    except OSError:
        for name in moved_in:
            os.rename(media_root / name, new_media / name)
        for name in moved_out:
            os.rename(previous / name, media_root / name)
        raise


def open_archive(archive):
    try:
        return tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupRefused(
            f"Refusing {archive}: it is not a gzip-compressed tar archive ({error})."
        ) from error


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
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist or is not a file.")
        if connection.vendor not in DATABASE_FILES:
            raise CommandError(
                f"Restoring into {connection.vendor} databases is not supported."
            )
        if connection.in_atomic_block:
            raise CommandError("Cannot restore from inside a transaction.")
        media_root = Path(settings.MEDIA_ROOT).resolve()
        skip_signature_check = self.signature_override(
            archive, options["skip_signature_check"], options["interactive"]
        )

        with open_archive(archive) as tar:
            try:
                members = check_members(tar.getmembers())
            except ARCHIVE_ERRORS as error:
                raise BackupRefused(
                    f"Refusing {archive}: the archive is truncated or damaged "
                    f"({error})."
                ) from error
            manifest, verified = read_manifest(
                tar, members, skip_signature_check, self.warn
            )
            check_manifest(manifest, members, connection)

            if options["interactive"] and not self.confirm(
                archive, manifest, connection, media_root, verified
            ):
                self.stdout.write("Restore cancelled; nothing was changed.")
                return

            db_file = manifest["database"]["file"]
            with (
                tempfile.TemporaryDirectory(prefix="vindplaats-restore-") as work,
                tempfile.TemporaryDirectory(
                    prefix=STAGING_PREFIX, dir=staging_parent(media_root)
                ) as staging,
            ):
                work, staging = Path(work), Path(staging)
                media = [
                    member
                    for name, member in members.items()
                    if PurePosixPath(name).parts[0] == MEDIA_DIR
                ]
                try:
                    tar.extractall(work, members=[members[db_file]], filter="data")
                    tar.extractall(staging, members=media, filter="data")
                except ARCHIVE_ERRORS as error:
                    raise CommandError(
                        f"Extracting {archive} failed ({error}); nothing was changed."
                    ) from error
                new_media = staging / MEDIA_DIR
                new_media.mkdir(exist_ok=True)
                verify_checksums(manifest, work / db_file, new_media)

                if connection.vendor == "sqlite":
                    restore_sqlite(connection, work / db_file)
                else:
                    restore_postgresql(connection, work / db_file, self.warn)
                try:
                    swap_media(new_media, media_root, staging)
                except OSError as error:
                    raise CommandError(
                        f"The database was restored, but replacing {media_root} "
                        f"failed ({error}); the previous media files are still "
                        "in place. Fix the cause and restore again."
                    ) from error

        for cache in caches.all():
            cache.clear()
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
            raise BackupRefused(
                "Refusing to restore without checking the signature unattended: "
                "--skip-signature-check with --no-input needs the first "
                f"{CONFIRMATION_DIGITS} hex digits of the archive's SHA-256 "
                "(`sha256sum ARCHIVE`) as confirmation, e.g. "
                "--skip-signature-check=1a2b3c4d5e6f. Nothing was changed."
            )
        given = value.strip().lower()
        if not re.fullmatch(rf"[0-9a-f]{{{CONFIRMATION_DIGITS},64}}", given):
            raise BackupRefused(
                f"Refusing the archive: --skip-signature-check={value!r} is not "
                f"the first {CONFIRMATION_DIGITS} (or more) hex digits of its "
                "SHA-256. Nothing was changed."
            )
        if not sha256_file(archive).startswith(given):
            raise BackupRefused(
                "Refusing the archive: its SHA-256 does not start with "
                f"{given}, so it is not the archive you confirmed. Nothing was "
                "changed."
            )
        return True

    def confirm(self, archive, manifest, connection, media_root, verified=True):
        name = connection.settings_dict.get("NAME")
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
            f"This replaces the {connection.vendor} database {name!s} and "
            f"everything in {media_root}\nwith the "
            f"{'' if verified else 'UNVERIFIED '}backup {archive} made "
            f"{manifest.get('created_at', '?')} "
            f"({manifest['media'].get('files', '?')} media files).\n"
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
