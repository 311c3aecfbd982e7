"""Old search links keep working after a merge.

A theme or organisation merged into another leaves a SlugRedirect. A search
or API request that names such a slug in `thema` or `organisatie` answers
301 with the same URL, the slug replaced. Values that exist are never looked
up, so ordinary requests cost no query (the facet labels come from the
cache); nor are values that are no slug at all.
"""

from django.core.validators import slug_re
from django.http import HttpResponsePermanentRedirect, QueryDict

from practices.facets import FACETS

from .models import SlugRedirect

REDIRECTED_FACETS = [
    facet for facet in FACETS if facet.key in set(SlugRedirect.Facet.values)
]


def merged_slug_redirect(request):
    """A 301 to the same URL with merged slugs replaced, or None."""
    unknown = {}
    for facet in REDIRECTED_FACETS:
        values = [value for value in request.GET.getlist(facet.key) if value]
        if not values:
            continue
        known = facet.spec.labels_for(values)
        # Only a slug can have been merged; anything else (a NUL byte, which
        # PostgreSQL refuses in a query, say) is simply unknown.
        missing = [
            value for value in values if value not in known and slug_re.match(value)
        ]
        if missing:
            unknown[facet.key] = missing
    if not unknown:
        return None
    replacements = {}
    for facet_key, slugs in unknown.items():
        for redirect in SlugRedirect.objects.filter(
            facet=facet_key, old_slug__in=slugs
        ):
            replacements[(facet_key, redirect.old_slug)] = redirect.new_slug
    if not replacements:
        return None
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        new_values = [replacements.get((key, value), value) for value in values]
        params.setlist(key, list(dict.fromkeys(new_values)))
    query = params.urlencode()
    return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
