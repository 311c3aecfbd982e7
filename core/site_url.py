"""Absolute links to the site, from one configured base URL.

Every absolute link the site hands out outside a page (emails, the Atom
feed, the sitemap, allauth's account emails) starts with
WAGTAILADMIN_BASE_URL (the SITE_URL environment variable), never with the
Host header of the request that happened to cause it: a forged or odd Host
header must not end up in an email, and a link stays the same whichever
address a visitor used.
"""

from urllib.parse import urlsplit

from django.conf import settings


def base_url():
    """The configured base URL, without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


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
