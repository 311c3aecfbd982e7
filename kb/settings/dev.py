"""Local development: debug on, a throwaway key, mail to files under var/mail/."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get(  # noqa: F405
    "SECRET_KEY", "django-insecure-dev-only-never-use-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")  # noqa: F405
# Django's file backend, but folder 0700 and files 0600: they hold account links.
EMAIL_BACKEND = "core.mail_backends.PrivateFileEmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"  # noqa: F405
