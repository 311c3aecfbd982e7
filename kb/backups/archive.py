"""What a backup archive is: its members, its manifest and the manifest's signature.

The archive is a gzip-compressed tar, readable by any `tar`, written with mode
0600 (it holds password hashes and members' personal data)::

    database.sqlite3 | database.pgdump   the database, in its engine's own format
    media/...                            every regular file under MEDIA_ROOT
    manifest.json                        format version, database vendor, the
                                         applied migrations, SHA-256 of every file
    manifest.hmac                        the manifest's HMAC-SHA256 signature

The checksums only show damage: whoever can change the archive can change
them too. The signature is what proves the archive was made here. It is an
HMAC of the manifest's exact bytes, keyed with a secret that is not in the
archive: settings.BACKUP_KEY, or, when that is empty, a key derived from
SECRET_KEY (salted, so the signature reveals nothing usable elsewhere).
When BACKUP_KEY is set it replaces SECRET_KEY: only it and
BACKUP_KEY_FALLBACKS are accepted (see `signing_keys`).
Since the manifest holds every file's SHA-256, a valid signature covers the
database and every media file. A restore refuses an archive whose signature
is missing or does not match unless told to skip the check; to restore on
another machine, give it the same BACKUP_KEY (or SECRET_KEY).
"""

import hashlib
import json

from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.crypto import salted_hmac

FORMAT = "vindplaats-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.hmac"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
SIGNATURE_SALT = "vindplaats.backup.manifest"
MEDIA_DIR = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# A restore extracts next to MEDIA_ROOT, or inside it when it is a mount point;
# a backup leaves these directories out.
STAGING_PREFIX = ".vindplaats-restore-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


class BackupRefused(BackupError):
    """The archive is not one this code can restore; nothing was changed."""


def signing_keys():
    """The secrets a manifest may be signed with, as (setting name, secret):
    the first signs new backups; a restore accepts any of them.

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
