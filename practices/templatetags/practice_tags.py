from urllib.parse import urlencode

from django import template
from django.urls import reverse

from core.cache import once_per_request

register = template.Library()


@register.simple_tag
def facet_url(key, value):
    """The search page with one facet value selected (/zoeken/?provincie=limburg).

    A practice page links a dozen values: the search page's address is
    reversed once per request (a full `reverse()` each time was a tenth of
    drawing the page's facts), and the query is encoded as QueryDict would
    (quote_plus of the UTF-8 text)."""
    base = once_per_request("facet_url:search", lambda: reverse("search"))
    return f"{base}?{urlencode({key: str(value)})}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
