"""What visitors search for: the counts behind the redactie's "Zoektermen"
report (the most asked texts, and those that found nothing), so synonyms are
added where people miss.

Only the text is kept, folded to lower case, per day: never who searched,
and a text that looks like an email address, a phone number or a street
address is not kept at all. Counts gather in each process and are written at
most once a minute, in one transaction; a count lost when a process dies is a
number in a report, nothing more. (settings.SEARCH_TERMS_WRITE_SECONDS;
None leaves writing to whoever calls flush(), as the tests do.)
"""

import atexit
import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import SearchTerm

logger = logging.getLogger("vindplaats.search")

REPORT_DAYS = 30
KEEP_DAYS = 90
FLUSH_SIZE = 500
MAX_LENGTH = SearchTerm._meta.get_field("text").max_length

# An email address, a Dutch postcode with a house number, or a number long
# enough to be a phone or citizen service number.
_PERSONAL = re.compile(r"@|\b\d{4} ?[a-z]{2}\b \d|(?:\d[ .-]?){7}")

_lock = threading.Lock()
_searches = Counter()  # (day, text) -> searches since the last write
_results = {}  # (day, text) -> results when last shown
_last_write = time.monotonic()
_last_cleanup = None


def normalise(text):
    """The text as it is counted: words single-spaced, lower case; "" when
    it is empty or looks like personal data."""
    text = " ".join((text or "").split()).casefold()[:MAX_LENGTH]
    return "" if _PERSONAL.search(text) else text


def record(text, results):
    """Count one search for `text` that showed `results` results."""
    global _last_write
    text = normalise(text)
    if not text:
        return
    key = (timezone.localdate(), text)
    seconds = settings.SEARCH_TERMS_WRITE_SECONDS
    with _lock:
        _searches[key] += 1
        _results[key] = results
        due = seconds is not None and (
            time.monotonic() - _last_write >= seconds or len(_searches) >= FLUSH_SIZE
        )
        if due:
            _last_write = time.monotonic()
    if due:
        flush()


def flush():
    """Write the counts gathered in this process."""
    global _last_cleanup
    with _lock:
        searches, results = dict(_searches), dict(_results)
        _searches.clear()
        _results.clear()
    if not searches:
        return
    try:
        with transaction.atomic():
            for (day, text), count in searches.items():
                _add(day, text, count, results[day, text])
            today = timezone.localdate()
            if _last_cleanup != today:
                SearchTerm.objects.filter(
                    day__lt=today - timedelta(days=KEEP_DAYS)
                ).delete()
                _last_cleanup = today
    except DatabaseError as error:
        # Busy database: keep the counts for the next write.
        logger.warning("Search terms not written yet: %s", error)
        with _lock:
            _searches.update(searches)
            for key, value in results.items():
                _results.setdefault(key, value)


def _add(day, text, count, results):
    rows = SearchTerm.objects.filter(day=day, text=text)
    if rows.update(searches=F("searches") + count, results=results):
        return
    try:
        with transaction.atomic():
            SearchTerm.objects.create(
                day=day, text=text, searches=count, results=results
            )
    except IntegrityError:  # another process wrote it first
        rows.update(searches=F("searches") + count, results=results)


@atexit.register
def _flush_at_exit():
    if settings.SEARCH_TERMS_WRITE_SECONDS is not None:
        flush()


@dataclass
class TermCount:
    text: str
    searches: int
    results: int | None  # when last shown


def report(days=REPORT_DAYS, limit=50):
    """(most searched, searched and found nothing) over the last `days`
    days, each a list of TermCount, most searched first."""
    since = timezone.localdate() - timedelta(days=days - 1)
    totals = {}
    rows = (
        SearchTerm.objects.filter(day__gte=since)
        .order_by("day")
        .values_list("text", "searches", "results")
    )
    for text, searches, results in rows:
        found = totals.setdefault(text, TermCount(text, 0, None))
        found.searches += searches
        found.results = results  # the latest day's
    ranked = sorted(totals.values(), key=lambda term: (-term.searches, term.text))
    nothing = [term for term in ranked if term.results == 0]
    return ranked[:limit], nothing[:limit]
