"""OpenGraph tags and the canonical URL in the head of public pages."""

from html import unescape

from django import template
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.text import Truncator

from core.cache import remembered
from core.images import rendition
from core.params import positive_int
from core.site_url import site_url
from practices.models import PAGE_TREE, hidden_paths

register = template.Library()

SITE_NAME = "Vindplaats"


def canonical_url(request):
    """The page's address without its query string, except a page number:
    tracking parameters (utm_*, fbclid...) never make it into the canonical.
    On the configured base URL (core.site_url), whatever Host header came in."""
    url = site_url(request.path)
    number = positive_int(request.GET.get("pagina"))
    if number and number > 1:
        url += f"?pagina={number}"
    return url


def _page_is_public(page):
    """Live, with no view restriction on it or above it, and not inside a
    section that is not live: the rule of PracticePage.objects.reachable(),
    read from the remembered tree instead of two queries per page view."""
    if not getattr(page, "live", False):
        return False
    hidden = remembered(PAGE_TREE, hidden_paths)
    return not any(page.path.startswith(path) for path in hidden)


def _hero_image_url(page, request):
    image = getattr(page, "hero_image", None)
    if image is None:
        return ""
    url = rendition(image, "fill-1200x630").url
    # Media on another host (a storage's own URL) stays where it is.
    return url if url.startswith(("http://", "https://")) else site_url(url)


def _plain(text, words=40):
    """Text for an attribute: no tags, entities decoded (format_html escapes)."""
    return Truncator(unescape(strip_tags(str(text or ""))).strip()).words(words)


@register.simple_tag(takes_context=True)
def seo_meta(context, title="", description="", image_url="", og_type="website"):
    """canonical + og:* for a public page; nothing for previews and private pages.

    On a Wagtail page the values come from the page; other views pass them.
    """
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):
        return ""
    page = context.get("page")
    if page is not None and hasattr(page, "get_view_restrictions"):
        if not _page_is_public(page):
            return ""
        specific = page.specific
        title = title or specific.seo_title or specific.title
        description = description or (
            specific.search_description
            or getattr(specific, "summary", "")
            or getattr(specific, "intro", "")
        )
        image_url = image_url or _hero_image_url(specific, request)
        if specific.specific_class.__name__ == "PracticePage":
            og_type = "article"
    url = canonical_url(request)
    tags = [
        ("og:site_name", SITE_NAME),
        ("og:locale", "nl_NL"),
        ("og:type", og_type),
        ("og:title", _plain(title) or SITE_NAME),
        ("og:url", url),
    ]
    if description:
        tags.append(("og:description", _plain(description)))
    if image_url:
        tags.append(("og:image", image_url))
    return format_html(
        '<link rel="canonical" href="{}">\n    {}',
        url,
        format_html_join("\n    ", '<meta property="{}" content="{}">', tags),
    )
