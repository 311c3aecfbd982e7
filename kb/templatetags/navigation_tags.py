"""The site's menus: the main menu in the header, the footer menu.

The main menu lists the public sections, which are views (search, regions,
the white spots, the community's questions, the collections), then the
content pages directly below the home page that editors marked "show in
menus" (Over Vindplaats), and a call to share an initiative. The footer
lists every content page directly below the home page.
"""

from wagtail.models import Site

from django import template
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.cache import SITE, depends_on, once_per_request
from kb.models import StandardPage

register = template.Library()

MENU_SECONDS = 600

# The public sections of the main menu: (URL name, label), in this order.
SECTIONS = [
    ("search", _("Search")),
    ("regions", _("Regions")),
    ("gaps", _("White spots")),
    ("community:index", _("Questions")),
    ("editorial:collections", _("Collections")),
]
SHARE_URL_NAME = "submissions:new"


def _links(request, pages):
    return [{"title": page.title, "url": page.get_url(request)} for page in pages]


def _menus(request):
    """The content pages of both menus, cached until the site's structure
    changes (core.cache.SITE: a Site record changed, or a page directly below
    the home page published, moved or deleted; practices.caching): every page
    shows them, and they rarely change. Kept per host name, so a request that
    finds them cached does not look its Site up either."""
    key = f"menus:{depends_on(SITE)}:{request.get_host()}"

    def load():
        menus = cache.get(key)
        if menus is None:
            site = Site.find_for_request(request)
            if site is None:
                return {"main": [], "footer": []}
            pages = StandardPage.objects.child_of(site.root_page).live().public()
            menus = {
                # Content pages that editors marked "show in menus" (Over, ...).
                "main": _links(request, pages.in_menu()),
                # Every content page directly below the home page.
                "footer": _links(request, pages),
            }
            cache.set(key, menus, MENU_SECONDS)
        return menus

    return once_per_request(key, load)


def current(path, url):
    """aria-current for a link to `url` on the page at `path`: "page" on the
    page itself, "true" on a page inside its section, else None."""
    if not url or not url.startswith("/") or url == "/":
        return None
    if path == url:
        return "page"
    if path.startswith(url.rstrip("/") + "/"):
        return "true"
    return None


def _url(name):
    try:
        return reverse(name)
    except NoReverseMatch:  # an app left out of this site's URLs
        return None


def main_menu_items(request):
    """The main menu's links, each with its aria-current value."""
    path = request.path
    links = [
        {"title": label, "url": url} for name, label in SECTIONS if (url := _url(name))
    ]
    links += _menus(request)["main"]
    return [{**link, "current": current(path, link["url"])} for link in links]


@register.inclusion_tag("includes/menu.html", takes_context=True)
def main_menu(context):
    request = context["request"]
    share_url = _url(SHARE_URL_NAME)
    return {
        "items": main_menu_items(request),
        "share": share_url
        and {"url": share_url, "current": current(request.path, share_url)},
    }


@register.inclusion_tag("includes/footer_menu.html", takes_context=True)
def footer_menu(context):
    request = context["request"]
    return {
        "items": [
            {**link, "current": current(request.path, link["url"])}
            for link in _menus(request)["footer"]
        ]
    }
