"""The database, copied in its engine's own format, and copied back.

The database is copied in the engine's native format rather than with
`dumpdata`: a native copy round-trips everything, including what the ORM does
not model (the SQLite FTS5 table and PostgreSQL tsvectors of the search index,
sequences, constraints), is consistent while the site keeps running, and is
restored in minutes, not hours. SQLite is copied with the online backup API
(`sqlite3.Connection.backup`) from Django's own connection, so an in-memory
database works too; PostgreSQL with `pg_dump --format=custom`, which needs the
client binaries of the server's major version or newer. The price is that a
backup restores only onto the same database vendor; a restore refuses others.

Restoring:

- SQLite: Django's connections are closed and the backup API copies the
  archived database into the live connection page by page, under SQLite's own
  locking, in one transaction. Processes that keep the file open see the
  restored data; nothing swaps the file under their feet.
- PostgreSQL: `pg_restore --clean --if-exists --no-owner --no-privileges
  --single-transaction` into the configured database, so a failed restore
  rolls back whole. Stop the web server and workers first: pg_restore waits
  for the locks their open transactions hold (it is warned about them).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db.backends.postgresql.client import DatabaseClient

from .archive import BackupError, BackupRefused


def dump_database(connection, target):
    """Copy the database behind `connection` to the file `target`."""
    if connection.vendor == "sqlite":
        dump_sqlite(connection, target)
    else:
        dump_postgresql(connection, target)


def restore_database(connection, db_path, warn):
    """Replace the database behind `connection` with the copy at `db_path`."""
    if connection.vendor == "sqlite":
        restore_sqlite(connection, db_path)
    else:
        restore_postgresql(connection, db_path, warn)


def database_version(connection):
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    major, minor = divmod(connection.pg_version, 10000)
    return f"{major}.{minor}"


def dump_sqlite(connection, target):
    """A consistent copy of the live database through the online backup API."""
    if connection.in_atomic_block:
        raise BackupError("Cannot back up from inside a transaction.")
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}") from error
    finally:
        copy.close()
    if check != "ok":
        raise BackupError(f"The SQLite copy failed its integrity check: {check}")


def dump_postgresql(connection, target):
    args, env = postgres_arguments(connection.settings_dict)
    run_postgres_tool(
        [require_binary("pg_dump"), "--format=custom", f"--file={target}", *args],
        env,
    )
    # A dump pg_restore cannot list would not restore either.
    run_postgres_tool([require_binary("pg_restore"), "--list", str(target)], env)


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
            raise BackupError(
                f"Restoring the SQLite database failed; it was left unchanged: {error}"
            ) from error
    finally:
        source.close()


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


def other_sessions(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def require_binary(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
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
        raise BackupError("DATABASES['default'] names no PostgreSQL database.")
    return args, {**os.environ, **(env or {})}


def run_postgres_tool(args, env):
    """Run pg_dump/pg_restore; its stderr is the error message on failure."""
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tool = Path(args[0]).name
        detail = result.stderr.strip() or result.stdout.strip()
        raise BackupError(f"{tool} failed (exit {result.returncode}):\n{detail}")
    return result
