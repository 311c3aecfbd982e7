"""Yes/no values in the admin, in Dutch.

Wagtail's listings show a BooleanField as the text "True"/"False" unless the
column is a BooleanColumn, whose icons carry "True"/"False" for screen
readers (templates/wagtailadmin/tables/boolean_cell.html says "Ja"/"Nee"
instead), its inspect views print "True"/"False", and so do the pills of
active filters ("Verborgen: True"). `yes_no_column()` is the listing column
for a model's BooleanField; kb/wagtail_hooks.py registers `YesNoDisplay` for
every BooleanField in the inspect views and `YesNoFilterAdapter` for every
django-filter BooleanFilter (a list_filter on a BooleanField included).
"""

from wagtail.admin.active_filters import ActiveFilter, BaseFilterAdapter
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Django 5.2's admin login (/django-admin/login/) links "Forgotten your login
# credentials?", a msgid its Dutch catalog does not have yet. Our catalog
# translates it (LOCALE_PATHS come first); this marker keeps the msgid there,
# as makemessages keeps only what our own sources use.
gettext_noop("Forgotten your login credentials?")


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


class YesNoFilterAdapter(BaseFilterAdapter):
    """The pill of an active yes/no filter: "Verborgen: Ja", not "True"."""

    def get_active_filters(self):
        yield ActiveFilter(
            self.bound_field.auto_id,
            self.filter.label,
            yes_no(self.value),
            self.get_url_without_filter_param(self.name),
        )
