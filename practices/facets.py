"""The facets a practice is described and filtered by.

One list names every facet once: its URL parameter (Dutch, people see and
share it), its label, the vocabulary model and the ORM path from a practice to
a value's slug. Listings, facet links and the search backends read this list
instead of repeating it.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    lookup: str
    model_label: str = ""

    @property
    def relation(self):
        """The practice's attribute holding this facet's values."""
        return self.lookup.split("__")[0]

    @property
    def model(self):
        return apps.get_model(self.model_label) if self.model_label else None

    def labels_for(self, values):
        """Map each known value to its label; unknown values are left out."""
        if self.model is None:
            from .models import PracticePage

            choices = dict(PracticePage.Phase.choices)
            return {value: choices[value] for value in values if value in choices}
        rows = self.model.objects.filter(slug__in=values).values_list("slug", "name")
        return dict(rows)


FACETS = [
    Facet("provincie", _("Province"), "provinces__slug", "practices.Province"),
    Facet(
        "zorgkantoorregio",
        _("Care office region"),
        "care_office_regions__slug",
        "practices.CareOfficeRegion",
    ),
    Facet("thema", _("Theme"), "themes__slug", "practices.Theme"),
    Facet(
        "organisatie",
        _("Organisation"),
        "practice_organisations__organisation__slug",
        "practices.Organisation",
    ),
    Facet("beweging", _("Movement"), "movements__slug", "practices.Movement"),
    Facet(
        "doelgroep", _("Target group"), "target_groups__slug", "practices.TargetGroup"
    ),
    Facet("fase", _("Phase"), "phase"),
]
FACETS_BY_KEY = {facet.key: facet for facet in FACETS}


@dataclass
class SelectedValue:
    facet: Facet
    value: str
    label: str
    remove_query: str


@dataclass
class FacetSelection:
    """The facet values a visitor picked, validated against what exists.

    Unknown parameters and values are dropped rather than raising, so an old
    or hand-edited URL still shows a sensible listing.
    """

    values: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    query: str = ""

    @classmethod
    def from_querydict(cls, querydict):
        """Read facet values (and the free text, kept for links) from a request."""
        values, labels = {}, {}
        for facet in FACETS:
            requested = [v for v in querydict.getlist(facet.key) if v][:50]
            if not requested:
                continue
            known = facet.labels_for(requested)
            picked = [value for value in dict.fromkeys(requested) if value in known]
            if picked:
                values[facet.key] = picked
                labels[facet.key] = known
        query = querydict.get("q", "").strip()[:200]
        return cls(values=values, labels=labels, query=query)

    def __bool__(self):
        return bool(self.values)

    def apply(self, queryset):
        """Several values in one facet are OR; different facets are AND."""
        for key, picked in self.values.items():
            lookup = FACETS_BY_KEY[key].lookup
            queryset = queryset.filter(**{f"{lookup}__in": picked})
        return queryset.distinct() if self.values else queryset

    def querydict(self):
        query = QueryDict(mutable=True)
        if self.query:
            query["q"] = self.query
        for key, picked in self.values.items():
            query.setlist(key, picked)
        return query

    @cached_property
    def selected(self):
        """Every picked value with the query string that removes just that one."""
        result = []
        for key, picked in self.values.items():
            facet = FACETS_BY_KEY[key]
            for value in picked:
                query = self.querydict()
                query.setlist(key, [v for v in picked if v != value])
                result.append(
                    SelectedValue(
                        facet, value, self.labels[key][value], query.urlencode()
                    )
                )
        return result
