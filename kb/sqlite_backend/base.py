"""Django's SQLite backend, with database files that only their owner reads.

The SQLite file holds password hashes, sessions and members' personal data.
SQLite creates it with the process's umask, usually world-readable, and
creates its -wal, -shm and -journal files with the database file's
permissions. So before SQLite opens a database file, this backend creates it
with mode 0600 when it is new, and takes the group's and others' permissions
off an existing one (and off its -wal/-shm/-journal files). In-memory
databases (the tests) have no file. kb.settings.base picks this backend
whenever the database is SQLite.
"""

import contextlib
import logging
import os
import stat

from django.db.backends.sqlite3 import base

logger = logging.getLogger("vindplaats.sqlite")

PRIVATE_MODE = 0o600
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


def make_private(path):
    """Create `path` with mode 0600 if it does not exist; otherwise remove the
    group's and others' permissions from it and its companion files."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    for name in (path, *(f"{path}{suffix}" for suffix in COMPANION_SUFFIXES)):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)
        except FileNotFoundError:
            continue
        except OSError as error:  # e.g. a file of another user: SQLite decides
            logger.warning("Could not restrict the permissions of %s: %s", name, error)


class DatabaseWrapper(base.DatabaseWrapper):
    def database_path(self):
        """The database's file, or None when it is in memory or a URI."""
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or name.startswith("file:"):
            return None
        return name

    def get_new_connection(self, conn_params):
        if path := self.database_path():
            make_private(path)
        return super().get_new_connection(conn_params)
