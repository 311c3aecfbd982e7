"""The four kinds of things a member can follow, by name.

Views, the template tag and the settings page all go through these helpers,
so a kind is spelled the same way everywhere ("practice", "question",
"theme", "province": the Follow field names).
"""

from django.utils.translation import gettext as _

from practices.models import PracticePage, Province, Theme

from .models import TARGETS, Follow, SavedSearch

# What a member may follow, per kind: a function giving the queryset of the
# objects shown to visitors. The practice's own kinds are known here; an app
# above adds its own (community: questions) with `register_followable`.
_followable = {
    "practice": lambda: PracticePage.objects.reachable(),
    "theme": lambda: Theme.objects.all(),
    "province": lambda: Province.objects.all(),
}


def register_followable(kind, visible):
    """`visible()` gives the objects of this kind a member may start following."""
    _followable[kind] = visible


def target_kind(obj):
    """The Follow field for `obj`, or None when it cannot be followed."""
    for kind in TARGETS:
        if isinstance(obj, Follow._meta.get_field(kind).related_model):
            return kind
    return None


def followable(kind, pk):
    """The object a member may follow, or None (unknown, hidden, not public)."""
    visible = _followable.get(kind) if kind in TARGETS else None
    if visible is None:
        return None
    return visible().filter(pk=pk).first()


def describe(kind, obj):
    """A phrase for messages: "the theme Ouderenzorg"."""
    if kind == "practice":
        return _("the practice “%(title)s”") % {"title": obj.title}
    if kind == "question":
        return _("the question “%(title)s”") % {"title": obj.title}
    if kind == "theme":
        return _("the theme %(name)s") % {"name": obj.name}
    return _("the province %(name)s") % {"name": obj.name}


def describe_search(saved):
    return _("the search “%(name)s”") % {"name": saved.name}


def describe_follow(follow):
    if isinstance(follow, SavedSearch):
        return describe_search(follow)
    for kind in TARGETS:
        if getattr(follow, f"{kind}_id"):
            return describe(kind, getattr(follow, kind))
    return ""
