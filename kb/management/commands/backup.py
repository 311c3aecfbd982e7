"""Back up the database and the media files into one archive.

    manage.py backup [--output PATH]

The archive is a gzip-compressed tar, readable by any `tar`, written with mode
0600 (it holds password hashes and members' personal data)::

    database.sqlite3 | database.pgdump   the database, in its engine's own format
    media/...                            every regular file under MEDIA_ROOT
    manifest.json                        format version, database vendor, the
                                         applied migrations, SHA-256 of every file
    manifest.hmac                        the manifest's HMAC-SHA256 signature

The database is copied in the engine's native format rather than with
`dumpdata`: a native copy round-trips everything, including what the ORM does
not model (the SQLite FTS5 table and PostgreSQL tsvectors of the search index,
sequences, constraints), is consistent while the site keeps running, and is
restored in minutes, not hours. SQLite is copied with the online backup API
(`sqlite3.Connection.backup`) from Django's own connection, so an in-memory
database works too; PostgreSQL with `pg_dump --format=custom`, which needs the
client binaries of the server's major version or newer. The price is that a
backup restores only onto the same database vendor; `restore` refuses others.

The archive is written to a hidden `.partial` file next to the target and
renamed when complete, so a failed backup never leaves a truncated archive
under the final name. The manifest and its signature are the archive's last
members: each media file is hashed while it is added, so the checksums match
what was archived even when an upload lands during the backup.

The checksums only show damage: whoever can change the archive can change
them too. The signature is what proves the archive was made here. It is an
HMAC of the manifest's exact bytes, keyed with a secret that is not in the
archive: settings.BACKUP_KEY, or, when that is empty, a key derived from
SECRET_KEY (salted, so the signature reveals nothing usable elsewhere).
When BACKUP_KEY is set it replaces SECRET_KEY: only it and
BACKUP_KEY_FALLBACKS are accepted (see `signing_keys`).
Since the manifest holds every file's SHA-256, a valid signature covers the
database and every media file. `restore` refuses an archive whose signature
is missing or does not match unless told `--skip-signature-check`; to
restore on another machine, give it the same BACKUP_KEY (or SECRET_KEY).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.crypto import salted_hmac

FORMAT = "vindplaats-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.hmac"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
SIGNATURE_SALT = "vindplaats.backup.manifest"
MEDIA_DIR = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# `restore` extracts next to MEDIA_ROOT, or inside it when it is a mount point.
STAGING_PREFIX = ".vindplaats-restore-"
CHUNK = 1024 * 1024


def default_backup_dir():
    var_dir = getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")
    return Path(var_dir) / "backups"


def signing_keys():
    """The secrets a manifest may be signed with, as (setting name, secret):
    the first signs new backups; `restore` accepts any of them.

    With BACKUP_KEY set, only BACKUP_KEY and BACKUP_KEY_FALLBACKS: the backup
    key replaces SECRET_KEY, so whoever holds (or once held) SECRET_KEY cannot
    sign an archive this installation restores. Without it, SECRET_KEY and
    SECRET_KEY_FALLBACKS, so archives made before SECRET_KEY was rotated
    still restore. An archive signed before BACKUP_KEY was set restores once
    the old SECRET_KEY is listed in BACKUP_KEY_FALLBACKS.
    """
    if settings.BACKUP_KEY:
        return [("BACKUP_KEY", settings.BACKUP_KEY)] + [
            ("BACKUP_KEY_FALLBACKS", secret)
            for secret in getattr(settings, "BACKUP_KEY_FALLBACKS", [])
            if secret
        ]
    return [("SECRET_KEY", settings.SECRET_KEY)] + [
        ("SECRET_KEY_FALLBACKS", secret)
        for secret in getattr(settings, "SECRET_KEY_FALLBACKS", [])
    ]


def manifest_hmac(data, secret):
    """The hex HMAC-SHA256 of the manifest's bytes under `secret`."""
    return salted_hmac(
        SIGNATURE_SALT, data, secret=secret, algorithm="sha256"
    ).hexdigest()


def sign_manifest(data):
    """The signature member's content for the manifest's bytes `data`."""
    key_name, secret = signing_keys()[0]
    signature = {
        "algorithm": SIGNATURE_ALGORITHM,
        "key": key_name,
        "hmac": manifest_hmac(data, secret),
    }
    return json.dumps(signature, indent=2, sort_keys=True).encode()


def private_directory(path, warn):
    """Take the group's and others' permissions off our backup directory."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        try:
            path.chmod(mode & 0o700)
        except OSError as error:
            warn(f"{path} is readable by others and could not be changed: {error}")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def code_migrations():
    """Every migration this code base has on disk, as {app: [names]}."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return _by_app(loader.disk_migrations)


def _by_app(keys):
    apps = {}
    for app_label, name in keys:
        apps.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(apps.items())}


def migration_state(connection):
    """The migrations applied to the database, and the code's head per app."""
    applied = MigrationRecorder(connection).applied_migrations()
    heads = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    return {"applied": _by_app(applied), "heads": _by_app(heads)}


def require_binary(name):
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            "of the server's major version (or newer), e.g. "
            "`apt-get install postgresql-client`."
        )
    return path


def postgres_arguments(settings_dict):
    """Connection options for pg_dump/pg_restore and their environment.

    Passwords and TLS settings go through the environment (as for
    `manage.py dbshell`), never on the command line.
    """
    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    args = ["--no-password"]
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    dbname = settings_dict.get("NAME")
    service = settings_dict["OPTIONS"].get("service")
    if dbname:
        args.append(f"--dbname={dbname}")
    elif service:
        args.append(f"--dbname=service={service}")
    else:
        raise CommandError("DATABASES['default'] names no PostgreSQL database.")
    return args, {**os.environ, **(env or {})}


def run_postgres_tool(args, env):
    """Run pg_dump/pg_restore; its stderr is the error message on failure."""
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tool = Path(args[0]).name
        detail = result.stderr.strip() or result.stdout.strip()
        raise CommandError(f"{tool} failed (exit {result.returncode}):\n{detail}")
    return result


def dump_sqlite(connection, target):
    """A consistent copy of the live database through the online backup API."""
    if connection.in_atomic_block:
        raise CommandError("Cannot back up from inside a transaction.")
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as error:
        raise CommandError(f"The SQLite backup failed: {error}") from error
    finally:
        copy.close()
    if check != "ok":
        raise CommandError(f"The SQLite copy failed its integrity check: {check}")


def dump_postgresql(connection, target):
    args, env = postgres_arguments(connection.settings_dict)
    run_postgres_tool(
        [require_binary("pg_dump"), "--format=custom", f"--file={target}", *args],
        env,
    )
    # A dump pg_restore cannot list would not restore either.
    run_postgres_tool([require_binary("pg_restore"), "--list", str(target)], env)


def database_version(connection):
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    major, minor = divmod(connection.pg_version, 10000)
    return f"{major}.{minor}"


class HashingReader:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


def media_entries(media_root, warn):
    """Directories and regular files under MEDIA_ROOT, sorted, without links."""
    if not media_root.is_dir():
        return
    for current, dirs, files in os.walk(media_root):
        current = Path(current)
        if current == media_root:
            dirs[:] = [name for name in dirs if not name.startswith(STAGING_PREFIX)]
        dirs.sort()
        for name in list(dirs):
            if (current / name).is_symlink():
                warn(f"Skipped symbolic link {current / name}")
                dirs.remove(name)
            else:
                yield current / name, True
        for name in sorted(files):
            path = current / name
            if path.is_symlink() or not path.is_file():
                warn(f"Skipped {path}: not a regular file")
            else:
                yield path, False


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
        connection = connections[database]
        if connection.vendor not in DATABASE_FILES:
            raise CommandError(
                f"Backups of {connection.vendor} databases are not supported; "
                f"only {', '.join(DATABASE_FILES)}."
            )
        media_root = Path(settings.MEDIA_ROOT).resolve()
        if output:
            output = Path(output).expanduser().resolve()
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = default_backup_dir().resolve() / f"vindplaats-{stamp}.tar.gz"
        if output.exists():
            raise CommandError(f"{output} already exists; choose another --output.")
        if output.is_relative_to(media_root):
            raise CommandError("The archive cannot be written inside MEDIA_ROOT.")
        output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if output.parent == default_backup_dir().resolve():
            private_directory(output.parent, self.warn)

        partial = output.with_name(f".{output.name}.partial")
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
            try:
                manifest = self.write_archive(
                    connection, media_root, Path(work), partial
                )
                os.replace(partial, output)
            finally:
                partial.unlink(missing_ok=True)

        seconds = time.monotonic() - started
        size = output.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output} ({size / 1024 / 1024:.1f} MB, "
                f"{connection.vendor} database, {manifest['media']['files']} media "
                f"files) in {seconds:.1f} s."
            )
        )

    def write_archive(self, connection, media_root, work, partial):
        vendor = connection.vendor
        db_name = DATABASE_FILES[vendor]
        db_copy = work / db_name
        # Read the migration state before the copy: a migration run in between
        # then shows up as "pending" after a restore, never the other way round.
        migrations = migration_state(connection)
        if vendor == "sqlite":
            dump_sqlite(connection, db_copy)
        else:
            dump_postgresql(connection, db_copy)

        checksums = {}
        media_bytes = 0
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(fd, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar,
        ):
            tar.add(db_copy, arcname=db_name, recursive=False)
            if media_root.is_dir():
                tar.add(media_root, arcname=MEDIA_DIR, recursive=False)
            for path, is_dir in media_entries(media_root, self.warn):
                arcname = f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}"
                if is_dir:
                    tar.add(path, arcname=arcname, recursive=False)
                    continue
                with open(path, "rb") as file:
                    info = tar.gettarinfo(arcname=arcname, fileobj=file)
                    reader = HashingReader(file)
                    tar.addfile(info, reader)
                checksums[arcname] = reader.digest.hexdigest()
                media_bytes += info.size

            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "django_version": django.get_version(),
                "database": {
                    "vendor": vendor,
                    "version": database_version(connection),
                    "file": db_name,
                    "method": (
                        "sqlite3 online backup API"
                        if vendor == "sqlite"
                        else "pg_dump --format=custom"
                    ),
                    "bytes": db_copy.stat().st_size,
                    "sha256": sha256_file(db_copy),
                },
                "migrations": migrations,
                "media": {
                    "files": len(checksums),
                    "bytes": media_bytes,
                    "sha256": checksums,
                },
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            for name, content in (
                (MANIFEST_NAME, data),
                (SIGNATURE_NAME, sign_manifest(data)),
            ):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mtime = int(time.time())
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(content))
            raw.flush()
            os.fsync(raw.fileno())
        return manifest

    def warn(self, message):
        self.stderr.write(self.style.WARNING(message))
