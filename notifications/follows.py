"""The four kinds of things a member can follow, by name.

Views, the template tag and the settings page all go through these helpers,
so a kind is spelled the same way everywhere ("practice", "question",
"theme", "province": the Follow field names).
"""

from django.utils.translation import gettext as _

from .models import TARGETS


def target_kind(obj):
    """The Follow field for `obj`, or None when it cannot be followed."""
    from community.models import Question
    from practices.models import PracticePage, Province, Theme

    for kind, model in (
        ("practice", PracticePage),
        ("question", Question),
        ("theme", Theme),
        ("province", Province),
    ):
        if isinstance(obj, model):
            return kind
    return None


def followable(kind, pk):
    """The object a member may follow, or None (unknown, hidden, not public)."""
    from community.models import Question
    from practices.models import PracticePage, Province, Theme

    if kind not in TARGETS:
        return None
    querysets = {
        "practice": PracticePage.objects.live().public(),
        "question": Question.objects.filter(is_hidden=False),
        "theme": Theme.objects.all(),
        "province": Province.objects.all(),
    }
    return querysets[kind].filter(pk=pk).first()


def describe(kind, obj):
    """A phrase for messages: "the theme Ouderenzorg"."""
    if kind == "practice":
        return _("the practice “%(title)s”") % {"title": obj.title}
    if kind == "question":
        return _("the question “%(title)s”") % {"title": obj.title}
    if kind == "theme":
        return _("the theme %(name)s") % {"name": obj.name}
    return _("the province %(name)s") % {"name": obj.name}


def describe_follow(follow):
    for kind in TARGETS:
        if getattr(follow, f"{kind}_id"):
            return describe(kind, getattr(follow, kind))
    return ""
