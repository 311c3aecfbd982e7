from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ..once import FIELD, new_token

register = template.Library()


@register.inclusion_tag("community/includes/author.html")
def post_author(post):
    """The author's name (linked to their profile) and badges, or
    "verwijderd lid" for an account that no longer exists.

    Expects the author's profile to be selected with the post and the
    `author_is_initiator` annotation of `community.authors.with_author_badges`.
    """
    author = post.author
    profile = getattr(author, "profile", None) if author else None
    return {
        "deleted": profile is None,
        "name": profile.display_name if profile else "",
        "url": profile.get_absolute_url() if profile else "",
        "lived_experience": bool(profile and profile.shows_lived_experience),
        "initiator": bool(getattr(post, "author_is_initiator", False)),
    }


@register.simple_tag(takes_context=True)
def ask_url(context, practice=None):
    """Where "Ask a question" leads: the form, or first the login page (with
    the form as `next`) for visitors, without a redirect in between."""
    url = reverse("community:ask")
    if practice is not None:
        url += "?" + urlencode({"praktijk": practice.pk})
    user = getattr(context.get("request"), "user", None)
    if user is not None and user.is_authenticated:
        return url
    return reverse("account_login") + "?" + urlencode({"next": url})


@register.simple_tag(takes_context=True)
def form_token(context):
    """The hidden one-time token of a form that creates something
    (community.once). Only members get one: their pages are never cached."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
