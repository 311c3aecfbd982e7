"""`manage.py backup` and `restore`: a round trip, and archives restore refuses.

The round trip needs committed data and no open transaction (pg_dump reads
from another session; SQLite's backup API cannot write into a connection in
a transaction), so it is a transactional test: pytest-django runs it after the
other database tests and empties the database afterwards. It runs on whatever
database the suite runs on: SQLite in memory (the backup API works on Django's
connection, file or not) or PostgreSQL when DATABASE_URL is set.

The refusal tests use no database at all: an archive must be refused before
anything touches it, and pytest-django fails a test that tries.
"""

import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from wagtail.models import Page

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kb.backups.archive import (
    DATABASE_FILES,
    FORMAT,
    FORMAT_VERSION,
    SIGNATURE_NAME,
    code_migrations,
    sign_manifest,
)
from kb.backups.restore import staging_parent, swap_media
from practices.models import Theme
from search.models import SearchDocument
from tests.factories import ThemeFactory, UserFactory


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def media_tree(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def counts():
    return {
        "users": get_user_model().objects.count(),
        "themes": Theme.objects.count(),
        "pages": Page.objects.count(),
        "search documents": SearchDocument.objects.count(),
    }


# available_apps makes pytest-django's flush afterwards TRUNCATE ... CASCADE,
# which PostgreSQL needs: search_fulltext (raw SQL) references SearchDocument.
@pytest.mark.django_db(
    transaction=True, available_apps=[app.name for app in apps.get_app_configs()]
)
def test_backup_and_restore_round_trip(media_root, tmp_path):
    user = UserFactory(username="bewaard", email="bewaard@example.org")
    theme = ThemeFactory(name="Thema van voor de back-up")
    default_storage.save("documents/verslag.txt", ContentFile(b"Het verslag.\n"))
    (media_root / "images").mkdir()
    (media_root / "images" / "foto.bin").write_bytes(os.urandom(50_000))
    media_before = media_tree(media_root)
    (media_root / "link").symlink_to(tmp_path)  # not followed, not archived
    counts_before = counts()

    archive = tmp_path / "backups" / "vindplaats-test.tar.gz"
    output = run("backup", "--output", str(archive))

    assert "Backup written to" in output
    assert "Skipped" in output  # the symbolic link
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert not list(archive.parent.glob(".*")), "no partial or work files left"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert DATABASE_FILES[connection.vendor] in names
    assert "media/link" not in names
    (media_root / "link").unlink()
    assert manifest["format"] == FORMAT
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["media"]["files"] == 2
    assert "0001_initial" in manifest["migrations"]["applied"]["practices"]

    # Everything changes after the backup: rows and files.
    user_pk = user.pk
    user.delete()
    theme.name = "Hernoemd na de back-up"
    theme.save()
    ThemeFactory(name="Pas na de back-up")
    (media_root / "documents" / "verslag.txt").unlink()
    (media_root / "images" / "foto.bin").write_bytes(b"overschreven")
    (media_root / "nieuw.txt").write_text("na de back-up")

    output = run("restore", str(archive), "--no-input")

    assert "Restored the" in output
    assert "Zoekindex opnieuw opgebouwd" in output
    restored = get_user_model().objects.get(username="bewaard")
    assert restored.pk == user_pk
    assert restored.password == user.password
    assert Theme.objects.get(pk=theme.pk).name == "Thema van voor de back-up"
    assert not Theme.objects.filter(name="Pas na de back-up").exists()
    assert counts() == counts_before
    assert media_tree(media_root) == media_before
    assert not list(tmp_path.glob(".vindplaats-restore-*")), "staging removed"
    # New rows get fresh keys: sequences came back with the data.
    assert ThemeFactory().pk > theme.pk


# Archives made by hand, refused before the database is touched.


def other_vendor():
    return "postgresql" if connection.vendor == "sqlite" else "sqlite"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def add_file(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def make_archive(path, *, vendor=None, change=None, extra=None):
    """A well-formed archive, signed with this installation's key (so the
    checks after the signature's are what refuses it): change(manifest) and
    extra(tar) spoil it."""
    vendor = vendor or connection.vendor
    database = b"not a real database"
    media = {"media/verslag.txt": b"Het verslag.\n"}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": "2025-01-01T03:00:00+00:00",
        "database": {
            "vendor": vendor,
            "file": DATABASE_FILES[vendor],
            "bytes": len(database),
            "sha256": sha256(database),
        },
        "migrations": {"applied": code_migrations(), "heads": {}},
        "media": {
            "files": len(media),
            "bytes": sum(len(data) for data in media.values()),
            "sha256": {name: sha256(data) for name, data in media.items()},
        },
    }
    if change:
        change(manifest)
    with tarfile.open(path, "w:gz") as tar:
        add_file(tar, DATABASE_FILES[vendor], database)
        for name, data in media.items():
            add_file(tar, name, data)
        if extra:
            extra(tar)
        data = json.dumps(manifest).encode()
        add_file(tar, "manifest.json", data)
        add_file(tar, SIGNATURE_NAME, sign_manifest(data))
    return path


def refused(archive, match):
    with pytest.raises(CommandError, match=match) as error:
        run("restore", str(archive), "--no-input")
    assert error.value.args[0].startswith("Refusing")
    return error


@pytest.fixture
def untouched(media_root):
    """MEDIA_ROOT with one file, checked unchanged after the test."""
    (media_root / "bestaand.txt").write_text("blijft staan")
    before = media_tree(media_root)
    yield
    assert media_tree(media_root) == before
    assert not list(media_root.parent.glob(".vindplaats-restore-*"))


def test_restore_refuses_a_file_that_is_no_archive(tmp_path, untouched):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"PK\x03\x04 a zip file, not a tar")
    refused(archive, "not a gzip-compressed tar archive")


def test_restore_refuses_a_truncated_archive(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz")
    archive.write_bytes(archive.read_bytes()[:200])
    refused(archive, "truncated or damaged")


def test_restore_refuses_an_archive_without_manifest(tmp_path, untouched):
    archive = tmp_path / "backup.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        add_file(tar, "media/verslag.txt", b"x")
    refused(archive, "has no manifest.json")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda m: m.update(format="someone-elses-backup"), "not of a Vindplaats"),
        (lambda m: m.update(format_version=2), "format version 2 is not supported"),
        (lambda m: m.pop("migrations"), "incomplete or malformed"),
        (lambda m: m["media"]["sha256"].clear(), "do not match the manifest"),
        (
            lambda m: m["database"].update(sha256="0" * 64),
            "checksum mismatch for 'database",
        ),
        (
            lambda m: m["media"]["sha256"].update({"media/verslag.txt": "0" * 64}),
            "checksum mismatch for 'media/verslag.txt'",
        ),
        (
            lambda m: m["migrations"]["applied"]["kb"].append("9999_newer"),
            "made by a newer version of Vindplaats",
        ),
    ],
    ids=[
        "unknown-format",
        "unknown-version",
        "malformed",
        "file-not-in-manifest",
        "database-tampered",
        "media-tampered",
        "newer-migrations",
    ],
)
def test_restore_refuses_a_tampered_manifest(tmp_path, untouched, change, match):
    refused(make_archive(tmp_path / "backup.tar.gz", change=change), match)


def test_restore_refuses_another_database_vendor(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz", vendor=other_vendor())
    error = refused(archive, "only onto the same database vendor")
    assert f"holds a {other_vendor()} database" in str(error.value)


def _member(name, kind=tarfile.REGTYPE, target=""):
    def extra(tar):
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = target
        data = b"" if kind != tarfile.REGTYPE else b"kwaadaardig"
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    return extra


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (_member("../evil.txt"), "not a plain relative path"),
        (_member("media/../../evil.txt"), "not a plain relative path"),
        (_member("media/./verslag.txt"), "not a plain relative path"),
        (_member("/tmp/evil.txt"), "not a plain relative path"),
        (_member(".", tarfile.DIRTYPE), "not a plain relative path"),
        (_member("media/link", tarfile.SYMTYPE, "/etc/passwd"), "link or special"),
        (_member("media/hard", tarfile.LNKTYPE, "manifest.json"), "link or special"),
        (_member("media/fifo", tarfile.FIFOTYPE), "link or special"),
        (_member("settings.py"), "unexpected member 'settings.py'"),
        (_member("media/verslag.txt"), "appears twice"),
    ],
    ids=[
        "parent",
        "parent-in-media",
        "dot",
        "absolute",
        "current-dir",
        "symlink",
        "hardlink",
        "fifo",
        "unexpected",
        "duplicate",
    ],
)
def test_restore_refuses_dangerous_members(tmp_path, untouched, extra, match):
    refused(make_archive(tmp_path / "backup.tar.gz", extra=extra), match)
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path.parent / "evil.txt").exists()


def test_restore_asks_first_and_stops_unless_told_yes(tmp_path, untouched, monkeypatch):
    archive = make_archive(tmp_path / "backup.tar.gz")
    questions = []
    monkeypatch.setattr(
        "builtins.input", lambda prompt: questions.append(prompt) or "ja"
    )
    output = run("restore", str(archive))
    assert questions == ["Type 'yes' to continue, or 'no' to cancel: "]
    assert "Everything written since that backup is lost." in output
    assert "Restore cancelled; nothing was changed." in output


def test_backup_refuses_to_overwrite(tmp_path, media_root):
    existing = tmp_path / "backup.tar.gz"
    existing.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists"):
        run("backup", "--output", str(existing))
    assert existing.read_bytes() == b"an older backup"


def test_backup_refuses_an_archive_inside_media(media_root):
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        run("backup", "--output", str(media_root / "backup.tar.gz"))


@pytest.mark.parametrize("mount_point", [False, True])
def test_media_swap_puts_the_new_tree_in_place(tmp_path, monkeypatch, mount_point):
    media_root = tmp_path / "media"
    (media_root / "oud").mkdir(parents=True)
    (media_root / "oud" / "a.txt").write_text("oud")
    if mount_point:
        monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == media_root)
    staging = staging_parent(media_root) / ".vindplaats-restore-x"
    assert staging.parent == (media_root if mount_point else tmp_path)
    (staging / "media" / "nieuw").mkdir(parents=True)
    (staging / "media" / "nieuw" / "b.txt").write_text("nieuw")

    swap_media(staging / "media", media_root, staging)

    assert media_tree(media_root / "nieuw") == {"b.txt": b"nieuw"}
    assert not (media_root / "oud").exists()
    assert media_tree(staging / "previous") == {"oud/a.txt": b"oud"}


@pytest.mark.parametrize("mount_point", [False, True])
def test_a_failed_media_swap_keeps_the_old_tree(tmp_path, monkeypatch, mount_point):
    media_root = tmp_path / "media"
    (media_root / "oud").mkdir(parents=True)
    (media_root / "oud" / "a.txt").write_text("oud")
    if mount_point:
        monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == media_root)
    staging = staging_parent(media_root) / ".vindplaats-restore-x"
    (staging / "media" / "nieuw").mkdir(parents=True)
    real_rename = os.rename

    def rename(source, target):
        if "nieuw" in str(source) or Path(source) == staging / "media":
            raise OSError("disk on fire")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="disk on fire"):
        swap_media(staging / "media", media_root, staging)
    assert media_tree(media_root / "oud") == {"a.txt": b"oud"}
    assert not (media_root / "nieuw").exists()
