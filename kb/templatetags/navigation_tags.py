from wagtail.models import Site

from django import template
from django.core.cache import cache

from kb.cache import current_version
from kb.models import StandardPage

register = template.Library()

MENU_SECONDS = 600


def _menu_items(context, name, pages):
    """The menu's links, cached until content changes (the page cache's
    version): every page shows both menus, and they rarely change."""
    request = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return []
    key = f"menu:{current_version()}:{name}:{site.pk}"
    links = cache.get(key)
    if links is None:
        links = [
            {"title": page.title, "url": page.get_url(request), "path": page.path}
            for page in pages(site)
        ]
        cache.set(key, links, MENU_SECONDS)
    current = context.get("page")
    return [
        {**link, "current": bool(current) and current.path.startswith(link["path"])}
        for link in links
    ]


@register.inclusion_tag("includes/menu.html", takes_context=True)
def main_menu(context):
    """The root page's children that editors marked "show in menus"."""
    return {
        "items": _menu_items(
            context, "main", lambda site: site.root_page.get_children().live().in_menu()
        )
    }


@register.inclusion_tag("includes/menu.html", takes_context=True)
def footer_menu(context):
    """Every content page directly below the home page (Over, Privacy, ...)."""
    return {
        "items": _menu_items(
            context,
            "footer",
            lambda site: StandardPage.objects.child_of(site.root_page).live().public(),
        )
    }
