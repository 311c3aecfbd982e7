from django import template
from django.http import QueryDict
from django.urls import reverse

register = template.Library()


@register.simple_tag
def facet_url(key, value):
    """The search page with one facet value selected (/zoeken/?provincie=limburg)."""
    query = QueryDict(mutable=True)
    query[key] = value
    return f"{reverse('search')}?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
