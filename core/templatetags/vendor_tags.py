"""Static files that `make` fetches from npm and nobody commits
(static/vendor/): a page links them only when they are there, so a machine
without npm serves a working page instead of a broken link, and the
manifest storage of production never meets a name it does not know."""

import functools

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static

register = template.Library()


@functools.cache
def vendored(path):
    """The URL of static file `path` when `make` fetched it, else ""."""
    return static(path) if finders.find(path) else ""


@register.simple_tag
def vendor_static(path):
    return vendored(path)
