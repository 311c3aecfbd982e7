"""Issue 14, item 16: a tampered backup does not restore.

The checksums sit inside the archive they protect, so whoever changes a file
can fix them up. The manifest carries an HMAC keyed from settings
(BACKUP_KEY, else derived from SECRET_KEY): `restore` refuses an archive
whose signature is missing or does not match, unless the operator passes
--skip-signature-check. The refusal tests need no database (the archive is
refused before anything is touched); the backdoor test makes and restores a
real backup, as tests/test_backup.py's round trip does.
"""

import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
from pathlib import Path

import pytest

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import UserFactory
from tests.test_backup import make_archive, media_tree

SIGNATURE = "manifest.hmac"
BACKDOOR_FILE = "media/documents/achterdeur.html"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read_files(archive):
    with tarfile.open(archive) as tar:
        return {
            member.name: tar.extractfile(member).read()
            for member in tar.getmembers()
            if member.isfile()
        }


def write_files(archive, files):
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def tamper(archive, target, change):
    """What an attacker with the archive can do: change files, then make the
    manifest's checksums match again. The signature stays as it was."""
    files = read_files(archive)
    change(files)
    manifest = json.loads(files["manifest.json"])
    database = manifest["database"]
    database["sha256"] = sha256(files[database["file"]])
    database["bytes"] = len(files[database["file"]])
    media = {name: data for name, data in files.items() if name.startswith("media/")}
    manifest["media"]["sha256"] = {name: sha256(data) for name, data in media.items()}
    manifest["media"]["files"] = len(media)
    manifest["media"]["bytes"] = sum(len(data) for data in media.values())
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    # The manifest and its signature stay the last members.
    files = {
        **{k: v for k, v in files.items() if k not in ("manifest.json", SIGNATURE)},
        "manifest.json": files["manifest.json"],
        **({SIGNATURE: files[SIGNATURE]} if SIGNATURE in files else {}),
    }
    return write_files(target, files)


def add_backdoor(files):
    files[BACKDOOR_FILE] = b"<script>document.location='https://evil.example'</script>"
    if connection.vendor == "sqlite":
        files["database.sqlite3"] = with_backdoor_superuser(files["database.sqlite3"])


def with_backdoor_superuser(database):
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "db.sqlite3"
        path.write_bytes(database)
        db = sqlite3.connect(path)
        db.execute(
            f"INSERT INTO {get_user_model()._meta.db_table} (password, is_superuser, "
            "username, first_name, last_name, email, is_staff, is_active, "
            "date_joined) VALUES ('md5$x$y', 1, 'achterdeur', '', '', "
            "'achterdeur@evil.example', 1, 1, '2025-01-01 00:00:00')"
        )
        db.commit()
        db.close()
        return path.read_bytes()


def refused(archive, match):
    with pytest.raises(CommandError, match=match) as error:
        run("restore", str(archive), "--no-input")
    assert error.value.args[0].startswith("Refusing")
    return error


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def untouched(media_root):
    (media_root / "bestaand.txt").write_text("blijft staan")
    before = media_tree(media_root)
    yield
    assert media_tree(media_root) == before


def answer(monkeypatch, reply):
    """The operator's answer to restore's question; "no" stops a restore that
    passed every check, without touching anything."""
    monkeypatch.setattr("builtins.input", lambda prompt: reply)


# Without a database: refused before anything is touched.


def test_backup_signs_its_manifest(tmp_path):
    archive = make_archive(tmp_path / "backup.tar.gz")
    signature = json.loads(read_files(archive)[SIGNATURE])
    assert signature["algorithm"] == "HMAC-SHA256"
    assert signature["key"] == "SECRET_KEY"  # no BACKUP_KEY in the test settings
    assert len(signature["hmac"]) == 64


def test_a_modified_file_with_recomputed_checksums_is_refused(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz")

    def change(files):
        files["media/verslag.txt"] = b"Een ander verslag.\n"

    tampered = tamper(archive, tmp_path / "tampered.tar.gz", change)
    error = refused(tampered, "signature .* does not match")
    assert "--skip-signature-check" in str(error.value)


def test_an_added_file_with_recomputed_checksums_is_refused(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz")
    tampered = tamper(
        archive,
        tmp_path / "tampered.tar.gz",
        lambda files: files.update({BACKDOOR_FILE: b"<script></script>"}),
    )
    refused(tampered, "signature .* does not match")


def test_an_unsigned_archive_is_refused(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz")
    files = read_files(archive)
    del files[SIGNATURE]
    refused(write_files(tmp_path / "unsigned.tar.gz", files), "carries no signature")


def test_a_forged_signature_is_refused(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz")
    files = read_files(archive)
    manifest = json.loads(files["manifest.json"])
    manifest["created_at"] = "2030-01-01T00:00:00+00:00"
    files["manifest.json"] = json.dumps(manifest).encode()
    for forged in (
        {"algorithm": "HMAC-SHA256", "key": "SECRET_KEY", "hmac": sha256(b"x")},
        # A plain hash of the manifest is not a signature.
        {
            "algorithm": "HMAC-SHA256",
            "key": "SECRET_KEY",
            "hmac": sha256(files["manifest.json"]),
        },
        {"algorithm": "none", "key": "SECRET_KEY", "hmac": ""},
        "not a signature",
    ):
        files[SIGNATURE] = json.dumps(forged).encode()
        refused(write_files(tmp_path / "forged.tar.gz", files), "signature")


def test_the_key_comes_from_settings_and_travels_with_the_operator(
    tmp_path, untouched, settings, monkeypatch
):
    settings.BACKUP_KEY = "sleutel-van-machine-a"
    archive = make_archive(tmp_path / "backup.tar.gz")
    assert json.loads(read_files(archive)[SIGNATURE])["key"] == "BACKUP_KEY"

    # Another machine, with another key: refused.
    settings.BACKUP_KEY = "sleutel-van-machine-b"
    settings.SECRET_KEY = "een-andere-secret-key"
    refused(archive, "does not match")

    # The same BACKUP_KEY on that machine: every check passes.
    settings.BACKUP_KEY = "sleutel-van-machine-a"
    answer(monkeypatch, "no")
    output, _ = run("restore", str(archive))
    assert "Restore cancelled; nothing was changed." in output


def test_archives_signed_before_a_key_change_still_restore(
    tmp_path, untouched, settings, monkeypatch
):
    answer(monkeypatch, "no")
    old_secret_key = settings.SECRET_KEY
    archive = make_archive(tmp_path / "backup.tar.gz")  # signed with SECRET_KEY

    # SECRET_KEY rotated, no BACKUP_KEY: its fallbacks still verify.
    settings.SECRET_KEY_FALLBACKS = [old_secret_key]
    settings.SECRET_KEY = "de-nieuwe-secret-key"
    output, _ = run("restore", str(archive))
    assert "Restore cancelled; nothing was changed." in output

    # BACKUP_KEY set: it replaces SECRET_KEY, fallbacks and all, until the
    # operator lists the old key in BACKUP_KEY_FALLBACKS.
    settings.BACKUP_KEY = "een-nieuwe-backup-key"
    refused(archive, "does not match")
    settings.BACKUP_KEY_FALLBACKS = [old_secret_key]
    output, _ = run("restore", str(archive))
    assert "Restore cancelled; nothing was changed." in output

    # BACKUP_KEY rotated: the previous one in BACKUP_KEY_FALLBACKS.
    signed_with_backup_key = make_archive(tmp_path / "met-backup-key.tar.gz")
    settings.BACKUP_KEY = "de-volgende-backup-key"
    refused(signed_with_backup_key, "does not match")
    settings.BACKUP_KEY_FALLBACKS = ["een-nieuwe-backup-key"]
    output, _ = run("restore", str(signed_with_backup_key))
    assert "Restore cancelled; nothing was changed." in output


def test_with_a_backup_key_the_secret_key_signs_nothing(tmp_path, untouched, settings):
    """Whoever holds SECRET_KEY (or an old one) cannot make an archive that
    an installation with its own BACKUP_KEY restores."""
    secret_key = settings.SECRET_KEY
    settings.BACKUP_KEY = ""
    signed_with_secret_key = make_archive(tmp_path / "secret.tar.gz")
    settings.SECRET_KEY = "een-oude-secret-key"
    signed_with_old_key = make_archive(tmp_path / "oud.tar.gz")
    settings.SECRET_KEY = secret_key
    settings.SECRET_KEY_FALLBACKS = ["een-oude-secret-key"]

    settings.BACKUP_KEY = "de-backup-key"
    refused(signed_with_secret_key, "does not match")
    refused(signed_with_old_key, "does not match")
    signature = read_files(make_archive(tmp_path / "nieuw.tar.gz"))[SIGNATURE]
    assert json.loads(signature)["key"] == "BACKUP_KEY"


def test_a_signature_that_is_not_hex_is_refused_cleanly(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz")
    files = read_files(archive)
    for given in ("é" * 64, "Z" * 64, sha256(b"x").upper(), sha256(b"x")[:63], 64):
        files[SIGNATURE] = json.dumps(
            {"algorithm": "HMAC-SHA256", "key": "SECRET_KEY", "hmac": given}
        ).encode()
        error = refused(write_files(tmp_path / "vreemd.tar.gz", files), "malformed")
        assert "Nothing was changed" in str(error.value)


def test_the_operator_can_override_the_check_loudly(tmp_path, untouched, monkeypatch):
    archive = make_archive(tmp_path / "backup.tar.gz")
    files = read_files(archive)
    del files[SIGNATURE]
    unsigned = write_files(tmp_path / "unsigned.tar.gz", files)
    answer(monkeypatch, "no")

    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "no")

    output, warnings = run("restore", str(unsigned), "--skip-signature-check")

    assert "signature was NOT checked" in warnings
    assert "administrator account" in warnings
    # The question itself says what is being restored.
    assert "UNVERIFIED" in output
    assert "unverified" in prompts[0]
    assert "Restore cancelled; nothing was changed." in output


def test_skipping_the_check_unattended_needs_the_archives_checksum(tmp_path, untouched):
    archive = make_archive(tmp_path / "backup.tar.gz")
    files = read_files(archive)
    del files[SIGNATURE]
    unsigned = write_files(tmp_path / "unsigned.tar.gz", files)
    digest = sha256(unsigned.read_bytes())

    for flag in (
        "--skip-signature-check",  # nobody would see the warning
        "--skip-signature-check=" + digest[:11],  # too short to name one archive
        "--skip-signature-check=" + sha256(b"een ander archief")[:12],
        "--skip-signature-check=niet-hex-000",
    ):
        with pytest.raises(CommandError) as error:
            run("restore", str(unsigned), "--no-input", flag)
        assert error.value.args[0].startswith("Refusing"), flag
        assert "Nothing was changed" in str(error.value), flag


# With a database: the backdoor of the penetration test.


@pytest.mark.django_db(
    transaction=True, available_apps=[app.name for app in apps.get_app_configs()]
)
def test_a_backdoored_backup_is_refused_unless_overridden(media_root, tmp_path):
    User = get_user_model()
    UserFactory(username="bewaard")
    (media_root / "documents").mkdir()
    (media_root / "documents" / "verslag.txt").write_text("Het verslag.")
    archive = tmp_path / "backup.tar.gz"
    run("backup", "--output", str(archive))
    media_before = media_tree(media_root)
    users_before = User.objects.count()
    tampered = tamper(archive, tmp_path / "tampered.tar.gz", add_backdoor)

    with pytest.raises(CommandError, match="signature .* does not match"):
        run("restore", str(tampered), "--no-input", "--skip-search-index")
    assert not User.objects.filter(username="achterdeur").exists()
    assert User.objects.count() == users_before
    assert media_tree(media_root) == media_before

    # Unattended, the bare override is not enough.
    with pytest.raises(CommandError, match="needs the first 12 hex digits"):
        run(
            "restore",
            str(tampered),
            "--no-input",
            "--skip-search-index",
            "--skip-signature-check",
        )
    assert not User.objects.filter(username="achterdeur").exists()

    # The operator's explicit override, naming the archive, restores it, warned.
    _, warnings = run(
        "restore",
        str(tampered),
        "--no-input",
        "--skip-search-index",
        "--skip-signature-check=" + sha256(tampered.read_bytes())[:12].upper(),
    )
    assert "signature was NOT checked" in warnings
    assert (media_root / "documents" / "achterdeur.html").exists()
    if connection.vendor == "sqlite":
        assert User.objects.get(username="achterdeur").is_superuser

    # The genuine archive restores without any flag.
    output, warnings = run("restore", str(archive), "--no-input", "--skip-search-index")
    assert "Restored the" in output
    assert "NOT checked" not in warnings
    assert not User.objects.filter(username="achterdeur").exists()
    assert User.objects.filter(username="bewaard").exists()
    assert media_tree(media_root) == media_before
