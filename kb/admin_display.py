"""Yes/no values in the admin, in Dutch.

Wagtail's listings show a BooleanField as the text "True"/"False" unless the
column is a BooleanColumn, whose icons carry "True"/"False" for screen
readers (templates/wagtailadmin/tables/boolean_cell.html says "Ja"/"Nee"
instead), and its inspect views print "True"/"False". `yes_no_column()` is
the listing column for a model's BooleanField; kb/wagtail_hooks.py registers
`YesNoDisplay` for every BooleanField in the inspect views.
"""

from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn

from django.utils.text import capfirst
from django.utils.translation import gettext as _


def yes_no_column(model, field_name, **kwargs):
    """A listing column showing the BooleanField `field_name` as a tick or a
    cross (read out as "Ja"/"Nee"), sortable, labelled with its verbose name."""
    field = model._meta.get_field(field_name)
    return BooleanColumn(
        field_name,
        label=capfirst(field.verbose_name),
        sort_key=field_name,
        **kwargs,
    )


def yes_no(value):
    """ "Ja", "Nee" or, for None, "Onbekend"."""
    if value is None:
        return _("Unknown")
    return _("Yes") if value else _("No")


class YesNoDisplay(Component):
    """A BooleanField's value in an inspect view."""

    def __init__(self, value):
        self.value = value

    def render_html(self, parent_context=None):
        return yes_no(self.value)
