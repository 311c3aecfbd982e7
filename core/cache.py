"""A shared cache of anonymous pages and page parts, rebuilt when what they
show changes, and nothing else.

Most visitors read without logging in, so their pages are the same for
everyone and can be served from the cache (Redis in production, so every
worker shares it). Requests with a session cookie, the admin and health
checks always go through, and so do requests with a flash message waiting in
its cookie.

A cached page or part is kept with the versions of the named objects it
showed, and served only while they are unchanged. A view or template tag
calls `depends_on(name, ...)` before it reads what a name stands for; a
change calls `bump_on_commit(name, ...)`, which gives the names new versions
once the transaction commits (never before: a page built in between would
show the old data under the new version). The names:

- `page_name(pk)`: one page's own content; publishing, unpublishing, moving
  or deleting it, or a change that does not publish (its "last reviewed"
  date), bumps it;
- `model_name(model)`: every row of a model at once: any list of practices
  (`PracticePage`), a vocabulary's labels (`Theme`), the collections;
- `SITE`: the site's structure (its Site records, and the pages directly
  below a site's root, which the menus, the breadcrumbs and every address
  below them show). Every cached page and part depends on it; it changes
  only when an editor changes that structure;
- others, named by their owners: the search index per kind and per
  document (search.service), the community's questions and lists
  (community.caching).

So publishing one practice rebuilds its own page and the lists of
practices, a community post its question and its practice, and no change
empties the whole cache (a restore clears it).
"""

import contextlib
import contextvars
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

BYPASS_PREFIXES = ("/admin/", "/django-admin/", "/health/", "/documenten/", "/static/")
CACHEABLE_TYPES = ("text/html", "application/json", "text/csv", "application/atom+xml")
DEPENDENCY_PREFIX = "page-cache-dep:"
SITE = "site"

# What one request has read from the shared cache already (versions, facet
# labels, the menus): each is asked for once per request, not once per
# template part, which matters when the cache is Redis across the network.
_request_memo = contextvars.ContextVar("kb_request_memo", default=None)
# The object versions (cache key -> version) the current page depends on.
_request_dependencies = contextvars.ContextVar("kb_request_dependencies", default=None)
# The same for each {% fragment %} being drawn, innermost last.
_fragment_dependencies = contextvars.ContextVar("kb_fragment_dependencies", default=())


def request_memo():
    """A dict that lives as long as the current request, or None outside one."""
    return _request_memo.get()


@contextlib.contextmanager
def one_request():
    """Work outside a request (a command, a task, a benchmark's timing)
    done as one request: what once_per_request loads inside it is loaded
    once. Inside a request, the request's own memo goes on."""
    if _request_memo.get() is not None:
        yield
        return
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def once_per_request(key, load):
    """`load()`, called at most once per request for `key` (every time
    outside a request)."""
    memo = _request_memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


# Names -----------------------------------------------------------------------


def page_name(pk):
    """One page's own content (see the module docstring)."""
    return f"page:{pk}"


def model_name(model):
    """Every row of `model` at once: its lists, counts and labels."""
    return f"model:{model._meta.label_lower}"


def _dependency_key(name):
    return DEPENDENCY_PREFIX + name


def _new_version():
    return secrets.token_hex(8)


def versions(*names):
    """{name: current version} of these named objects; the page or part
    being built depends on them. Call it before reading what the names stand
    for, so a change committed in between makes what is stored stale rather
    than hiding. A version is read once per request."""
    keys = {name: _dependency_key(name) for name in names}
    memo = _request_memo.get()
    found = {} if memo is None else {k: memo[k] for k in keys.values() if k in memo}
    wanted = [key for key in keys.values() if key not in found]
    if wanted:
        fetched = cache.get_many(wanted)
        missing = {key: _new_version() for key in wanted if key not in fetched}
        if missing:
            # Never seen, or evicted: a fresh version makes older pages stale.
            cache.set_many(missing, None)
            fetched.update(missing)
        found.update(fetched)
        if memo is not None:
            memo.update(fetched)
    _record({key: found[key] for key in keys.values()})
    return {name: found[key] for name, key in keys.items()}


@contextlib.contextmanager
def not_depending():
    """Read inside this block without the page or part being built
    depending on what is read: for what it depends on through another name
    already (practices.similar names a practice's own facet values, whose
    renaming changes the practice's page version)."""
    request = _request_dependencies.set(None)
    fragments = _fragment_dependencies.set(())
    try:
        yield
    finally:
        _fragment_dependencies.reset(fragments)
        _request_dependencies.reset(request)


def depends_on(*names):
    """The current versions of these named objects as one string, to fold
    into a cache key (see `versions`)."""
    return "-".join(versions(*names).values())


def _record(seen):
    """Note versions read (cache key -> version) for the page being built and
    for every part being drawn."""
    recorded = _request_dependencies.get()
    targets = [
        *([recorded] if recorded is not None else []),
        *_fragment_dependencies.get(),
    ]
    for target in targets:
        for key, version in seen.items():
            target.setdefault(key, version)


def bump(*names):
    """Make the pages and parts that depend on these objects stale."""
    names = [name for name in dict.fromkeys(names) if name]
    if names:
        cache.set_many({_dependency_key(name): _new_version() for name in names}, None)
        memo = _request_memo.get()
        if memo is not None:  # what this request read may be what just changed
            for name in names:
                memo.pop(_dependency_key(name), None)
                memo.pop(_remembered_key(name), None)


class _Bump:
    """The callback `bump_on_commit` leaves with the transaction; `changing`
    looks for it."""

    def __init__(self, names):
        self.names = names
        self.done = False

    def __call__(self):
        self.done = True
        bump(*self.names)


def bump_on_commit(*names):
    """`bump(*names)` once the current transaction commits (at once outside
    one); nothing when it rolls back."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(_Bump(names))


def bump_after_migration(*names):
    """For a data migration: `bump(*names)` once its transaction commits, and
    nothing when there is no cache to tell yet. Without Redis the cache is a
    table that `createcachetable` makes after `migrate`, and a cache that
    cannot be reached holds nothing stale either: the migration goes on."""

    def bump_if_cached():
        try:
            bump(*names)
        except Exception:
            logger.info("No cache to tell of %s yet", ", ".join(names))

    transaction.on_commit(bump_if_cached)


def changing(*names):
    """Whether this connection changed one of these objects in a transaction
    that has not committed yet (a bump is waiting for the commit). What is
    read then may be rolled back: it is shown, never stored. (Django keeps
    the callbacks of the open transaction in `run_on_commit` and drops those
    of a rolled-back savepoint.)"""
    waiting = transaction.get_connection().run_on_commit
    return any(
        isinstance(callback, _Bump)
        and not callback.done
        and any(name in callback.names for name in names)
        for _savepoints, callback, *_robust in waiting
    )


_MISSING = object()
REMEMBERED_SECONDS = 24 * 60 * 60


def _remembered_key(name):
    return f"remembered:{name}"


def remembered(name, load):
    """`load()`, kept until `name` is bumped: for what many requests ask and
    few changes alter (which sections are hidden, say). Reading it does not
    make the page being built depend on `name`. Worked out afresh, and not
    kept, while this connection's open transaction changes `name`."""

    def fetch():
        key = _dependency_key(name)
        version = cache.get(key)
        if version is None:  # never seen, or evicted
            cache.add(key, _new_version(), None)
            version = cache.get(key)
        store = f"{_remembered_key(name)}:{version}"
        value = cache.get(store, _MISSING)
        if value is _MISSING:
            value = load()
            cache.set(store, value, REMEMBERED_SECONDS)
        return value

    if changing(name):
        return load()
    return once_per_request(_remembered_key(name), fetch)


class Latest:
    """This process's copy of one thing at its latest version (a version
    string, index tokens, a cache key): what every request reads and few
    changes alter, used without unpickling it from the shared cache or
    reading it from the database again. Only the latest version is kept;
    two threads meeting a new version may both load it."""

    def __init__(self):
        self._entry = None  # (version, value), replaced in one assignment

    def get(self, version, load):
        entry = self._entry
        if entry is not None and entry[0] == version:
            return entry[1]
        value = load()
        self._entry = (version, value)
        return value


def _still_fresh(dependencies, current=None):
    if not dependencies:
        return True
    if current is None:
        current = cache.get_many(list(dependencies))
    return all(current.get(key) == version for key, version in dependencies.items())


def _changing_keys(dependencies):
    prefix = len(DEPENDENCY_PREFIX)
    return changing(*(key[prefix:] for key in dependencies))


# Page parts ------------------------------------------------------------------

FRAGMENT_SECONDS = 600


def fragment_cache_key(key):
    """Where a {% fragment %} part (core/templatetags/fragment_tags.py) is kept."""
    return f"fragment:{get_language()}:{key}"


@dataclass
class Fragment:
    """A part of a page: its key ("" for a part never kept, such as in a
    preview), the names it depends on besides what it reads while it is
    drawn, and its HTML when `prepare_fragments` found it fresh."""

    key: str
    names: tuple = ()
    html: str | None = None
    prepared: bool = False


def prepare_fragments(parts, names=()):
    """{name: Fragment} for the parts {name: key} of one page, each with its
    cached HTML when that is still fresh: two round trips for all of them
    (the parts, then the versions they were drawn with). `names` are what
    every part depends on (the page's own version, say); what a part reads
    while it is drawn (core.cache.depends_on) is added to it."""
    names = tuple(names)
    keys = {part: fragment_cache_key(key) for part, key in parts.items() if key}
    found = cache.get_many(list(keys.values())) if keys else {}
    entries = {
        part: found[key]
        for part, key in keys.items()
        if isinstance(found.get(key), tuple) and len(found[key]) == 2
    }
    dependencies = {dep for _html, deps in entries.values() for dep in deps}
    current = cache.get_many(list(dependencies)) if dependencies else {}
    prepared = {}
    for part, key in parts.items():
        fragment = Fragment(key, names, prepared=True)
        entry = entries.get(part)
        if entry is not None and _usable(entry[1], current):
            _record(entry[1])
            fragment.html = entry[0]
        prepared[part] = fragment
    return prepared


def _usable(dependencies, current=None):
    return _still_fresh(dependencies, current) and not _changing_keys(dependencies)


def cached_fragment(fragment, render):
    """The HTML of a part: from the cache while what it showed is unchanged,
    else `render()`, kept with the versions of what it read. `fragment` is
    a Fragment or a key."""
    if not isinstance(fragment, Fragment):
        fragment = Fragment(fragment or "")
    if not fragment.key:
        return render()
    if fragment.html is not None:
        return fragment.html
    cache_key = fragment_cache_key(fragment.key)
    if not fragment.prepared:
        entry = cache.get(cache_key)
        if isinstance(entry, tuple) and len(entry) == 2 and _usable(entry[1]):
            _record(entry[1])
            return entry[0]
    dependencies = {}
    token = _fragment_dependencies.set((*_fragment_dependencies.get(), dependencies))
    try:
        versions(SITE, *fragment.names)
        html = render()
    finally:
        _fragment_dependencies.reset(token)
    if not _changing_keys(dependencies):
        cache.set(cache_key, (html, dependencies), FRAGMENT_SECONDS)
    return html


# Rate limits -----------------------------------------------------------------


def within_rate(key, limit, seconds, now=None):
    """Count one action under `key` and say whether it stays within `limit`
    per `seconds`, in a sliding window (the times of the last `limit`
    actions, kept in the shared cache): no burst at a minute boundary, and
    refused actions are not counted. A lost entry (eviction) allows again."""
    now = time.time() if now is None else now
    key = "rate:" + key
    recent = [t for t in cache.get(key) or () if now - t < seconds]
    if len(recent) >= limit:
        return False
    recent.append(now)
    cache.set(key, recent[-limit:], int(seconds) + 1)
    return True


# The page cache --------------------------------------------------------------


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
        key = "page:" + hashlib.sha256(address.encode()).hexdigest()
        cached = cache.get(key)
        # (content, status, headers, {dependency key: version seen})
        if cached is not None and len(cached) == 4 and _still_fresh(cached[3]):
            content, status, headers, _dependencies = cached
            response = HttpResponse(content, status=status)
            for header, value in headers:
                response[header] = value
            response["X-Page-Cache"] = "hit"
            return response
        versions(SITE)  # every page shows the site's structure
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
