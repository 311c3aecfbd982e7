from wagtail.models import Site

from django import template

from kb.models import StandardPage

register = template.Library()


def _menu_items(context, pages):
    request = context["request"]
    current = context.get("page")
    items = []
    for page in pages:
        is_current = bool(current) and current.path.startswith(page.path)
        items.append(
            {"page": page, "url": page.get_url(request), "current": is_current}
        )
    return items


@register.inclusion_tag("includes/menu.html", takes_context=True)
def main_menu(context):
    """The root page's children that editors marked "show in menus"."""
    site = Site.find_for_request(context["request"])
    pages = site.root_page.get_children().live().in_menu() if site else []
    return {"items": _menu_items(context, pages)}


@register.inclusion_tag("includes/menu.html", takes_context=True)
def footer_menu(context):
    """Every content page directly below the home page (Over, Privacy, ...)."""
    site = Site.find_for_request(context["request"])
    pages = (
        StandardPage.objects.child_of(site.root_page).live().public() if site else []
    )
    return {"items": _menu_items(context, pages)}
