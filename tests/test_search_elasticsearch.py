"""The Elasticsearch backend without a cluster: query building, response
handling through the client's own classes, and behaviour when the cluster is
down. The shared contract suite runs against a real cluster when
ELASTICSEARCH_URL is set."""

import contextlib
import io
import logging
import os
import socket
import uuid

import pytest
from elasticsearch import Elasticsearch, NotFoundError

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from practices.models import PracticePage
from search.analysis import STEM_OVERRIDES, STOPWORDS
from search.backends import get_backend
from search.backends.elasticsearch import (
    COVERAGE_WEIGHT,
    ElasticsearchBackend,
    IndexedDocument,
    index_definition,
)
from search.documents import document_types, get_type
from search.expansion import Vocabulary, expand
from search.models import PendingIndexUpdate, SearchDocument, Synonym
from search.query import SearchQuery
from search.service import search, similar
from search.synonyms import build, parse
from tests.elasticsearch_fake import FakeNode, bulk_ok
from tests.factories import PracticePageFactory
from tests.search_contract import SearchContract

# How many values Elasticsearch lists per practice facet (10 unless told):
# every value each can have.
FACET_SIZES = {
    "provincie": 20,
    "zorgkantoorregio": 50,
    "thema": 500,
    "organisatie": 10_000,
    "organisatietype": 50,
    "beweging": 10,
    "doelgroep": 200,
    "fase": 20,
    "niveau": 10,
    "overgenomen": 5,
}

FAKE = {
    "BACKEND": "search.backends.elasticsearch.ElasticsearchBackend",
    "OPTIONS": {"url": "http://es.test:9200", "node_class": FakeNode},
}


def dead_url():
    """An address on this machine where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def backend_for(url=None, **options):
    if url is None:
        return ElasticsearchBackend(
            url="http://es.test:9200", node_class=FakeNode, **options
        )
    return ElasticsearchBackend(url=url, **options)


def body(backend, query, minimum=None, rules=(), vocabulary=None):
    """The request body for `query`, its text parsed with these synonym
    rules ((abbreviation, terms) pairs) instead of the stored ones, and
    corrected and completed with `vocabulary` ({term: documents}; none by
    default)."""
    query.parsed = expand(
        parse(query.text, build(rules)),
        query.text,
        Vocabulary(vocabulary) if vocabulary is not None else None,
        prefix=query.prefix,
    )
    return backend.build_search(query, minimum=minimum)._s.to_dict()


FIELDS = ["title^10", "summary^4", "keywords^2", "body^1"]


def word(text):
    return {"multi_match": {"query": text, "fields": FIELDS, "type": "most_fields"}}


def phrase(text):
    return {"multi_match": {"query": text, "fields": FIELDS, "type": "phrase"}}


def either(*alternatives):
    return {"bool": {"should": list(alternatives), "minimum_should_match": 1}}


# Index settings: the same Dutch rules as the database backend


def test_index_exports_the_python_analysis_rules():
    settings = index_definition("x").to_dict()["settings"]
    analysis = settings["analysis"]
    dutch = analysis["analyzer"]["vindplaats_dutch"]
    assert dutch["tokenizer"] == "standard"
    assert dutch["filter"] == [
        "lowercase",
        "asciifolding",
        "vindplaats_compounds",
        "vindplaats_stop",
        "vindplaats_overrides",
        "vindplaats_stemmer",
    ]
    assert analysis["filter"]["vindplaats_stemmer"] == {
        "type": "stemmer",
        "language": "dutch",
    }
    assert set(analysis["filter"]["vindplaats_stop"]["stopwords"]) == STOPWORDS
    rules = analysis["filter"]["vindplaats_overrides"]["rules"]
    assert "ziekenhuizen => ziekenhuis" in rules
    assert len(rules) == len(STEM_OVERRIDES)
    assert analysis["char_filter"]["vindplaats_apostrophe"]["mappings"] == [
        "'s => s",
        "’s => s",
    ]


def test_search_analyser_adds_the_synonyms_set_as_a_synonym_graph():
    definition = index_definition("x", synonyms_set="test-synonyms").to_dict()
    analysis = definition["settings"]["analysis"]
    searching = analysis["analyzer"]["vindplaats_dutch_search"]
    dutch = analysis["analyzer"]["vindplaats_dutch"]
    # The same filters but the decompounder: a query asks for a compound's
    # parts itself (tests/test_search_compounds.py).
    assert searching["filter"] == [
        *(name for name in dutch["filter"] if name != "vindplaats_compounds"),
        "vindplaats_synonyms",
    ]
    assert searching["char_filter"] == dutch["char_filter"]
    assert analysis["filter"]["vindplaats_synonyms"] == {
        "type": "synonym_graph",
        "synonyms_set": "test-synonyms",
        "updateable": True,
        "lenient": True,
    }
    mapping = definition["mappings"]["properties"]
    for field in ("title", "summary", "keywords", "body"):
        # Indexed as before; only searching expands synonyms.
        assert mapping[field]["analyzer"] == "vindplaats_dutch"
        assert mapping[field]["search_analyzer"] == "vindplaats_dutch_search"
    assert mapping["title"]["fields"]["sort"]["normalizer"] == "vindplaats_folded"


def test_mapping_has_keyword_facets_sort_field_and_suggestions():
    mapping = index_definition("x").to_dict()["mappings"]["properties"]
    assert set(mapping["facets"]["properties"]) == set(FACET_SIZES)
    assert all(
        field["type"] == "keyword" for field in mapping["facets"]["properties"].values()
    )
    assert mapping["title"]["analyzer"] == "vindplaats_dutch"
    assert mapping["title"]["fields"]["sort"]["normalizer"] == "vindplaats_folded"
    assert mapping["suggest"]["type"] == "search_as_you_type"
    assert mapping["uptake"]["type"] == "integer"


# Query building


def test_text_query_every_word_across_weighted_fields():
    request = body(backend_for(), SearchQuery(text="ziekenhuizen ouderen"))
    assert request["query"]["bool"]["must"] == [
        word("ziekenhuizen"),
        word("ouderen"),
    ]
    assert request["query"]["bool"]["filter"] == [{"terms": {"kind": ["practice"]}}]
    assert request["track_total_hits"] is True


def clause(position, *alternatives):
    """A clause named by its position, as a query that needs only some sends."""
    return {
        "bool": {
            "should": list(alternatives),
            "minimum_should_match": 1,
            "_name": f"clause:{position}",
        }
    }


def test_two_words_are_both_required_and_three_need_two():
    request = body(backend_for(), SearchQuery(text="ziekenhuizen ouderen"))
    assert "function_score" not in str(request)
    request = body(backend_for(), SearchQuery(text="ziekenhuizen ouderen thuis"))
    text_query = request["query"]["bool"]["must"][0]["function_score"]["query"]
    assert text_query["bool"]["minimum_should_match"] == "2<75%"
    assert len(text_query["bool"]["should"]) == 3


def test_longer_queries_need_75_percent_of_the_words_and_rank_by_coverage():
    request = body(
        backend_for(), SearchQuery(text="voorkom onnodige opnames van ouderen")
    )
    clauses = [
        clause(0, word("voorkom")),
        clause(1, word("onnodige")),
        clause(2, word("opnames")),
        clause(3, word("ouderen")),
    ]
    assert request["query"]["bool"]["must"] == [
        {
            "function_score": {
                "query": {"bool": {"should": clauses, "minimum_should_match": "2<75%"}},
                "functions": [
                    {"filter": named, "weight": COVERAGE_WEIGHT} for named in clauses
                ],
                "score_mode": "sum",
                "boost_mode": "sum",
            }
        }
    ]
    assert request["query"]["bool"]["filter"] == [{"terms": {"kind": ["practice"]}}]


def test_a_compound_is_one_named_word_that_needs_every_part():
    request = body(backend_for(), SearchQuery(text="dementiezorg ouderen thuis"))
    text_query = request["query"]["bool"]["must"][0]["function_score"]["query"]
    assert text_query["bool"]["minimum_should_match"] == "2<75%"
    should = text_query["bool"]["should"]
    assert len(should) == 3  # three words, four clauses
    assert should[0] == {
        "bool": {"must": [word("dementie"), word("zorg")], "_name": "clause:0"}
    }
    assert should[1] == clause(1, word("ouderen"))


def test_a_widened_question_matches_a_compound_by_any_part_each_named():
    request = body(
        backend_for(), SearchQuery(text="dementiezorg ouderen thuis"), minimum=1
    )
    text_query = request["query"]["bool"]["must"][0]["function_score"]["query"]
    assert text_query["bool"]["minimum_should_match"] == 1
    assert text_query["bool"]["should"][0] == {
        "bool": {
            "should": [
                {
                    "bool": {
                        "should": [word("dementie")],
                        "minimum_should_match": 1,
                        "_name": "clause:0.0",
                    }
                },
                {
                    "bool": {
                        "should": [word("zorg")],
                        "minimum_should_match": 1,
                        "_name": "clause:0.1",
                    }
                },
            ],
            "minimum_should_match": 1,
            "_name": "clause:0",
        }
    }


def test_at_most_ten_words_count():
    text = " ".join(f"woord{n}" for n in range(14))
    request = body(backend_for(), SearchQuery(text=text))
    text_query = request["query"]["bool"]["must"][0]["function_score"]["query"]
    assert len(text_query["bool"]["should"]) == 10
    assert text_query["bool"]["should"][-1] == clause(9, word("woord9"))


def test_fallback_query_accepts_any_word():
    request = body(backend_for(), SearchQuery(text="ziekenhuizen plofkip"), minimum=1)
    text_query = request["query"]["bool"]["must"][0]["function_score"]["query"]
    assert text_query == {
        "bool": {
            "should": [clause(0, word("ziekenhuizen")), clause(1, word("plofkip"))],
            "minimum_should_match": 1,
        }
    }


def test_synonyms_become_alternatives_of_a_clause():
    rules = [("ELV", ["eerstelijnsverblijf"]), ("", ["SEH", "spoedeisende hulp"])]
    request = body(
        backend_for(), SearchQuery(text="ELV na de spoedeisende hulp"), rules=rules
    )
    assert request["query"]["bool"]["must"] == [
        either(word("ELV"), word("eerstelijnsverblijf")),
        either(phrase("spoedeisende hulp"), word("SEH")),
    ]
    # One way: the words an abbreviation stands for do not find it (they are
    # a compound, asked for as its parts).
    request = body(backend_for(), SearchQuery(text="eerstelijnsverblijf"), rules=rules)
    assert request["query"]["bool"]["must"] == [word("eerstelijns"), word("verblijf")]


def test_a_word_the_index_does_not_know_is_matched_with_fuzziness():
    vocabulary = {"dementie": 12, "ouder": 30}
    request = body(
        backend_for(),
        SearchQuery(text="dementei ouderen", prefix=False),
        vocabulary=vocabulary,
    )
    fuzzy = {
        "multi_match": {
            "query": "dementei",
            "fields": FIELDS,
            "type": "most_fields",
            "fuzziness": "AUTO:5,9",
            "prefix_length": 0,
        }
    }
    # The known word is matched as it is: never rewritten.
    assert request["query"]["bool"]["must"] == [fuzzy, word("ouderen")]


def test_the_last_word_being_typed_is_also_a_prefix_in_every_field():
    vocabulary = {"thuiszorg": 12, "ouder": 30}
    request = body(
        backend_for(), SearchQuery(text="ouderen thuisz"), vocabulary=vocabulary
    )
    prefixes = [
        {"prefix": {name: {"value": "thuisz", "boost": weight}}}
        for name, weight in [
            ("title", 10.0),
            ("summary", 4.0),
            ("keywords", 2.0),
            ("body", 1.0),
        ]
    ]
    assert request["query"]["bool"]["must"] == [
        word("ouderen"),
        either(word("thuisz"), either(*prefixes)),
    ]
    # Ended with a space, or a word the index knows: taken as it is.
    for text, prefix in [("ouderen thuisz", False), ("thuisz ouderen", True)]:
        request = body(
            backend_for(), SearchQuery(text=text, prefix=prefix), vocabulary=vocabulary
        )
        assert "prefix" not in str(request["query"])


@pytest.mark.django_db
def test_the_suggestion_comes_with_the_clusters_results(commit):
    practice = PracticePageFactory(title="Zorgzwaluw in de wijk")
    # Indexed in the database, which the Elasticsearch backend keeps as its
    # copy: the vocabulary that tells which words to correct.
    commit(practice.save_revision().publish)
    FakeNode.reset(
        lambda method, path, payload: (200, search_response([practice], "x"))
    )
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        results = search(SearchQuery(text="zorgzwaulw"))
    [(_method, _path, payload)] = FakeNode.requests
    assert "AUTO:5,9" in str(payload["query"])
    assert results.suggestion == "zorgzwaluw"


def test_selected_values_go_to_post_filter_and_other_facets_aggregations():
    query = SearchQuery(
        filters={"provincie": ["zeeland", "limburg"], "fase": ["pilot"]}
    )
    request = body(backend_for(), query)
    assert request["post_filter"] == {
        "bool": {
            "must": [
                {"terms": {"facets.provincie": ["zeeland", "limburg"]}},
                {"terms": {"facets.fase": ["pilot"]}},
            ]
        }
    }
    aggs = request["aggs"]
    # A facet's counts ignore its own selection and apply the others'.
    assert aggs["_filter_provincie"]["filter"] == {"terms": {"facets.fase": ["pilot"]}}
    assert aggs["_filter_fase"]["filter"] == {
        "terms": {"facets.provincie": ["zeeland", "limburg"]}
    }
    assert (
        aggs["_filter_thema"]["filter"]["bool"]["must"]
        == request["post_filter"]["bool"]["must"]
    )
    for key, size in FACET_SIZES.items():
        assert aggs[f"_filter_{key}"]["aggs"][key]["terms"] == {
            "field": f"facets.{key}",
            "size": size,
        }


def test_organisation_type_is_filtered_and_counted_like_every_facet():
    request = body(backend_for(), SearchQuery(filters={"organisatietype": ["ggd"]}))
    assert request["post_filter"] == {"terms": {"facets.organisatietype": ["ggd"]}}
    aggs = request["aggs"]
    assert aggs["_filter_organisatietype"]["filter"] == {"match_all": {}}
    assert aggs["_filter_fase"]["filter"] == {
        "terms": {"facets.organisatietype": ["ggd"]}
    }
    assert aggs["_filter_organisatietype"]["aggs"]["organisatietype"]["terms"] == {
        "field": "facets.organisatietype",
        "size": 50,
    }


def test_no_selection_aggregates_everything():
    aggs = body(backend_for(), SearchQuery())["aggs"]
    assert aggs["_filter_thema"]["filter"] == {"match_all": {}}
    assert "post_filter" not in body(backend_for(), SearchQuery())


def test_highlight_escapes_html_and_marks_matches():
    request = body(backend_for(), SearchQuery(text="ouderen"))
    assert request["highlight"] == {
        "fields": {
            "summary": {"number_of_fragments": 1, "fragment_size": 240},
            "body": {"number_of_fragments": 1, "fragment_size": 240},
        },
        "encoder": "html",
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
    }
    assert "highlight" not in body(backend_for(), SearchQuery())


def test_hits_only_asks_for_the_same_hits_without_counts_or_highlights():
    for filters in ({}, {"provincie": ["zeeland"]}):
        full = body(backend_for(), SearchQuery(text="ouderen thuis", filters=filters))
        only = body(
            backend_for(),
            SearchQuery(text="ouderen thuis", filters=filters, hits_only=True),
        )
        # The same hits: query, selections, order and page.
        for part in ("query", "sort", "from", "size", "track_total_hits"):
            assert only[part] == full[part]
        assert only.get("post_filter") == full.get("post_filter")
        assert "highlight" in full and "highlight" not in only
        assert "facets" in full["_source"] and "facets" not in only["_source"]
        assert "_filter_provincie" in full["aggs"]
        # What the text matches before the selections decides whether a long
        # question widens (search.service): still asked for when it can
        # differ from the total, that is when something is selected.
        if filters:
            assert only["aggs"] == {"text_total": {"filter": {"match_all": {}}}}
        else:
            assert "aggs" not in only


@pytest.mark.parametrize(
    ("query", "sort"),
    [
        (SearchQuery(text="ouderen"), ["_score", "object_id"]),
        (
            SearchQuery(),
            [{"published_at": {"order": "desc"}}, {"object_id": {"order": "desc"}}],
        ),
        (
            SearchQuery(text="ouderen", sort="newest"),
            [{"published_at": {"order": "desc"}}, {"object_id": {"order": "desc"}}],
        ),
        (SearchQuery(sort="title"), ["title.sort", "object_id"]),
        (
            SearchQuery(text="ouderen", sort="uptake"),
            [
                {"uptake": {"order": "desc"}},
                {"published_at": {"order": "desc"}},
                {"object_id": {"order": "desc"}},
            ],
        ),
        (
            SearchQuery(text="de"),
            [{"published_at": {"order": "desc"}}, {"object_id": {"order": "desc"}}],
        ),
    ],
)
def test_sort_orders(query, sort):
    assert body(backend_for(), query)["sort"] == sort


def test_pagination_bounds():
    request = body(backend_for(), SearchQuery(page=3, page_size=20))
    assert (request["from"], request["size"]) == (40, 20)


def test_only_stopwords_is_browsing_not_an_empty_match():
    request = body(backend_for(), SearchQuery(text="de het"))
    assert "must" not in request["query"]["bool"]


# Responses, through the client's own classes

SEARCH_RESPONSE_TEMPLATE = {
    "took": 5,
    "timed_out": False,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
}


def aggregation(key, buckets):
    return {
        f"_filter_{key}": {
            "doc_count": sum(count for _value, count in buckets),
            key: {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [
                    {"key": value, "doc_count": count} for value, count in buckets
                ],
            },
        }
    }


def search_response(practices, highlight):
    aggregations = {}
    for key in FACET_SIZES:
        aggregations.update(aggregation(key, []))
    aggregations.update(aggregation("provincie", [("zuid-holland", 2), ("limburg", 1)]))
    hits = [
        {
            "_index": "vindplaats-documents-20261123",
            "_id": f"practice-{p.pk}",
            "_score": 7.5 - i,
            "_source": {
                "kind": "practice",
                "object_id": p.pk,
                "title": p.title,
                "url": p.url,
                "summary": p.summary,
                "published_at": "2024-03-01T12:00:00+01:00",
                "updated_at": "2025-01-10T09:30:00+01:00",
                "facets": {"provincie": ["zuid-holland"], "fase": ["lopend"]},
            },
            **({"highlight": {"body": [highlight]}} if i == 0 else {}),
        }
        for i, p in enumerate(practices)
    ]
    return {
        **SEARCH_RESPONSE_TEMPLATE,
        "hits": {
            "total": {"value": 3, "relation": "eq"},
            "max_score": 7.5,
            "hits": hits,
        },
        "aggregations": aggregations,
    }


@pytest.mark.django_db
def test_search_response_becomes_contract_results():
    practices = list(PracticePage.objects.live().order_by("pk")[:2])
    fragment = "Ouderen &lt;b&gt;thuis&lt;/b&gt; en <mark>ziekenhuizen</mark>"
    FakeNode.reset(
        lambda method, path, payload: (200, search_response(practices, fragment))
    )
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        results = search(
            SearchQuery(text="ziekenhuizen", filters={"provincie": ["zeeland"]})
        )
    method, path, payload = FakeNode.requests[0]
    assert (method, path) == ("POST", "/vindplaats-documents/_search")
    assert payload["post_filter"] == {"terms": {"facets.provincie": ["zeeland"]}}
    assert results.total == 3 and not results.fallback
    assert [hit.object.pk for hit in results.hits] == [p.pk for p in practices]
    assert [hit.title for hit in results.hits] == [p.title for p in practices]
    assert results.hits[0].facets["provincie"] == [("zuid-holland", "Zuid-Holland")]
    assert results.hits[0].labels("fase") == ["Lopend"]
    assert results.hits[0].published_at.year == 2024
    assert results.hits[0].highlight == fragment
    assert str(results.hits[0].highlight) and "<b>" not in results.hits[0].highlight
    assert results.hits[1].highlight == ""
    provinces = {
        v.value: (v.count, v.selected, v.label)
        for v in results.facet("provincie").values
    }
    assert provinces == {
        "zuid-holland": (2, False, "Zuid-Holland"),
        "limburg": (1, False, "Limburg"),
        "zeeland": (0, True, "Zeeland"),
    }


@pytest.mark.django_db
def test_a_hits_only_response_without_aggregations_becomes_contract_results():
    practices = list(PracticePage.objects.live().order_by("pk")[:2])
    response = search_response(practices, "<mark>x</mark>")
    del response["aggregations"]
    for hit in response["hits"]["hits"]:
        hit["_source"].pop("facets")
    FakeNode.reset(lambda method, path, payload: (200, response))
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        results = search(SearchQuery(text="ziekenhuizen", hits_only=True))
    assert results.total == 3 and not results.fallback
    assert [hit.title for hit in results.hits] == [p.title for p in practices]
    assert [hit.url for hit in results.hits] == [p.url for p in practices]
    assert results.facets == [] and results.suggestion is None
    assert all(hit.highlight == "" and hit.facets == {} for hit in results.hits)


@pytest.mark.django_db
def test_no_match_retries_with_any_word():
    practices = list(PracticePage.objects.live().order_by("pk")[:1])
    empty = {
        **SEARCH_RESPONSE_TEMPLATE,
        "hits": {
            "total": {"value": 0, "relation": "eq"},
            "max_score": None,
            "hits": [],
        },
        "aggregations": {
            k: v for key in FACET_SIZES for k, v in aggregation(key, []).items()
        },
    }

    def operator(payload):
        return "or" if "function_score" in str(payload["query"]) else "and"

    def handler(method, path, payload):
        return 200, empty if operator(payload) == "and" else search_response(
            practices, "x"
        )

    FakeNode.reset(handler)
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        results = search(SearchQuery(text="ziekenhuizen plofkip"))
    assert results.fallback and results.total == 3
    assert [operator(p) for _m, _p, p in FakeNode.requests] == ["and", "or"]


@pytest.mark.django_db
def test_a_hit_lacks_the_clauses_it_did_not_match():
    practices = list(PracticePage.objects.live().order_by("pk")[:2])
    response = search_response(practices, "x")
    response["hits"]["hits"][0]["matched_queries"] = [
        "clause:0",
        "clause:1",
        "clause:2",
    ]
    response["hits"]["hits"][1]["matched_queries"] = ["clause:0", "clause:2"]
    FakeNode.reset(lambda method, path, payload: (200, response))
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        results = search(SearchQuery(text="Ziekenhuizen ouderen thuis"))
    assert [hit.missing for hit in results.hits] == [[], ["ouderen"]]
    assert results.partial and not results.fallback


@pytest.mark.django_db
def test_a_widened_hit_with_part_of_a_compound_still_lacks_it():
    practices = list(PracticePage.objects.live().order_by("pk")[:2])
    response = search_response(practices, "x")
    # The first has one part of "dementiezorg", the second both.
    response["hits"]["hits"][0]["matched_queries"] = ["clause:0", "clause:0.1"]
    response["hits"]["hits"][1]["matched_queries"] = [
        "clause:0",
        "clause:0.0",
        "clause:0.1",
        "clause:2",
    ]
    FakeNode.reset(lambda method, path, payload: (200, response))
    query = SearchQuery(text="dementiezorg ouderen thuis")
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        raw = get_backend().search(query, minimum=1)
    assert [hit.missing for hit in raw.hits] == [(0, 1, 2), (1,)]


@pytest.mark.django_db
def test_similar_uses_more_like_this_and_facet_overlap():
    base, other = PracticePage.objects.live().order_by("pk")[:2]
    facets = {
        "thema": ["acute-zorg"],
        "zorgkantoorregio": ["rotterdam"],
        "provincie": ["zuid-holland"],
    }

    def handler(method, path, payload):
        if method == "GET":
            return 200, {
                "_index": "vindplaats-documents-1",
                "_id": f"practice-{base.pk}",
                "_version": 1,
                "_seq_no": 0,
                "_primary_term": 1,
                "found": True,
                "_source": {"kind": "practice", "object_id": base.pk, "facets": facets},
            }
        return 200, {
            **SEARCH_RESPONSE_TEMPLATE,
            "hits": {
                "total": {"value": 1, "relation": "eq"},
                "max_score": 4.2,
                "hits": [
                    {
                        "_index": "vindplaats-documents-1",
                        "_id": f"practice-{other.pk}",
                        "_score": 4.2,
                        "_source": {
                            "object_id": other.pk,
                            "facets": {
                                "thema": ["acute-zorg", "ggz"],
                                "zorgkantoorregio": ["twente"],
                            },
                        },
                        "matched_queries": ["text", "facet:thema"],
                    }
                ],
            },
        }

    FakeNode.reset(handler)
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        items = similar(base)
    query = FakeNode.requests[1][2]["query"]["bool"]
    mlt = query["should"][0]["more_like_this"]
    assert mlt["like"] == [
        {"_index": "vindplaats-documents", "_id": f"practice-{base.pk}"}
    ]
    assert query["must_not"] == [{"ids": {"values": [f"practice-{base.pk}"]}}]
    boosts = {
        next(iter(c["constant_score"]["filter"]["terms"])): c["constant_score"]["boost"]
        for c in query["should"][1:]
    }
    assert boosts == {
        "facets.thema": 3.0,
        "facets.zorgkantoorregio": 2.0,
        "facets.provincie": 1.0,
    }
    assert [item.object.pk for item in items] == [other.pk]
    assert items[0].reasons == ["zelfde thema", "vergelijkbare beschrijving"]


# Synonyms: the cluster's copy follows the redactie's list


@pytest.mark.django_db
def test_an_editors_change_puts_the_synonyms_set_and_reloads_the_analysers(
    django_capture_on_commit_callbacks,
):
    FakeNode.reset(lambda method, path, payload: (200, {"acknowledged": True}))
    with (
        override_settings(VINDPLAATS_SEARCH=FAKE),
        django_capture_on_commit_callbacks(execute=True),
    ):
        Synonym.objects.create(abbreviation="KVV", terms="kraanvogelverblijf")
        Synonym.objects.create(terms="ploegbellen, zwaluwconsult")
    requests = [(m, p.split("?")[0]) for m, p, _b in FakeNode.requests]
    # Once per transaction, however many rules changed.
    assert requests == [
        ("PUT", "/_synonyms/vindplaats-synonyms"),
        ("POST", "/vindplaats-documents/_reload_search_analyzers"),
        ("POST", "/vindplaats-documents/_cache/clear"),
    ]
    assert "request=true" in FakeNode.requests[2][1]
    rules = [rule["synonyms"] for rule in FakeNode.requests[0][2]["synonyms_set"]]
    assert "KVV => KVV, kraanvogelverblijf" in rules
    assert "ploegbellen, zwaluwconsult" in rules
    assert (
        "ELV => ELV, eerstelijnsverblijf, eerstelijnsverblijven, eerstelijnsbed"
        in rules
    )
    assert len(rules) == Synonym.objects.count()


@pytest.mark.django_db
def test_a_synonym_change_with_the_cluster_down_is_logged_and_applies_anyway(
    django_capture_on_commit_callbacks, caplog
):
    dead = {"BACKEND": FAKE["BACKEND"], "OPTIONS": {"url": dead_url(), "timeout": 1}}
    with (
        override_settings(VINDPLAATS_SEARCH=dead),
        caplog.at_level(logging.WARNING, "vindplaats.search"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            Synonym.objects.create(abbreviation="KVV", terms="kraanvogelverblijf")
        assert "synonyms update failed" in caplog.text
        clauses = SearchQuery(text="kvv").clauses
    assert clauses == [[("kvv",), ("kraanvogelverblijf",)]]


# Writes and the index lifecycle


def lifecycle_handler(existing=("vindplaats-documents-old",)):
    state = {"aliased": list(existing)}

    def handler(method, path, payload):
        if method == "GET" and "/_alias/" in path:
            if not state["aliased"]:
                return 404, {
                    "error": "alias [vindplaats-documents] missing",
                    "status": 404,
                }
            return 200, {
                name: {"aliases": {"vindplaats-documents": {}}}
                for name in state["aliased"]
            }
        if path == "/_bulk" or path.endswith("/_bulk") or "/_bulk?" in path:
            return 200, bulk_ok(payload)
        if method == "PUT" and "/_alias/" in path:
            state["aliased"] = [path.split("/")[1]]
            return 200, {"acknowledged": True}
        if path.startswith("/_aliases"):
            return 200, {"acknowledged": True}
        if method == "PUT":
            return 200, {
                "acknowledged": True,
                "shards_acknowledged": True,
                "index": path.strip("/"),
            }
        if method == "DELETE":
            return 200, {"acknowledged": True}
        if path.endswith("/_refresh"):
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        return 404, {"error": f"unexpected {method} {path}", "status": 404}

    return handler


@pytest.mark.django_db
def test_index_writes_database_and_cluster():
    practice = PracticePage.objects.live().order_by("pk").first()
    FakeNode.reset(lifecycle_handler())
    document = next(get_type("practice").documents([practice.pk]))
    backend_for().index([document])
    path, bulk = [(path, p) for _m, path, p in FakeNode.requests if "_bulk" in path][0]
    assert path.split("?")[0] == "/vindplaats-documents/_bulk"
    assert bulk[0] == {"index": {"_id": f"practice-{practice.pk}"}}
    assert bulk[1]["title"] == practice.title and bulk[1]["facets"]["provincie"]
    assert SearchDocument.objects.filter(object_id=practice.pk).exists()
    assert not PendingIndexUpdate.objects.exists()


@pytest.mark.django_db
def test_writes_go_to_the_alias_after_this_process_created_an_index():
    practice = PracticePage.objects.live().order_by("pk").first()
    FakeNode.reset(lifecycle_handler(existing=()))
    backend = backend_for()
    backend.ensure_index()
    backend.reset()  # a second versioned index; the first is gone
    document = next(get_type("practice").documents([practice.pk]))
    backend.index([document])
    path, bulk = [(path, p) for _m, path, p in FakeNode.requests if "_bulk" in path][0]
    assert path.split("?")[0] == "/vindplaats-documents/_bulk"
    assert bulk[0] == {"index": {"_id": f"practice-{practice.pk}"}}


@pytest.mark.django_db
def test_first_write_creates_a_versioned_index_behind_the_alias():
    FakeNode.reset(lifecycle_handler(existing=()))
    backend_for().ensure_index()
    created = [(m, p) for m, p, _b in FakeNode.requests if m == "PUT"]
    # The synonyms set its search analyser reads comes first.
    assert created[0] == ("PUT", "/_synonyms/vindplaats-synonyms")
    assert created[1][1].startswith("/vindplaats-documents-")
    assert created[2] == ("PUT", f"{created[1][1]}/_alias/vindplaats-documents")


@pytest.mark.django_db
def test_rebuild_fills_a_new_index_then_swaps_the_alias_atomically():
    FakeNode.reset(lifecycle_handler())
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        call_command("rebuild_search_index", "--no-progress", stdout=io.StringIO())
    requests = [(m, p.split("?")[0]) for m, p, _b in FakeNode.requests]
    new_index = next(
        p for m, p in requests if m == "PUT" and not p.startswith("/_synonyms")
    ).strip("/")
    bulk_targets = [p for m, p in requests if p.endswith("_bulk")]
    assert bulk_targets and all(p == f"/{new_index}/_bulk" for p in bulk_targets)
    swap = next(b for m, p, b in FakeNode.requests if p.startswith("/_aliases"))
    assert swap == {
        "actions": [
            {
                "remove": {
                    "index": "vindplaats-documents-old",
                    "alias": "vindplaats-documents",
                }
            },
            {"add": {"index": new_index, "alias": "vindplaats-documents"}},
        ]
    }
    order = [p for m, p in requests]
    assert order.index(f"/{new_index}/_refresh") < order.index("/_aliases")
    assert ("DELETE", "/vindplaats-documents-old") in requests
    indexed = sum(
        len(b) // 2
        for m, p, b in FakeNode.requests
        if p.split("?")[0].endswith("_bulk")
    )
    assert indexed == sum(t.indexable().count() for t in document_types())


# When the cluster is down


@pytest.mark.django_db
def test_save_succeeds_and_is_queued_when_the_cluster_is_down(
    django_capture_on_commit_callbacks, caplog
):
    dead = {"BACKEND": FAKE["BACKEND"], "OPTIONS": {"url": dead_url(), "timeout": 1}}
    with (
        override_settings(VINDPLAATS_SEARCH=dead),
        caplog.at_level(logging.WARNING, "vindplaats.search"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            practice = PracticePageFactory(title="Zorgzwaluw bij storing")
            practice.save_revision().publish()
        assert PracticePage.objects.get(pk=practice.pk).live
        assert PendingIndexUpdate.objects.filter(
            kind="practice", object_id=practice.pk
        ).exists()
        assert f"practice {practice.pk}" in caplog.text
        # The database index has it, so search still finds it.
        assert [h.object.pk for h in search(SearchQuery(text="zorgzwaluw")).hits] == [
            practice.pk
        ]
    # Later the cluster is back: the queue drains.
    FakeNode.reset(lifecycle_handler())
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        call_command("process_search_queue", stdout=io.StringIO())
    assert not PendingIndexUpdate.objects.exists()
    bulk = [b for m, p, b in FakeNode.requests if "_bulk" in p][0]
    assert bulk[0]["index"]["_id"] == f"practice-{practice.pk}"


@pytest.mark.django_db
def test_search_answers_from_the_database_when_the_cluster_is_down(client, caplog):
    dead = {"BACKEND": FAKE["BACKEND"], "OPTIONS": {"url": dead_url(), "timeout": 1}}
    with (
        override_settings(VINDPLAATS_SEARCH=dead, HEALTH_TOKEN="monitoring"),
        caplog.at_level(logging.WARNING, "vindplaats.search"),
    ):
        results = search(SearchQuery(text="sunenz"))
        assert [h.object.slug for h in results.hits] == [
            "anderhalvelijnscentrum-sunenz"
        ]
        assert "the database answers" in caplog.text
        assert client.get("/zoeken/", {"q": "ziekenhuizen"}).status_code == 200
        practice = PracticePage.objects.get(slug="havenue-rotterdam")
        assert client.get(practice.url).status_code == 200
        # The details are for monitoring (HEALTH_TOKEN) and staff only.
        health = client.get("/health/", HTTP_AUTHORIZATION="Bearer monitoring").json()
        assert health["status"] == "degraded"
        assert health["search"]["status"] == "unavailable"
        assert health["database"]["status"] == "ok"


@pytest.mark.django_db
def test_rebuild_with_the_cluster_down_rebuilds_the_database_and_says_so():
    dead = {"BACKEND": FAKE["BACKEND"], "OPTIONS": {"url": dead_url(), "timeout": 1}}
    SearchDocument.objects.all().delete()
    with (
        override_settings(VINDPLAATS_SEARCH=dead),
        pytest.raises(CommandError, match="Elasticsearch"),
    ):
        call_command("rebuild_search_index", "--no-progress", stdout=io.StringIO())
    assert SearchDocument.objects.count() == sum(
        t.indexable().count() for t in document_types()
    )


def test_health_reports_the_database_backend(client, db, settings):
    settings.HEALTH_TOKEN = "monitoring"
    data = client.get("/health/", HTTP_AUTHORIZATION="Bearer monitoring").json()
    assert data["status"] == "ok"
    assert data["search"]["backend"] == "DatabaseBackend"


def test_backend_is_chosen_from_settings():
    with override_settings(VINDPLAATS_SEARCH=FAKE):
        assert isinstance(get_backend(), ElasticsearchBackend)
    assert type(get_backend()).__name__ == "DatabaseBackend"


def test_document_ids_carry_the_kind():
    assert IndexedDocument.doc_id("practice", 12) == "practice-12"


# The shared contract against a real cluster

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")


@pytest.mark.elasticsearch
@pytest.mark.skipif(
    not ELASTICSEARCH_URL,
    reason="ELASTICSEARCH_URL is not set: no cluster to run against",
)
class TestElasticsearchContract(SearchContract):
    prefix = f"test_vindplaats_{uuid.uuid4().hex[:8]}"
    backend = {
        "BACKEND": FAKE["BACKEND"],
        "OPTIONS": {
            "url": ELASTICSEARCH_URL or "",
            "index_prefix": prefix,
            "refresh": True,
        },
    }

    @pytest.fixture(autouse=True, scope="class")
    def _cluster(self):
        yield
        client = Elasticsearch(ELASTICSEARCH_URL)
        client.indices.delete(index=f"{self.prefix}-*", ignore_unavailable=True)
        with contextlib.suppress(NotFoundError):
            client.synonyms.delete_synonym(id=f"{self.prefix}-synonyms")


def test_what_the_text_matches_before_the_selections_is_counted():
    query = SearchQuery(text="ouderen", filters={"provincie": ["zeeland"]})
    request = body(backend_for(), query)
    # Aggregations see the query alone; the selection is a post_filter.
    assert request["aggs"]["text_total"] == {"filter": {"match_all": {}}}
    assert "post_filter" in request
