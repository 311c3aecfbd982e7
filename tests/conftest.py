import io

import pytest

from django.core.management import call_command

pytest_plugins = ["tests.browser"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test runs on top of the full demo site, loaded once per session.

    That is what a visitor and an editor see after `make run`, and loading it
    here also proves `load_demo_data` works on a fresh database.
    """
    with django_db_blocker.unblock():
        call_command("load_demo_data", "--no-progress", stdout=io.StringIO())


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
