"""Production: everything secret or host-specific comes from the environment."""

import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")  # noqa: F405
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")  # noqa: F405
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")  # noqa: F405
# Every link in emails, the feed and the sitemap starts with SITE_URL, never
# with a request's Host header (core.site_url).
if not re.fullmatch(r"https?://[^/\s]+/?", os.environ.get("SITE_URL", "")):  # noqa: F405
    raise ImproperlyConfigured(
        "SITE_URL must be set to the site's public address, e.g. "
        "https://vindplaats.example (the base of every link in emails and feeds)."
    )
SITE_URL = WAGTAILADMIN_BASE_URL = os.environ["SITE_URL"].rstrip("/")  # noqa: F405

# WhiteNoise serves the collected static files right after the security middleware.
MIDDLEWARE = [  # noqa: F405
    MIDDLEWARE[0],  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# allauth's limits per IP address (members' and admin logins, sign-up,
# password reset) count per REMOTE_ADDR unless this many proxies of your own
# stand in front of gunicorn and append to X-Forwarded-For. Anyone can send
# that header, so trusting it without such a proxy lets every request pick a
# fresh address: the default trusts none. Behind one reverse proxy set
# TRUSTED_PROXY_COUNT=1 (docs/configuration.md), or every visitor shares
# the proxy's address and one limit.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))  # noqa: F405
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true") == "true"  # noqa: F405
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Django's defaults, stated here because production relies on them; the
# Content-Security-Policy and Permissions-Policy come from base.py (core.middleware).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")  # noqa: F405
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))  # noqa: F405
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")  # noqa: F405
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")  # noqa: F405
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "true") == "true"  # noqa: F405

# One cache shared by every worker: the page cache and allauth's rate limits
# must not be per process. Redis when REDIS_URL is set, otherwise a table in
# the database (`manage.py createcachetable`, run by `make migrate`).
if os.environ.get("REDIS_URL"):  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],  # noqa: F405
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "vindplaats_cache",
        }
    }
