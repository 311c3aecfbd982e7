"""The embedded search backend: full text in the site's own database.

SQLite matches with an FTS5 table, PostgreSQL with a weighted tsvector and
its GIN index. Text is analysed in Python (search.analysis) before it
reaches either, so Dutch stemming and diacritic folding are identical on both
and on Elasticsearch. The order does not come from the engines (FTS5's bm25
and ts_rank are different functions): it is bm25 from term statistics the
backend stores, the same on both (SearchPosting, search.backends.ranking).
Facets are rows in SearchFacetValue, which every process also holds as
columns in memory (search.backends.columns): the database finds the
documents that match the text, the columns rank them, count facets, apply
selections and sort browse pages.
"""

import json
import math
import uuid

import numpy as np

from django.db import IntegrityError, connection, transaction

from core.cache import once_per_request

from ..analysis import analyze, fold, query_terms
from ..documents import facets_of, similarity_facets
from ..models import (
    IndexedTerm,
    SearchDocument,
    SearchFacetValue,
    SearchIndexState,
    SearchPosting,
)
from . import columns as index_columns
from . import ranking
from . import vocabulary as index_vocabulary
from .base import (
    TEXT_SIMILARITY_WEIGHT,
    WEIGHTS,
    BaseSearchBackend,
    RawHit,
    RawResults,
    RawSimilar,
)

# How many documents sharing the most facets "similar" reranks by text.
SIMILAR_CANDIDATES = 200


class SQLiteFullText:
    # The columns with text; the fifth, "kind", holds the document's kind.
    TEXT_COLUMNS = "{title summary keywords body}"

    def _expression(self, clause, kinds):
        """FTS5 MATCH: one clause in the text columns, of `kinds`. A clause
        is its alternatives OR'ed, a phrase in one pair of quotes:
        `{title ...} : ("spoedeisende hulp" OR "seh") AND kind : ("practice")`."""
        alternatives = " OR ".join(f'"{" ".join(phrase)}"' for phrase in clause)
        kind = " OR ".join(f'"{k}"' for k in kinds)
        return f"{self.TEXT_COLUMNS} : ({alternatives}) AND kind : ({kind})"

    def matching_each(self, clauses, kinds):
        """For each clause, the ids of the documents of `kinds` that match
        it, as int64 arrays: one statement, one index lookup per clause."""
        selects = " UNION ALL ".join(
            f"SELECT {position}, {index_columns.aggregate_ids('rowid')} "
            "FROM search_fulltext WHERE search_fulltext MATCH %s"
            for position in range(len(clauses))
        )
        params = [self._expression(clause, kinds) for clause in clauses]
        with connection.cursor() as cursor:
            cursor.execute(selects, params)
            found = dict(cursor.fetchall())
        return [index_columns.parse_ids(found[i]) for i in range(len(clauses))]

    def title_and_summary(self, ids, terms):
        """{id: (title terms, summary terms)} of the documents of `ids`, as
        indexed, keeping only `terms`: read by rowid, no ranking."""
        # The columns hold the analysed terms separated by spaces.
        wanted = set(terms)
        sql = (
            "SELECT rowid, title, summary FROM search_fulltext "
            "WHERE rowid IN (SELECT value FROM json_each(%s))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(list(ids))])
            return {
                row_id: (
                    [term for term in title.split() if term in wanted],
                    [term for term in summary.split() if term in wanted],
                )
                for row_id, title, summary in cursor.fetchall()
            }

    def insert(self, rows):
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fulltext "
                "(rowid, kind, title, summary, keywords, body) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )

    def delete(self, document_ids):
        with connection.cursor() as cursor:
            for start in range(0, len(document_ids), 500):
                chunk = document_ids[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM search_fulltext WHERE rowid IN ({placeholders})",
                    chunk,
                )

    def reset(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fulltext")


class PostgresFullText:
    def _tsquery(self, clause):
        """`'seh' | 'spoedeis':A <-> 'hulp':A | ...`: a clause is its
        alternatives OR'ed, a phrase its terms side by side within one
        field. The fields are one vector, each its own weight, and `||` puts
        the first word of one right after the last of the one before: a
        phrase is asked for per weight, so it never spans two fields (as
        FTS5 and Elasticsearch phrases do not)."""

        def alternative(phrase):
            if len(phrase) == 1:
                return f"'{phrase[0]}'"
            return " | ".join(
                " <-> ".join(f"'{term}':{weight}" for term in phrase)
                for weight in "ABCD"
            )

        return " | ".join(alternative(phrase) for phrase in clause)

    def matching_each(self, clauses, kinds):
        """For each clause, the ids of the documents that match it, as int64
        arrays (of any kind: the caller's columns narrow to `kinds`): one
        statement, one index lookup per clause."""
        selects = " UNION ALL ".join(
            f"SELECT {position}, {index_columns.aggregate_ids('document_id')} "
            "FROM search_fulltext WHERE vector @@ to_tsquery('simple', %s)"
            for position in range(len(clauses))
        )
        params = [self._tsquery(clause) for clause in clauses]
        with connection.cursor() as cursor:
            cursor.execute(selects, params)
            found = dict(cursor.fetchall())
        return [index_columns.parse_ids(found[i]) for i in range(len(clauses))]

    def title_and_summary(self, ids, terms):
        """{id: (title terms, summary terms)} of the documents of `ids`, as
        indexed, keeping only `terms`: the positions of those lexemes in
        the vector, weight A (title) or B (summary), the others filtered out
        before the vector is unpacked."""
        sql = (
            "SELECT f.document_id, t.lexeme, t.weights FROM search_fulltext f "
            "CROSS JOIN LATERAL unnest(ts_filter(f.vector, '{a,b}')) t "
            "WHERE f.document_id = ANY(%s) AND t.lexeme = ANY(%s)"
        )
        found = {pk: ([], []) for pk in ids}
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(ids), list(terms)])
            for pk, lexeme, weights in cursor.fetchall():
                title, summary = found[pk]
                title.extend(lexeme for weight in weights if weight == "A")
                summary.extend(lexeme for weight in weights if weight == "B")
        return found

    def insert(self, rows):
        rows = [(pk, *texts) for pk, _kind, *texts in rows]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fulltext (document_id, vector) VALUES (%s, "
                "setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'B') || "
                "setweight(to_tsvector('simple', %s), 'C') || "
                "setweight(to_tsvector('simple', %s), 'D'))",
                rows,
            )

    def delete(self, document_ids):
        """Nothing to do: rows go with their document (ON DELETE CASCADE)."""

    def reset(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fulltext")


# The analysed fields of a document, in the order of WEIGHTS.
FIELDS = ("title", "summary", "keywords", "body")


def _insert_postings(documents):
    """A SearchPosting per term of each (document id, [terms per field]):
    its occurrences weighted by field (search.backends.ranking)."""
    weights = [WEIGHTS[name] for name in FIELDS]
    rows = []
    for pk, fields in documents:
        frequencies = {}
        for weight, terms in zip(weights, fields, strict=True):
            for term in terms:
                frequencies[term] = frequencies.get(term, 0.0) + weight
        rows.extend((term, pk, frequency) for term, frequency in frequencies.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: a rebuild writes millions of rows, which INSERTs send
            # one by one (80 s of a 110 s rebuild at 10,000 practices).
            columns = "(term, document_id, frequency)"
            table = SearchPosting._meta.db_table
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {SearchPosting._meta.db_table} "
            "(term, document_id, frequency) VALUES (%s, %s, %s)",
            rows,
        )


def _terms_of(document_ids):
    """The distinct terms of each of these documents, as indexed: their
    postings."""
    terms = {}
    for start in range(0, len(document_ids), 500):
        for document_id, term in SearchPosting.objects.filter(
            document_id__in=document_ids[start : start + 500]
        ).values_list("document_id", "term"):
            terms.setdefault(document_id, set()).add(term)
    return list(terms.values())


class DatabaseBackend(BaseSearchBackend):
    def __init__(self, **options):
        self.options = options

    @property
    def fulltext(self):
        return (
            PostgresFullText()
            if connection.vendor == "postgresql"
            else SQLiteFullText()
        )

    def _changed(self, kinds=None):
        """Name the new content of these kinds (all when None), so every
        process reloads their columns (search.backends.columns)."""
        token = uuid.uuid4().hex
        states = SearchIndexState.objects
        if kinds is None:
            states.update(token=token)
            return
        for kind in kinds:
            if states.filter(kind=kind).update(token=token):
                continue
            try:
                with transaction.atomic():
                    states.create(kind=kind, token=token)
            except IntegrityError:  # created by a concurrent first write
                states.filter(kind=kind).update(token=token)

    @transaction.atomic
    def index(self, documents):
        documents = list(documents)
        if not documents:
            return
        self._changed({document.kind for document in documents})
        removed = []
        for kind in {document.kind for document in documents}:
            removed += self._remove(kind, [d.id for d in documents if d.kind == kind])
        # Each field's analysed terms, as the full-text index holds them.
        analysed = [
            [
                analyze(document.title),
                analyze(document.summary),
                analyze(document.keywords),
                analyze(document.body),
            ]
            for document in documents
        ]
        rows = SearchDocument.objects.bulk_create(
            SearchDocument(
                kind=document.kind,
                object_id=document.id,
                title=document.title,
                title_sort=fold(document.title)[:255],
                url=document.url,
                summary=document.summary,
                body=document.body,
                published_at=document.published_at,
                updated_at=document.updated_at,
                length=sum(len(terms) for terms in fields),
                uptake=document.uptake,
            )
            for document, fields in zip(documents, analysed, strict=True)
        )
        SearchFacetValue.objects.bulk_create(
            SearchFacetValue(document=row, kind=row.kind, facet=facet, value=value)
            for row, document in zip(rows, documents, strict=True)
            for facet, values in document.facets.items()
            for value in values
        )
        self.fulltext.insert(
            [
                (row.pk, row.kind, *(" ".join(terms) for terms in fields))
                for row, fields in zip(rows, analysed, strict=True)
            ]
        )
        _insert_postings(
            (row.pk, fields) for row, fields in zip(rows, analysed, strict=True)
        )
        # A document indexed again mostly keeps its terms: only the
        # difference is counted.
        index_vocabulary.count(
            added=({term for terms in fields for term in terms} for fields in analysed),
            removed=removed,
        )

    @transaction.atomic
    def delete(self, kind, ids):
        index_vocabulary.count(removed=self._remove(kind, ids))

    def _remove(self, kind, ids):
        """Remove these documents; the distinct terms of each, for the
        caller to count (search.backends.vocabulary)."""
        documents = SearchDocument.objects.filter(kind=kind, object_id__in=list(ids))
        document_ids = list(documents.values_list("pk", flat=True))
        if not document_ids:
            return []
        self._changed([kind])
        terms = _terms_of(document_ids)
        self.fulltext.delete(document_ids)
        SearchPosting.objects.filter(document_id__in=document_ids).delete()
        SearchFacetValue.objects.filter(document_id__in=document_ids).delete()
        SearchDocument.objects.filter(pk__in=document_ids).delete()
        return terms

    def rebuild(self, documents, progress=None):
        super().rebuild(documents, progress=progress)
        if connection.vendor == "postgresql":
            # Every row of the search tables is new: the planner's statistics
            # now, not whenever autovacuum comes by (until then it guesses,
            # and may scan every vector for a phrase).
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE search_searchdocument, search_searchposting, "
                    "search_searchfacetvalue, search_fulltext, search_indexedterm"
                )

    @transaction.atomic
    def reset(self):
        self._changed()
        self.fulltext.reset()
        IndexedTerm.objects.all().delete()
        SearchPosting.objects.all().delete()
        SearchFacetValue.objects.all().delete()
        SearchDocument.objects.all().delete()

    def count(self):
        return SearchDocument.objects.count()

    def health(self):
        return {"status": "ok", "documents": self.count()}

    def vocabulary(self):
        return index_vocabulary.current()

    def search(self, query, *, minimum=None):
        columns = index_columns.current(query.kinds)
        base = columns.of_kinds(query.kinds)
        if query.ids is not None:
            base &= columns.mask(self._document_ids(query.kinds, query.ids))
        clauses = query.clauses
        if minimum is None:
            minimum = query.minimum_should_match
        matched = coverage = None  # per word, the documents matching it
        if clauses:
            matched, partly = self._words_matched(columns, query)
            if minimum >= query.word_count:
                base &= matched.all(axis=0)
                matched = None  # every hit has every word
            else:
                # Widened below the query's own minimum (search.service), a
                # compound counts where any of its parts is (the contract,
                # search.backends.base); what a hit lacks stays what it
                # does not wholly match.
                counted = partly if minimum < query.minimum_should_match else matched
                coverage = counted.sum(axis=0, dtype=np.int32)
                base &= coverage >= minimum
        selections = {
            key: columns.selection(key, values) for key, values in query.filters.items()
        }
        passing = base.copy()
        for selection in selections.values():
            passing &= selection
        total = int(np.count_nonzero(passing))
        facet_counts = {}
        # A list of links shows no counts (SearchQuery.hits_only).
        for spec in [] if query.hits_only else facets_of(query.kinds):
            # A facet counts the documents that pass the text and every other
            # facet's selection, so ticking a second value in a facet shows
            # what it would add.
            counted = passing
            if spec.key in selections:
                counted = base.copy()
                for key, selection in selections.items():
                    if key != spec.key:
                        counted &= selection
            facet_counts[spec.key] = columns.counts(spec.key, counted)
        hits = []
        if total:
            ranked = self._page(columns, passing, query, coverage)
            hits = self._hits(columns, ranked, self._missing(columns, matched, ranked))
        return RawResults(
            total=total,
            hits=hits,
            facet_counts=facet_counts,
            text_total=int(np.count_nonzero(base)),
        )

    def _document_ids(self, kinds, ids):
        """The rows of these objects, once per request (the saved searches
        that one published practice may match ask for it in turn)."""
        return once_per_request(
            f"search-document-ids:{kinds}:{ids}",
            lambda: list(
                SearchDocument.objects.filter(
                    kind__in=kinds, object_id__in=ids
                ).values_list("pk", flat=True)
            ),
        )

    def _words_matched(self, columns, query):
        """Two masks per word of the query: the documents that match every
        one of its clauses (each part of a compound), and those that match
        any of them. Worked out once per request for these clauses and this
        content of the index: a search that widens (fewer words needed,
        search.service) reuses them."""

        def work_out():
            every = np.ones((query.word_count, columns.size), dtype=bool)
            some = np.zeros((query.word_count, columns.size), dtype=bool)
            for word, mask in zip(
                query.clause_words, self._clauses_matched(columns, query), strict=True
            ):
                every[word] &= mask
                some[word] |= mask
            return every, some

        if columns.token is None:
            return work_out()
        key = f"search-words-matched:{columns.token}:{query.kinds}:{query.clauses}"
        return once_per_request(key, work_out)

    def _clauses_matched(self, columns, query):
        """A mask per clause of the documents that match it, from what the
        ranking keeps in memory (search.backends.ranking): the postings of
        its words, and the documents of each phrase, which only the
        full-text index knows (it knows where the words stand) and is asked
        for once per content of the index."""

        def match(phrases):
            return self.fulltext.matching_each([[p] for p in phrases], query.kinds)

        return ranking.of(columns).holding(query.clauses, match)

    def _page(self, columns, passing, query, coverage):
        """One page as (document id, score): by relevance from the stored
        term statistics (search.backends.ranking), in the other orders from
        the columns."""
        limit, offset = query.page_size, query.offset
        sort = query.effective_sort
        if sort != "relevance":
            order = sort if sort in ("newest", "uptake") else "title"
            return [(pk, None) for pk in columns.page(order, passing, offset, limit)]
        scores = ranking.of(columns).scores(query.clauses)
        if coverage is None:
            # Every word matches: one tier.
            coverage = np.zeros(columns.size, dtype=np.int32)
        return self._by_coverage(columns, passing, coverage, scores, query)

    def _by_coverage(self, columns, passing, coverage, scores, query):
        """One page of the documents that pass (coverage: how many words
        each matches): those matching the most words first, each such tier
        by score. The page ranks only the tiers it spans, usually one."""
        page, skip, wanted = [], query.offset, query.page_size
        for covered in np.unique(coverage[passing])[::-1]:
            tier = np.flatnonzero(passing & (coverage == covered))
            if skip >= len(tier):
                skip -= len(tier)
                continue
            ranked = ranking.best(scores, tier, skip + wanted)[skip:]
            page.extend(
                (int(columns.ids[position]), float(scores[position]))
                for position in ranked
            )
            wanted -= len(ranked)
            skip = 0
            if wanted <= 0:
                break
        return page

    def _missing(self, columns, matched, ranked):
        """{document id: the words (their numbers) it lacks} for the page."""
        if matched is None:
            return {}
        ids = np.array([pk for pk, _score in ranked], dtype=np.int64)
        return {
            int(pk): tuple(int(i) for i in np.flatnonzero(~matched[:, position]))
            for pk, position in zip(ids, columns.positions(ids), strict=True)
        }

    def _hits(self, columns, ranked, missing):
        """RawHits of the page: the documents' rows, their facet values from
        the columns."""
        ids = [pk for pk, _score in ranked]
        rows = SearchDocument.objects.in_bulk(ids)
        facets = {
            pk: columns.facet_values(int(position))
            for pk, position in zip(ids, columns.positions(ids), strict=True)
        }
        return [
            RawHit(
                kind=rows[pk].kind,
                id=rows[pk].object_id,
                title=rows[pk].title,
                url=rows[pk].url,
                summary=rows[pk].summary,
                published_at=rows[pk].published_at,
                updated_at=rows[pk].updated_at,
                facets=facets[pk],
                score=score,
                text=f"{rows[pk].summary}\n{rows[pk].body}",
                missing=missing.get(pk, ()),
            )
            for pk, score in ranked
            if pk in rows
        ]

    def similar(self, kind, id, *, limit=5):
        """Documents scored by the facet values they share, weighted, with the
        best SIMILAR_CANDIDATES reranked by how much their title and summary
        say what this one's do (_text_similarity). The facet part is numpy
        over the columns; the text part reads the candidates' indexed title
        and summary by id, instead of ranking every document that shares a
        word (most of them, for a word like "zorg")."""
        document = (
            SearchDocument.objects.filter(kind=kind, object_id=id)
            .only("pk", "title", "summary")
            .first()
        )
        if document is None:
            return []
        columns = index_columns.current([kind])
        own_values = list(document.facet_values.values_list("facet", "value"))
        weights = {spec.key: spec.similarity_weight for spec in similarity_facets(kind)}
        weighted = [
            (facet, value, weights[facet])
            for facet, value in own_values
            if facet in weights
        ]
        facet_scores = np.zeros(columns.size)
        for facet, value, weight in weighted:
            facet_scores[columns.having(facet, value)] += weight
        others = columns.of_kinds([kind])
        others[columns.positions(np.array([document.pk]))] = False
        facet_scores[~others] = 0
        candidates = ranking.best(
            facet_scores, np.flatnonzero(facet_scores > 0), SIMILAR_CANDIDATES
        )
        scores = {
            int(columns.ids[position]): float(facet_scores[position])
            for position in candidates
        }
        terms = query_terms(f"{document.title} {document.summary}")[:12]
        text_scores = {}
        if terms:
            # Text similarity reranks the documents that share the most
            # facets; with too few of those, the best text matches of every
            # document join them first.
            if len(scores) < SIMILAR_CANDIDATES:
                matches = ranking.of(columns).scores([[(term,)] for term in terms])
                matches[~others] = 0
                for position in ranking.best(matches, np.flatnonzero(matches), 50):
                    scores.setdefault(int(columns.ids[position]), 0.0)
            text_scores = _text_similarity(
                terms, self.fulltext.title_and_summary(list(scores), terms)
            )
        for pk, text_score in text_scores.items():
            scores[pk] = scores.get(pk, 0.0) + TEXT_SIMILARITY_WEIGHT * text_score
        best_ids = sorted(
            (pk for pk, score in scores.items() if score > 0),
            key=lambda pk: (-scores[pk], pk),
        )[:limit]
        # What each of the best shares, from its own values: a handful of
        # lookups, where testing each shared value's documents for them
        # went through every document that has it.
        own = {(facet, value) for facet, value, _weight in weighted}
        shared = {pk: {} for pk in best_ids}
        for position in columns.positions(np.array(best_ids, dtype=np.int64)):
            pk = int(columns.ids[position])
            for facet, values in columns.facet_values(int(position)).items():
                for value in values:
                    if (facet, value) in own:
                        shared[pk].setdefault(facet, set()).add(value)
        object_ids = dict(
            SearchDocument.objects.filter(pk__in=best_ids).values_list(
                "pk", "object_id"
            )
        )
        return [
            RawSimilar(
                kind=kind,
                id=object_ids[pk],
                score=scores[pk],
                shared=shared[pk],
                text_match=text_scores.get(pk, 0) >= 0.5,
            )
            for pk in best_ids
            if pk in object_ids
        ]


def _text_similarity(terms, found):
    """How much each candidate's title and summary say what this document's
    do, from 0 to 1 (the best): bm25 of `terms` over the candidates' title
    and summary with the search's field weights, the rarity of each term
    counted among the candidates (a word they all share tells them apart
    least), no length normalisation, as the texts are short. `found` is
    {id: (title terms, summary terms)}, holding only `terms`."""
    if not found:
        return {}
    count = len(found)
    frequency = dict.fromkeys(terms, 0)
    for title, summary in found.values():
        for term in {*title, *summary}:
            frequency[term] += 1
    rarity = {
        term: math.log(1 + (count - seen + 0.5) / (seen + 0.5))
        for term, seen in frequency.items()
    }
    scores = {}
    for pk, (title, summary) in found.items():
        score = 0.0
        for term in {*title, *summary}:
            weighted = WEIGHTS["title"] * title.count(term) + WEIGHTS[
                "summary"
            ] * summary.count(term)
            score += rarity[term] * weighted / (weighted + ranking.K1)
        if score:
            scores[pk] = score
    best = max(scores.values(), default=0) or 1
    return {pk: score / best for pk, score in scores.items()}
