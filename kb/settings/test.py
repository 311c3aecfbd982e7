"""Test settings: fast password hashing, in-memory mail and media in a temp dir."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="vindplaats-test-media-"))  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
SITE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"

# The suite runs on the database backend; the Elasticsearch contract tests
# build their own backend from ELASTICSEARCH_URL (see tests/test_search_elasticsearch.py).
VINDPLAATS_SEARCH = {"BACKEND": "search.backends.database.DatabaseBackend"}

# Background tasks run inline, so a test sees the email its request caused.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
# No waiting between posts in tests, except in the tests of that rule.
COMMUNITY_FLOOD = {
    **COMMUNITY_FLOOD,  # noqa: F405
    "MIN_INTERVAL_SECONDS": 0,
    "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
}  # noqa: F405

# Tests write the search terms themselves (search.terms.flush), never from a
# request or at exit, so no count reaches a database after the test one.
SEARCH_TERMS_WRITE_SECONDS = None
