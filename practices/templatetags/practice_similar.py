"""{% similar_practices page as similar %}: the practice page's "comparable
initiatives", stored ahead of the visit (practices.similar)."""

from django import template

from practices import similar

register = template.Library()


@register.simple_tag
def similar_practices(page, limit=similar.LIMIT):
    return similar.similar_practices(page, limit=limit)
