"""Local development: a throwaway key, mail to files under var/mail/, media
and the error page previews served by Django (DEV_URLS).

DEBUG is on unless the environment says DEBUG=false. `make run` (make serve)
says so: the demo then shows the site's own Dutch 404 and 500 pages, as a
visitor sees them, with `runserver --insecure` serving the static files;
`DEBUG=true make serve` brings Django's debug pages back
(docs/development.md).
"""

from .base import *  # noqa: F403

DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes", "on")  # noqa: F405
DEV_URLS = True
SECRET_KEY = os.environ.get(  # noqa: F405
    "SECRET_KEY", "django-insecure-dev-only-never-use-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")  # noqa: F405
# runserver answers every request in a thread of its own, and a persistent
# connection belongs to its thread: kept open, the connections of finished
# threads pile up until the garbage collector finds them, or PostgreSQL
# refuses more clients (the browser tests met that). Django's docs say not to
# use them with the development server. The same setting as the base one,
# with another default.
DATABASES["default"]["CONN_MAX_AGE"] = int(  # noqa: F405
    os.environ.get("DATABASE_CONN_MAX_AGE", "0")  # noqa: F405
)
# Django's file backend, but folder 0700 and files 0600: they hold account links.
EMAIL_BACKEND = "core.mail_backends.PrivateFileEmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"  # noqa: F405
