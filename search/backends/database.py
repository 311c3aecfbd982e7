"""The embedded search backend: full text in the site's own database.

SQLite uses an FTS5 table ranked with bm25; PostgreSQL a weighted tsvector
ranked with ts_rank. Text is analysed in Python (search.analysis) before it
reaches either, so Dutch stemming and diacritic folding are identical on both
and on Elasticsearch. Facets are rows in SearchFacetValue; a facet's counts are
one GROUP BY over the documents that match the text and every other facet.
"""

from django.db import connection, transaction
from django.db.models import Case, FloatField, Q, Sum, Value, When
from django.db.models.expressions import RawSQL

from practices.facets import FACETS

from ..analysis import analyze, fold, query_terms
from ..models import SearchDocument, SearchFacetValue
from .base import (
    SIMILARITY_WEIGHTS,
    TEXT_SIMILARITY_WEIGHT,
    WEIGHTS,
    BaseSearchBackend,
    RawHit,
    RawResults,
    RawSimilar,
)

# Above this many text matches, facet counts scan instead of look up.
BROAD_MATCH = 2500
# How many practices sharing the most facets "similar" reranks by text.
SIMILAR_CANDIDATES = 200


class SQLiteFullText:
    def match(self, terms, operator):
        expression = f" {operator.upper()} ".join(f'"{term}"' for term in terms)
        return "SELECT rowid FROM search_fulltext WHERE search_fulltext MATCH %s", [
            expression
        ]

    def ranked(self, terms, operator, ids_sql, ids_params, limit, offset):
        expression = f" {operator.upper()} ".join(f'"{term}"' for term in terms)
        weights = ", ".join(str(weight) for weight in WEIGHTS.values())
        sql = (
            f"SELECT rowid, bm25(search_fulltext, {weights}) AS rank "
            "FROM search_fulltext WHERE search_fulltext MATCH %s "
            # "+rowid": keep FTS5 from driving the query by rowid and running
            # the MATCH once per candidate (a hundred times slower).
            f"AND +rowid IN ({ids_sql}) ORDER BY rank, rowid LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, *ids_params, limit, offset])
            # bm25: lower is better; flip so a higher score is a better match.
            return [(row_id, -rank) for row_id, rank in cursor.fetchall()]

    def insert(self, rows):
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fulltext (rowid, title, summary, keywords, body) "
                "VALUES (%s, %s, %s, %s, %s)",
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
    # ts_rank weights in the order D, C, B, A = body, keywords, summary, title.
    RANK_WEIGHTS = [
        WEIGHTS[name] / WEIGHTS["title"]
        for name in ["body", "keywords", "summary", "title"]
    ]

    def _tsquery(self, terms, operator):
        joiner = " & " if operator == "and" else " | "
        return joiner.join(f"'{term}'" for term in terms)

    def match(self, terms, operator):
        return (
            "SELECT document_id FROM search_fulltext "
            "WHERE vector @@ to_tsquery('simple', %s)",
            [self._tsquery(terms, operator)],
        )

    def ranked(self, terms, operator, ids_sql, ids_params, limit, offset):
        tsquery = self._tsquery(terms, operator)
        sql = (
            "SELECT document_id, "
            "ts_rank(%s::float4[], vector, to_tsquery('simple', %s)) AS rank "
            "FROM search_fulltext WHERE vector @@ to_tsquery('simple', %s) "
            f"AND document_id IN ({ids_sql}) ORDER BY rank DESC, document_id "
            "LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [self.RANK_WEIGHTS, tsquery, tsquery, *ids_params, limit, offset]
            )
            return cursor.fetchall()

    def insert(self, rows):
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


def _terms_text(text):
    return " ".join(analyze(text))


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

    @transaction.atomic
    def index(self, documents):
        documents = list(documents)
        if not documents:
            return
        for kind in {document.kind for document in documents}:
            self.delete(kind, [d.id for d in documents if d.kind == kind])
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
            )
            for document in documents
        )
        SearchFacetValue.objects.bulk_create(
            SearchFacetValue(document=row, kind=row.kind, facet=facet, value=value)
            for row, document in zip(rows, documents, strict=True)
            for facet, values in document.facets.items()
            for value in values
        )
        self.fulltext.insert(
            [
                (
                    row.pk,
                    _terms_text(document.title),
                    _terms_text(document.summary),
                    _terms_text(document.keywords),
                    _terms_text(document.body),
                )
                for row, document in zip(rows, documents, strict=True)
            ]
        )

    @transaction.atomic
    def delete(self, kind, ids):
        documents = SearchDocument.objects.filter(kind=kind, object_id__in=list(ids))
        document_ids = list(documents.values_list("pk", flat=True))
        if document_ids:
            self.fulltext.delete(document_ids)
            SearchFacetValue.objects.filter(document_id__in=document_ids).delete()
            SearchDocument.objects.filter(pk__in=document_ids).delete()

    @transaction.atomic
    def reset(self):
        self.fulltext.reset()
        SearchFacetValue.objects.all().delete()
        SearchDocument.objects.all().delete()

    def count(self):
        return SearchDocument.objects.count()

    def health(self):
        return {"status": "ok", "documents": self.count()}

    def search(self, query, *, operator="and"):
        terms = query.terms
        text_match = None
        if terms:
            match_sql, match_params = self.fulltext.match(terms, operator)
            text_match = RawSQL(match_sql, match_params)

        def narrowed(with_text=True):
            documents = SearchDocument.objects.filter(kind__in=query.kinds)
            if text_match is not None and with_text:
                documents = documents.filter(pk__in=text_match)
            for key in query.filters:
                documents = documents.filter(pk__in=selected[key])
            return documents

        selected = {
            key: SearchFacetValue.objects.filter(facet=key, value__in=values).values(
                "document_id"
            )
            for key, values in query.filters.items()
        }
        total, facet_counts = self._counts(query, operator)
        hits = []
        if total:
            hits = self._page(narrowed(), narrowed(with_text=False), query, operator)
        return RawResults(total=total, hits=hits, facet_counts=facet_counts)

    def _counts(self, query, operator):
        """The total and every facet's counts in one statement.

        The text match and each selection are computed once (materialised
        CTEs). A facet counts the documents that match the text and every
        selected facet other than its own, so ticking a second value in a
        facet shows what it would add. When that set is narrowed, counting
        starts from its documents (an index lookup each); when it is
        everything, one scan of the facet's index is cheaper.
        """
        ctes, params = [], []
        kinds = ", ".join(["%s"] * len(query.kinds))
        if query.terms:
            match_sql, match_params = self.fulltext.match(query.terms, operator)
            ctes.append(f"matched (id) AS MATERIALIZED ({match_sql})")
            params += match_params
        selections = {}
        for number, (key, values) in enumerate(query.filters.items()):
            selections[key] = f"selected_{number}"
            placeholders = ", ".join(["%s"] * len(values))
            ctes.append(
                f"selected_{number} (id) AS MATERIALIZED (SELECT document_id "
                "FROM search_searchfacetvalue WHERE facet = %s "
                f"AND value IN ({placeholders}))"
            )
            params += [key, *values]

        def narrowing(leave_out=None):
            sets = ["matched"] if query.terms else []
            return sets + [name for key, name in selections.items() if key != leave_out]

        bases = {}

        def base(leave_out=None):
            """The CTE of documents that pass every narrowing but one facet's."""
            sets = narrowing(leave_out)
            name = "base_" + "_".join(sets) if sets else "everything"
            if name not in bases:
                bases[name] = (
                    f"{name} (id) AS MATERIALIZED (SELECT id "
                    f"FROM search_searchdocument WHERE kind IN ({kinds})"
                    + "".join(f" AND id IN (SELECT id FROM {s})" for s in sets)
                    + ")"
                )
                ctes.append(bases[name])
                params.extend(query.kinds)
            return name

        total_base = base()
        parts = [f"SELECT '', '', COUNT(*) FROM {total_base}"]
        part_params = []
        broad = not query.filters and self._broad_match(query.terms, operator)
        for facet in FACETS:
            if broad:
                parts.append(
                    "SELECT facet, value, COUNT(*) FROM search_searchfacetvalue "
                    f"WHERE kind IN ({kinds}) AND facet = %s "
                    f"AND document_id IN (SELECT id FROM {total_base}) "
                    "GROUP BY facet, value"
                )
                part_params += [*query.kinds, facet.key]
            elif not narrowing(facet.key):
                parts.append(
                    "SELECT facet, value, COUNT(*) FROM search_searchfacetvalue "
                    f"WHERE kind IN ({kinds}) AND facet = %s GROUP BY facet, value"
                )
                part_params += [*query.kinds, facet.key]
            else:
                parts.append(
                    f"SELECT v.facet, v.value, COUNT(*) FROM {base(facet.key)} b "
                    "CROSS JOIN search_searchfacetvalue v "
                    "WHERE v.document_id = b.id AND v.facet = %s "
                    "GROUP BY v.facet, v.value"
                )
                part_params.append(facet.key)
        sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts)
        total, counts = 0, {facet.key: {} for facet in FACETS}
        with connection.cursor() as cursor:
            cursor.execute(sql, params + part_params)
            for facet, value, count in cursor.fetchall():
                if facet == "":
                    total = count
                else:
                    counts[facet][value] = count
        return total, counts

    def _broad_match(self, terms, operator):
        """Whether the text matches so many documents that scanning a facet's
        index beats looking up each matching document's values."""
        if not terms:
            return False
        match_sql, match_params = self.fulltext.match(terms, operator)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({match_sql}) AS m", match_params)
            return cursor.fetchone()[0] > BROAD_MATCH

    def _page(self, matching, filtered, query, operator):
        """One page of hits. `filtered` applies everything but the text, which
        the ranking query matches itself (nesting the same MATCH is slow)."""
        limit, offset = query.page_size, query.offset
        sort = query.effective_sort
        if sort == "relevance":
            ids_sql, ids_params = filtered.values("pk").query.sql_with_params()
            ranked = self.fulltext.ranked(
                query.terms, operator, ids_sql, ids_params, limit, offset
            )
        else:
            order = (
                ["-published_at", "-pk"] if sort == "newest" else ["title_sort", "pk"]
            )
            ranked = [
                (pk, None)
                for pk in matching.order_by(*order).values_list("pk", flat=True)[
                    offset : offset + limit
                ]
            ]
        ids = [pk for pk, _score in ranked]
        rows = SearchDocument.objects.in_bulk(ids)
        facets = {pk: {} for pk in ids}
        for document_id, facet, value in SearchFacetValue.objects.filter(
            document_id__in=ids
        ).values_list("document_id", "facet", "value"):
            facets[document_id].setdefault(facet, []).append(value)
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
            )
            for pk, score in ranked
            if pk in rows
        ]

    def similar(self, kind, id, *, limit=5):
        document = SearchDocument.objects.filter(kind=kind, object_id=id).first()
        if document is None:
            return []
        own_values = list(document.facet_values.values_list("facet", "value"))
        weighted = [(f, v) for f, v in own_values if f in SIMILARITY_WEIGHTS]
        scores = {}
        if weighted:
            overlap = (
                SearchFacetValue.objects.filter(kind=kind)
                .exclude(document_id=document.pk)
                .filter(_any_of(weighted))
                .values("document_id")
                .annotate(
                    score=Sum(
                        Case(
                            *[
                                When(facet=facet, then=Value(weight))
                                for facet, weight in SIMILARITY_WEIGHTS.items()
                            ],
                            default=Value(0.0),
                            output_field=FloatField(),
                        )
                    )
                )
                .order_by("-score", "document_id")[:SIMILAR_CANDIDATES]
            )
            scores = {row["document_id"]: row["score"] for row in overlap}
        terms = query_terms(f"{document.title} {document.summary}")[:12]
        text_scores = {}
        if terms:
            # Text similarity reranks the practices that share the most
            # facets; with too few of those it looks at every document.
            candidates = SearchDocument.objects.filter(kind=kind).exclude(
                pk=document.pk
            )
            if len(scores) >= SIMILAR_CANDIDATES:
                candidates = candidates.filter(pk__in=list(scores))
            ids_sql, ids_params = candidates.values("pk").query.sql_with_params()
            ranked = self.fulltext.ranked(terms, "or", ids_sql, ids_params, 50, 0)
            best = max((score for _pk, score in ranked), default=0) or 1
            text_scores = {pk: score / best for pk, score in ranked}
        for pk, text_score in text_scores.items():
            scores[pk] = scores.get(pk, 0.0) + TEXT_SIMILARITY_WEIGHT * text_score
        best_ids = sorted(scores, key=lambda pk: (-scores[pk], pk))[:limit]
        own = set(own_values)
        shared = {pk: {} for pk in best_ids}
        for row in SearchFacetValue.objects.filter(document_id__in=best_ids):
            if (row.facet, row.value) in own and row.facet in SIMILARITY_WEIGHTS:
                shared[row.document_id].setdefault(row.facet, set()).add(row.value)
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
        ]


def _any_of(pairs):
    condition = Q()
    for facet, value in pairs:
        condition |= Q(facet=facet, value=value)
    return condition
