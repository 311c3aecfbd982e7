"""{% practice_fragments page as fragments %}: the cached parts of a practice
page ({% fragment fragments.header %}, core/templatetags/fragment_tags.py)."""

from django import template

from core.cache import page_name, prepare_fragments

register = template.Library()

PARTS = ("header", "intro", "similar", "story", "adoptions", "questions", "rest")
# In every part's key: raise it when the template's parts change, so no part
# kept for the old layout (for FRAGMENT_SECONDS) is served with the new one.
LAYOUT = 4


@register.simple_tag(takes_context=True)
def practice_fragments(context, page):
    """The page's parts, with the cached ones found in two round trips.

    Each part is kept under Wagtail's cache key of the page (its id, address,
    publication and review dates) and depends on the page's own version
    (core.cache.page_name: bumped by publishing it, and by renaming a theme
    or organisation it shows) and on the site's structure (the breadcrumb).
    A part adds what it reads while it is drawn: the community's questions
    about the practice, the practices in its "similar" list (a part of its
    own, so a change to one of them redraws the list, not the story around
    it). What depends on
    the visitor is left out (the follow button) or in the key (whether they
    are logged in); the question list is kept for visitors only, as a member
    may also see their own hidden questions. Previews keep nothing.
    """
    request = context["request"]
    if getattr(request, "is_preview", False):
        return prepare_fragments(dict.fromkeys(PARTS, ""))
    member = request.user.is_authenticated
    base = f"practice:{LAYOUT}:{page.cache_key}"
    return prepare_fragments(
        {
            "header": f"{base}:header",
            "intro": f"{base}:intro",
            "similar": f"{base}:similar",
            "adoptions": f"{base}:adoptions",
            "story": f"{base}:story:{'member' if member else 'visitor'}",
            "questions": "" if member else f"{base}:questions",
            "rest": f"{base}:rest",
        },
        names=[page_name(page.pk)],
    )
