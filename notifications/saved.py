"""Saved searches: following a search, and hearing of what newly matches it.

Each action is one function here (save, rename, match a published
practice), called by the views, the background tasks and the tests alike.

Matching is reverse search (search.percolation): a saved search keeps a few
keys, a published practice looks up its own, and only the saved searches
found that way are confirmed with the search contract, restricted to that
one practice (search.service.matching). That costs a few indexed lookups
and one small search per candidate, not one search per saved search: see
docs/community-and-email.md ("Saved searches").
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from core.cache import one_request
from practices.search import KIND
from search.documents import facets_of, get_type
from search.percolation import ALL, FACET, PREFIX, TERM, document_keys, query_keys
from search.query import SearchQuery, parse_params
from search.service import matching, search

from .events import notify
from .models import Notification, SavedSearch, SavedSearchKey, SavedSearchMatch

# How many searches one member may follow: enough for every region and
# theme they work on, few enough that a runaway script stops early.
MAX_SAVED_SEARCHES = 50
NAME_MAX_LENGTH = 100
# How many keys a practice looks up in one statement.
LOOKUP_BATCH = 500


class Refused(Exception):
    """A saved search that cannot be made, with the message saying why."""


def canonical_query(query):
    """The search page's query string for `query`'s text and filters, in
    one spelling (facets in their registered order, values sorted; no sort
    or page): two ways to reach the same search are one saved search."""
    params = QueryDict(mutable=True)
    if query.text:
        params["q"] = query.text
    for facet in facets_of(query.kinds):
        values = sorted(query.filters.get(facet.key) or [])
        if values:
            params.setlist(facet.key, values)
    return params.urlencode()


def parse_saved(query_string):
    """The SearchQuery a stored query string asks, as the search page reads it."""
    query, _errors = parse_params(QueryDict(query_string))
    return query


def default_name(query):
    """What a saved search is called until its member names it: the text
    typed, then the filters ("dementie · Thema: Ouderen thuis")."""
    parts = [query.text] if query.text else []
    for facet in facets_of(query.kinds):
        values = query.filters.get(facet.key)
        if values:
            labels = facet.labels_for(values)
            parts.append(
                f"{facet.label}: {', '.join(labels[value] for value in values)}"
            )
    name = " · ".join(parts) or _("All practice examples")
    return Truncator(name).chars(NAME_MAX_LENGTH)


def clean_name(name):
    """A name as typed, spaces tidied; Refused when it will not do."""
    name = " ".join((name or "").split())
    if not name:
        raise Refused(_("Give your search a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise Refused(
            _("The name may be at most %(max)d characters; it now has %(count)d.")
            % {"max": NAME_MAX_LENGTH, "count": len(name)}
        )
    return name


def _hash(query_string):
    return hashlib.sha256(query_string.encode()).hexdigest()


def find(user, query):
    """The member's saved search for this query, or None."""
    return SavedSearch.objects.filter(
        user=user, query_hash=_hash(canonical_query(query))
    ).first()


def save_search(user, query, name=""):
    """Follow a search: (saved search, created). An existing one for the
    same search is returned as it is. Refused at MAX_SAVED_SEARCHES."""
    query_string = canonical_query(query)
    existing = SavedSearch.objects.filter(
        user=user, query_hash=_hash(query_string)
    ).first()
    if existing is not None:
        return existing, False
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise Refused(
            _(
                "You follow %(max)d searches, the most there can be. Remove one "
                "on the page “What you follow” first."
            )
            % {"max": MAX_SAVED_SEARCHES}
        )
    name = clean_name(name) if name else default_name(query)
    try:
        with transaction.atomic():
            saved = SavedSearch.objects.create(
                user=user,
                name=name,
                query=query_string,
                query_hash=_hash(query_string),
            )
            set_keys(saved, query)
    except IntegrityError:  # the same search saved twice at once
        return find(user, query), False
    transaction.on_commit(lambda: _enqueue_remember(saved.pk))
    return saved, True


def rename(saved, name):
    saved.name = clean_name(name)
    saved.save(update_fields=["name"])
    return saved


def facet_counts():
    """{facet: {value: documents}} of every practice, to weigh filter keys."""
    results = search(SearchQuery(page_size=1))
    return {
        facet.key: {value.value: value.count for value in facet.values}
        for facet in results.facets
    }


def set_keys(saved, query=None, counts=None):
    """Store the keys of a saved search (search.percolation.query_keys)."""
    query = query if query is not None else parse_saved(saved.query)
    keys = query_keys(query, counts if counts is not None else facet_counts())
    SavedSearchKey.objects.filter(saved_search=saved).delete()
    SavedSearchKey.objects.bulk_create(
        SavedSearchKey(saved_search=saved, kind=kind, term=term[:255])
        for kind, term in sorted(keys)
    )


def refresh_keys():
    """Work out every saved search's keys again: the synonyms changed, so
    what each query asks for may have."""
    if not SavedSearch.objects.exists():
        return
    counts = facet_counts()
    for saved in SavedSearch.objects.order_by("pk").iterator(500):
        with transaction.atomic():
            set_keys(saved, counts=counts)


def remember_current(saved_id):
    """Note the practices a saved search finds now: they are not news to
    its member, so only what newly matches later is told."""
    saved = SavedSearch.objects.filter(pk=saved_id).first()
    if saved is None:
        return 0
    found = matching(parse_saved(saved.query))
    SavedSearchMatch.objects.bulk_create(
        (SavedSearchMatch(saved_search=saved, practice_id=pk) for pk in found),
        ignore_conflicts=True,
        batch_size=500,
    )
    return len(found)


def candidates(document):
    """The ids of the saved searches whose keys the document holds."""
    keys = document_keys(document)
    found = set(
        SavedSearchKey.objects.filter(kind=ALL).values_list(
            "saved_search_id", flat=True
        )
    )
    for kind in (TERM, PREFIX, FACET):
        values = sorted(keys[kind])
        for start in range(0, len(values), LOOKUP_BATCH):
            found.update(
                SavedSearchKey.objects.filter(
                    kind=kind, term__in=values[start : start + LOOKUP_BATCH]
                ).values_list("saved_search_id", flat=True)
            )
    return found


def confirmed(practice_id, saved_searches):
    """Those of `saved_searches` whose query finds the practice."""
    return [
        saved
        for saved in saved_searches
        if practice_id in matching(parse_saved(saved.query), [practice_id])
    ]


def match_practice(practice_id, actor_id=None):
    """A practice was published (new or updated): tell the members whose
    saved search it newly matches, one notification each. Returns the
    saved searches that newly match."""
    document = next(iter(get_type(KIND).documents([practice_id])), None)
    if document is None:  # not (or no longer) shown to visitors
        return []
    ids = sorted(candidates(document))
    found = []
    # Every candidate asks the same state of the index: what the searches
    # read once per request (its columns, its vocabulary) is read once.
    with one_request():
        for start in range(0, len(ids), LOOKUP_BATCH):
            found += confirmed(
                practice_id,
                SavedSearch.objects.filter(pk__in=ids[start : start + LOOKUP_BATCH]),
            )
    matched = {saved.pk for saved in found}
    known = set(
        SavedSearchMatch.objects.filter(practice_id=practice_id).values_list(
            "saved_search_id", flat=True
        )
    )
    gone = sorted(known - matched)
    for start in range(0, len(gone), LOOKUP_BATCH):
        SavedSearchMatch.objects.filter(
            practice_id=practice_id,
            saved_search_id__in=gone[start : start + LOOKUP_BATCH],
        ).delete()
    new = [saved for saved in found if saved.pk not in known]
    SavedSearchMatch.objects.bulk_create(
        (
            SavedSearchMatch(saved_search=saved, practice_id=practice_id)
            for saved in new
        ),
        ignore_conflicts=True,
        batch_size=500,
    )
    recipients = {}
    with translation.override(settings.LANGUAGE_CODE):
        for saved in new:
            recipients.setdefault(
                saved.user_id,
                (
                    _("“%(title)s” matches your search “%(name)s”")
                    % {"title": document.title, "name": saved.name},
                    saved,
                ),
            )
        actor = _user(actor_id)
        notify(
            Notification.Event.SEARCH_MATCH,
            document.url or "/",
            recipients,
            actor=actor,
        )
    return new


def _user(pk):
    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def _enqueue_remember(saved_id):
    from .tasks import remember_saved_search_matches

    remember_saved_search_matches.enqueue(saved_id)
