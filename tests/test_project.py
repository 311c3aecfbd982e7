"""Project-wide checks: migrations, translations, settings."""

import io
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def test_dutch_translation_is_complete_and_compiled():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(PO.with_suffix(".mo")))
    }
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in po.translated_entries()
    }
    assert compiled == source, "run `make messages` to recompile django.mo"


def test_production_settings_refuse_a_missing_secret_key():
    code = "import django; django.setup()"
    env = {"DJANGO_SETTINGS_MODULE": "kb.settings.production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {
        "DJANGO_SETTINGS_MODULE": "kb.settings.production",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-tests",
        "ALLOWED_HOSTS": "vindplaats.example.org",
        "SITE_URL": "https://vindplaats.example.org",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
