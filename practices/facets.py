"""The facets a practice is described and filtered by.

One list names every facet once: its URL parameter (Dutch, people see and
share it), its label, the vocabulary model and the ORM path from a practice to
a value's slug. Facet links, the search contract and its backends read this
list instead of repeating it.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from core.cache import once_per_request, request_memo

LABEL_CACHE_SECONDS = 600


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

    @property
    def cache_key(self):
        return f"facet-labels:{self.key}"

    def labels(self):
        """Every value of this facet with its label, from the cache when it can.

        Saving or deleting a vocabulary value clears its facet's entry
        (practices.search), so a rename shows at once in every worker.
        """
        if self.model is None:
            from .models import PracticePage

            return {value: str(label) for value, label in PracticePage.Phase.choices}
        return once_per_request(self.cache_key, self._cached_labels)

    def _cached_labels(self):
        labels = cache.get(self.cache_key)
        if labels is None:
            labels = dict(self.model.objects.values_list("slug", "name"))
            cache.set(self.cache_key, labels, LABEL_CACHE_SECONDS)
        return labels

    def labels_for(self, values):
        """Map each known value to its label; unknown values are left out."""
        labels = self.labels()
        return {value: labels[value] for value in values if value in labels}


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


def every_label():
    """{facet key: {value: label}} for every facet, in one cache round trip."""
    memo = request_memo()
    if memo is not None:
        wanted = [
            facet.cache_key
            for facet in FACETS
            if facet.model_label and facet.cache_key not in memo
        ]
        if wanted:
            memo.update(cache.get_many(wanted))
    return {facet.key: facet.labels() for facet in FACETS}


def forget_labels(model):
    """Drop the cached labels of the facet whose vocabulary is `model`."""
    memo = request_memo()
    for facet in FACETS:
        if facet.model_label and facet.model is model:
            cache.delete(facet.cache_key)
            if memo is not None:
                memo.pop(facet.cache_key, None)
