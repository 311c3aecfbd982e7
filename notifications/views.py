"""Following, the notification list and the unsubscribe links."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.flood import check_toggle
from core.params import positive_int
from practices.models import PracticeContact
from search.query import parse_params

from . import saved as saved_searches
from .follows import describe, describe_follow, describe_search, followable
from .mail import (
    opt_out_token_fits,
    read_contact_opt_out_token,
    read_unsubscribe_token,
)
from .models import TARGETS, ContactOptOut, Follow, Notification, SavedSearch

NOTIFICATIONS_PER_PAGE = 25


def safe_next(request, url, fallback):
    """`url` when it points into this site, `fallback` otherwise."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


@require_POST
def follow(request):
    """Follow or stop following one thing; back to where the member was."""
    next_url = safe_next(request, request.POST.get("next"), "/")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    refusal = check_toggle(request.user)  # clicks per minute, on or off
    if refusal:
        return render(
            request,
            "community/refused.html",
            {"message": refusal.message},
            status=refusal.status,
        )
    kind = request.POST.get("target", "")
    pk = positive_int(request.POST.get("id"))
    if pk is None or kind not in TARGETS:
        raise Http404
    action = request.POST.get("action")
    existing = Follow.objects.filter(user=request.user, **{f"{kind}_id": pk})
    if action == "unfollow" and existing.exists():
        # Stopping is always allowed, even when the thing itself is no
        # longer shown (a hidden question, a restricted practice).
        target = existing.first().target
        existing.delete()
        what = (
            _("a question the editors hid")
            if _hidden_from(request.user, kind, target)
            else describe(kind, target)
        )
        messages.success(
            request, _("You no longer follow %(target)s.") % {"target": what}
        )
        return HttpResponseRedirect(next_url)
    obj = followable(kind, pk)
    if obj is None:
        raise Http404
    if action not in ("follow", "unfollow"):
        action = "unfollow" if existing.exists() else "follow"
    if action == "follow":
        Follow.objects.get_or_create(user=request.user, **{kind: obj})
        messages.success(
            request,
            _("You now follow %(target)s. You will be notified when there is news.")
            % {"target": describe(kind, obj)},
        )
    else:
        existing.delete()
        messages.success(
            request,
            _("You no longer follow %(target)s.") % {"target": describe(kind, obj)},
        )
    # Not redirect(): it would take a "next" without a slash for a view name.
    return HttpResponseRedirect(next_url)


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user).only(
        "pk", "event", "message", "url", "created_at", "read_at"
    )
    page_obj = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    has_unread = Notification.objects.filter(
        user=request.user, read_at__isnull=True
    ).exists()
    return render(
        request,
        "notifications/notification_list.html",
        {"page_obj": page_obj, "notifications": page_obj, "has_unread": has_unread},
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request, pk):
    """Mark one of the member's notifications read and go to what it is about.

    A plain link (GET) so it works from the list and in a new tab; marking
    one's own notification read is the only thing it changes.
    """
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return redirect(safe_next(request, notification.url, reverse("notifications:list")))


@login_required
@require_POST
def mark_all_read(request):
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


def _hidden_from(user, kind, target):
    """A question the editors hid: its title is for its author only."""
    return (
        kind == "question"
        and target.is_hidden
        and (target.author_id is None or target.author_id != user.pk)
    )


@login_required
def notification_settings(request, renaming=None):
    """Everything the member follows, each with a button to stop; saved
    searches with their name to change (`renaming`: the one whose new name
    was refused, with the name typed and why) and their feed."""
    follows = (
        Follow.objects.filter(user=request.user)
        .select_related("practice", "question", "theme", "province")
        .order_by("-created_at", "-pk")
    )
    groups = {kind: [] for kind in TARGETS}
    for item in follows:
        for kind in TARGETS:
            target = getattr(item, kind)
            if target is not None:
                if _hidden_from(request.user, kind, target):
                    # Shown (also in the button) without its title or link.
                    target.title = _("A question the editors hid")
                    target.hidden_from_you = True
                groups[kind].append(target)
    headings = {
        "practice": _("Practices"),
        "question": _("Questions"),
        "theme": _("Themes"),
        "province": _("Provinces"),
    }
    try:
        account_url = reverse("accounts:edit")
    except NoReverseMatch:
        account_url = ""
    profile = getattr(request.user, "profile", None)
    searches = list(SavedSearch.objects.filter(user=request.user))
    for item in searches:
        item.typed_name, item.error = item.name, ""
        if renaming and renaming["pk"] == item.pk:
            item.typed_name, item.error = renaming["name"], renaming["error"]
    return render(
        request,
        "notifications/settings.html",
        {
            "searches": searches,
            "groups": [
                {"kind": kind, "heading": headings[kind], "targets": groups[kind]}
                for kind in TARGETS
                if groups[kind]
            ],
            "email_frequency": profile.get_email_frequency_display() if profile else "",
            "account_url": account_url,
        },
        status=400 if renaming else 200,
    )


# Saved searches ------------------------------------------------------------

# The search page's parameters that make a search (not how it is shown).
SEARCH_PAGE_EXTRAS = ("csrfmiddlewaretoken", "sort", "page", "page_size")


def _search_url(data):
    """The search page with what was posted, as it was typed."""
    params = data.copy()
    for name in SEARCH_PAGE_EXTRAS:
        params.pop(name, None)
    encoded = params.urlencode()
    return reverse("search") + (f"?{encoded}" if encoded else "")


@require_POST
def save_search(request):
    """Follow the search posted from /zoeken/ (its text and filters); back to
    that search. A visitor logs in first and comes back to the same search."""
    back = _search_url(request.POST)
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    refusal = check_toggle(request.user)  # clicks per minute
    if refusal:
        return render(
            request,
            "community/refused.html",
            {"message": refusal.message},
            status=refusal.status,
        )
    query, errors = parse_params(request.POST)
    if errors:
        for error in errors:
            messages.error(
                request,
                _("This search cannot be followed: %(message)s")
                % {"message": error.message},
            )
        return HttpResponseRedirect(back)
    try:
        saved, created = saved_searches.save_search(request.user, query)
    except saved_searches.Refused as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(back)
    if created:
        messages.success(
            request,
            _(
                "You now follow %(search)s. You get a notification of every new "
                "practice example that matches it."
            )
            % {"search": describe_search(saved)},
        )
    else:
        messages.info(
            request,
            _("You already follow this search, as “%(name)s”.") % {"name": saved.name},
        )
    return HttpResponseRedirect(back)


@login_required
@require_POST
def rename_search(request, pk):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    name = request.POST.get("name", "")
    try:
        saved_searches.rename(saved, name)
    except saved_searches.Refused as refused:
        return notification_settings(
            request, renaming={"pk": saved.pk, "name": name, "error": str(refused)}
        )
    messages.success(
        request, _("Your search is now called “%(name)s”.") % {"name": saved.name}
    )
    return redirect("notifications:settings")


@login_required
@require_POST
def remove_search(request, pk):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.delete()
    messages.success(
        request,
        _("You no longer follow %(search)s.") % {"search": describe_search(saved)},
    )
    return redirect("notifications:settings")


def link_expired(request, member, outdated=False):
    """An unsubscribe or opt-out link older than mail.LINK_MAX_AGE, or
    (`outdated`) an opt-out link for an address the contact no longer has.

    Members change their email settings after logging in; a contact person
    uses the link in a newer email (every email carries a fresh one).
    """
    return render(
        request,
        "notifications/unsubscribe_invalid.html",
        {
            "expired": True,
            "outdated": outdated,
            "member": member,
            "settings_url": reverse("notifications:settings"),
        },
        status=410,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The link in every notification email: confirm (GET), unsubscribe (POST).

    The signed token is the credential, so no login and no CSRF token are
    needed: mail clients POST here themselves (RFC 8058 one-click).
    """
    try:
        user_id, scope = read_unsubscribe_token(token)
        user = get_user_model().objects.select_related("profile").get(pk=user_id)
    except signing.SignatureExpired:
        return link_expired(request, member=True)
    except (signing.BadSignature, get_user_model().DoesNotExist):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)

    follow = None
    if scope.startswith("search-"):
        follow = SavedSearch.objects.filter(
            pk=int(scope.removeprefix("search-")), user=user
        ).first()
    elif scope != "all":
        follow = (
            Follow.objects.filter(pk=int(scope), user=user)
            .select_related("practice", "question", "theme", "province")
            .first()
        )
    if scope == "all":
        what = _("all notification emails")
    elif follow is not None:
        what = describe_follow(follow)
    else:
        what = ""

    done = False
    if request.method == "POST":
        with transaction.atomic():
            if scope == "all":
                profile = user.profile
                profile.email_frequency = profile.EmailFrequency.NEVER
                profile.save(update_fields=["email_frequency"])
            elif follow is not None:
                follow.delete()
        done = True
    elif scope == "all":
        done = user.profile.email_frequency == user.profile.EmailFrequency.NEVER
    else:
        done = follow is None
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "scope": scope,
            "what": what,
            "done": done,
            "action": reverse("notifications:unsubscribe", args=[token]),
        },
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def contact_opt_out(request, token):
    """The link in emails to a practice's contact persons, who need not be
    members: confirm (GET), stop those emails (POST, also RFC 8058)."""
    try:
        contact_id, digest = read_contact_opt_out_token(token)
        contact = PracticeContact.objects.get(pk=contact_id)
    except signing.SignatureExpired:
        return link_expired(request, member=False)
    except (signing.BadSignature, PracticeContact.DoesNotExist):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if not opt_out_token_fits(digest, contact.email):
        # The editors changed the contact's address since this email (or the
        # link is from before links named the address): it must not opt out
        # the new person. A newer email carries a working link.
        return link_expired(request, member=False, outdated=True)
    email = contact.email.lower()
    if request.method == "POST":
        ContactOptOut.objects.get_or_create(email=email)
    done = ContactOptOut.objects.filter(email=email).exists()
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "scope": "contact",
            "done": done,
            "action": reverse("notifications:contact_opt_out", args=[token]),
        },
    )
