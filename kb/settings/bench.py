"""`make bench`: production behaviour (no debug, page cache, WhiteNoise) on loopback."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "benchmark-only-secret-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
MIDDLEWARE = [  # noqa: F405
    MIDDLEWARE[0],  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
WHITENOISE_USE_FINDERS = True
PAGE_CACHE_SECONDS = 300
if os.environ.get("REDIS_URL"):  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],  # noqa: F405
            # Each run and size its own keys (bench/__main__.py), so no page
            # cached by another benchmark database is ever served.
            "KEY_PREFIX": os.environ.get("VINDPLAATS_CACHE_PREFIX", ""),  # noqa: F405
        }
    }
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# The soak (bench/soak.py) has a few members post answers as fast as the load
# allows: no waiting between posts and no daily caps, the duplicate check stays.
COMMUNITY_FLOOD = {
    **COMMUNITY_FLOOD,  # noqa: F405
    "MIN_INTERVAL_SECONDS": 0,
    "NEW_ACCOUNT_MIN_INTERVAL_SECONDS": 0,
    "POSTS_PER_DAY": 1_000_000,
    "NEW_ACCOUNT_POSTS_PER_DAY": 1_000_000,
}
