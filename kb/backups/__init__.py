"""Backups: the database and the media files in one signed archive, and back.

    create_backup(output, using=..., warn=...)   write an archive; returns its
                                                 path and its manifest
    open_backup(archive, using=..., ...)         open an archive and check all
                                                 that can be checked first
        .manifest, .verified, .media_root        what a caller shows before
        .restore()                               replacing the database and
                                                 MEDIA_ROOT with its contents
    pending_migrations(connection)               what `migrate` would still
                                                 apply after a restore
    sha256_file(path)                            the hex digest an operator
                                                 names an archive by

Both raise BackupError (BackupRefused: the archive must not be restored,
nothing was changed). `manage.py backup` and `manage.py restore` are the thin
commands over them. Inside: archive.py (the format, the manifest and its
signature), databases.py (each engine's own copy), create.py and restore.py.
"""

from .archive import BackupError, BackupRefused, sha256_file
from .create import create_backup
from .restore import check_restorable, open_backup, pending_migrations

__all__ = [
    "BackupError",
    "BackupRefused",
    "check_restorable",
    "create_backup",
    "open_backup",
    "pending_migrations",
    "sha256_file",
]
