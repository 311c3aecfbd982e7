"""Project-wide checks: migrations, translations, settings."""

import io
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from django.conf import settings
from django.core.management import call_command

from bench import report

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


def with_settings(module, *arguments, **environment):
    """`python *arguments` in the project, on these settings and this
    environment only (PATH aside): a CompletedProcess, its output as text."""
    env = {"DJANGO_SETTINGS_MODULE": module, "PATH": "/usr/bin:/bin", **environment}
    return subprocess.run(
        [sys.executable, *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )


def test_production_settings_refuse_a_missing_secret_key():
    result = with_settings(
        "kb.settings.production", "-c", "import django; django.setup()"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_development_server_keeps_no_connection_per_thread():
    """runserver answers each request in a new thread: the dev settings close
    its connection after the request, unless DATABASE_CONN_MAX_AGE says
    otherwise; the base settings keep it for a minute."""
    code = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    )

    def kept(module, **extra):
        result = with_settings(module, "-c", code, **extra)
        assert result.returncode == 0, result.stderr
        return int(result.stdout)

    assert kept("kb.settings.dev") == 0
    assert kept("kb.settings.dev", DATABASE_CONN_MAX_AGE="30") == 30
    assert kept("kb.settings.bench") == 60  # gunicorn's workers keep theirs


def test_production_settings_pass_the_deploy_check():
    result = with_settings(
        "kb.settings.production",
        *("manage.py", "check", "--deploy", "--fail-level", "WARNING"),
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-for-tests",
        ALLOWED_HOSTS="vindplaats.example.org",
        SITE_URL="https://vindplaats.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


# The README is the front door and docs/ holds the rest (issue 15).
ROOT = Path(settings.BASE_DIR)
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def markdown_links(path):
    """Link targets in a Markdown file, outside code blocks and code spans."""
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return LINK.findall(text)


def heading_anchors(path):
    """The anchors GitHub gives a Markdown file's headings."""
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", text, flags=re.M)
    }


def test_readme_opens_with_the_two_commands_and_stays_short():
    lines = README.read_text().splitlines()
    assert len(lines) <= 120, f"README.md has {len(lines)} lines; docs/ holds the rest"
    commands = [line for line in lines[:8] if line.startswith("make ")]
    assert [command.split()[:2] for command in commands] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_every_relative_link_in_the_readme_and_docs_leads_somewhere():
    assert DOCS, "docs/*.md is missing"
    broken = []
    for page in [README, *DOCS]:
        for target in markdown_links(page):
            if re.match(r"[a-z]+:", target):
                continue  # http(s):, mailto:
            file, _, anchor = target.partition("#")
            linked = (page.parent / file).resolve() if file else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and anchor not in heading_anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_performance_page_is_what_bench_report_writes():
    page = (ROOT / "docs" / "performance.md").read_text()
    assert page.startswith(report.INTRO), "edit bench/report.py, then run it"
    assert f"]({report.PLOT})" in page


def test_configuration_page_names_every_environment_variable_the_settings_read():
    read = {"DATABASE_URL"}  # read by dj_database_url.config()
    for module in (ROOT / "kb" / "settings").glob("*.py"):
        read |= set(
            re.findall(
                r'(?:environ\.get\(|environ\[|env_list\()\s*"([A-Z0-9_]+)"',
                module.read_text(),
            )
        )
    page = (ROOT / "docs" / "configuration.md").read_text()
    assert sorted(name for name in read if f"`{name}`" not in page) == []
