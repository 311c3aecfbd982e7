"""The facets a practice is described and filtered by.

One list names every facet once: its URL parameter (Dutch, people see and
share it), its label, where its values come from (a vocabulary model, or the
choices of a field: the practice's phase, its organisations' types) and the
ORM path from a practice to a value, and what search needs besides: how much a
shared value makes two practices comparable, the reason shown for it, and how
many values the facet can have. Facet links and the practice search document
(practices.search, which registers each facet's `spec` with the search engine)
read this list instead of repeating it.
"""

from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from core.cache import changing, model_name, once_per_request, request_memo, versions
from search.documents import FacetSpec

LABEL_CACHE_SECONDS = 600


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    lookup: str
    model_label: str = ""
    # A facet whose values are a field's choices instead of a vocabulary:
    # (model label, name of its TextChoices class).
    choices: tuple[str, str] = ()
    # What one shared value adds to how comparable two practices are, and
    # the reason a comparable practice is shown with.
    similarity_weight: float = 0.0
    similarity_reason: str = ""
    # How many values Elasticsearch lists (its terms aggregation returns 10
    # unless told): enough for every value the facet can have.
    size: int = 10

    @cached_property
    def spec(self):
        """This facet as the search engine knows it."""
        return FacetSpec(
            key=self.key,
            label=self.label,
            labels=self.labels,
            similarity_weight=self.similarity_weight,
            similarity_reason=self.similarity_reason,
            size=self.size,
        )

    @property
    def relation(self):
        """The practice's attribute holding this facet's values."""
        return self.lookup.split("__")[0]

    @property
    def model(self):
        return apps.get_model(self.model_label) if self.model_label else None

    @property
    def version_name(self):
        """The version of this facet's vocabulary (core.cache.model_name)."""
        return model_name(self.model)

    def label_key(self, version):
        return f"facet-labels:{self.key}:{version}"

    def labels(self):
        """Every value of this facet with its label, from the cache when it can.

        Kept per version of the vocabulary, which saving or deleting a value
        bumps after the commit (practices.caching): a rename shows at once in
        every worker, and a rename that is rolled back never shows. Labels
        read while this connection's open transaction changes the vocabulary
        are shown but not kept. A page that shows them depends on them.
        """
        if self.model is None:
            # A field's choices (the phase, an organisation's type), not a
            # vocabulary: fixed in the code, translated as they are read.
            model_label, choices = self.choices
            model = apps.get_model(model_label)
            return {
                value: str(label) for value, label in getattr(model, choices).choices
            }
        name = self.version_name
        key = self.label_key(versions(name)[name])
        if changing(name):
            return self._read()
        return once_per_request(key, lambda: self._cached_labels(key))

    def _read(self):
        return dict(self.model.objects.values_list("slug", "name"))

    def _cached_labels(self, key):
        labels = cache.get(key)
        if labels is None:
            labels = self._read()
            cache.set(key, labels, LABEL_CACHE_SECONDS)
        return labels


FACETS = [
    Facet(
        "provincie",
        _("Province"),
        "provinces__slug",
        "practices.Province",
        similarity_weight=1.0,
        similarity_reason=_("same province"),
        size=20,
    ),
    Facet(
        "zorgkantoorregio",
        _("Care office region"),
        "care_office_regions__slug",
        "practices.CareOfficeRegion",
        similarity_weight=2.0,
        similarity_reason=_("same region"),
        size=50,
    ),
    Facet(
        "thema",
        _("Theme"),
        "themes__slug",
        "practices.Theme",
        similarity_weight=3.0,
        similarity_reason=_("same theme"),
        size=500,
    ),
    Facet(
        "organisatie",
        _("Organisation"),
        "practice_organisations__organisation__slug",
        "practices.Organisation",
        similarity_weight=2.0,
        similarity_reason=_("same organisation"),
        size=10_000,
    ),
    Facet(
        "beweging",
        _("Movement"),
        "movements__slug",
        "practices.Movement",
        similarity_weight=0.5,
        similarity_reason=_("same movement"),
        size=10,
    ),
    Facet(
        "doelgroep",
        _("Target group"),
        "target_groups__slug",
        "practices.TargetGroup",
        similarity_weight=1.5,
        similarity_reason=_("same target group"),
        size=200,
    ),
    # The types of a practice's organisations (a practice with a hospital and
    # a municipality has both): choices on the organisation, not a vocabulary.
    Facet(
        "organisatietype",
        _("Organisation type"),
        "practice_organisations__organisation__organisation_type",
        choices=("practices.Organisation", "Type"),
        size=50,
    ),
    # The phase is a choice on the practice, not a vocabulary; sharing one
    # does not make two practices comparable.
    Facet(
        "fase",
        _("Phase"),
        "phase",
        choices=("practices.PracticePage", "Phase"),
        size=20,
    ),
    # The maturity ladder the redactie assigns (PracticePage.MaturityLevel):
    # a practice not assessed yet has no value.
    Facet(
        "niveau",
        _("Level"),
        "maturity_level",
        choices=("practices.PracticePage", "MaturityLevel"),
        size=10,
    ),
    # Whether the editors confirmed that others took the practice up
    # (practices.models.Adoption): one value, "elders". How often is the
    # "most taken up" order (search.documents.Document.uptake).
    Facet(
        "overgenomen",
        _("Taken up"),
        "adoptions__review",
        choices=("practices.Adoption", "Uptake"),
        size=5,
    ),
]
FACETS_BY_KEY = {facet.key: facet for facet in FACETS}


def every_label():
    """{facet key: {value: label}} for every facet, in two cache round trips
    (the vocabularies' versions, then their labels)."""
    memo = request_memo()
    if memo is not None:
        vocabularies = [facet for facet in FACETS if facet.model_label]
        current = versions(*(facet.version_name for facet in vocabularies))
        keys = [facet.label_key(current[facet.version_name]) for facet in vocabularies]
        wanted = [key for key in keys if key not in memo]
        if wanted:
            memo.update(cache.get_many(wanted))
    return {facet.key: facet.labels() for facet in FACETS}
