"""{% fragment key %}...{% endfragment %}: a part of a page cached under `key`.

Unlike Django's {% cache %}, the key is one value the view computes, so the
view decides what the part depends on, and an empty key (a preview, a draft)
renders the part afresh and keeps nothing. Keys should carry
core.cache.current_version(), which every publish and taxonomy change bumps,
and the versions of the objects the part shows (core.cache.depends_on, e.g. a
practice's community questions), so a cached part is never older than the
content it shows.
"""

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from core.cache import FRAGMENT_SECONDS, fragment_cache_key

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, key, nodelist):
        self.key = key
        self.nodelist = nodelist

    def render(self, context):
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        cache_key = fragment_cache_key(key)
        prefetched = context.get("prefetched_fragments") or {}
        html = (
            prefetched[cache_key] if cache_key in prefetched else cache.get(cache_key)
        )
        if html is None:
            html = str(self.nodelist.render(context))
            cache.set(cache_key, html, FRAGMENT_SECONDS)
        return mark_safe(html)  # rendered by the template, which escapes


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% fragment key %} takes one key")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(bits[1]), nodelist)
