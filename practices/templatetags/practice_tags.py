from urllib.parse import urlencode

from wagtail.rich_text import expand_db_html

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.cache import once_per_request, remembered

from ..caching import PRACTICE_LISTS
from ..models import Adoption, PracticePage

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


@register.filter
def story_html(html):
    """A story section's rich text as Wagtail's |richtext shows it (its
    links and images expanded), without drawing Wagtail's one-line template
    (wagtailcore/shared/richtext.html, `{{ html|safe }}`, not overridden
    here) for each of a practice's seven sections: that template cost as
    much as expanding the text."""
    return mark_safe(expand_db_html(html or ""))


# Facets whose values are places: their tags look like places.
PLACE_FACETS = ("provincie", "zorgkantoorregio")


@register.simple_tag
def practice_facts(page):
    """The practice's facet values as its "At a glance" list shows them:
    [(facet label, [(address, value label, whether a place), ...]), ...],
    a care office region linking to its region page and every other value
    to the search for it. Worked out here rather than by template tags per
    value: a page drawn for the first time shows a dozen values, and the
    template's tests and tags per value were a tenth of drawing its facts."""
    facts = []
    for facet, values in page.facet_values():
        place = facet.key in PLACE_FACETS
        if facet.key == "zorgkantoorregio":
            links = [
                (reverse("region", args=[value]), label) for value, label in values
            ]
        else:
            links = [(facet_url(facet.key, value), label) for value, label in values]
        facts.append(
            (str(facet.label), [(href, label, place) for href, label in links])
        )
    return facts


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def practice_adoptions(page):
    """Where the practice has been taken up, as its page shows it: the
    confirmed adoptions grouped by province (in the provinces' order), their
    count per province for the map, and the practices it grew from or that
    grew from it ("Gebaseerd op", "Hierop gebaseerd") a visitor can see."""
    reachable = PracticePage.objects.reachable()
    # Most practices have neither: their part of the page asks nothing more.
    adopted, grown_from = remembered(PRACTICE_LISTS, _adopted_and_grown_from)
    adoptions = []
    if page.pk in adopted:
        adoptions = list(
            page.adoptions.confirmed()
            .select_related("region__province", "own_practice")
            .order_by("region__province__sort_order", "region__name", "organisation")
        )
    own = {adoption.own_practice_id for adoption in adoptions} - {None}
    shown = set(reachable.filter(pk__in=own).values_list("pk", flat=True))
    groups = {}
    for adoption in adoptions:
        adoption.own_practice_shown = adoption.own_practice_id in shown
        groups.setdefault(adoption.region.province, []).append(adoption)
    return {
        "count": len(adoptions),
        "groups": list(groups.items()),
        "counts": {province.slug: len(items) for province, items in groups.items()},
        "based_on": (
            reachable.filter(pk=page.based_on_id).specific().first()
            if page.based_on_id
            else None
        ),
        "derived": (
            list(reachable.filter(based_on=page.pk).order_by("title").only("title"))
            if page.pk in grown_from
            else []
        ),
    }


def _adopted_and_grown_from():
    """The practices with a confirmed adoption, and those another practice
    (live or not, shown or not) says it is based on: kept until a practice
    is published, moved, restricted or reindexed (which a confirmed adoption
    appearing, changing or going does, community.adoptions)."""
    adopted = Adoption.objects.confirmed().values_list("practice_id", flat=True)
    grown_from = PracticePage.objects.filter(based_on__isnull=False).values_list(
        "based_on_id", flat=True
    )
    return frozenset(adopted), frozenset(grown_from)
