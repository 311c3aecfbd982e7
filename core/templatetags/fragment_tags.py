"""{% fragment key %}...{% endfragment %}: a part of a page kept in the cache.

Unlike Django's {% cache %}, the part is kept with the versions of what it
showed (core.cache.cached_fragment): whatever the part reads through
core.cache.depends_on while it is drawn (a practice's community questions,
the practices in its "similar" list), the site's structure, and the names its
key was prepared with (core.cache.prepare_fragments, e.g. the page's own
version). It is served only while those are unchanged, so it is never older
than what it shows. `key` is a prepared Fragment (one round trip for every
part of a page) or a plain key; an empty key (a preview, a member's own
view) draws the part afresh and keeps nothing.
"""

from django import template
from django.utils.safestring import mark_safe

from core.cache import cached_fragment

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, key, nodelist):
        self.key = key
        self.nodelist = nodelist

    def render(self, context):
        html = cached_fragment(
            self.key.resolve(context), lambda: str(self.nodelist.render(context))
        )
        return mark_safe(html)  # rendered by the template, which escapes


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% fragment key %} takes one key")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(bits[1]), nodelist)
