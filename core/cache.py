"""A shared cache of anonymous pages, rebuilt when what they show changes.

Most visitors read without logging in, so their pages are the same for
everyone and can be served from the cache (Redis in production, so every
worker shares it). Requests with a session cookie, the admin and health
checks always go through, and so do requests with a flash message waiting in
its cookie.

Two kinds of versions keep a cached page fresh:

- One global version, part of every key: publishing, unpublishing, moving or
  deleting a page and changing a taxonomy bump it (`bump_version`), and the
  next request builds every page afresh.
- Versions per object, named by their owner ("community-question:12"). A
  view calls `depends_on(name, ...)` before it reads what the name stands
  for; the page is stored with the versions it saw, and served only while
  they are unchanged. `bump(name, ...)` (after the commit, see
  `bump_on_commit`) makes just those pages stale. The community uses these,
  so a member's action never empties the whole cache.
"""

import contextvars
import hashlib
import secrets

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
# The object versions (cache key -> version) the current page depends on.
_request_dependencies = contextvars.ContextVar("kb_request_dependencies", default=None)
DEPENDENCY_PREFIX = "page-cache-dep:"


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
    """Where a {% fragment %} part (core/templatetags/fragment_tags.py) is kept."""
    return f"fragment:{get_language()}:{key}"


def prefetch_fragments(keys):
    """The cached parts of a page in one round trip, for the view to put in
    its context as `prefetched_fragments` (a part not found is drawn)."""
    wanted = [fragment_cache_key(key) for key in keys if key]
    return cache.get_many(wanted) if wanted else {}


def bump_version(*args, **kwargs):
    """Invalidate every cached page (a signal receiver). For publishing and
    taxonomy changes only: community actions bump their objects (`bump`)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()  # what this request read may be what just changed


def _dependency_key(name):
    return DEPENDENCY_PREFIX + name


def _new_version():
    return secrets.token_hex(8)


def depends_on(*names):
    """The current versions of these named objects, as one string to fold
    into a fragment key; the page being built is cached only while they stay
    the same. Call it before reading what the names stand for, so a change
    committed in between makes the stored page stale rather than hiding."""
    keys = [_dependency_key(name) for name in names]
    versions = cache.get_many(keys)
    missing = {key: _new_version() for key in keys if key not in versions}
    if missing:
        # Never seen, or evicted: a fresh version makes older pages stale.
        cache.set_many(missing, None)
        versions.update(missing)
    recorded = _request_dependencies.get()
    if recorded is not None:
        for key in keys:
            recorded.setdefault(key, versions[key])
    return "-".join(versions[key] for key in keys)


def page_name(pk):
    """The per-object version of one page's own content, for a change that
    does not publish (a practice confirmed as still current)."""
    return f"page:{pk}"


def bump(*names):
    """Make the pages and fragments that depend on these objects stale."""
    names = [name for name in dict.fromkeys(names) if name]
    if names:
        cache.set_many({_dependency_key(name): _new_version() for name in names}, None)


def bump_on_commit(*names):
    """`bump(*names)` once the current transaction commits (never before:
    a page built in between would show the old data under the new version)."""
    from django.db import transaction

    names = list(names)
    if names:
        transaction.on_commit(lambda: bump(*names))


def within_rate(key, limit, seconds, now=None):
    """Count one action under `key` and say whether it stays within `limit`
    per `seconds`, in a sliding window (the times of the last `limit`
    actions, kept in the shared cache): no burst at a minute boundary, and
    refused actions are not counted. A lost entry (eviction) allows again."""
    import time

    now = time.time() if now is None else now
    key = "rate:" + key
    recent = [t for t in cache.get(key) or () if now - t < seconds]
    if len(recent) >= limit:
        return False
    recent.append(now)
    cache.set(key, recent[-limit:], int(seconds) + 1)
    return True


def _still_fresh(dependencies):
    if not dependencies:
        return True
    current = cache.get_many(list(dependencies))
    return all(current.get(key) == version for key, version in dependencies.items())


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        dependencies = _request_dependencies.set({})
        try:
            return self.respond(request)
        finally:
            _request_dependencies.reset(dependencies)
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
            # htmx asks the same URL for a part of the page (explore/views.py):
            # never serve a part for a whole page, nor the other way round.
            address += "|htmx:" + request.headers.get("HX-Target", "")
        address = address.encode()
        key = f"page:{current_version()}:{hashlib.sha256(address).hexdigest()}"
        cached = cache.get(key)
        # (content, status, headers, {dependency key: version seen})
        if cached is not None and len(cached) == 4 and _still_fresh(cached[3]):
            content, status, headers, _dependencies = cached
            response = HttpResponse(content, status=status)
            for header, value in headers:
                response[header] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._cacheable(response):
            cache.set(
                key,
                (
                    response.content,
                    response.status_code,
                    list(response.items()),
                    _request_dependencies.get(),
                ),
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
