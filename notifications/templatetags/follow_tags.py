"""`{% follow_button obj %}`: one follow toggle for practices, questions,
themes and provinces; `{% follow_search_filters query %}` offers it on the
search page when exactly one theme or one province is selected."""

from django import template
from django.db.models import Exists, OuterRef

from practices.models import Province, Theme

from ..follows import target_kind
from ..models import Follow

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
    """Follow buttons for a single selected theme and a single selected province.

    Visitors get the login link without a query, so the anonymous search page
    costs the same whatever is filtered; members pay one query per button.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    picked = [
        (kind, model, query.filters[key][0])
        for key, kind, model in (
            ("thema", "theme", Theme),
            ("provincie", "province", Province),
        )
        if len(query.filters.get(key) or []) == 1
    ]
    targets = []
    if picked and user is not None and user.is_authenticated:
        for kind, model, slug in picked:
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
                targets.append(obj)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "authenticated": bool(user and user.is_authenticated),
        "anonymous_links": bool(picked),
        "targets": targets,
        "next": request.get_full_path() if request else "/",
    }
