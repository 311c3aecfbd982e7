"""Writing a backup archive of the database and MEDIA_ROOT: `create_backup`.

The archive is written to a hidden `.partial` file next to the target and
renamed when complete, so a failed backup never leaves a truncated archive
under the final name. The manifest and its signature are the archive's last
members: each media file is hashed while it is added, so the checksums match
what was archived even when an upload lands during the backup.
"""

import hashlib
import io
import json
import logging
import os
import stat
import tarfile
import tempfile
import time
from pathlib import Path

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from .archive import (
    DATABASE_FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_DIR,
    SIGNATURE_NAME,
    STAGING_PREFIX,
    BackupError,
    migration_state,
    sha256_file,
    sign_manifest,
)
from .databases import database_version, dump_database

logger = logging.getLogger(__name__)


def create_backup(output=None, *, using=DEFAULT_DB_ALIAS, warn=logger.warning):
    """Back up the database `using` and MEDIA_ROOT into one archive.

    `output` is the archive's path (it must not exist yet); by default
    var/backups/vindplaats-YYYYmmdd-HHMMSS.tar.gz. Files that are skipped and
    a backup directory others can read are reported to `warn`. Returns the
    archive's path and its manifest; raises BackupError when no backup can be
    made.
    """
    connection = connections[using]
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
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
        raise BackupError(f"{output} already exists; choose another --output.")
    if output.is_relative_to(media_root):
        raise BackupError("The archive cannot be written inside MEDIA_ROOT.")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if output.parent == default_backup_dir().resolve():
        private_directory(output.parent, warn)

    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        try:
            manifest = write_archive(connection, media_root, Path(work), partial, warn)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return output, manifest


def default_backup_dir():
    var_dir = getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")
    return Path(var_dir) / "backups"


def private_directory(path, warn):
    """Take the group's and others' permissions off our backup directory."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        try:
            path.chmod(mode & 0o700)
        except OSError as error:
            warn(f"{path} is readable by others and could not be changed: {error}")


def write_archive(connection, media_root, work, partial, warn):
    """Write the archive to `partial` (mode 0600); return its manifest."""
    vendor = connection.vendor
    db_name = DATABASE_FILES[vendor]
    db_copy = work / db_name
    # Read the migration state before the copy: a migration run in between
    # then shows up as "pending" after a restore, never the other way round.
    migrations = migration_state(connection)
    dump_database(connection, db_copy)

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
        for path, is_dir in media_entries(media_root, warn):
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
