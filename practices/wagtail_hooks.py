"""Taxonomy management for the redactie (one snippet viewset per
vocabulary), and the history of a practice's level."""

import django_filters
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_display import yes_no_column

from . import maturity
from .models import (
    CareOfficeRegion,
    Movement,
    Organisation,
    PracticePage,
    Province,
    TargetGroup,
    Theme,
)


class SavingCatchesDuplicates:
    """A value someone else added at the same moment (both past validation)
    is a form error naming it, not a 500: Vocabulary.save raises the
    ValidationError `clean` would have."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class VocabularyViewSet(SnippetViewSet):
    add_view_class = type(
        "VocabularyCreateView",
        (SavingCatchesDuplicates, SnippetViewSet.add_view_class),
        {},
    )
    edit_view_class = type(
        "VocabularyEditView",
        (SavingCatchesDuplicates, SnippetViewSet.edit_view_class),
        {},
    )


class OrganisationFilterSet(WagtailFilterSet):
    organisation_type = django_filters.ChoiceFilter(
        label=_("Organisation type"), choices=Organisation.Type.choices
    )
    # Organisations proposed by members wait for the editors (see the bulk
    # action "Confirm" in editorial/wagtail_hooks.py).
    is_confirmed = django_filters.BooleanFilter(
        label=_("Confirmed by the editors"),
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Organisation
        fields = ["organisation_type", "is_confirmed"]


class CareOfficeRegionFilterSet(WagtailFilterSet):
    class Meta:
        model = CareOfficeRegion
        fields = ["province"]


class OrganisationViewSet(VocabularyViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    list_display = [
        "name",
        "organisation_type",
        "slug",
        yes_no_column(Organisation, "is_confirmed"),
    ]
    filterset_class = OrganisationFilterSet
    search_fields = ["name"]
    ordering = ["name"]


class ThemeViewSet(VocabularyViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Themes")
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]


class TargetGroupViewSet(VocabularyViewSet):
    model = TargetGroup
    icon = "user"
    menu_label = _("Target groups")
    list_display = ["name", "slug"]
    search_fields = ["name"]


class ProvinceViewSet(VocabularyViewSet):
    model = Province
    icon = "site"
    menu_label = _("Provinces")
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]


class CareOfficeRegionViewSet(VocabularyViewSet):
    model = CareOfficeRegion
    icon = "site"
    menu_label = _("Care office regions")
    list_display = ["name", "province", "slug"]
    filterset_class = CareOfficeRegionFilterSet
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("province"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("regiobeeld_url"), FieldPanel("regiobeeld_document")],
            heading=_("Regiobeeld"),
            help_text=_(
                "A link to where the region publishes it, or a document uploaded "
                "here. Leave both empty while there is none: the region page then "
                "says it is not yet available."
            ),
        ),
        MultiFieldPanel(
            [FieldPanel("regioplan_url"), FieldPanel("regioplan_document")],
            heading=_("Regioplan"),
            help_text=_(
                "A link to where the region publishes it, or a document uploaded "
                "here. Leave both empty while there is none: the region page then "
                "says it is not yet available."
            ),
        ),
    ]


class MovementViewSet(VocabularyViewSet):
    model = Movement
    icon = "resubmit"
    menu_label = _("Movements")
    list_display = ["name", "slug"]
    search_fields = ["name"]


class TaxonomyViewSetGroup(SnippetViewSetGroup):
    items = (
        ThemeViewSet,
        OrganisationViewSet,
        TargetGroupViewSet,
        ProvinceViewSet,
        CareOfficeRegionViewSet,
        MovementViewSet,
    )
    menu_icon = "folder-open-inverse"
    menu_label = _("Taxonomies")
    menu_name = "taxonomies"


register_snippet(TaxonomyViewSetGroup)


# The maturity ladder: a changed level is logged in the page's history ------

_LEVEL_BEFORE = "_vindplaats_level_before"


@hooks.register("register_log_actions")
def register_maturity_action(actions):
    actions.register_action(maturity.ACTION)(maturity.LevelChanged)


@hooks.register("before_edit_page")
def remember_level(request, page):
    """The level as it was before this edit (the page editor hands the
    hooks after it the edited page only)."""
    setattr(request, _LEVEL_BEFORE, getattr(page, "maturity_level", None))


@hooks.register("before_create_page")
def no_level_yet(request, parent_page, page_class):
    setattr(request, _LEVEL_BEFORE, "")


@hooks.register("after_edit_page")
@hooks.register("after_create_page")
def log_level_change(request, page):
    if isinstance(page, PracticePage) and hasattr(request, _LEVEL_BEFORE):
        maturity.log_level_change(page, getattr(request, _LEVEL_BEFORE), request.user)
