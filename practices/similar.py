"""A practice's "comparable initiatives", worked out ahead of the visit.

Which practices are comparable follows one rule, the search engine's
(`similar` of the backend: shared facet values weighted, then text
similarity). Working it out ranks every practice, the largest part of
drawing a practice page for the first time, so the answer is stored per
practice (SimilarPractices) and the page reads one row:

- When a practice's document is indexed again (published, changed,
  unpublished, a value it shows renamed: practices.search), its stored list
  is dropped at once and worked out again in the background (django-tasks,
  the "background" queue). A full rebuild of the index has every list worked
  out again in the background; until then the old ones are shown.
- A list older than a day (MAX_AGE) is still shown, and worked out again
  in the background; a missing one the page works out itself and stores.
  `manage.py refresh_similar_practices` (daily, from cron) works out the
  lists about to be a day old. So a newly published practice joins other
  practices' lists within a day, give or take the queue (before, the list
  was kept in the cache for a day).
- What a list names is looked up in the index when it is shown: a practice
  no longer indexed (unpublished, moved out of reach) is left out, and a
  title, address or phase shown is the current one. The page part that
  shows the list depends on the documents it names (core.cache), so
  renaming or unpublishing one of them rebuilds that part at once.
- Each item says why it is comparable by naming what it shares: "zelfde
  thema: Ouderen thuis · zelfde regio: Rotterdam". The shared values are
  stored with the list (the engine knows them when it ranks), their labels
  come from the vocabularies' cached labels (practices.facets), and the
  phases of all items from the index in the same query as their titles:
  no query per item.
"""

import datetime
import functools
import logging
from dataclasses import dataclass

from django_tasks import task

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.cache import depends_on, not_depending
from search.backends import get_backend
from search.documents import similarity_facets
from search.models import SearchDocument, SearchFacetValue
from search.service import SimilarItem, document_name

from .facets import every_label
from .models import SimilarPractices

logger = logging.getLogger(__name__)

KIND = "practice"
# How many comparable practices a page lists.
LIMIT = 5
# How old a stored list may be before it is worked out again.
MAX_AGE = datetime.timedelta(days=1)
# How many lists one background task works out.
BATCH = 200
# How many shared values of one facet an item names; the rest are counted.
VALUES_NAMED = 3
# The facet whose values are places inside another's: sharing a region is
# sharing its province, which is then not named again.
IMPLIED = {"provincie": "zorgkantoorregio"}
# A facet lighter than this (the movement: three values, most practices
# share one) is named only when nothing heavier is.
MINOR_WEIGHT = 1.0
# How long the background is given to work out an old list before a visit
# asks again.
REFRESH_SECONDS = 60 * 60


def compute(ids):
    """Work out and store the lists of the practices `ids`; a practice that
    is not indexed (not reachable) keeps no list. {id: items} of the lists
    stored."""
    backend = get_backend()
    stored = {}
    for pk in ids:
        raw = backend.similar(KIND, pk, limit=LIMIT)
        stored[pk] = [
            [
                item.id,
                {key: sorted(values) for key, values in sorted(item.shared.items())},
                bool(item.text_match),
            ]
            for item in raw
        ]
    now = timezone.now()
    with transaction.atomic():
        SimilarPractices.objects.filter(page_id__in=list(ids)).delete()
        SimilarPractices.objects.bulk_create(
            [
                SimilarPractices(page_id=pk, items=items, computed_at=now)
                for pk, items in stored.items()
                if items or _indexed(pk)
            ]
        )
    return stored


def _indexed(pk):
    return SearchDocument.objects.filter(kind=KIND, object_id=pk).exists()


@task(backend="background", priority=-10)
def refresh_similar_practices(ids=None):
    """Work out the stored lists again: of `ids`, or of every indexed
    practice (after the index was rebuilt), which is handed on in batches.
    Below the default priority: the outbox's emails, on the same queue, go
    first, and go between the batches."""
    if ids is None:
        every = list(
            SearchDocument.objects.filter(kind=KIND)
            .order_by("object_id")
            .values_list("object_id", flat=True)
        )
        for start in range(0, len(every), BATCH):
            refresh_similar_practices.enqueue(every[start : start + BATCH])
        return
    for start in range(0, len(ids), BATCH):
        compute(ids[start : start + BATCH])


def practices_reindexed(ids):
    """The index changed for these practices (all of them for an empty
    list, a rebuild): their own lists are dropped at once, as what they were
    worked out from changed, and every list concerned is worked out again in
    the background. Called after the commit."""
    if ids:
        SimilarPractices.objects.filter(page_id__in=list(ids)).delete()
    try:
        refresh_similar_practices.enqueue(list(ids) if ids else None)
    except Exception:
        # The page works out a missing list itself: only slower.
        logger.exception("Could not enqueue the similar lists of %s", ids or "all")


def stored_items(pk):
    """The stored list of practice `pk`; one older than MAX_AGE is shown
    while it is worked out again in the background, and a missing one is
    worked out now (and stored)."""
    row = SimilarPractices.stored(pk)
    if row is None:
        return compute([pk]).get(pk, [])
    items, computed_at = row
    if computed_at < timezone.now() - MAX_AGE:
        _refresh_later(pk)
    return items


def _refresh_later(pk):
    """Have the background work out this practice's list again, once per
    REFRESH_SECONDS however many visitors meet the old one."""
    if not cache.add(f"similar-refresh:{pk}", True, REFRESH_SECONDS):
        return
    try:
        refresh_similar_practices.enqueue([pk])
    except Exception:
        logger.exception("Could not enqueue the similar list of %s", pk)


@dataclass
class Comparable(SimilarItem):
    """A comparable practice as its page lists it: SimilarItem's title,
    address and reasons (each naming the values shared), and its phase."""

    phase: str = ""
    phase_label: str = ""


def similar_practices(page, limit=LIMIT):
    """Up to `limit` comparable practices (Comparable), each with why it is
    comparable and its phase; only practices a visitor can reach."""
    if page.pk is None:  # a preview of a practice not saved yet
        return []
    # Before reading: a change to the practice's document in between makes
    # the page part stale rather than hiding.
    depends_on(document_name(KIND, page.pk))
    try:
        items = stored_items(page.pk)[:limit]
    except Exception:
        logger.exception("Similar practices of %s failed", page.pk)
        return []
    if any(not isinstance(shared, dict) for _pk, shared, _text in items):
        # Stored before the values were (only the facets' keys): shown with
        # the facets' reasons alone, and worked out again in the background.
        _refresh_later(page.pk)
    ids = [pk for pk, _shared, _text in items]
    depends_on(*(document_name(KIND, pk) for pk in ids))
    # Listed as indexed: what is no longer indexable has left the index.
    indexed = _listed(ids)
    # A value shared is one of this practice's own: renaming it changes the
    # practice's page version (practices.caching), which every part of its
    # page depends on. The labels themselves add nothing to depend on, so
    # a rename elsewhere leaves the page alone.
    with not_depending():
        labels = every_label()
    phases = labels["fase"]
    # Each reason translated once, heaviest facet first.
    facet_reasons = [
        (spec.key, str(spec.similarity_reason), spec.similarity_weight)
        for spec in similarity_facets(KIND)
    ]
    text_reason = _("similar description")
    found = []
    for pk, shared, text_match in items:
        if pk not in indexed:
            continue
        title, url, phase = indexed[pk]
        reasons = _reasons(shared, facet_reasons, labels)
        if text_match:
            reasons.append(text_reason)
        found.append(
            Comparable(
                KIND, pk, title, url, reasons, phase or "", phases.get(phase, "")
            )
        )
    return found


def _reasons(shared, facet_reasons, labels):
    """What an item shares, a reason per facet, heaviest first, each naming
    the labels of the values shared ("same theme: Ouderen thuis"). `shared`
    is {facet key: [values]}, or a stored list of keys only (see above)."""
    if not isinstance(shared, dict):
        return [reason for key, reason, _weight in facet_reasons if key in shared]
    reasons = []
    for key, reason, weight in facet_reasons:
        values = shared.get(key)
        if not values or shared.get(IMPLIED.get(key)):
            continue
        if weight < MINOR_WEIGHT and reasons:
            continue
        known = labels.get(key, {})
        # A value renamed since is named as it is now; one removed, not.
        names = sorted(
            (known[value] for value in values if value in known), key=str.lower
        )
        if not names:
            reasons.append(reason)
            continue
        named = ", ".join(names[:VALUES_NAMED])
        rest = len(names) - VALUES_NAMED
        if rest > 0:
            named = ngettext(
                "%(values)s and %(count)s more", "%(values)s and %(count)s more", rest
            ) % {"values": named, "count": rest}
        reasons.append(
            _("%(reason)s: %(values)s") % {"reason": reason, "values": named}
        )
    return reasons


def _listed(ids):
    """{id: (title, url, phase)} of the practices `ids` that are indexed, in
    one query written without the ORM (read on every first view of a page)."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_listed_sql(len(ids)), ["fase", KIND, *ids])
        return {pk: (title, url, phase) for pk, title, url, phase in cursor.fetchall()}


@functools.cache
def _listed_sql(count):
    """The query of `_listed` for `count` ids, written once from the models'
    metadata (a list has at most LIMIT ids). A practice has one phase.

    The phase is joined by its document alone (a value's kind is its
    document's): with the kind in the join too, SQLite read the phase of
    every practice through the (kind, facet, value) index for each one
    listed, 55 ms a page at 100,000 practices."""
    quote = connection.ops.quote_name
    document = SearchDocument._meta
    value = SearchFacetValue._meta

    def columns(meta, *names):
        return {name: quote(meta.get_field(name).column) for name in names}

    d = columns(document, "id", "kind", "object_id", "title", "url")
    v = columns(value, "document", "facet", "value")
    return (
        f"SELECT d.{d['object_id']}, d.{d['title']}, d.{d['url']}, v.{v['value']} "
        f"FROM {quote(document.db_table)} d "
        f"LEFT JOIN {quote(value.db_table)} v ON v.{v['document']} = d.{d['id']} "
        f"AND v.{v['facet']} = %s "
        f"WHERE d.{d['kind']} = %s "
        f"AND d.{d['object_id']} IN ({', '.join(['%s'] * count)})"
    )
