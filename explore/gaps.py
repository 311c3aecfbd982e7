"""Witte vlekken: where is nothing yet?

`/witte-vlekken/` counts the practices per place (a zorgkantoorregio, or a
province with `indeling=provincie`) and per theme, so an empty cell shows at
once where no practice on a theme exists yet ("which regions have nothing on
GGZ?"). The filters are those of search (`beweging`, `doelgroep`, `fase`,
read and checked by search.query.parse_params); every cell links to the
search with the same filters, an empty one to `/witte-vlekken/nog-niets/`,
which invites sharing an initiative or asking the community.

The counts come from three GROUP BY queries over the practices a visitor can
see (PracticePage.objects.reachable(), what the search index holds), never
one per cell: a practice counts once in every cell of its themes × places,
so the cells of one row can add up to more than the row's total. The matrix
is kept in the cache until a practice list or a vocabulary changes
(practices.caching), like the other lists of practices; the whole page for
anonymous visitors in the page cache. The CSV and XLSX hold the same matrix.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import csvexport
from core.cache import changing, depends_on, model_name
from core.text import printable
from practices.facets import FACETS, FACETS_BY_KEY
from practices.models import CareOfficeRegion, PracticePage, Province, Theme
from search.query import SearchQuery, parse_params

from .exports import XLSX_TYPE, attachment, workbook
from .views import query_string

# The filters the matrix takes, as the search names them.
FILTERS = ("beweging", "doelgroep", "fase")
# The two ways to lay the places out: the URL value (a facet key) and its
# vocabulary. The first is the default.
LAYOUTS = {
    "zorgkantoorregio": CareOfficeRegion,
    "provincie": Province,
}
LAYOUT_PARAM = "indeling"
FOCUS_PARAM = "thema"  # the theme whose empty places the page lists
MATRIX_SECONDS = 600


@dataclass
class Place:
    slug: str
    name: str
    province: str = ""  # a region's province, for the files


@dataclass
class Choice:
    """What the page was asked for, with what it could not use."""

    layout: str = "zorgkantoorregio"
    filters: dict = field(default_factory=dict)
    focus: str = ""
    errors: list = field(default_factory=list)


@dataclass
class Matrix:
    layout: str
    themes: list  # [(slug, name)]
    places: list  # [Place]
    counts: dict  # {(theme slug, place slug): count}
    place_totals: dict  # {place slug: practices in that place, any theme}
    theme_totals: dict  # {theme slug: practices on that theme, any place}
    total: int

    def count(self, theme, place):
        return self.counts.get((theme, place), 0)

    def empty_places(self, theme):
        return [place for place in self.places if not self.count(theme, place.slug)]


def _param(params, name):
    """One value from the URL, without what no slug holds (control
    characters: PostgreSQL refuses a NUL), at most 100 characters."""
    return printable(params.get(name, ""))[:100]


def read_choice(params):
    """The layout, filters and focus theme from the URL; what is wrong is
    reported (in Dutch) and left out, never a 500."""
    choice = Choice()
    wanted = QueryDict(mutable=True)
    for key in FILTERS:
        wanted.setlist(key, params.getlist(key))
    query, errors = parse_params(wanted)
    choice.filters = query.filters
    for error in errors:
        facet = FACETS_BY_KEY.get(error.param)
        label = facet.label if facet else error.param
        choice.errors.append(
            _("%(filter)s: “%(value)s” is not a value of this filter.")
            % {"filter": label, "value": error.value[:50]}
            if error.value
            else f"{label}: {error.message}"
        )
    layout = _param(params, LAYOUT_PARAM)
    if layout in LAYOUTS:
        choice.layout = layout
    elif layout:
        choice.errors.append(
            _(
                "“%(value)s” is not a layout: choose care office regions or "
                "provinces. The care office regions are shown."
            )
            % {"value": layout[:50]}
        )
    focus = _param(params, FOCUS_PARAM)
    if focus:
        if Theme.objects.filter(slug=focus).exists():
            choice.focus = focus
        else:
            choice.errors.append(
                _("The theme “%(value)s” does not exist (any more).")
                % {"value": focus[:50]}
            )
    return choice


def _practices(filters):
    """The ids of the practices a visitor can see that match `filters`: one
    value of each filter (as the search reads several values of one)."""
    practices = PracticePage.objects.reachable()
    for key, values in filters.items():
        lookup = FACETS_BY_KEY[key].lookup
        practices = practices.filter(**{f"{lookup}__in": values})
    return PracticePage.objects.filter(pk__in=practices.values("pk"))


def _places(layout):
    if layout == "zorgkantoorregio":
        regions = CareOfficeRegion.objects.select_related("province").order_by(
            "province__sort_order", "province__name", "name"
        )
        return [Place(r.slug, r.name, r.province.name) for r in regions]
    return [
        Place(p.slug, p.name) for p in Province.objects.order_by("sort_order", "name")
    ]


def _grouped(practices, *lookups):
    """{values of lookups: number of practices}, one GROUP BY."""
    rows = (
        practices.order_by()
        .values_list(*lookups)
        .annotate(number=Count("pk", distinct=True))
    )
    found = {}
    for *key, number in rows:
        if None not in key:
            found[tuple(key) if len(key) > 1 else key[0]] = number
    return found


def build_matrix(choice):
    """The counts for `choice` (three GROUP BY queries)."""
    place_lookup = FACETS_BY_KEY[choice.layout].lookup
    theme_lookup = FACETS_BY_KEY["thema"].lookup
    practices = _practices(choice.filters)
    return Matrix(
        layout=choice.layout,
        themes=list(Theme.objects.order_by("name").values_list("slug", "name")),
        places=_places(choice.layout),
        counts=_grouped(practices, theme_lookup, place_lookup),
        place_totals=_grouped(practices, place_lookup),
        theme_totals=_grouped(practices, theme_lookup),
        total=practices.count(),
    )


def matrix(choice):
    """build_matrix, kept until a practice or a vocabulary changes; worked
    out afresh, and not kept, while this connection's open transaction
    changes one (core.cache.changing)."""
    names = (
        model_name(PracticePage),
        *(facet.version_name for facet in FACETS if facet.model_label),
    )
    version = depends_on(*names)
    asked = repr((choice.layout, sorted(choice.filters.items())))
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    key = f"gaps:{version}:{digest}"
    if changing(*names):
        return build_matrix(choice)
    found = cache.get(key)
    if found is None:
        found = build_matrix(choice)
        cache.set(key, found, MATRIX_SECONDS)
    return found


def search_url(choice, theme="", place=""):
    filters = {}
    if theme:
        filters["thema"] = [theme]
    if place:
        filters[choice.layout] = [place]
    filters.update(choice.filters)
    return reverse("search") + query_string(SearchQuery(filters=filters))


def _params(choice, **extra):
    params = QueryDict(mutable=True)
    if choice.layout != "zorgkantoorregio":
        params[LAYOUT_PARAM] = choice.layout
    for key, values in choice.filters.items():
        params.setlist(key, values)
    for key, value in extra.items():
        if value:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def empty_url(choice, theme, place):
    return reverse("gaps_empty") + _params(
        choice, thema=theme, **{choice.layout: place}
    )


def _rows(result, choice):
    """The table's rows: per place, a cell per theme with its link and its
    accessible name."""
    rows = []
    for place in result.places:
        cells = []
        for slug, name in result.themes:
            number = result.count(slug, place.slug)
            cells.append(
                {
                    "theme": slug,
                    "count": number,
                    "url": search_url(choice, slug, place.slug)
                    if number
                    else empty_url(choice, slug, place.slug),
                    "name": _("%(theme)s in %(place)s")
                    % {"theme": name, "place": place.name},
                    "focus": slug == choice.focus,
                }
            )
        total = result.place_totals.get(place.slug, 0)
        rows.append(
            {
                "place": place,
                "cells": cells,
                "total": total,
                "total_url": search_url(choice, place=place.slug),
                "empty": sum(1 for cell in cells if not cell["count"]),
            }
        )
    return rows


def gaps(request):
    choice = read_choice(request.GET)
    result = matrix(choice)
    themes = [
        {
            "slug": slug,
            "name": name,
            "total": result.theme_totals.get(slug, 0),
            "url": search_url(choice, slug),
            "focus": slug == choice.focus,
        }
        for slug, name in result.themes
    ]
    focus = next((theme for theme in themes if theme["focus"]), None)
    rows = _rows(result, choice)
    context = {
        "choice": choice,
        "matrix": result,
        "themes": themes,
        "rows": rows,
        "focus": focus,
        "focus_empty": [
            {"place": place, "url": empty_url(choice, focus["slug"], place.slug)}
            for place in result.empty_places(focus["slug"])
        ]
        if focus
        else [],
        "filter_groups": _filter_groups(choice),
        "chosen_count": sum(len(values) for values in choice.filters.values()),
        "layouts": [
            (key, FACETS_BY_KEY[key].label, key == choice.layout) for key in LAYOUTS
        ],
        "place_label": FACETS_BY_KEY[choice.layout].label,
        "all_themes": Theme.objects.order_by("name").values_list("slug", "name"),
        "csv_url": reverse("gaps_csv") + _params(choice),
        "xlsx_url": reverse("gaps_xlsx") + _params(choice),
        "search_all_url": search_url(choice),
        "empty_cells": sum(row["empty"] for row in rows),
    }
    return render(request, "explore/gaps.html", context)


def _filter_groups(choice):
    """Each filter with its values in their own order, the chosen ticked."""
    groups = []
    for key in FILTERS:
        facet = FACETS_BY_KEY[key]
        chosen = choice.filters.get(key, [])
        groups.append(
            {
                "key": key,
                "label": facet.label,
                "values": [
                    (value, label, value in chosen)
                    for value, label in facet.labels().items()
                ],
            }
        )
    return groups


# The page for an empty cell --------------------------------------------------


def gap_detail(request):
    """Nothing yet on a theme in a place: share an initiative, or ask."""
    choice = read_choice(request.GET)
    theme = Theme.objects.filter(slug=_param(request.GET, "thema")).first()
    model = LAYOUTS[choice.layout]
    place = model.objects.filter(slug=_param(request.GET, choice.layout)).first()
    if theme is None or place is None:
        return render(
            request,
            "explore/gap_detail.html",
            {
                "choice": choice,
                "unknown": True,
                "back_url": reverse("gaps") + _params(choice),
            },
            status=404,
        )
    found = _practices(
        {**choice.filters, "thema": [theme.slug], choice.layout: [place.slug]}
    ).count()
    return render(
        request,
        "explore/gap_detail.html",
        {
            "choice": choice,
            "theme": theme,
            "place": place,
            "is_region": choice.layout == "zorgkantoorregio",
            "found": found,
            "found_url": search_url(choice, theme.slug, place.slug),
            "theme_url": search_url(choice, theme.slug),
            "back_url": reverse("gaps") + _params(choice, thema=theme.slug),
            "filters": [
                (
                    FACETS_BY_KEY[key].label,
                    list(FACETS_BY_KEY[key].spec.labels_for(values).values()),
                )
                for key, values in choice.filters.items()
            ],
        },
    )


# The files -------------------------------------------------------------------


def _table(result):
    """The matrix as rows of cells, headings first, for both files."""
    region = result.layout == "zorgkantoorregio"
    headings = [str(FACETS_BY_KEY[result.layout].label)]
    if region:
        headings.append(str(FACETS_BY_KEY["provincie"].label))
    headings += [name for _slug, name in result.themes]
    headings.append(_("All themes"))
    rows = [headings]
    for place in result.places:
        row = [place.name] + ([place.province] if region else [])
        row += [result.count(slug, place.slug) for slug, _name in result.themes]
        row.append(result.place_totals.get(place.slug, 0))
        rows.append(row)
    return rows


def _file_choice(request):
    """(choice, None), or (None, a 400 answer listing what is wrong)."""
    choice = read_choice(request.GET)
    if choice.errors:
        return None, JsonResponse(
            {"errors": [str(error) for error in choice.errors]},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return choice, None


def gaps_csv(request):
    """The matrix as CSV for Dutch spreadsheets (core.csvexport)."""
    choice, refusal = _file_choice(request)
    if refusal is not None:
        return refusal
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csvexport.spreadsheet_writer(response)
    writer.writerows(_table(matrix(choice)))
    return attachment(response, "witte-vlekken", "csv")


XLSX_TITLE = gettext_lazy("White spots")


def gaps_xlsx(request):
    """The matrix as an Excel workbook (explore.exports.workbook): headings
    bold and frozen with the places beside them; text never a formula."""
    choice, refusal = _file_choice(request)
    if refusal is not None:
        return refusal
    headings, *rows = _table(matrix(choice))
    widths = [
        28 if number <= 2 else max(10, min(len(heading) + 2, 24))
        for number, heading in enumerate(headings, start=1)
    ]
    content = workbook(XLSX_TITLE, headings, rows, widths, _("Vindplaats: white spots"))
    return attachment(
        HttpResponse(content, content_type=XLSX_TYPE), "witte-vlekken", "xlsx"
    )
