"""/vergelijk/: two to four practices side by side.

The choice lives in the address (`?ids=12,34`): a comparison can be shared,
bookmarked, printed and cached like any public page. It is never kept in the
session, as a session cookie takes a visitor's every page out of the page
cache (core.cache). What a visitor picked on practice pages and cards, which
are cached for everyone, is kept in a small cookie (COOKIE: the ids, nothing
else) that static/js/compare.js reads and writes. Without JavaScript a
"Vergelijk" toggle is a link here with `?voeg_toe=<id>`: adding, and
removing (`?verwijder=<id>`), answer with a redirect to the new address that
also sets the cookie, so the next practice is added to the same comparison.

Only reachable practices are shown (PracticePage.objects.reachable): an id
that is unknown, a draft, unpublished or behind a login gets the same
message, which names no title.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from core.cache import depends_on, page_name
from practices.models import (
    STORY_SECTIONS,
    CareOfficeRegion,
    PracticeOrganisation,
    PracticePage,
    Province,
)
from practices.similar import similar_practices

# How many practices are put side by side.
MAX_COMPARED = 4
# How many ids the address keeps after adding, and the cookie.
MAX_KEPT = 8
# How many parts of ?ids= are read at all.
MAX_READ = 20
COOKIE = "vergelijk"
COOKIE_SEPARATOR = "-"  # a comma is not allowed in a cookie value
ADD = "voeg_toe"
REMOVE = "verwijder"
CLEAR = "wis"
# An id as people type or paste it: digits, a sane length.
NUMBER = re.compile(r"\d{1,12}")
SEPARATORS = re.compile(r"[\s,;]+")
# The story sections a comparison shows, by their anchors in STORY_SECTIONS,
# each with the short label its row has (the row headings stay in view
# beside the practices, on a phone too): the problem, the approach, the
# results and who pays.
STORY_ROWS = {
    "aanleiding": pgettext_lazy("comparison row", "Problem"),
    "aanpak": pgettext_lazy("comparison row", "Approach"),
    "werkzame-elementen": pgettext_lazy("comparison row", "What makes it work"),
    "resultaten": pgettext_lazy("comparison row", "Results"),
    "bekostiging": pgettext_lazy("comparison row", "Funding"),
}


@dataclass
class Selection:
    """The ids asked for, read from the address."""

    numbers: list[int] = field(default_factory=list)  # valid, each once, in order
    invalid: list[str] = field(default_factory=list)
    duplicates: bool = False
    cut: bool = False  # more than MAX_READ parts


def read_ids(values):
    """A Selection from the values of ?ids= (commas, spaces or repeats)."""
    parts = [part for value in values for part in SEPARATORS.split(value) if part]
    selection = Selection(cut=len(parts) > MAX_READ)
    for part in parts[:MAX_READ]:
        if not NUMBER.fullmatch(part) or int(part) == 0:
            selection.invalid.append(part)
        elif int(part) in selection.numbers:
            selection.duplicates = True
        else:
            selection.numbers.append(int(part))
    return selection


def compare(request):
    """The comparison of the practices in ?ids=; with ?voeg_toe=, ?verwijder=
    or ?wis=, a redirect to the changed comparison."""
    if any(key in request.GET for key in (ADD, REMOVE, CLEAR)):
        return _change(request)
    if not request.GET.getlist("ids"):
        cookie = _from_cookie(request)
        if cookie:
            return redirect(_address(cookie))
        # What this answer says depends on the cookie: never cached for all.
        response = _page(request, read_ids([]))
        patch_cache_control(response, private=True)
        return response
    return _page(request, read_ids(request.GET.getlist("ids")))


def _page(request, selection):
    # Before reading: a practice published, changed or hidden in between
    # makes this page stale rather than hiding.
    depends_on(*(page_name(pk) for pk in selection.numbers))
    found = _practices(selection.numbers)
    practices = [found[pk] for pk in selection.numbers if pk in found]
    shown, waiting = practices[:MAX_COMPARED], practices[MAX_COMPARED:]
    kept = [practice.pk for practice in practices]
    columns = [_column(practice, kept) for practice in shown]
    suggestions = []
    if len(shown) == 1:
        suggestions = [
            {"item": item, "add": _address(kept, add=item.id)}
            for item in similar_practices(shown[0])
        ]
    return render(
        request,
        "explore/compare.html",
        {
            "columns": columns,
            "rows": _rows(columns),
            "waiting": waiting,
            "problems": _problems(selection, len(selection.numbers) - len(found)),
            "suggestions": suggestions,
            "max_compared": MAX_COMPARED,
            "kept_ids": COOKIE_SEPARATOR.join(str(pk) for pk in kept),
            "clear_url": f"{reverse('compare')}?{CLEAR}=1",
        },
    )


def _practices(numbers):
    """{id: practice} of the reachable practices among `numbers`, with what
    the comparison shows: four queries, however many practices."""
    if not numbers:
        return {}
    pages = (
        PracticePage.objects.reachable()
        .filter(pk__in=numbers)
        .prefetch_related(
            Prefetch("provinces", queryset=Province.objects.only("name", "slug")),
            Prefetch(
                "care_office_regions",
                queryset=CareOfficeRegion.objects.only("name", "slug"),
            ),
            Prefetch(
                "practice_organisations",
                queryset=PracticeOrganisation.objects.select_related("organisation"),
            ),
        )
    )
    return {page.pk: page for page in pages}


def _column(practice, kept):
    organisations = list(practice.practice_organisations.all())
    return {
        "practice": practice,
        "remove": _address(kept, remove=practice.pk),
        "regions": list(practice.care_office_regions.all()),
        "provinces": list(practice.provinces.all()),
        "initiators": [
            link.organisation for link in organisations if link.is_initiator
        ],
        "partners": [
            link.organisation for link in organisations if not link.is_initiator
        ],
    }


def _rows(columns):
    """The story rows: (anchor, label, [html per column]), "" where a
    practice does not tell that part."""
    return [
        (
            anchor,
            str(STORY_ROWS[anchor]),
            [getattr(column["practice"], name) for column in columns],
        )
        for anchor, name, _heading in STORY_SECTIONS
        if anchor in STORY_ROWS
    ]


def _problems(selection, unknown):
    """What could not be shown, in plain Dutch, one sentence each."""
    problems = []
    if selection.invalid:
        named = ", ".join(f"“{part[:20]}”" for part in selection.invalid[:3])
        problems.append(
            ngettext(
                "%(values)s is not the number of a practice example; it was left out.",
                "%(values)s are not numbers of practice examples; they were left out.",
                len(selection.invalid),
            )
            % {"values": named}
        )
    if selection.cut:
        problems.append(
            _(
                "The address held more than %(count)s numbers; only the first "
                "%(count)s were read."
            )
            % {"count": MAX_READ}
        )
    if selection.duplicates:
        problems.append(
            _("A practice example was chosen more than once; it is shown once.")
        )
    if unknown:
        problems.append(
            ngettext(
                "%(count)s chosen practice example cannot be shown: it does not "
                "exist (any more) or is not public.",
                "%(count)s chosen practice examples cannot be shown: they do not "
                "exist (any more) or are not public.",
                unknown,
            )
            % {"count": unknown}
        )
    return problems


def _change(request):
    """Add (?voeg_toe=), remove (?verwijder=) or clear (?wis=), then show the
    comparison's new address. What is changed is the comparison in ?ids=, or
    else the one in the cookie; parts that are no number stay in the address,
    so the page can say what was left out."""
    if CLEAR in request.GET:
        parts = []
    elif request.GET.getlist("ids"):
        parts = [
            part
            for value in request.GET.getlist("ids")
            for part in SEPARATORS.split(value)
            if part
        ][:MAX_READ]
    else:
        parts = [str(pk) for pk in _from_cookie(request)]
    remove = request.GET.get(REMOVE, "").strip()
    add = request.GET.get(ADD, "").strip()
    parts = [part for part in parts if part != remove]
    if add and add not in parts:
        parts.append(add[:20])
    numbers = read_ids(parts).numbers[:MAX_KEPT]
    response = redirect(_address(parts))
    if numbers:
        response.set_cookie(
            COOKIE,
            COOKIE_SEPARATOR.join(str(pk) for pk in numbers),
            secure=request.is_secure(),
            httponly=False,  # static/js/compare.js reads and writes it
            samesite="Lax",
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response


def _from_cookie(request):
    """The ids kept in the cookie (numbers only, at most MAX_KEPT)."""
    raw = request.COOKIES.get(COOKIE, "")
    return read_ids([raw.replace(COOKIE_SEPARATOR, ",")]).numbers[:MAX_KEPT]


def _address(ids, add=None, remove=None):
    """/vergelijk/?ids=…, or with ?voeg_toe= or ?verwijder= to change it."""
    params = {}
    if ids:
        params["ids"] = ",".join(str(pk) for pk in ids)
    if add is not None:
        params[ADD] = add
    if remove is not None:
        params[REMOVE] = remove
    query = urlencode(params, safe=",")
    return f"{reverse('compare')}?{query}" if query else reverse("compare")
