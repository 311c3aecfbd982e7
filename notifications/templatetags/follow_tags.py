"""`{% follow_button obj %}`: one follow toggle for practices, questions,
themes and provinces; `{% follow_search_filters query %}` offers it on the
search page when exactly one theme or one province is selected, and
`{% follow_search query %}` follows the search itself (a saved search)."""

from types import SimpleNamespace

from django import template
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from practices.facets import FACETS_BY_KEY
from practices.models import Province, Theme

from ..follows import describe, target_kind
from ..models import Follow
from ..saved import canonical_query, find

register = template.Library()


@register.inclusion_tag("notifications/follow_button.html", takes_context=True)
def follow_button(context, obj, following=None):
    """A small POST form (members) or a login link (visitors).

    Pass `following` when the state is already known (the settings page), to
    save the query.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    kind = target_kind(obj)
    if kind is None:
        raise template.TemplateSyntaxError(f"{obj!r} cannot be followed")
    authenticated = bool(user and user.is_authenticated)
    if authenticated and following is None:
        following = Follow.objects.filter(user=user, **{kind: obj.pk}).exists()
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "authenticated": authenticated,
        "following": bool(following),
        "kind": kind,
        "obj": obj,
        "name": getattr(obj, "title", None) or getattr(obj, "name", ""),
        "next": request.get_full_path() if request else "/",
    }


@register.inclusion_tag("notifications/follow_search_filters.html", takes_context=True)
def follow_search_filters(context, query):
    """Following a single selected theme and a single selected province, said
    in so many words: what is followed, and what following brings.

    Visitors get a login link naming them, without a query (the names are
    the facets' cached labels), so the anonymous search page costs the same
    whatever is filtered; members pay one query per button.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    picked = [
        (kind, model, key, query.filters[key][0])
        for key, kind, model in (
            ("thema", "theme", Theme),
            ("provincie", "province", Province),
        )
        if len(query.filters.get(key) or []) == 1
    ]
    targets, names = [], []
    for kind, model, key, slug in picked:
        if authenticated:
            obj = (
                model.objects.filter(slug=slug)
                .annotate(
                    followed=Exists(
                        Follow.objects.filter(user=user, **{kind: OuterRef("pk")})
                    )
                )
                .first()
            )
            if obj is not None:
                targets.append(
                    {
                        "kind": kind,
                        "obj": obj,
                        "followed": obj.followed,
                        "description": describe(kind, obj),
                    }
                )
        elif slug in (labels := FACETS_BY_KEY[key].labels()):
            names.append(describe(kind, SimpleNamespace(name=labels[slug])))
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "authenticated": authenticated,
        "targets": targets,
        # "het thema Ouderen thuis en de provincie Gelderland"
        "anonymous_names": _("%(first)s and %(second)s")
        % {"first": names[0], "second": names[1]}
        if len(names) == 2
        else "".join(names),
        "next": request.get_full_path() if request else "/",
    }


@register.inclusion_tag("notifications/follow_search.html", takes_context=True)
def follow_search(context, query):
    """ "Follow this search" for the text and filters of the search page,
    beside the search's own Atom feed. Members see whether they follow it
    already (one query); visitors get a login link back to this search."""
    request = context.get("request")
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    query_string = canonical_query(query)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "authenticated": authenticated,
        "saved": find(user, query) if authenticated else None,
        "fields": QueryDict(query_string).lists(),
        "feed_url": reverse("feed_practices")
        + (f"?{query_string}" if query_string else ""),
        "next": reverse("search") + (f"?{query_string}" if query_string else ""),
    }
