from html import escape  # what django.utils.html.escape calls, without the wrapping

from django import template
from django.utils.safestring import mark_safe

from explore.views import SEARCH_FORM_ID, card_facts

register = template.Library()


def _checkbox(key, value):
    field_id = escape(f"f-{key}-{value.value}")  # quote=True: " and ' too
    checked = " checked" if value.selected else ""
    return (
        f'<li class="facet__value"><input type="checkbox" id="{field_id}" '
        f'class="utrecht-checkbox utrecht-checkbox--html-input" '
        f'form="{SEARCH_FORM_ID}" name="{escape(key)}" '
        f'value="{escape(value.value)}"{checked}>'
        f'<label for="{field_id}" class="utrecht-form-label '
        f'utrecht-form-label--checkbox">{escape(value.label)} '
        f'<span class="facet__count">({value.count:d})</span></label></li>'
    )


@register.simple_tag
def facet_checkboxes(facet, values):
    """A facet's values as labelled checkboxes with their counts, each in
    the search form wherever the list stands (the filters sit beside the
    form, or in a dialog on a small screen).

    One tag for the whole list, built as one string: the organisation facet
    alone can list hundreds of values, and a template tag or include per
    value costs more than the search itself.
    """
    return mark_safe("".join(_checkbox(facet.key, value) for value in values))


@register.simple_tag
def practice_card_facts(practice):
    """What includes/practice_card.html says about a listed practice (its
    phase, places, initiators and start year), as a search result's card
    says it (explore.views.card_facts), from what
    practices.models.practices_with_card_data prefetched."""
    places = [region.name for region in practice.care_office_regions.all()]
    if not places:
        places = [province.name for province in practice.provinces.all()]
    links = getattr(practice, "card_initiators", None)
    if links is None:  # a list without the card's prefetches: one query
        initiators = practice.organisations_by_role()[0]
    else:
        initiators = [link.organisation for link in links]
    return card_facts(
        phase=(practice.phase, practice.phase_label),
        level=(practice.maturity_level, practice.maturity_label)
        if practice.maturity_level
        else None,
        places=places,
        organisations=[organisation.name for organisation in initiators],
        start_year=practice.start_year,
    )
