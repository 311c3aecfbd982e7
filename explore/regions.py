"""Pages per zorgkantoorregio.

Zorgkantoren and their partners plan care per zorgkantoorregio: each region
makes a regiobeeld (the shared picture of demand and supply) and a regioplan.
`/regio/` lists the regions by province; `/regio/<slug>/` shows one region's
practices (through the search contract, so they match what search and the
map count), its regiobeeld and regioplan, and the community's open questions
about its practices.
"""

from itertools import groupby

from wagtail.images import get_image_model

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from community.authors import with_author_badges
from community.caching import depend_on_listings
from community.models import Question
from practices.models import CareOfficeRegion, PracticePage, practices_with_card_data
from search.query import MAX_RESULT_WINDOW, SearchQuery
from search.service import search

from .views import CARD_IMAGE_SPEC

PAGE_SIZE = 12
OPEN_QUESTIONS_SHOWN = 5


def region_index(request):
    """Every region grouped by province, with how many practices it has."""
    regions = CareOfficeRegion.objects.select_related("province").order_by(
        "province__sort_order", "province__name", "name"
    )
    counts = _region_counts()
    groups = []
    for province, members in groupby(regions, key=lambda region: region.province):
        members = list(members)
        for region in members:
            region.practice_count = counts.get(region.slug, 0)
        groups.append({"province": province, "regions": members})
    return render(request, "practices/region_index.html", {"groups": groups})


def _region_counts():
    """Practices per region, as search counts them (one browse search)."""
    results = search(SearchQuery(page_size=1))
    return {
        value.value: value.count for value in results.facet("zorgkantoorregio").values
    }


def region_detail(request, slug):
    region = get_object_or_404(
        CareOfficeRegion.objects.select_related(
            "province", "regiobeeld_document", "regioplan_document"
        ),
        slug=slug,
    )
    results = _region_practices(region, _page_number(request.GET.get("pagina")))
    if results.page_out_of_range and results.total:
        # A stale or edited link: show the last page rather than nothing.
        results = _region_practices(region, results.num_pages)
    # The paginator only numbers the pages; the hits come from the search.
    page_obj = Paginator(range(results.total), PAGE_SIZE).get_page(results.query.page)
    return render(
        request,
        "practices/region_page.html",
        {
            "region": region,
            "results": results,
            "page_obj": page_obj,
            "practices": _cards(results.hits),
            "sources": _sources(region),
            "open_questions": _open_questions(region),
        },
    )


def _page_number(raw):
    """A page number from the URL; anything else is the first page."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_RESULT_WINDOW // PAGE_SIZE)


def _region_practices(region, page):
    return search(
        SearchQuery(
            filters={"zorgkantoorregio": [region.slug]},
            sort="newest",
            page=page,
            page_size=PAGE_SIZE,
        )
    )


def _cards(hits):
    """The pages behind the hits, in the hits' order, with what a card shows.

    A hit whose page went offline since it was indexed is left out.
    """
    ids = [hit.id for hit in hits if hit.kind == "practice"]
    if not ids:
        return []
    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(filter_spec=CARD_IMAGE_SPEC)
    )
    pages = practices_with_card_data(
        PracticePage.objects.reachable().filter(pk__in=ids)
    ).prefetch_related(Prefetch("hero_image__renditions", queryset=renditions))
    by_id = {page.pk: page for page in pages}
    return [by_id[pk] for pk in ids if pk in by_id]


def _sources(region):
    """The regiobeeld and regioplan: a document uploaded here, a link to
    where the region publishes it, both, or neither (yet)."""
    return [
        {
            "key": "regiobeeld",
            "label": _("Regiobeeld"),
            "explanation": _(
                "The region's shared picture of the demand for care and the care "
                "on offer, now and in the coming years."
            ),
            "document": region.regiobeeld_document,
            "url": region.regiobeeld_url,
        },
        {
            "key": "regioplan",
            "label": _("Regioplan"),
            "explanation": _(
                "What the parties in the region agreed to do about what the "
                "regiobeeld shows."
            ),
            "document": region.regioplan_document,
            "url": region.regioplan_url,
        },
    ]


def _open_questions(region):
    """Visible, unresolved questions about practices of this region that a
    visitor can see, most recent activity first."""
    depend_on_listings()  # the cached page shows questions: rebuilt with them
    about_region = Question.objects.filter(
        practices__in=PracticePage.objects.reachable().filter(
            care_office_regions=region
        )
    ).values("pk")
    questions = Question.objects.public().filter(
        pk__in=about_region, accepted_answer__isnull=True, is_locked=False
    )
    return list(
        with_author_badges(questions).order_by("-last_activity_at", "-pk")[
            :OPEN_QUESTIONS_SHOWN
        ]
    )
