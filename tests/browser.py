"""Helpers for browser tests: the demo site on loopback and Debian's Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    """Migrate a fresh SQLite database, load the demo content and serve it,
    with the email worker beside it, as `make run` does."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kb.settings.dev",
        "VINDPLAATS_VAR_DIR": str(var_dir),
    }
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--no-input", "-v0"],
        ["load_demo_data", "--no-progress"],
    ):
        subprocess.run(manage + command, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        manage
        + ["db_worker", "--backend", "background", "--no-reload", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    server, base_url = start_demo_site(tmp_path_factory.mktemp("demo-site"))
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
