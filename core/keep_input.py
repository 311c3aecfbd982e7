"""What a member typed survives a login in between: one mechanism for every
form that needs an account.

A form view opts in with `@keeps_input` (or calls `login_keeping_input`
itself, which keeps the text for the address it sends back to) and shows
kept text again with `restore_input`. When such a form arrives without a
valid login (the session expired, or the member logged out in another tab),
`login_keeping_input` keeps the posted text in the new anonymous session,
keyed by the form's address, and sends the member to the login page with
`next=` back to the form. Logging in keeps the session's data, so the form's
GET view calls `restore_input` and shows the text again, once, with a
message saying so. The same happens when the CSRF check of an opted-in
form sent from this site fails (`csrf_failure`, the CSRF_FAILURE_VIEW);
every other CSRF failure gets the project's Dutch 403 page
(templates/403_csrf.html), never a redirect.

What is kept, and for whom:

- one entry per form address, at most MAX_ENTRIES, each dropped after
  MAX_AGE and shown once;
- never for the admin or the account pages (ACCOUNT_PREFIXES), and never a
  field whose name looks like a secret (SECRET_NAME: passwords, tokens,
  codes); a form larger than MAX_SIZE is not kept at all. Files cannot be
  kept: the message says so where a form has them;
- bound to the member who typed it when that is known: `MemberHintMiddleware`
  gives a logged-in member's browser a cookie with a keyed hash of their id,
  which outlives the session; text kept under one member's hint is shown
  only to that member after the login, never to someone else logging in on
  the same computer. Logging out empties the session, kept text included.
"""

import json
import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, QueryDict
from django.urls import Resolver404, resolve
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure

SESSION_KEY = "kept_input"
# A form larger than this (JSON characters) is not kept in the session.
MAX_SIZE = 200_000
MAX_ENTRIES = 5
MAX_AGE = 30 * 60  # seconds
NEVER_KEPT = {"csrfmiddlewaretoken", "form_token"}
SECRET_NAME = re.compile(r"pass|secret|token|code", re.IGNORECASE)
ACCOUNT_PREFIXES = ("/admin/", "/django-admin/", "/account")
# Forms that keep their text, by URL name, for views that cannot carry the
# decorator (the submission form is owned by its own app).
KEEPING_URL_NAMES = {"submissions:new", "submissions:edit"}
HINT_COOKIE = "vp_member"
HINT_SALT = "core.keep_input.member"


def keeps_input(view):
    """Mark a form view whose text survives a failed CSRF check (it shows
    kept text again with `restore_input`)."""
    view.keeps_input = True
    return view


def _opted_in(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return bool(
        getattr(match.func, "keeps_input", False)
        or match.view_name in KEEPING_URL_NAMES
    )


def _may_keep(path):
    return not path.startswith(ACCOUNT_PREFIXES)


def member_hint(user_id):
    return salted_hmac(HINT_SALT, str(user_id)).hexdigest()[:32]


def _hint_of(request):
    return request.COOKIES.get(HINT_COOKIE) or None


def _entries(request):
    """The kept entries still young enough, oldest first."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict):
        return {}
    now = time.time()
    return {
        path: entry
        for path, entry in kept.items()
        if isinstance(entry, dict) and now - entry.get("at", 0) < MAX_AGE
    }


def keep_input(request):
    """Keep what this POST typed for the form at this address."""
    if request.method != "POST" or not _may_keep(request.path):
        return
    data = {
        name: request.POST.getlist(name)
        for name in request.POST
        if name not in NEVER_KEPT and not SECRET_NAME.search(name)
    }
    if not data or len(json.dumps(data)) > MAX_SIZE:
        return
    entries = _entries(request)
    entries.pop(request.path, None)
    entries[request.path] = {
        "data": data,
        "at": time.time(),
        "member": _hint_of(request),
    }
    request.session[SESSION_KEY] = dict(list(entries.items())[-MAX_ENTRIES:])


def login_keeping_input(request, next_url=None):
    """Not logged in (any more): keep the typed text and go to the login,
    back to `next_url` (this address by default) afterwards."""
    keep_input(request)
    return redirect_to_login(next_url or request.get_full_path())


def as_initial(kept):
    """Kept data as a form's `initial`: one value, or a list when repeated."""
    if kept is None:
        return None
    return {
        name: values if len(values) > 1 else values[0] for name, values in kept.lists()
    }


def restore_input(request, message=None):
    """What was typed into the form at this address, once, as a QueryDict
    like the POST it came from (None when nothing was kept for this member)."""
    entries = _entries(request)
    entry = entries.pop(request.path, None)
    if SESSION_KEY in request.session:
        if entries:
            request.session[SESSION_KEY] = entries
        else:
            del request.session[SESSION_KEY]
    if entry is None:
        return None
    typed_by = entry.get("member")
    user = getattr(request, "user", None)
    if typed_by and not (
        user is not None
        and user.is_authenticated
        and constant_time_compare(typed_by, member_hint(user.pk))
    ):
        return None  # someone else typed it: dropped, never shown
    messages.info(
        request,
        message
        or (
            _(
                "Your form had expired before it was sent. We kept what you "
                "typed: check it and send it again."
            )
            if entry.get("csrf")
            else _(
                "You were logged out before your form was sent. We kept what "
                "you typed: check it and send it again."
            )
        ),
    )
    data = QueryDict(mutable=True)
    for name, values in (entry.get("data") or {}).items():
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            data.setlist(name, values)
    data._mutable = False
    return data


def _from_this_site(request):
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc == request.get_host()


def csrf_failure(request, reason=""):
    """The CSRF check failed (a form older than a login or logout in
    another tab, say). An opted-in form sent from this site keeps its text
    and is shown again; anything else gets the Dutch 403 page
    (templates/403_csrf.html)."""
    if (
        request.method == "POST"
        and _from_this_site(request)
        and _may_keep(request.path)
        and _opted_in(request)
    ):
        keep_input(request)
        entry = _entries(request).get(request.path)
        if entry is not None:
            entry["csrf"] = True
            request.session[SESSION_KEY] = {
                **request.session[SESSION_KEY],
                request.path: entry,
            }
            return HttpResponseRedirect(request.get_full_path())
    return django_csrf_failure(request, reason)


class MemberHintMiddleware:
    """Gives a logged-in member's browser a cookie naming them by a keyed
    hash (not their id), which outlives the session: text kept after the
    session expired is shown only to the member who typed it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            hint = member_hint(user.pk)
            if request.COOKIES.get(HINT_COOKIE) != hint:
                response.set_cookie(
                    HINT_COOKIE,
                    hint,
                    max_age=60 * 60 * 24 * 30,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        return response
