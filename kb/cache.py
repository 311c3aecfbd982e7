"""A shared cache of anonymous pages, emptied whenever content changes.

Most visitors read without logging in, so their pages are the same for
everyone and can be served from the cache (Redis in production, so every
worker shares it). Publishing, unpublishing, moving or deleting a page and
changing a taxonomy bump a version number that is part of every key: the
next request builds the page afresh. Requests with a session cookie, the
admin and health checks always go through, and so do requests with a flash
message waiting in its cookie.
"""

import contextvars
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

VERSION_KEY = "page-cache-version"
BYPASS_PREFIXES = ("/admin/", "/django-admin/", "/health/", "/documenten/", "/static/")
CACHEABLE_TYPES = ("text/html", "application/json", "text/csv", "application/atom+xml")


# What one request has read from the shared cache already (the version, the
# facet labels, the menus): each is asked for once per request, not once per
# template part, which matters when the cache is Redis across the network.
_request_memo = contextvars.ContextVar("kb_request_memo", default=None)


def request_memo():
    """A dict that lives as long as the current request, or None outside one."""
    return _request_memo.get()


def once_per_request(key, load):
    """`load()`, called at most once per request for `key` (every time
    outside a request)."""
    memo = _request_memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def current_version():
    return once_per_request(VERSION_KEY, lambda: cache.get_or_set(VERSION_KEY, 1, None))


FRAGMENT_SECONDS = 600


def fragment_cache_key(key):
    """Where a {% fragment %} part (kb/templatetags/fragment_tags.py) is kept."""
    return f"fragment:{get_language()}:{key}"


def prefetch_fragments(keys):
    """The cached parts of a page in one round trip, for the view to put in
    its context as `prefetched_fragments` (a part not found is drawn)."""
    wanted = [fragment_cache_key(key) for key in keys if key]
    return cache.get_many(wanted) if wanted else {}


def bump_version(*args, **kwargs):
    """Invalidate every cached page (a signal receiver)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()  # what this request read may be what just changed


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.respond(request)
        finally:
            _request_memo.reset(token)

    def respond(self, request):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            # A flash message waits for this visitor (after logout or deletion).
            or "messages" in request.COOKIES
            or request.path.startswith(BYPASS_PREFIXES)
        ):
            return self.get_response(request)
        address = f"{request.get_host()}{request.get_full_path()}"
        if "HX-Request" in request.headers:
            # htmx asks the same URL for a part of the page (search/views.py):
            # never serve a part for a whole page, nor the other way round.
            address += "|htmx:" + request.headers.get("HX-Target", "")
        address = address.encode()
        key = f"page:{current_version()}:{hashlib.sha256(address).hexdigest()}"
        cached = cache.get(key)
        if cached is not None:
            content, status, headers = cached
            response = HttpResponse(content, status=status)
            for header, value in headers:
                response[header] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._cacheable(response):
            cache.set(
                key,
                (response.content, response.status_code, list(response.items())),
                seconds,
            )
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable(response):
        control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in control
            and "no-store" not in control
            and response.get("Content-Type", "").startswith(CACHEABLE_TYPES)
        )


def connect_invalidation():
    from wagtail.models import Page, PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from django.db.models.signals import post_delete, post_save

    from practices.models import VOCABULARY_MODELS

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(bump_version, dispatch_uid=f"page-cache-{signal}")
    post_delete.connect(bump_version, sender=Page, dispatch_uid="page-cache-delete")
    for model in [*VOCABULARY_MODELS, PageViewRestriction]:
        post_save.connect(bump_version, sender=model)
        post_delete.connect(bump_version, sender=model)
