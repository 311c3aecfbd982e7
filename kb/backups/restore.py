"""Restoring a backup archive: `open_backup` checks it, `.restore()` replaces.

Everything is checked before anything is replaced: every tar member must be
the manifest, its signature, the database file or a plain file or directory
under `media/` (absolute paths, `..`, links and devices are refused, and
extraction uses tarfile's "data" filter as a second line of defence); the
manifest's HMAC signature must match one of this installation's keys
(BACKUP_KEY, SECRET_KEY, SECRET_KEY_FALLBACKS; see archive.py), so an archive
someone modified, checksums and all, is refused; the manifest must be of a
known format version, made on the same database vendor, with no migration
this code does not know; and every extracted file must match its SHA-256.

`skip_signature_check` restores an archive whose signature is missing or
does not match (one made before backups were signed, or on a machine whose
key is lost), with a warning: use it only for an archive whose origin is
known, since a modified archive can hold anything, an administrator account
included.

Then the database is replaced (databases.py), then the media directory: the
archive's files are extracted to a staging directory next to MEDIA_ROOT
(inside it when it is a mount point) and swapped in with renames, so a
failure leaves the old tree, never half of each. Afterwards the caches are
cleared: cached pages and labels describe the replaced data. The search index
is the caller's to rebuild, once `pending_migrations` is empty.
"""

import hmac
import json
import logging
import os
import re
import tarfile
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .archive import (
    DATABASE_FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_DIR,
    SIGNATURE_ALGORITHM,
    SIGNATURE_NAME,
    STAGING_PREFIX,
    BackupError,
    BackupRefused,
    code_migrations,
    manifest_hmac,
    sha256_file,
    signing_keys,
)
from .databases import restore_database

logger = logging.getLogger(__name__)

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_SIGNATURE_BYTES = 4096
HMAC_PATTERN = re.compile(r"[0-9a-f]{64}")
# What reading a damaged .tar.gz raises (BadGzipFile is an OSError).
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error)


def check_restorable(archive, connection):
    """Refuse what no archive could be restored into, or from."""
    if not Path(archive).is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
            f"Restoring into {connection.vendor} databases is not supported."
        )
    if connection.in_atomic_block:
        raise BackupError("Cannot restore from inside a transaction.")


@contextmanager
def open_backup(
    archive,
    *,
    using=DEFAULT_DB_ALIAS,
    skip_signature_check=False,
    warn=logger.warning,
):
    """Open the archive at `archive` and check everything that can be checked
    before anything is replaced; yield it as a CheckedBackup, whose `restore()`
    then replaces the database `using` and MEDIA_ROOT.

    Raises BackupRefused for an archive that must not be restored. With
    `skip_signature_check`, a missing or wrong signature is reported to `warn`
    instead; the CheckedBackup's `verified` says which it was.
    """
    archive = Path(archive)
    connection = connections[using]
    check_restorable(archive, connection)
    with open_archive(archive) as tar:
        try:
            members = check_members(tar.getmembers())
        except ARCHIVE_ERRORS as error:
            raise BackupRefused(
                f"Refusing {archive}: the archive is truncated or damaged ({error})."
            ) from error
        manifest, verified = read_manifest(tar, members, skip_signature_check, warn)
        check_manifest(manifest, members, connection)
        yield CheckedBackup(archive, tar, members, manifest, verified, connection, warn)


class CheckedBackup:
    """An open archive that passed every check that can be made before
    extracting it, and the database and MEDIA_ROOT it would replace."""

    def __init__(self, path, tar, members, manifest, verified, connection, warn):
        self.path = path
        self.tar = tar
        self.members = members
        self.manifest = manifest
        self.verified = verified
        self.connection = connection
        self.media_root = Path(settings.MEDIA_ROOT).resolve()
        self.warn = warn

    def restore(self):
        """Extract and verify every file, then replace the database, then
        MEDIA_ROOT; clear the caches."""
        db_file = self.manifest["database"]["file"]
        with (
            tempfile.TemporaryDirectory(prefix="vindplaats-restore-") as work,
            tempfile.TemporaryDirectory(
                prefix=STAGING_PREFIX, dir=staging_parent(self.media_root)
            ) as staging,
        ):
            work, staging = Path(work), Path(staging)
            media = [
                member
                for name, member in self.members.items()
                if PurePosixPath(name).parts[0] == MEDIA_DIR
            ]
            try:
                self.tar.extractall(
                    work, members=[self.members[db_file]], filter="data"
                )
                self.tar.extractall(staging, members=media, filter="data")
            except ARCHIVE_ERRORS as error:
                raise BackupError(
                    f"Extracting {self.path} failed ({error}); nothing was changed."
                ) from error
            new_media = staging / MEDIA_DIR
            new_media.mkdir(exist_ok=True)
            verify_checksums(self.manifest, work / db_file, new_media)

            restore_database(self.connection, work / db_file, self.warn)
            try:
                swap_media(new_media, self.media_root, staging)
            except OSError as error:
                raise BackupError(
                    f"The database was restored, but replacing {self.media_root} "
                    f"failed ({error}); the previous media files are still "
                    "in place. Fix the cause and restore again."
                ) from error
        for cache in caches.all():
            cache.clear()


def open_archive(archive):
    try:
        return tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupRefused(
            f"Refusing {archive}: it is not a gzip-compressed tar archive ({error})."
        ) from error


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


def read_manifest(tar, members, skip_signature_check, warn):
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
