"""The Elasticsearch backend, written with elasticsearch.dsl.

It keeps the database backend as its twin: every write goes to the database
index first, then to Elasticsearch. When the cluster is unreachable or
refuses a write, the failure is logged with the object ids and queued
(PendingIndexUpdate) for `manage.py process_search_queue`; when it fails to
answer a search, the database answers and a warning is logged. Visitors never
see the difference, and nothing published is silently left out.

Documents live in versioned indices ("<prefix>-documents-<timestamp>") behind
the alias "<prefix>-documents". A rebuild fills a new index with bulk requests
and swaps the alias in one atomic request, so searches keep working.
"""

import contextlib
import logging
import time
from collections import Counter

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import (
    Date,
    FacetedSearch,
    Index,
    Integer,
    Keyword,
    Long,
    Mapping,
    Object,
    Q,
    SearchAsYouType,
    TermsFacet,
    Text,
    analyzer,
    char_filter,
    normalizer,
    token_filter,
)
from elasticsearch.dsl import Document as DslDocument

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

from .. import synonyms
from ..analysis import CHAR_REPLACEMENTS, STEM_OVERRIDES, STOPWORDS, decompounder
from ..compounds import MIN_LISTED_PART
from ..documents import every_facet, facets_of, similarity_facets
from ..models import PendingIndexUpdate
from ..query import MAX_CLAUSES, MINIMUM_SHOULD_MATCH, required_clauses
from .base import (
    TEXT_SIMILARITY_WEIGHT,
    WEIGHTS,
    BaseSearchBackend,
    RawHit,
    RawResults,
    RawSimilar,
    SearchClusterError,
    batches,
)
from .database import DatabaseBackend

logger = logging.getLogger("vindplaats.search")

# Everything the client raises for an unreachable, slow or refusing cluster.
CLUSTER_ERRORS = (TransportError, ApiError, helpers.BulkIndexError)

APOSTROPHE = char_filter(
    "vindplaats_apostrophe",
    "mapping",
    mappings=[f"{old} => {new}" for old, new in CHAR_REPLACEMENTS.items()],
)
DUTCH_FILTERS = [
    "lowercase",
    "asciifolding",
    token_filter("vindplaats_stop", "stop", stopwords=sorted(STOPWORDS)),
    token_filter(
        "vindplaats_overrides",
        "stemmer_override",
        rules=[f"{word} => {stem}" for word, stem in sorted(STEM_OVERRIDES.items())],
    ),
    token_filter("vindplaats_stemmer", "stemmer", language="dutch"),
]


def compound_filter():
    """search.compounds' word list as a dictionary_decompounder: every list
    word inside a token is added at the token's position, before the stop
    filter and the stemmer (which stem the parts as they stem words). Lucene
    tries every list word rather than the fewest parts, and keeps no word
    whole, so the index holds a few more parts than the database's; the
    queries ask for the same parts on both (search.synonyms.parse)."""
    splitter = decompounder()
    return token_filter(
        "vindplaats_compounds",
        "dictionary_decompounder",
        word_list=sorted(splitter.parts),
        min_word_size=2 * MIN_LISTED_PART,
        min_subword_size=MIN_LISTED_PART,
        max_subword_size=splitter.longest,
    )


# Indexing decompounds; searching does not: the query's clauses already ask
# for each part of a compound, while a decompounder would put the parts at the
# word's position, which a match query reads as "any of them" (a text saying
# only "zorg" would match a search for "dementiezorg").
DUTCH = analyzer(
    "vindplaats_dutch",
    tokenizer="standard",
    char_filter=[APOSTROPHE],
    filter=[*DUTCH_FILTERS[:2], compound_filter(), *DUTCH_FILTERS[2:]],
)
SYNONYMS_SET = "vindplaats-synonyms"


def dutch_search_analyzer(synonyms_set=SYNONYMS_SET):
    """The Dutch analyser, without the decompounder (see DUTCH), plus the
    redactie's synonyms (search.synonyms) as a synonym_graph, for searching
    only: the index is unchanged. The rules
    live in the cluster's synonyms set `synonyms_set` (the Synonyms API), so
    a change reaches every index that uses it without a rebuild; the filter
    comes after the stemmer, so Elasticsearch analyses the rules the way it
    analyses the text, as search.synonyms does."""
    return analyzer(
        "vindplaats_dutch_search",
        tokenizer="standard",
        char_filter=[APOSTROPHE],
        filter=[
            *DUTCH_FILTERS,
            token_filter(
                "vindplaats_synonyms",
                "synonym_graph",
                synonyms_set=synonyms_set,
                updateable=True,
                # A rule Elasticsearch cannot parse is skipped, not fatal.
                lenient=True,
            ),
        ],
    )


FOLDED = normalizer("vindplaats_folded", filter=["lowercase", "asciifolding"])
SUGGEST = analyzer(
    "vindplaats_suggest", tokenizer="standard", filter=["lowercase", "asciifolding"]
)


class IndexedDocument(DslDocument):
    """A search.documents.Document as stored in Elasticsearch."""

    kind = Keyword()
    object_id = Long()
    title = Text(analyzer=DUTCH, fields={"sort": Keyword(normalizer=FOLDED)})
    summary = Text(analyzer=DUTCH)
    keywords = Text(analyzer=DUTCH)
    body = Text(analyzer=DUTCH)
    url = Keyword(index=False)
    published_at = Date()
    updated_at = Date()
    uptake = Integer()
    suggest = SearchAsYouType(analyzer=SUGGEST)
    # A keyword field per registered facet, added when an index is created
    # (index_definition): the document types register after this is imported.
    facets = Object()

    @staticmethod
    def doc_id(kind, object_id):
        return f"{kind}-{object_id}"

    @classmethod
    def from_document(cls, document):
        return cls(
            meta={"id": cls.doc_id(document.kind, document.id)},
            kind=document.kind,
            object_id=document.id,
            title=document.title,
            summary=document.summary,
            keywords=document.keywords,
            body=document.body,
            url=document.url,
            published_at=document.published_at,
            updated_at=document.updated_at,
            uptake=document.uptake,
            suggest=document.title,
            facets=document.facets,
        )


def index_definition(name, shards=1, replicas=0, synonyms_set=SYNONYMS_SET):
    index = Index(name)
    index.settings(number_of_shards=shards, number_of_replicas=replicas)
    # The document's fields, not the document: Index.document() would make
    # the first index defined the document's own, and every later write would
    # name that index instead of going where the alias points.
    index.mapping(IndexedDocument._doc_type.mapping)
    # The text fields search with the synonyms (named per backend, so the
    # search analyser is added here rather than on the document).
    searching = dutch_search_analyzer(synonyms_set)
    text = Mapping()
    text.field(
        "title",
        Text(
            analyzer=DUTCH,
            search_analyzer=searching,
            fields={"sort": Keyword(normalizer=FOLDED)},
        ),
    )
    for field in ("summary", "keywords", "body"):
        text.field(field, Text(analyzer=DUTCH, search_analyzer=searching))
    index.mapping(text)
    facets = Mapping()
    facets.field(
        "facets", Object(properties={spec.key: Keyword() for spec in every_facet()})
    )
    index.mapping(facets)
    return index


SORTS = {
    "relevance": ["_score", "object_id"],
    "newest": ["-published_at", "-object_id"],
    "title": ["title.sort", "object_id"],
    "uptake": ["-uptake", "-published_at", "-object_id"],
}


TEXT_TOTAL = "text_total"


class DocumentSearch(FacetedSearch):
    """The contract's query as a FacetedSearch: weighted fields, one TermsFacet
    per facet of the query's kinds, selected values in post_filter (each
    facet's aggregation ignores its own selection), highlights as escaped HTML
    with <mark>. For a query.hits_only, neither aggregations nor highlights:
    the selections still filter (post_filter), and the hits and the total
    are those of the full request."""

    fields = [f"{field}^{weight:g}" for field, weight in WEIGHTS.items()]

    def __init__(self, query, *, minimum=None, index, using):
        self.index = index
        self.using = using
        self.minimum = minimum
        self.parsed = query.parsed
        self.kinds = list(query.kinds)
        self.hits_only = query.hits_only
        self.ids = query.ids
        self.facets = {
            spec.key: TermsFacet(field=f"facets.{spec.key}", size=spec.size)
            for spec in facets_of(self.kinds)
        }
        super().__init__(
            query=query.text if query.terms else None,
            filters=query.filters,
            sort=SORTS[query.effective_sort],
        )
        self._s = self._s[query.offset : query.offset + query.page_size]

    def search(self):
        search = super().search().filter("terms", kind=self.kinds)
        if self.ids is not None:
            search = search.filter("terms", object_id=list(self.ids))
        if not (self.hits_only and not self._filters):
            # What the text matches before the selections (post_filter): the
            # aggregations see the query alone. Without selections it is the
            # total, which the search service then reads instead.
            search.aggs.bucket(TEXT_TOTAL, "filter", Q("match_all"))
        fields = ["kind", "object_id", "title", "url", "summary"]
        fields += ["published_at", "updated_at"]
        if not self.hits_only:
            fields.append("facets")
        return search.extra(track_total_hits=True).source(fields)

    def aggregate(self, search):
        if not self.hits_only:
            super().aggregate(search)

    def query(self, search, query):
        return search.query(text_query(self.parsed, self.minimum, fields=self.fields))

    def highlight(self, search):
        if self._query is None or self.hits_only:
            return search
        return search.highlight(
            "summary", "body", number_of_fragments=1, fragment_size=240
        ).highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"])


class ElasticsearchBackend(BaseSearchBackend):
    def __init__(
        self,
        url,
        index_prefix="vindplaats",
        username="",
        password="",
        api_key="",
        ca_certs="",
        timeout=5.0,
        refresh=False,
        replicas=0,
        node_class=None,
    ):
        self.alias = f"{index_prefix}-documents"
        self.synonyms_set = f"{index_prefix}-synonyms"
        self.refresh = refresh
        self.replicas = replicas
        self.database = DatabaseBackend()
        options = {
            "request_timeout": timeout,
            "max_retries": 1,
            "retry_on_timeout": False,
        }
        if username:
            options["basic_auth"] = (username, password)
        if api_key:
            options["api_key"] = api_key
        if ca_certs:
            options["ca_certs"] = ca_certs
        if node_class:
            options["node_class"] = (
                import_string(node_class) if isinstance(node_class, str) else node_class
            )
        self.client = Elasticsearch(url, **options)

    # Index lifecycle

    def _new_index(self):
        name = (
            f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1000:03d}"
        )
        # The synonyms set must exist before an index that searches with it.
        self.put_synonyms()
        index_definition(
            name, replicas=self.replicas, synonyms_set=self.synonyms_set
        ).create(using=self.client)
        return name

    # Synonyms: the cluster's copy of the redactie's list

    def put_synonyms(self):
        """Replace the cluster's synonyms set with the current rules
        (search.synonyms), in the Solr format synonym_graph reads; the
        Synonyms API reloads the search analysers that use the set."""
        rules = synonyms.solr_rules(synonyms.rules())
        self.client.synonyms.put_synonym(
            id=self.synonyms_set,
            synonyms_set=[
                {"id": f"rule-{number}", "synonyms": rule}
                for number, rule in enumerate(rules, 1)
            ],
        )

    def synonyms_changed(self):
        """Bring the cluster's synonyms set up to date, then reload the
        search analysers of the live index and drop the request cache (which
        may hold answers from the old rules), as Elasticsearch advises. The
        queries apply the new rules already (DocumentSearch), so a failure
        here is logged, not raised; the next rebuild puts the set again."""
        try:
            self.put_synonyms()
            self.client.indices.reload_search_analyzers(index=self.alias)
            self.client.indices.clear_cache(index=self.alias, request=True)
        except CLUSTER_ERRORS as error:
            logger.warning("Elasticsearch synonyms update failed: %s", error)

    def _indices_behind_alias(self):
        try:
            return list(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def ensure_index(self):
        """Create the first versioned index and its alias when there is none."""
        if not self._indices_behind_alias():
            name = self._new_index()
            self.client.indices.put_alias(index=name, name=self.alias)

    def _swap_alias(self, new):
        old = self._indices_behind_alias()
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)

    # Writes: the database first, then the cluster

    def _bulk(self, actions, index):
        actions = list(actions)
        if not actions:
            return
        _ok, errors = helpers.bulk(
            self.client,
            actions,
            index=index,
            refresh="wait_for" if self.refresh else False,
            raise_on_error=False,
        )
        real = [e for e in errors if next(iter(e.values())).get("status") != 404]
        if real:
            raise helpers.BulkIndexError(
                f"{len(real)} document(s) failed to index", real
            )

    def index(self, documents):
        documents = list(documents)
        self.database.index(documents)
        self._write_remote(
            [(document.kind, document.id) for document in documents],
            lambda: self._bulk(
                (
                    IndexedDocument.from_document(d).to_dict(include_meta=True)
                    for d in documents
                ),
                self.alias,
            ),
        )

    def delete(self, kind, ids):
        ids = list(ids)
        self.database.delete(kind, ids)
        actions = (
            {"_op_type": "delete", "_id": IndexedDocument.doc_id(kind, object_id)}
            for object_id in ids
        )
        self._write_remote(
            [(kind, object_id) for object_id in ids],
            lambda: self._bulk(actions, self.alias),
        )

    def _write_remote(self, keys, write):
        """Run a cluster write for (kind, id) keys; queue them when it fails."""
        if not keys:
            return
        try:
            self.ensure_index()
            write()
        except CLUSTER_ERRORS as error:
            logger.warning(
                "Elasticsearch write failed for %s: %s; queued for retry",
                ", ".join(f"{kind} {object_id}" for kind, object_id in keys),
                error,
            )
            queue_retry(keys, error)
        else:
            clear_retry(keys)

    def reset(self):
        self.database.reset()
        try:
            self._swap_alias(self._new_index())
        except CLUSTER_ERRORS as error:
            logger.warning("Elasticsearch reset failed: %s", error)

    def rebuild(self, documents, progress=None):
        """Fill a new index next to the live one, then swap the alias.

        The database index is rebuilt in the same pass. If the cluster fails
        half way, the new index is dropped, the alias keeps pointing at the
        old one, and the error is raised after the database is complete.
        """
        new, failure = None, None
        try:
            new = self._new_index()
        except CLUSTER_ERRORS as error:
            failure = error
        with transaction.atomic():
            self.database.reset()
            for batch in batches(documents):
                self.database.index(batch)
                if failure is None:
                    try:
                        self._bulk(
                            (
                                IndexedDocument.from_document(d).to_dict(
                                    include_meta=True
                                )
                                for d in batch
                            ),
                            new,
                        )
                    except CLUSTER_ERRORS as error:
                        failure = error
                if progress:
                    progress(len(batch))
        if failure is None:
            try:
                self.client.indices.refresh(index=new)
                self._swap_alias(new)
                PendingIndexUpdate.objects.all().delete()
                return
            except CLUSTER_ERRORS as error:
                failure = error
        if new:
            with contextlib.suppress(*CLUSTER_ERRORS):
                self.client.indices.delete(index=new, ignore_unavailable=True)
        raise SearchClusterError(
            f"De database-index is opnieuw opgebouwd, Elasticsearch niet: {failure}"
        ) from failure

    def vocabulary(self):
        """The database copy's, which holds the same documents: it decides
        which words the cluster matches with fuzziness (text_query) and
        makes the "did you mean" text, without a request of its own."""
        return self.database.vocabulary()

    def count(self):
        try:
            return self.client.count(index=self.alias)["count"]
        except CLUSTER_ERRORS:
            return self.database.count()

    def health(self):
        pending = PendingIndexUpdate.objects.count()
        try:
            cluster = self.client.cluster.health()
            return {
                "status": "ok"
                if cluster["status"] in ("green", "yellow")
                else "degraded",
                "cluster": cluster["status"],
                "pending_updates": pending,
            }
        except CLUSTER_ERRORS as error:
            return {
                "status": "unavailable",
                "error": str(error),
                "pending_updates": pending,
            }

    # Reads: the cluster, or the database when it cannot answer

    def build_search(self, query, *, minimum=None):
        return DocumentSearch(
            query, minimum=minimum, index=self.alias, using=self.client
        )

    def search(self, query, *, minimum=None):
        try:
            response = self.build_search(query, minimum=minimum).execute()
        except CLUSTER_ERRORS as error:
            logger.warning(
                "Elasticsearch search failed (%s); the database answers", error
            )
            return self.database.search(query, minimum=minimum)
        needed = query.minimum_should_match if minimum is None else minimum
        # A compound in a widened search has its parts named (text_query).
        parts = (
            Counter(query.clause_words) if needed < query.minimum_should_match else {}
        )
        return results_from_response(
            response,
            with_text=bool(query.terms) and not query.hits_only,
            with_facets=not query.hits_only,
            # Fewer needed than there are: the words are named (text_query).
            clauses=query.word_count if needed < query.word_count else 0,
            parts={word: count for word, count in parts.items() if count > 1},
        )

    def similar(self, kind, id, *, limit=5):
        try:
            return self._similar(kind, id, limit)
        except CLUSTER_ERRORS as error:
            logger.warning(
                "Elasticsearch similar failed (%s); the database answers", error
            )
            return self.database.similar(kind, id, limit=limit)

    def similar_query(self, kind, id, facets):
        """more_like_this on the text, plus a boost per shared facet value."""
        own = IndexedDocument.doc_id(kind, id)
        should = [
            Q(
                "more_like_this",
                fields=["title", "summary", "body"],
                like=[{"_index": self.alias, "_id": own}],
                min_term_freq=1,
                min_doc_freq=1,
                max_query_terms=12,
                boost=TEXT_SIMILARITY_WEIGHT,
                _name="text",
            )
        ]
        for spec in similarity_facets(kind):
            if facets.get(spec.key):
                should.append(
                    Q(
                        "constant_score",
                        filter=Q("terms", **{f"facets.{spec.key}": facets[spec.key]}),
                        boost=spec.similarity_weight,
                        _name=f"facet:{spec.key}",
                    )
                )
        return Q(
            "bool",
            should=should,
            minimum_should_match=1,
            filter=[Q("term", kind=kind)],
            must_not=[Q("ids", values=[own])],
        )

    def _similar(self, kind, id, limit):
        try:
            own = self.client.get(index=self.alias, id=IndexedDocument.doc_id(kind, id))
        except NotFoundError:
            return []
        facets = own["_source"].get("facets", {})
        search = (
            IndexedDocument.search(using=self.client, index=self.alias)
            .query(self.similar_query(kind, id, facets))
            .source(["object_id", "facets"])[:limit]
        )
        similar = []
        for hit in search.execute():
            matched = set(getattr(hit.meta, "matched_queries", []) or [])
            other = hit.facets.to_dict() if hit.facets else {}
            shared = {
                spec.key: set(other.get(spec.key, [])) & set(facets.get(spec.key, []))
                for spec in similarity_facets(kind)
                if f"facet:{spec.key}" in matched
            }
            similar.append(
                RawSimilar(
                    kind=kind,
                    id=hit.object_id,
                    score=hit.meta.score,
                    shared={key: values for key, values in shared.items() if values},
                    text_match="text" in matched,
                )
            )
        return similar


# What each word a document matches adds to its score when not every word
# is needed: more than any bm25 score of these fields reaches, so a document
# that matches more words always ranks first, as on the database backend.
COVERAGE_WEIGHT = 10_000


def text_query(parsed, minimum=None, fields=DocumentSearch.fields):
    """The clauses of a query (search.expansion.Expanded, the first
    MAX_CLAUSES) as a bool query: a clause matches when any of its
    alternatives matches, each in any of the weighted fields: a word as a
    match in each field (most_fields: the field scores add up, as bm25 over
    the columns does), a phrase as match_phrase. Each alternative is sent as
    words (as typed, or as the rule has them), which the fields' search
    analyser stems and expands with the cluster's own copy of the synonyms;
    applying them here as well keeps every backend answering alike even
    before that copy is reloaded.

    Corrections and completions are left to the cluster, on the clauses the
    vocabulary chose (the database copy of the index holds the same
    documents): a word the index does not know is matched with fuzziness,
    the last word being typed with a prefix query per field (completions).

    A document must match `minimum` words (every clause of a word: each
    part of a compound), or as many as the contract's MINIMUM_SHOULD_MATCH
    ("2<75%", sent as is) asks when None. When that is every word the
    clauses are all `must`; otherwise each word is named by its position
    ("clause:0"), so a hit's matched_queries tell which it lacks, and adds
    COVERAGE_WEIGHT to the score of a document it matches. Below the
    contract's own minimum (a widened search, search.service) a compound's
    word matches where any of its parts does, each part named too
    ("clause:0.1"), so a hit that has only some of them still lacks the
    word."""
    clauses = []
    for index in range(min(len(parsed.clauses), MAX_CLAUSES)):
        fuzzy = index in parsed.corrected
        alternatives = [
            _alternative(parsed.written[phrase], len(phrase) > 1, fuzzy, fields)
            for phrase in parsed.typed(index)
        ]
        if index in parsed.completed:
            alternatives.append(_completion(parsed.completed[index], fields))
        clauses.append(alternatives)
    of_word = parsed.words[: len(clauses)]
    words = [[] for _word in range(max(of_word, default=-1) + 1)]
    for word, alternatives in zip(of_word, clauses, strict=True):
        words[word].append(alternatives)
    needed = required_clauses(len(words)) if minimum is None else minimum
    if needed >= len(words):
        return Q("bool", must=[_any_of(alternatives) for alternatives in clauses])
    widened = needed < required_clauses(len(words))
    named = [_word(parts, position, widened) for position, parts in enumerate(words)]
    return Q(
        "function_score",
        query=Q(
            "bool",
            should=named,
            minimum_should_match=MINIMUM_SHOULD_MATCH if minimum is None else minimum,
        ),
        functions=[{"filter": clause, "weight": COVERAGE_WEIGHT} for clause in named],
        score_mode="sum",
        boost_mode="sum",
    )


def _word(clauses, position, widened=False):
    """Word `position` of the query, named: its clause, or all of them (a
    compound), any of them when `widened`, each part then named too."""
    name = f"clause:{position}"
    if len(clauses) == 1:
        return _any_of(clauses[0], _name=name)
    if widened:
        parts = [
            _any_of(alternatives, _name=f"{name}.{part}")
            for part, alternatives in enumerate(clauses)
        ]
        return Q("bool", should=parts, minimum_should_match=1, _name=name)
    return Q(
        "bool", must=[_any_of(alternatives) for alternatives in clauses], _name=name
    )


def _any_of(alternatives, **options):
    """One clause: its only alternative, or any of them."""
    if len(alternatives) == 1 and not options:
        return alternatives[0]
    return Q("bool", should=alternatives, minimum_should_match=1, **options)


# search.expansion's rule: no edit under 5 letters, one up to 8, two beyond
# (plain "AUTO" is "AUTO:3,6", which would correct 3-letter words). Edits may
# touch the first letter (prefix_length 0), as in the database backend: a
# wrong first letter is a typo too, and the cost is small on an index of
# this size, as fuzziness only applies to words the index does not know.
FUZZINESS = "AUTO:5,9"


def _alternative(words, is_phrase, fuzzy, fields):
    if is_phrase:
        return Q("multi_match", query=words, fields=fields, type="phrase")
    if fuzzy:
        return Q(
            "multi_match",
            query=words,
            fields=fields,
            type="most_fields",
            fuzziness=FUZZINESS,
            prefix_length=0,
        )
    return Q("multi_match", query=words, fields=fields, type="most_fields")


def _completion(word, fields):
    """Indexed terms of any weighted field that start with `word` (folded,
    not stemmed, as search.expansion completes it). Not the
    search_as_you_type field: it holds titles only, and the database
    backend completes a word in every field."""
    return Q(
        "bool",
        should=[
            Q("prefix", **{name: {"value": word, "boost": float(weight)}})
            for name, weight in (field.split("^") for field in fields)
        ],
        minimum_should_match=1,
    )


def results_from_response(
    response, *, with_text, with_facets=True, clauses=0, parts=None
):
    """RawResults from a FacetedResponse; with `clauses` named (text_query),
    each hit lacks those it did not match, and a word of `parts` ({word:
    how many parts}, a compound in a widened search) those of which it
    did not match every part. Without `with_facets` the request asked for
    no facet counts (SearchQuery.hits_only) and none are read."""
    parts = parts or {}
    hits = []
    for hit in response:
        matched = set(getattr(hit.meta, "matched_queries", None) or [])
        missing = tuple(
            position
            for position in range(clauses)
            if f"clause:{position}" not in matched
            or any(
                f"clause:{position}.{part}" not in matched
                for part in range(parts.get(position, 0))
            )
        )
        fragments = getattr(hit.meta, "highlight", None)
        highlight = ""
        if with_text and fragments:
            for field in ("summary", "body"):
                if field in fragments:
                    # The html encoder escaped the text; only <mark> is markup.
                    highlight = mark_safe(fragments[field][0])
                    break
        hits.append(
            RawHit(
                kind=hit.kind,
                id=hit.object_id,
                title=hit.title,
                url=hit.url,
                summary=hit.summary,
                published_at=_moment(getattr(hit, "published_at", None)),
                updated_at=_moment(getattr(hit, "updated_at", None)),
                facets=hit.facets.to_dict() if getattr(hit, "facets", None) else {},
                score=hit.meta.score,
                highlight=highlight,
                missing=missing,
            )
        )
    facet_counts = {}
    if with_facets:
        facet_counts = {
            key: {value: count for value, count, _selected in values}
            for key, values in response.facets.items()
        }
    text_total = getattr(getattr(response, "aggregations", None), TEXT_TOTAL, None)
    return RawResults(
        total=response.hits.total.value,
        hits=hits,
        facet_counts=facet_counts,
        text_total=getattr(text_total, "doc_count", None),
    )


def _moment(value):
    """A datetime from the ISO string the _source holds."""
    return parse_datetime(value) if isinstance(value, str) else value


def queue_retry(keys, error):
    for kind, object_id in keys:
        pending, created = PendingIndexUpdate.objects.get_or_create(
            kind=kind, object_id=object_id, defaults={"last_error": str(error)[:2000]}
        )
        if not created:
            pending.attempts += 1
            pending.last_error = str(error)[:2000]
            pending.save(update_fields=["attempts", "last_error", "updated_at"])


def clear_retry(keys):
    by_kind = {}
    for kind, object_id in keys:
        by_kind.setdefault(kind, []).append(object_id)
    for kind, ids in by_kind.items():
        PendingIndexUpdate.objects.filter(kind=kind, object_id__in=ids).delete()
