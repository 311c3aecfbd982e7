from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def facet_checkbox(facet, value):
    """One facet value as a labelled checkbox with its count.

    A tag rather than an included template: the organisation facet alone can
    list hundreds of values, and an include per value costs more than the
    whole search.
    """
    field_id = f"f-{facet.key}-{value.value}"
    return format_html(
        '<li class="facet__value">'
        '<input type="checkbox" id="{}" name="{}" value="{}"{}>'
        '<label for="{}">{} <span class="facet__count">({})</span></label></li>',
        field_id,
        facet.key,
        value.value,
        " checked" if value.selected else "",
        field_id,
        value.label,
        value.count,
    )
