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
WAGTAILADMIN_BASE_URL = "http://testserver"

# The suite runs on the database backend; the Elasticsearch contract tests
# build their own backend from ELASTICSEARCH_URL (see tests/test_search_elasticsearch.py).
VINDPLAATS_SEARCH = {"BACKEND": "search.backends.database.DatabaseBackend"}
