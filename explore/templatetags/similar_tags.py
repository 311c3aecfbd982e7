"""{% similar_practices page as similar %}: the practice page's "comparable
initiatives", from the search engine (search.service.similar).

The part of the page that shows them depends on what they show: the
documents of the practices listed (core.cache, read by `similar` before it
loads them), so renaming or unpublishing one rebuilds the part at once, and
the practice's own document. Which practices are comparable is worked out
once a day per practice: a newly published one joins other practices' lists
within that day.
"""

from django import template

from search.service import similar

register = template.Library()


@register.simple_tag
def similar_practices(page, limit=5):
    return similar(page, limit=limit)
