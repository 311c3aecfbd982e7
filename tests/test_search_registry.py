"""The search engine knows document types and their facet specs, never
practices: a kind of document registered with a facet of its own is parsed,
searched, counted and compared like any other. (That `search/` imports no
project app but `core` is the import-linter contract in `make lint`.)"""

import pytest

from django.contrib.auth.models import Group
from django.http import QueryDict

from search import documents
from search.backends.elasticsearch import ElasticsearchBackend, index_definition
from search.documents import Document, DocumentType, FacetSpec
from search.query import FacetValue, SearchQuery, parse_params
from search.service import search, similar, update_index
from tests.elasticsearch_fake import FakeNode

KIND = "kleurstaal"
COLOURS = {"rood": "Rood", "blauw": "Blauw"}
COLOUR = FacetSpec(
    key="kleur",
    label="Kleur",
    labels=lambda: COLOURS,
    similarity_weight=1.0,
    similarity_reason="zelfde kleur",
    size=7,
)


def swatch_document(group):
    return Document(
        kind=KIND,
        id=group.pk,
        title=group.name,
        url=f"/stalen/{group.pk}/",
        facets={"kleur": [group.name.split()[1]]},
    )


SWATCHES = DocumentType(
    kind=KIND,
    model=Group,
    indexable=lambda: Group.objects.filter(name__startswith="Staal "),
    to_document=swatch_document,
    url=lambda group: f"/stalen/{group.pk}/",
    facets=[COLOUR],
)


@pytest.fixture
def swatches(db, monkeypatch):
    """Three indexed swatches of a kind registered for this test only."""
    monkeypatch.setattr(documents, "_types", dict(documents._types))
    documents.register(SWATCHES)
    groups = {
        name: Group.objects.create(name=name)
        for name in ["Staal rood", "Staal rood mat", "Staal blauw"]
    }
    update_index(KIND, [group.pk for group in groups.values()])
    return groups


def test_a_kind_with_a_facet_of_its_own_is_searched_and_counted(swatches):
    results = search(SearchQuery(text="staal", kinds=(KIND,)))
    assert results.total == 3
    assert [facet.key for facet in results.facets] == ["kleur"]
    assert results.facet("kleur").label == "Kleur"
    assert results.facet("kleur").values == [
        FacetValue("rood", "Rood", 2, False),
        FacetValue("blauw", "Blauw", 1, False),
    ]
    # The practices do not see the swatches, nor the swatches the practices.
    assert search(SearchQuery(text="staal")).total == 0


def test_its_facet_is_a_filter_for_its_kind_only(swatches):
    params = QueryDict("q=staal&kleur=blauw&kleur=groen&thema=ouderen-thuis")
    query, errors = parse_params(params, kinds=(KIND,))
    assert query.filters == {"kleur": ["blauw"]}
    assert [(e.param, e.value) for e in errors] == [("kleur", "groen")]
    results = search(query)
    assert [hit.title for hit in results.hits] == ["Staal blauw"]
    assert results.hits[0].facets == {"kleur": [("blauw", "Blauw")]}
    assert results.hits[0].object == swatches["Staal blauw"]
    # A facet's counts ignore its own selection.
    counts = {v.value: (v.count, v.selected) for v in results.facet("kleur").values}
    assert counts == {"rood": (2, False), "blauw": (1, True)}
    practice_query, _errors = parse_params(QueryDict("kleur=blauw"))
    assert practice_query.filters == {}


def test_a_shared_value_of_its_facet_makes_swatches_similar(swatches):
    items = similar(swatches["Staal rood"], kind=KIND)
    assert items[0].object == swatches["Staal rood mat"]
    assert items[0].url == f"/stalen/{swatches['Staal rood mat'].pk}/"
    assert items[0].reasons[0] == "zelfde kleur"


def test_elasticsearch_maps_and_counts_its_facet(swatches):
    mapping = index_definition("x").to_dict()["mappings"]["properties"]
    assert mapping["facets"]["properties"]["kleur"] == {"type": "keyword"}
    backend = ElasticsearchBackend(url="http://es.test:9200", node_class=FakeNode)
    query = SearchQuery(kinds=(KIND,), filters={"kleur": ["rood"]})
    request = backend.build_search(query)._s.to_dict()
    assert request["post_filter"] == {"terms": {"facets.kleur": ["rood"]}}
    assert request["aggs"]["_filter_kleur"]["aggs"]["kleur"]["terms"] == {
        "field": "facets.kleur",
        "size": 7,
    }
    # Its own facet only (besides what the text matches before selections).
    assert set(request["aggs"]) == {"_filter_kleur", "text_total"}


def test_a_facet_key_keeps_one_meaning(swatches):
    tint = FacetSpec(key="kleur", label="Tint", labels=dict)
    with pytest.raises(ValueError, match="kleur"):
        documents.register(
            DocumentType(
                kind="verfpot",
                model=Group,
                indexable=Group.objects.none,
                to_document=swatch_document,
                facets=[tint],
            )
        )
