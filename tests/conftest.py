import io

import pytest
from pytest_django.fixtures import (
    _get_databases_for_setup,
    _set_suffix_to_test_databases,
)
from wagtail.images import get_image_model
from wagtail.signal_handlers import disable_reference_index_auto_update

from django.core.management import call_command
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

pytest.register_assert_rewrite("tests.browser")  # a plugin, imported here first
from . import browser  # noqa: E402
from .saved_demo_site import SavedDemoSite  # noqa: E402

pytest_plugins = ["tests.browser"]


def pytest_addoption(parser):
    parser.addoption(
        "--reuse-demo-site",
        action="store_true",
        help="On SQLite, build the demo site once and keep it in var/test-cache/ "
        "while no file but the tests and docs changes (make test-fast; "
        "tests/saved_demo_site.py).",
    )


@pytest.fixture(scope="session")
def saved_demo_site(request):
    """With --reuse-demo-site on SQLite, the saved demo site for this
    checkout, locked until the test database is set up; else None."""
    if not request.config.getoption("reuse_demo_site") or connection.vendor != "sqlite":
        return None
    return SavedDemoSite.open()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, saved_demo_site
):
    """A saved demo site replaces the whole test database: no migrations
    then, Django makes the empty tables from the models."""
    from django.conf import settings

    if saved_demo_site and saved_demo_site.exists():
        settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup, django_db_blocker, request, tmp_path_factory, saved_demo_site
):
    """Every test runs on top of the full demo site, loaded once per session.

    That is what a visitor and an editor see after `make run`, and loading it
    here also proves `load_demo_data` works on a fresh database (with
    --reuse-demo-site, `make test-fast`, it may come from an earlier run
    instead: tests/saved_demo_site.py). When tests on
    the browser tests' demo site are selected, the database is copied for its
    server now, before a committed test empties it (tests/browser.py): the
    value of this fixture is then the copy's var dir.
    """
    with django_db_blocker.unblock():
        # pytest-django sets up the databases its selected tests use (its own
        # rule, read here). Browser tests use none in this process (Playwright's
        # event loop and Django's per-test transaction do not mix): selected
        # alone, they need the test database set up here.
        own = None
        if "default" not in _get_databases_for_setup(request.session.items)[0]:
            own = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        if saved_demo_site and saved_demo_site.exists():
            saved_demo_site.restore(connection)
        else:
            load_demo_site()
            if saved_demo_site:
                saved_demo_site.save(connection)
    if saved_demo_site:
        saved_demo_site.release()
    if browser.wants_demo_site(request.session.items):
        var_dir = tmp_path_factory.mktemp("demo-site")
        with django_db_blocker.unblock():
            browser.copy_test_database(var_dir)
        yield var_dir
        with django_db_blocker.unblock():
            browser.drop_test_database_copy()
    else:
        yield None
    if own:
        with django_db_blocker.unblock():
            teardown_databases(own, verbosity=0)


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix(request):
    """Each pytest-xdist worker (`make test-fast`) gets its own test database.

    On SQLite that is already so: the test database is in memory, one per
    process. pytest-django would rename it after the worker, and takes our
    SQLite backend (kb.sqlite_backend) for a server's: it would name a file
    after the development database. PostgreSQL's get the worker's suffix."""
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker and connection.vendor != "sqlite":
        _set_suffix_to_test_databases(suffix=worker)


# The sizes the pages show a hero image in: practice_card.html,
# practice_page.html and the og:image of kb/templatetags/seo_tags.py.
HERO_SIZES = ["fill-480x270", "fill-1200x600", "fill-1200x630"]


def load_demo_site():
    """`load_demo_data`, with Wagtail's reference index (the admin's usage
    counts) built once at the end instead of after each of its ~2,000 saves:
    a third less time, and the index `rebuild_references_index` makes.

    Then the demo's images in the sizes the pages show: a test rolls back
    the renditions it makes, so every test that shows a practice would
    resize them again (a third of a practice page's time)."""
    with disable_reference_index_auto_update():
        call_command("load_demo_data", "--no-progress", stdout=io.StringIO())
    call_command("rebuild_references_index", stdout=io.StringIO())
    for image in get_image_model().objects.all():
        image.get_renditions(*HERO_SIZES)


@pytest.fixture
def index_page(db):
    from practices.models import PracticeIndexPage

    return PracticeIndexPage.objects.get()


@pytest.fixture
def home_page(db):
    from kb.models import HomePage

    return HomePage.objects.get()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached labels of rolled-back rows must not leak into the next test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`commit(action, *args)`: run `action(*args)` and then what it scheduled
    for after the commit (index updates, page-cache bumps, the outbox's
    sends), as a real commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run
