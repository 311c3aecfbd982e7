from html import escape  # what django.utils.html.escape calls, without the wrapping

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _checkbox(key, value):
    field_id = escape(f"f-{key}-{value.value}")  # quote=True: " and ' too
    checked = " checked" if value.selected else ""
    return (
        f'<li class="facet__value"><input type="checkbox" id="{field_id}" '
        f'name="{escape(key)}" value="{escape(value.value)}"{checked}>'
        f'<label for="{field_id}">{escape(value.label)} '
        f'<span class="facet__count">({value.count:d})</span></label></li>'
    )


@register.simple_tag
def facet_checkboxes(facet, values):
    """A facet's values as labelled checkboxes with their counts.

    One tag for the whole list, built as one string: the organisation facet
    alone can list hundreds of values, and a template tag or include per
    value costs more than the search itself.
    """
    return mark_safe("".join(_checkbox(facet.key, value) for value in values))
