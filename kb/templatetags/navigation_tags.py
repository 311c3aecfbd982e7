from wagtail.models import Site

from django import template
from django.core.cache import cache

from core.cache import SITE, depends_on, once_per_request
from kb.models import StandardPage

register = template.Library()

MENU_SECONDS = 600


def _links(request, pages):
    return [
        {"title": page.title, "url": page.get_url(request), "path": page.path}
        for page in pages
    ]


def _menus(request):
    """Both menus' links, cached until the site's structure changes
    (core.cache.SITE: a page directly below the home page published, moved
    or deleted; practices.caching): every page shows them, and they rarely
    change."""
    site = Site.find_for_request(request)
    if site is None:
        return {"main": [], "footer": []}
    key = f"menus:{depends_on(SITE)}:{site.pk}"

    def load():
        menus = cache.get(key)
        if menus is None:
            menus = {
                # The root page's children that editors marked "show in menus".
                "main": _links(request, site.root_page.get_children().live().in_menu()),
                # Every content page directly below the home page (Over, ...).
                "footer": _links(
                    request,
                    StandardPage.objects.child_of(site.root_page).live().public(),
                ),
            }
            cache.set(key, menus, MENU_SECONDS)
        return menus

    return once_per_request(key, load)


def _items(context, name):
    current = context.get("page")
    return [
        {**link, "current": bool(current) and current.path.startswith(link["path"])}
        for link in _menus(context["request"])[name]
    ]


@register.inclusion_tag("includes/menu.html", takes_context=True)
def main_menu(context):
    return {"items": _items(context, "main")}


@register.inclusion_tag("includes/menu.html", takes_context=True)
def footer_menu(context):
    return {"items": _items(context, "footer")}
