"""Absolute links to the site, from one configured base URL.

Every absolute link the site hands out outside a page (emails, the Atom
feed, the sitemap, allauth's account emails) starts with
WAGTAILADMIN_BASE_URL (the SITE_URL environment variable), never with the
Host header of the request that happened to cause it: a forged or odd Host
header must not end up in an email, and a link stays the same whichever
address a visitor used.

One exception, for what a response lists about the site it comes from (the
sitemap, the feed, robots.txt): inside `links_for(request)`, a site that has
no SITE_URL configured (settings.SITE_URL empty: development without `make
run`) links to the host the request came in on, which ALLOWED_HOSTS has
checked, rather than to a default address it may not be served on. Never
the hostname of Wagtail's Site record ("localhost" in the demo).
"""

import contextlib
import contextvars
from urllib.parse import urlsplit

from django.conf import settings

# The base URL of the response being built (links_for), or None.
_answering = contextvars.ContextVar("site_url_answering", default=None)


def base_url():
    """The configured base URL, without a trailing slash (see the module's
    docstring for `links_for`)."""
    answering = _answering.get()
    if answering is not None:
        return answering
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


@contextlib.contextmanager
def links_for(request):
    """Inside: links for the response to `request` itself, on SITE_URL when
    it is configured, else on the scheme and host of the request."""
    answering = None
    if not settings.SITE_URL:
        answering = f"{request.scheme}://{request.get_host()}"
    token = _answering.set(answering)
    try:
        yield
    finally:
        _answering.reset(token)


def site_url(path="/"):
    """A site path (or a URL of this site) as a full URL on the base URL.

    A full URL keeps only its path, query and fragment: whatever host it was
    built with, the link points at the configured site.
    """
    bits = urlsplit(str(path))
    rest = bits.path or "/"
    if not rest.startswith("/"):
        rest = "/" + rest
    if bits.query:
        rest += "?" + bits.query
    if bits.fragment:
        rest += "#" + bits.fragment
    return base_url() + rest


def site_domain():
    """The host (and port) of the base URL, as shown in email footers."""
    return urlsplit(base_url()).netloc
