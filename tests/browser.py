"""Helpers for browser tests: a copy of the demo site served on loopback, and
Debian's Chromium.

The demo site is built once per run, in the test database (tests/conftest.py).
When tests that use `demo_site` are selected, that database and its media are
copied before the first test runs (committed tests empty the test database
when they end), and `manage.py runserver` serves the copy with the dev
settings, the email worker beside it, as `make run` does: on SQLite a file in
the site's var dir, on PostgreSQL a database cloned from the test database.
Like `make run`, it serves with DEBUG off (the site's own error pages) and
`runserver --insecure` for the static files (the Makefile's serve target).
"""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# The PostgreSQL copy is the test database's name with this suffix.
COPY_SUFFIX = "browser"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wants_demo_site(items):
    return any("demo_site" in getattr(item, "fixturenames", ()) for item in items)


def copy_test_database(var_dir):
    """Copy the test database and its media for the demo site's processes."""
    shutil.copytree(settings.MEDIA_ROOT, var_dir / "media")
    if connection.vendor == "postgresql":
        connection.creation.clone_test_db(COPY_SUFFIX, verbosity=0, autoclobber=True)
        return
    connection.ensure_connection()
    copy = sqlite3.connect(var_dir / "db.sqlite3")
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def drop_test_database_copy():
    """Drop the PostgreSQL copy, even if a stopped server's connection lingers
    (the SQLite copy goes with pytest's temporary directories)."""
    if connection.vendor != "postgresql":
        return
    name = connection.ops.quote_name(copy_database_name())
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def copy_database_name():
    return connection.creation.get_test_db_clone_settings(COPY_SUFFIX)["NAME"]


def site_env(var_dir):
    """The environment of the demo site's processes (web server, email worker,
    `manage.py shell`): the dev settings, on the copy of the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kb.settings.dev",
        "VINDPLAATS_VAR_DIR": str(var_dir),
        "DEBUG": "false",
    }
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = url._replace(path="/" + copy_database_name()).geturl()
    else:
        env.pop("DATABASE_URL", None)  # SQLite: db.sqlite3 in the var dir
    return env


SERVER_LOG = "server.log"
WORKER_LOG = "worker.log"


def site_log(var_dir, lines=40):
    """The last lines the demo site's web server and email worker printed
    (errors, tracebacks), for the report of a failing browser test."""
    parts = []
    for name in (SERVER_LOG, WORKER_LOG):
        path = Path(var_dir) / name
        if path.exists():
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {name} (last {len(tail)} lines)\n" + "\n".join(tail))
    return "\n".join(parts)


def chromium_path():
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoSite:
    """The web server and the email worker of a demo site, stopped together."""

    def __init__(self, *processes):
        self.processes = processes

    def terminate(self):
        for process in self.processes:
            process.terminate()

    def wait(self, timeout=None):
        for process in self.processes:
            process.wait(timeout=timeout)


def start_demo_site(var_dir):
    """Serve the copy in `var_dir`, with the email worker beside it."""
    env = site_env(var_dir)
    manage = [sys.executable, str(ROOT / "manage.py")]
    port = free_port()
    # What they print goes to files beside the copy, so a failing browser test
    # can show what the site said (site_log).
    server = subprocess.Popen(
        manage + ["runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(var_dir) / SERVER_LOG, "a"),  # noqa: SIM115
    )
    worker = subprocess.Popen(
        manage
        + ["db_worker", "--backend", "background", "--no-reload", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(var_dir) / WORKER_LOG, "a"),  # noqa: SIM115
    )
    site = DemoSite(server, worker)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base_url + "/", timeout=2)
            return site, base_url
        except OSError:
            time.sleep(0.2)
    site.terminate()
    raise RuntimeError("the demo site did not start within 30 seconds")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test on the demo site reports what the site printed."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or "demo_site" not in getattr(item, "fixturenames", ()):
        return
    var_dir = getattr(item, "funcargs", {}).get("django_db_setup")
    log = site_log(var_dir) if var_dir else ""
    if log:
        report.sections.append(("demo site", log))


@pytest.fixture(scope="session")
def demo_site(django_db_setup):
    """The base URL of the demo site; `django_db_setup` is its var dir."""
    server, base_url = start_demo_site(django_db_setup)
    yield base_url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    if not Path(executable).exists():
        pytest.skip(
            f"no Chromium at {executable}: `make test` installs Debian's chromium"
        )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()
