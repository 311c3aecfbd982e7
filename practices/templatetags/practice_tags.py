from wagtail.models import Site

from django import template
from django.http import QueryDict

from practices.models import PracticeIndexPage

register = template.Library()


def practice_index_url(request):
    """The URL of the site's practice listing, looked up once per request."""
    if not hasattr(request, "_practice_index_url"):
        site = Site.find_for_request(request)
        index = (
            PracticeIndexPage.objects.live().descendant_of(site.root_page).first()
            if site
            else None
        )
        request._practice_index_url = index.get_url(request) if index else None
    return request._practice_index_url


@register.simple_tag(takes_context=True)
def facet_url(context, key, value):
    """Link to the practices that share one facet value, e.g. ?provincie=limburg."""
    base = practice_index_url(context["request"])
    if base is None:
        return ""
    query = QueryDict(mutable=True)
    query[key] = value
    return f"{base}?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
