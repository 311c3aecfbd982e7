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
  title or address shown is the current one. The page part that shows the
  list depends on the documents it names (core.cache), so renaming or
  unpublishing one of them rebuilds that part at once.
"""

import datetime
import functools
import logging

from django_tasks import task

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cache import depends_on
from search.backends import get_backend
from search.documents import similarity_facets
from search.models import SearchDocument
from search.service import SimilarItem, document_name

from .models import SimilarPractices

logger = logging.getLogger(__name__)

KIND = "practice"
# How many comparable practices a page lists.
LIMIT = 5
# How old a stored list may be before it is worked out again.
MAX_AGE = datetime.timedelta(days=1)
# How many lists one background task works out.
BATCH = 200
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
            [item.id, sorted(item.shared), bool(item.text_match)] for item in raw
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


def similar_practices(page, limit=LIMIT):
    """Up to `limit` comparable practices (search.service.SimilarItem), each
    with why it is comparable; only practices a visitor can reach."""
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
    ids = [pk for pk, _shared, _text in items]
    depends_on(*(document_name(KIND, pk) for pk in ids))
    # Listed as indexed: what is no longer indexable has left the index.
    indexed = _titles_and_addresses(ids)
    # Each reason translated once, heaviest facet first.
    facet_reasons = [
        (spec.key, str(spec.similarity_reason)) for spec in similarity_facets(KIND)
    ]
    text_reason = _("similar description")
    found = []
    for pk, shared, text_match in items:
        if pk not in indexed:
            continue
        reasons = [reason for key, reason in facet_reasons if key in shared]
        if text_match:
            reasons.append(text_reason)
        found.append(SimilarItem(KIND, pk, *indexed[pk], reasons))
    return found


def _titles_and_addresses(ids):
    """{id: (title, url)} of the practices `ids` that are indexed, in one
    query written without the ORM (read on every first view of a page)."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_titles_and_addresses_sql(len(ids)), [KIND, *ids])
        return {pk: (title, url) for pk, title, url in cursor.fetchall()}


@functools.cache
def _titles_and_addresses_sql(count):
    """The query of `_titles_and_addresses` for `count` ids, written once
    from the model's metadata (a list has at most LIMIT ids)."""
    quote = connection.ops.quote_name
    meta = SearchDocument._meta
    column = {
        name: quote(meta.get_field(name).column)
        for name in ("kind", "object_id", "title", "url")
    }
    return (
        f"SELECT {column['object_id']}, {column['title']}, {column['url']} "
        f"FROM {quote(meta.db_table)} WHERE {column['kind']} = %s "
        f"AND {column['object_id']} IN ({', '.join(['%s'] * count)})"
    )
