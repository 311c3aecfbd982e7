"""The demo site saved between runs, for `make test-fast` (`--reuse-demo-site`).

Building the demo site (migrations, `load_demo_data`, the hero renditions)
takes about a minute, in every process: half of `make test-fast`'s two
minutes on a 2-core machine, for each of its two workers. With
`--reuse-demo-site` (SQLite only) the first process to get there builds it
and saves the test database and its media in `var/test-cache/`, under a hash
of every file of the checkout but the tests and the docs, of the installed
packages and of Python; the other worker, and later runs while that hash
holds, copy it instead. Any change to the code, the migrations or the demo
fixtures builds it afresh. `make test` never reuses it: there the demo site
is built from scratch, which also proves `load_demo_data` works on a fresh
database.
"""

import fcntl
import hashlib
import importlib.metadata
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# What cannot change the demo site: the tests, the docs.
UNRELATED_DIRS = ("tests/", "docs/")


def source_key():
    """A hash of what the demo site is built from, or None outside a Git
    checkout (then nothing is saved)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    digest = hashlib.sha256(sys.version.encode())
    packages = sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in importlib.metadata.distributions()
    )
    digest.update("\n".join(packages).encode())
    digest.update(os.environ.get("DEMO_EDITOR_PASSWORD", "").encode())
    for name in sorted({name for name in listed.decode().split("\0") if name}):
        if name.startswith(UNRELATED_DIRS) or name.endswith(".md"):
            continue
        path = ROOT / name
        digest.update(name.encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


class SavedDemoSite:
    """The saved demo site for one source key, locked from `open()` until
    `release()`: one process builds and saves it, the others wait, then copy."""

    def __init__(self, key, cache_dir):
        self.cache_dir = cache_dir
        self.dir = cache_dir / f"demo-{key}"
        self._lock = open(cache_dir / "lock", "w")  # noqa: SIM115 (held until release)
        fcntl.flock(self._lock, fcntl.LOCK_EX)

    @classmethod
    def open(cls):
        key = source_key()
        if key is None:
            return None
        # Password hashes and the demo's personal data: for our user only.
        cache_dir = Path(settings.VAR_DIR) / "test-cache"
        cache_dir.mkdir(mode=0o700, exist_ok=True)
        return cls(key, cache_dir)

    def exists(self):
        return (self.dir / "db.sqlite3").is_file()

    def save(self, connection):
        """Save the test database and the media; drop older saved sites."""
        for stale in self.cache_dir.glob(".staging-*"):  # of a run that died
            shutil.rmtree(stale, ignore_errors=True)
        staging = self.cache_dir / f".staging-{os.getpid()}"
        shutil.copytree(settings.MEDIA_ROOT, staging / "media")
        connection.ensure_connection()
        copy = sqlite3.connect(staging / "db.sqlite3")
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        for old in self.cache_dir.glob("demo-*"):
            shutil.rmtree(old, ignore_errors=True)
        os.replace(staging, self.dir)

    def restore(self, connection):
        """Replace the (empty) test database and media with the saved ones."""
        from django.contrib.contenttypes.models import ContentType

        shutil.copytree(self.dir / "media", settings.MEDIA_ROOT, dirs_exist_ok=True)
        connection.ensure_connection()
        saved = sqlite3.connect(self.dir / "db.sqlite3")
        try:
            saved.backup(connection.connection)
        finally:
            saved.close()
        # The ids of the content types the empty database was made with.
        ContentType.objects.clear_cache()

    def release(self):
        self._lock.close()
