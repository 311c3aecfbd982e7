"""The search page, the JSON API and the Atom feed (the CSV and XLSX files
are in explore.exports).

All of them read the same parameters (search.query.parse_params) and answer
through the same contract (search.service.search), whatever the backend.
"""

import functools
import hashlib
import heapq
import unicodedata
from urllib.parse import urlsplit

from wagtail.images import get_image_model

from django.contrib.staticfiles import finders
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from community.caching import depend_on_listings
from core.cache import Latest, depends_on
from core.site_url import links_for, site_url
from editorial.redirects import merged_slug_redirect
from practices.facets import FACETS, FACETS_BY_KEY
from practices.models import Adoption, PracticeOrganisation, PracticePage
from search.query import MAX_RESULT_WINDOW, SORTS, ParamError, SearchQuery, parse_params
from search.service import index_name, search
from search.synonyms import SYNONYMS

from .middleware import RESULTS_HEADER

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.nl",
}
API_FACETS = [facet.key for facet in FACETS]
# The filters on the search page in the order people narrow a search by: how
# far a practice is, what it is about, where, for whom, who runs it; the long
# lists last. A facet missing here comes after these.
FILTER_ORDER = (
    "fase",
    "niveau",
    "thema",
    "provincie",
    "zorgkantoorregio",
    "doelgroep",
    "beweging",
    "overgenomen",
    "organisatietype",
    "organisatie",
)
# Filters whose values are listed in their own order (a phase's course from
# idea to stopped, the maturity ladder from local initiative up), not by how
# many practices have them.
IN_OWN_ORDER = ("fase", "niveau")
# Facets a practice has at most one value of: the API gives it as a string
# (or null), not a list.
SINGLE_VALUED = ("fase", "niveau")
# A filter with more values than this gets a box to find a value in, and a
# list of its own height that scrolls instead of growing the page (hundreds
# of organisations); its chosen values stay above that list.
LONG_FILTER = 12
# Places and organisations a result card names before "and N more".
CARD_NAMES_SHOWN = 2
# The size of a result card's image: that of includes/practice_card.html, so
# one rendition serves both.
CARD_IMAGE_SPEC = "fill-480x270"
# Ten compact results: a page of them reads in about two screens at 1280 px.
SEARCH_PAGE_SIZE = 10
COMMUNITY_BLOCK_SECONDS = 300
# The element that htmx swaps on the search page (the results; the filters
# beside them are swapped out of band), and the form every filter is in.
SEARCH_REGION_ID = "search-region"
SEARCH_FORM_ID = "search-form"
HTMX_STATIC_PATH = "vendor/htmx.min.js"  # fetched by `make htmx`, not committed
SUGGESTIONS_LIMIT = 8
SUGGESTIONS_MIN_LENGTH = 2
SUGGESTIONS_SECONDS = 300


@functools.cache
def htmx_available():
    """Whether `make htmx` fetched htmx: without it the page loads no script
    that is not there, and works with full page loads."""
    return finders.find(HTMX_STATIC_PATH) is not None


def query_string(query, **changes):
    """The URL parameters that reproduce `query`, with some parts changed."""
    state = {
        "q": query.text,
        "filters": query.filters,
        "sort": query.sort,
        "page": query.page,
        **changes,
    }
    params = QueryDict(mutable=True)
    if state["q"]:
        params["q"] = state["q"]
    for key, values in state["filters"].items():
        params.setlist(key, values)
    if state["sort"]:
        params["sort"] = state["sort"]
    if state["page"] and state["page"] > 1:
        params["page"] = str(state["page"])
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _without(filters, key, value):
    remaining = {
        k: [v for v in values if not (k == key and v == value)]
        for k, values in filters.items()
    }
    return {k: values for k, values in remaining.items() if values}


def search_page(request):
    if redirect := merged_slug_redirect(request):  # a merged thema/organisatie
        return redirect
    query, errors = parse_params(request.GET, default_page_size=SEARCH_PAGE_SIZE)
    results = search(query)
    if results.page_out_of_range and results.total:
        errors.append(
            ParamError(
                "page",
                str(query.page),
                _("This page does not exist; there are %(count)d pages.")
                % {"count": results.num_pages},
            )
        )
    facet_groups = _facet_groups(results)
    chips = [
        {
            "facet": group["facet"],
            "value": value,
            "url": query_string(
                query,
                filters=_without(query.filters, group["facet"].key, value.value),
                page=1,
            ),
        }
        for group in facet_groups
        for value in group["facet"].selected_values
    ]
    pages = _page_links(query, results)
    context = {
        "community_questions": _community_questions(query),
        "query": query,
        "results": results,
        "cards": _result_cards(results.hits),
        "errors": errors,
        "facet_groups": facet_groups,
        "chips": chips,
        "clear_url": query_string(query, filters={}, page=1),
        "suggestion_url": reverse("search")
        + query_string(query, q=results.suggestion, page=1)
        if results.suggestion
        else None,
        "sorts": SORTS,
        "pages": pages,
        "api_query": query_string(query, page=1).rstrip("?"),
        "province_counts": results.facet("provincie"),
        "search_region_id": SEARCH_REGION_ID,
        "search_form_id": SEARCH_FORM_ID,
        "htmx_available": htmx_available(),
    }
    # htmx asks for the region only (filters, sort, paging); everything
    # else, a history restore included, gets the whole page. Both come from
    # the same templates; the page cache keys on these headers too.
    partial = bool(request.htmx) and request.htmx.target == SEARCH_REGION_ID
    template = "search/search_region.html" if partial else "search/search_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    if query.text:  # counted by explore.middleware, from the cache too
        response[RESULTS_HEADER] = str(results.total)
    return response


def _facet_groups(results):
    """The filters the page offers, in FILTER_ORDER, each with the values to
    list (by count, or IN_OWN_ORDER): a long one its chosen values apart
    (they stay in sight above the list that scrolls), a short one every value
    where it is. A facet no practice has a value of is left out. Open: one
    with a chosen value."""
    rank = {key: position for position, key in enumerate(FILTER_ORDER)}
    facets = sorted(results.facets, key=lambda facet: rank.get(facet.key, len(rank)))
    groups = []
    for facet in facets:
        values = facet.values
        if not values:
            continue
        if facet.key in IN_OWN_ORDER:
            order = list(FACETS_BY_KEY[facet.key].labels())
            values = sorted(values, key=lambda v: order.index(v.value))
        chosen = [value for value in values if value.selected]
        long = len(values) > LONG_FILTER
        groups.append(
            {
                "facet": facet,
                "long": long,
                "chosen": chosen if long else [],
                "values": [v for v in values if not v.selected] if long else values,
                "chosen_count": len(chosen),
                "open": bool(chosen),
            }
        )
    return groups


def _names(names):
    """(the first CARD_NAMES_SHOWN names, how many more there are)."""
    return names[:CARD_NAMES_SHOWN], max(0, len(names) - CARD_NAMES_SHOWN)


def card_facts(*, phase, places, organisations, start_year, level=None):
    """What a practice card says about the practice besides its title and
    summary, the same on a search result (from the index) and on a listed
    page (includes/card_facts.html): its phase and its level (None when the
    redactie has not assessed it) as (value, label), where
    (care office regions, else provinces), the organisations that took the
    initiative and the year it started."""
    places, more_places = _names(places)
    organisations, more_organisations = _names(organisations)
    return {
        "phase": phase,
        "level": level,
        "places": places,
        "more_places": more_places,
        "organisations": organisations,
        "more_organisations": more_organisations,
        "start_year": start_year,
    }


def _result_cards(hits):
    """Each hit with what its card shows. The phase and the places are the
    facet values the hit carries; the start year, the image
    and which organisations took the initiative come from the practices, in
    three queries for the whole page (none per card)."""
    details = _card_details([hit.id for hit in hits if hit.kind == "practice"])
    cards = []
    for hit in hits:
        found = details.get(hit.id, {})
        cards.append(
            {
                "hit": hit,
                "image": found.get("image"),
                "facts": card_facts(
                    phase=next(iter(hit.facets.get("fase", [])), None),
                    level=next(iter(hit.facets.get("niveau", [])), None),
                    places=hit.labels("zorgkantoorregio") or hit.labels("provincie"),
                    organisations=found.get("initiators", []),
                    start_year=found.get("start_year"),
                ),
            }
        )
    return cards


def _card_details(ids):
    """{practice id: {"start_year", "image", "initiators"}} for result cards:
    the pages with their hero images and those images' card renditions, and
    the names of the initiating organisations in the editors' order."""
    if not ids:
        return {}
    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(filter_spec=CARD_IMAGE_SPEC)
    )
    pages = (
        PracticePage.objects.filter(pk__in=ids)
        .select_related("hero_image")
        .prefetch_related(Prefetch("hero_image__renditions", queryset=renditions))
        .only("start_year", "hero_image")
    )
    details = {
        page.pk: {
            "start_year": page.start_year,
            "image": page.hero_image,
            "initiators": [],
        }
        for page in pages
    }
    initiators = (
        PracticeOrganisation.objects.filter(
            page_id__in=ids, role=PracticeOrganisation.Role.INITIATOR
        )
        .order_by("page_id", "sort_order")
        .values_list("page_id", "organisation__name")
    )
    for page_id, name in initiators:
        if page_id in details:
            details[page_id]["initiators"].append(name)
    return details


def _fold(text):
    """Lower case without accents, to compare what someone types."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _practice_lists_version():
    """The versions of what a list of practices shows (the index of
    practices, every vocabulary's labels), for a cached part of one."""
    return depends_on(
        index_name("practice"),
        *(facet.version_name for facet in FACETS if facet.model_label),
    )


_suggestable = Latest()  # this process's copy


def _suggestable_facet_values():
    """(facet, facet label, value, label, count, folded label) of every facet
    value that some published practice has, from the search contract, kept
    until the index or a label changes: in the shared cache, and in each
    process so a keystroke neither unpickles nor folds them again."""
    key = f"search-suggest-facets:{_practice_lists_version()}"
    return _suggestable.get(key, lambda: _shared_facet_values(key))


def _shared_facet_values(key):
    values = cache.get(key)
    if values is None:
        results = search(SearchQuery(page_size=1))
        values = [
            (
                facet.key,
                str(facet.label),
                value.value,
                value.label,
                value.count,
                _fold(value.label),
            )
            for facet in results.facets
            if facet.key != "fase"
            for value in facet.values
            if value.count
        ]
        cache.set(key, values, SUGGESTIONS_SECONDS)
    return values


def _facet_suggestions(text, limit):
    """The first `limit` facet values whose label contains `text`, words
    starting with it first, then the values with the most practices. Only
    those get a link built: a short text matches hundreds."""
    needle = _fold(text)
    matches = []
    for key, facet_label, value, label, count, folded in _suggestable_facet_values():
        position = folded.find(needle)
        if position < 0:
            continue
        word_start = position == 0 or not folded[position - 1].isalnum()
        matches.append(
            (
                (not word_start, position > 0, -count, folded),
                key,
                facet_label,
                value,
                label,
            )
        )
    matches = heapq.nsmallest(limit, matches, key=lambda match: match[0])
    return [
        {
            "kind": key,
            "label": f"{facet_label}: {label}",
            "url": reverse("search")
            + query_string(SearchQuery(filters={key: [value]})),
        }
        for _rank, key, facet_label, value, label in matches
    ]


def search_suggestions(request):
    """Up to eight suggestions for the search box as someone types: matching
    facet values (a filtered search) and practice titles (the practice).

    JSON: {"query", "suggestions": [{"kind", "label", "url"}], "message"}.
    """
    params = QueryDict(mutable=True)
    params["q"] = request.GET.get("q", "")
    query, errors = parse_params(params)
    if errors:
        return _bad_request(errors)
    text = query.text
    suggestions = []
    if len(text) >= SUGGESTIONS_MIN_LENGTH:
        digest = hashlib.sha256(_fold(text).encode()).hexdigest()
        # What the text finds also depends on the redactie's synonyms.
        versions = f"{_practice_lists_version()}:{depends_on(SYNONYMS)}"
        key = f"search-suggest:{versions}:{digest}:{query.prefix:d}"
        suggestions = cache.get(key)
        if suggestions is None:
            suggestions = _suggestions(text, prefix=query.prefix)
            cache.set(key, suggestions, SUGGESTIONS_SECONDS)
    count = len(suggestions)
    response = JsonResponse(
        {
            "query": text,
            "suggestions": suggestions,
            "message": ngettext(
                "%(count)d suggestion; use the up and down arrow keys to choose.",
                "%(count)d suggestions; use the up and down arrow keys to choose.",
                count,
            )
            % {"count": count}
            if count
            else "",
        },
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=60)
    return response


def _suggestions(text, *, prefix):
    """Facet values and practices for `text`; the practices' titles complete
    the last word while it is being typed (`prefix`, search.expansion)."""
    facets = _facet_suggestions(text, SUGGESTIONS_LIMIT)
    # The first hits of the search for `text`, without what only the
    # results page shows (facet counts, highlights, "did you mean").
    hits = search(
        SearchQuery(
            text=text, page_size=SUGGESTIONS_LIMIT, prefix=prefix, hits_only=True
        )
    ).hits
    practices = [
        {"kind": "practice", "label": hit.title, "url": hit.url} for hit in hits
    ]
    # A few facet values first (they are short and broad), then practices,
    # then more facet values when there are few practices.
    picked = facets[:3] + practices
    picked += facets[3:]
    return picked[:SUGGESTIONS_LIMIT]


def _community_questions(query, limit=3):
    """The best matching questions from the community, shown beside the
    practices when there is text to match.

    Kept in the cache per text until the questions in the index change
    (community.caching) or the redactie changes a synonym (what the text
    asks for), so the block costs no queries on a warm cache, for members
    too.
    """
    if not query.terms:
        return None
    digest = hashlib.sha256(query.text.encode()).hexdigest()
    listings = depend_on_listings(searched=True)  # from the search index
    synonyms = depends_on(SYNONYMS)
    key = f"community-questions:{listings}:{synonyms}:{limit}:{query.prefix:d}:{digest}"
    block = cache.get(key)
    if block is None:
        results = search(
            SearchQuery(
                text=query.text,
                kinds=("question",),
                page_size=limit,
                prefix=query.prefix,
            )
        )
        block = {
            "total": results.total,
            "hits": [
                {"title": hit.title, "url": hit.url, "highlight": hit.highlight}
                for hit in results.hits
            ],
        }
        cache.set(key, block, COMMUNITY_BLOCK_SECONDS)
    return block


def _page_links(query, results):
    """Previous, next, the first and last page and the pages beside this
    one: one row under the results, beside the open-data links."""
    current, last = (
        query.page,
        min(results.num_pages, MAX_RESULT_WINDOW // query.page_size),
    )
    numbers = sorted({1, last, *range(max(1, current - 1), min(last, current + 1) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            links.append({"gap": True})
        links.append(
            {
                "number": number,
                "url": query_string(query, page=number),
                "current": number == current,
            }
        )
        previous = number
    return {
        "links": links if last > 1 else [],
        "previous": query_string(query, page=current - 1)
        if 1 < current <= last
        else None,
        "next": query_string(query, page=current + 1) if current < last else None,
    }


def _bad_request(errors):
    return JsonResponse({"errors": [error.as_dict() for error in errors]}, status=400)


def adoption_record(adoption):
    """A confirmed adoption in the API: who, where (the zorgkantoorregio's
    code, as in the facet) and how far; never who recorded it."""
    return {
        "organisation": adoption.organisation,
        "zorgkantoorregio": adoption.region.slug,
        "status": adoption.status,
    }


def practice_record(hit, adoptions=()):
    """One API/CSV record, from the index alone; its URL on the configured
    base URL, whatever Host header the request came with. `missing_words`
    are the words of the query it lacks (a long query finds practices that
    miss a few, search.query.MINIMUM_SHOULD_MATCH)."""
    record = {
        "id": hit.id,
        "title": hit.title,
        "url": site_url(hit.url),
        "summary": hit.summary,
        "highlight": str(hit.highlight),
        "missing_words": hit.missing,
    }
    for key in API_FACETS:
        record[key] = [value for value, _label in hit.facets.get(key, [])]
    for key in SINGLE_VALUED:
        record[key] = record[key][0] if record[key] else None
    record["adoptions"] = [adoption_record(adoption) for adoption in adoptions]
    record["first_published_at"] = _iso(hit.published_at)
    record["last_published_at"] = _iso(hit.updated_at)
    return record


def _iso(moment):
    return moment.isoformat() if moment else None


def practices_api(request):
    if redirect := merged_slug_redirect(request):  # a merged thema/organisatie
        return redirect
    query, errors = parse_params(request.GET, default_page_size=20)
    if errors:
        return _bad_request(errors)
    results = search(query)
    if results.page_out_of_range and results.total:
        return _bad_request(
            [
                ParamError(
                    "page",
                    str(query.page),
                    _("Page out of range (1-%d).") % results.num_pages,
                )
            ]
        )
    adopted = Adoption.objects.of_hits(results.hits)
    return JsonResponse(
        {
            "count": results.total,
            "page": query.page,
            "page_size": query.page_size,
            "num_pages": results.num_pages,
            "fallback": results.fallback,
            # The text with misspelt words corrected ("did you mean"), or null.
            "suggestion": results.suggestion,
            "results": [
                practice_record(hit, adopted.get(hit.id, ())) for hit in results.hits
            ],
            "facets": {
                facet.key: [
                    {
                        "slug": v.value,
                        "label": v.label,
                        "count": v.count,
                        "selected": v.selected,
                    }
                    for v in facet.values
                ]
                for facet in results.facets
            },
            "licence": LICENCE,
        },
        json_dumps_params={"ensure_ascii": False},
    )


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose summaries are plain text (<summary type="text">).

    Django's Atom feed declares every summary HTML, so a text summary had to
    be escaped for HTML before XML escaped it again, and feed readers that
    show the summary as text showed the entities. A text summary is escaped
    once, by the XML writer, and no reader runs anything in it.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("summary"):
            handler.addQuickElement("summary", item["summary"], {"type": "text"})


# The year in the tag: URIs of feed entries; it never changes (RFC 4151).
GUID_YEAR = 2024


class PracticesFeed(Feed):
    """The newest practices matching the same filters, as Atom.

    Every link in it starts with the configured base URL (core.site_url:
    SITE_URL, or without one the host the feed was asked on). The instance
    serves every request: the parsed query is the feed's object, not an
    attribute.
    """

    feed_type = PlainTextAtomFeed
    title = gettext_lazy("Vindplaats: new practice examples")
    subtitle = gettext_lazy(
        "The newest practice examples of De Juiste Zorg op de Juiste Plek."
    )
    feed_copyright = f"{LICENCE['name']} ({LICENCE['url']})"
    limit = 50

    def __call__(self, request, *args, **kwargs):
        if redirect := merged_slug_redirect(request):  # a merged thema/organisatie
            return redirect
        _query, errors = parse_params(request.GET)
        if errors:
            return _bad_request(errors)
        with links_for(request):  # SITE_URL, else the host it was asked on
            return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        query, _errors = parse_params(request.GET)
        return SearchQuery(
            text=query.text,
            filters=query.filters,
            sort="newest",
            page_size=self.limit,
            prefix=query.prefix,
        )

    def link(self, query):
        return site_url(reverse("search") + self.filters(query))

    def feed_url(self, query):
        return site_url(reverse("feed_practices") + self.filters(query))

    @staticmethod
    def filters(query):
        return query_string(query, sort="", page=1).rstrip("?")

    def items(self, query):
        return search(query).hits

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return None  # the summary goes out as text: item_extra_kwargs

    def item_extra_kwargs(self, item):
        return {"summary": item.summary}

    def item_link(self, item):
        return site_url(item.url)

    def item_guid(self, item):
        """A tag: URI (RFC 4151), as Atom's <id> must be an IRI: it names the
        practice on the site's host for good, whatever its URL becomes."""
        host = urlsplit(site_url("/")).hostname
        return f"tag:{host},{GUID_YEAR}:{item.kind}-{item.id}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
