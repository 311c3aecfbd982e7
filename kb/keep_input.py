"""What a member typed survives a login in between: one mechanism for every
form that needs an account.

When a form arrives without a valid login (the session expired, or the
member logged out in another tab), `login_keeping_input` keeps the posted
text in the new anonymous session, keyed by the form's address, and sends
the member to the login page with `next=` back to the form. Logging in keeps
the session's data, so the form's GET view calls `restore_input` and shows
the text again, once, with a message saying so. The same happens when the
form's CSRF check fails on a form sent from this site (`csrf_failure`, the
CSRF_FAILURE_VIEW): the text is kept and the form is shown again.

Tokens (CSRF, one-time form tokens) and passwords are never kept; a form
larger than MAX_SIZE is not kept at all. Files cannot be kept: the message
says so where a form has them.
"""

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, QueryDict
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure

SESSION_KEY = "kept_input"
# A form larger than this (JSON characters) is not kept in the session.
MAX_SIZE = 200_000
NEVER_KEPT = {"csrfmiddlewaretoken", "form_token", "password", "password1", "password2"}


def keep_input(request):
    """Keep what this POST typed for the form at this address."""
    if request.method != "POST":
        return
    data = {
        name: request.POST.getlist(name)
        for name in request.POST
        if name not in NEVER_KEPT
    }
    if data and len(json.dumps(data)) <= MAX_SIZE:
        request.session[SESSION_KEY] = {"path": request.path, "data": data}


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
    like the POST it came from (None when nothing was kept)."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    messages.info(
        request,
        message
        or _(
            "You were logged out before your form was sent. We kept what you "
            "typed: check it and send it again."
        ),
    )
    data = QueryDict(mutable=True)
    for name, values in (kept.get("data") or {}).items():
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
    another tab, say). A form sent from this site keeps its text and is shown
    again; anything else gets Django's refusal (templates/403_csrf.html)."""
    if request.method == "POST" and _from_this_site(request):
        keep_input(request)
        if request.session.get(SESSION_KEY, {}).get("path") == request.path:
            return HttpResponseRedirect(request.get_full_path())
    return django_csrf_failure(request, reason)
