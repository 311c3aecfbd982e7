"""The map of the Netherlands with practices per province.

A schematic tile map (a cartogram), not a drawing of real borders: one
rounded tile per province, placed roughly where the province lies, darker as
it has more practices. Each tile is a link into search; a table with the same
counts and links is the text alternative. "Landelijk" is not a place on the
map and gets its own link below it.

A wide map shows each province's name on its tile, a narrow one its code:
each tile is drawn twice, once per width, and the stylesheet shows one
(static/css/find.css), so each link's accessible name contains the text it
shows (WCAG 2.5.3, label in name).
"""

import hashlib
import math
from collections.abc import Mapping

from django import template
from django.core.cache import cache
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from explore.views import query_string
from practices.facets import FACETS, FACETS_BY_KEY

register = template.Library()

# Each province's tile: (column, row), west to east and north to south, and
# its ISO 3166-2 code, shown instead of the name where the map is narrow.
TILES = {
    "fryslan": (1, 0, "FR"),
    "groningen": (2, 0, "GR"),
    "noord-holland": (0, 1, "NH"),
    "flevoland": (1, 1, "FL"),
    "drenthe": (2, 1, "DR"),
    "zuid-holland": (0, 2, "ZH"),
    "utrecht": (1, 2, "UT"),
    "overijssel": (2, 2, "OV"),
    "zeeland": (0, 3, "ZE"),
    "noord-brabant": (1, 3, "NB"),
    "gelderland": (2, 3, "GE"),
    "limburg": (2, 4, "LI"),
}
TILE_WIDTH, TILE_HEIGHT, GAP, MARGIN = 136, 76, 14, 8
COLUMNS = 1 + max(column for column, _row, _code in TILES.values())
ROWS = 1 + max(row for _column, row, _code in TILES.values())
VIEW_WIDTH = 2 * MARGIN + COLUMNS * TILE_WIDTH + (COLUMNS - 1) * GAP
VIEW_HEIGHT = 2 * MARGIN + ROWS * TILE_HEIGHT + (ROWS - 1) * GAP

# Fill and text colour per level: level 0 is "none", 1-4 are quarters of the
# largest count. Every pair has a contrast of at least 4.5:1 (WCAG AA):
# #1b1b1b on #f5f7f9 16.0, on #dcebf5 14.1, on #8dbbd8 8.4; white on #1c6a9c
# 5.9, on #073f63 11.1. tests/test_regions.py checks the ratios.
LEVELS = [
    ("#f5f7f9", "#1b1b1b"),
    ("#dcebf5", "#1b1b1b"),
    ("#8dbbd8", "#1b1b1b"),
    ("#1c6a9c", "#ffffff"),
    ("#073f63", "#ffffff"),
]
STEPS = len(LEVELS) - 1
# A drawn map is kept this long for the same counts, selection and links.
MAP_CACHE_SECONDS = 600


def level(count, largest):
    """0 for no practices, else 1 to STEPS by the share of the largest count."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, min(STEPS, math.ceil(STEPS * count / largest)))


def legend(largest):
    """The count range of each level that occurs for this largest count."""
    ranges = [{"fill": LEVELS[0][0], "low": 0, "high": 0}]
    for step in range(1, STEPS + 1):
        low = largest * (step - 1) // STEPS + 1
        high = largest * step // STEPS
        if low <= high:
            ranges.append({"fill": LEVELS[step][0], "low": low, "high": high})
    return ranges


def _counts(counts):
    """Counts per province slug, from a mapping or a search Facet."""
    if counts is None or counts == "":
        return {}
    if isinstance(counts, Mapping):
        return dict(counts)
    return {value.value: value.count for value in counts.values}


def _link(slug, query):
    """Search for this province: alone, or with the rest of `query` kept
    (on the search page, where a tile's count is what that search finds)."""
    if query is None or query == "":
        params = QueryDict(mutable=True)
        params["provincie"] = slug
        return f"{reverse('search')}?{params.urlencode()}"
    filters = {**query.filters, "provincie": [slug]}
    ordered = {
        facet.key: filters[facet.key] for facet in FACETS if facet.key in filters
    }
    return reverse("search") + query_string(query, filters=ordered, page=1)


def _outline(x, y, offset):
    """A rectangle `offset` units around a tile (selection mark, focus ring)."""
    return {
        "x": x - offset,
        "y": y - offset,
        "width": TILE_WIDTH + 2 * offset,
        "height": TILE_HEIGHT + 2 * offset,
    }


def _name(label, count, selected, code=None, what="practices"):
    """A link's accessible name: the province and its count, with the code
    where the tile shows the code instead of the name, so the name holds the
    text the tile shows ("FR 5" in "Fryslân (FR): 5 ...", WCAG 2.5.3)."""
    if what == "adoptions":
        text = ngettext(
            "%(province)s: taken up %(count)s time",
            "%(province)s: taken up %(count)s times",
            count,
        ) % {"province": f"{label} ({code})" if code else label, "count": count}
    elif code:
        text = ngettext(
            "%(province)s (%(code)s): %(count)s practice example",
            "%(province)s (%(code)s): %(count)s practice examples",
            count,
        ) % {"province": label, "code": code, "count": count}
    else:
        text = ngettext(
            "%(province)s: %(count)s practice example",
            "%(province)s: %(count)s practice examples",
            count,
        ) % {"province": label, "count": count}
    if selected:
        text = _("%(description)s (selected)") % {"description": text}
    return text


@register.simple_tag
def province_map(counts, selected=None, query=None, what="practices"):
    """{% province_map counts selected %}: the map, its extra links and its
    table. `counts` maps province slugs to counts (or is the search results'
    `provincie` Facet); `selected` lists the selected slugs; with `query`,
    the links keep the rest of that search. With what="adoptions" it counts
    where a practice was taken up (its page: practices/includes/adoptions.html),
    and each province links to its adopters further down that page
    (#overgenomen-in-<province>).

    The drawing is a few hundred template variables; it is cached under a
    digest of everything it shows, so the same counts and links are drawn
    once (a changed count or label is a different digest)."""
    data = map_context(counts, selected, query, what)
    digest = hashlib.sha256(repr((get_language(), data)).encode()).hexdigest()
    key = f"province-map:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("includes/province_map.html", data)
        cache.set(key, str(html), MAP_CACHE_SECONDS)
    return mark_safe(html)  # rendered by the template, which escapes


def map_context(counts, selected=None, query=None, what="practices"):
    """What the map template draws, as plain values."""
    counts = _counts(counts)
    selected = set(selected) if isinstance(selected, (list, tuple, set)) else set()
    labels = FACETS_BY_KEY["provincie"].labels()
    largest = max((counts.get(slug, 0) for slug in TILES), default=0)
    rows, tiles, others = [], [], []
    for slug, label in labels.items():
        count = counts.get(slug, 0)
        row = {
            "slug": slug,
            "label": label,
            "count": count,
            "url": (
                (f"#overgenomen-in-{slug}" if count else "#overgenomen")
                if what == "adoptions"
                else _link(slug, query)
            ),
            "selected": slug in selected,
            "name": _name(label, count, slug in selected, what=what),
        }
        rows.append(row)
        if slug not in TILES:
            others.append(row)
            continue
        column, line, code = TILES[slug]
        x = MARGIN + column * (TILE_WIDTH + GAP)
        y = MARGIN + line * (TILE_HEIGHT + GAP)
        fill, ink = LEVELS[level(count, largest)]
        tiles.append(
            {
                **row,
                "code_name": _name(
                    label, count, slug in selected, code=code, what=what
                ),
                "x": x,
                "y": y,
                "cx": x + TILE_WIDTH // 2,
                "check_x": x + 8,
                "check_y": y + 12,
                "code": code,
                "name_y": y + 31,
                "code_y": y + 34,
                "count_y": y + 60,
                "ring": _outline(x, y, 2),
                "focus": _outline(x, y, 5),
                "fill": fill,
                "ink": ink,
            }
        )
    # Keyboard focus moves through the tiles in reading order.
    tiles.sort(key=lambda tile: (tile["y"], tile["x"]))
    return {
        "adoptions": what == "adoptions",
        "tiles": tiles,
        # Adoptions are in regions, never national.
        "others": [] if what == "adoptions" else others,
        "rows": rows,
        "legend": legend(largest),
        "view_width": VIEW_WIDTH,
        "view_height": VIEW_HEIGHT,
        "tile_width": TILE_WIDTH,
        "tile_height": TILE_HEIGHT,
    }
