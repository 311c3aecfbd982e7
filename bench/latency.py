"""Search latency of one benchmark database, three paths side by side.

Run as `python -m bench.latency --reps N` with the benchmark database's
environment; prints JSON. For every query of bench.queries, measured in
rounds (each round runs every path once, so a noisy machine hits all three):

- ours:  search.service.search(), the full contract (counts for every facet
         with multi-select semantics, highlights, pages for the hits);
- stock: Wagtail's own search, `PracticePage.objects...search()` plus one
         `.facet()` per facet it can facet on;
- floor: the bare full-text query and the bare count queries in raw SQL,
         without Django (sqlite3 or psycopg directly).

Then the suggestions as someone types (bench.queries.SUGGESTIONS), path
"suggest": what the endpoint works out when its cache does not have the text
yet (explore.views._suggestions).
"""

import argparse
import functools
import json
import os
import statistics
import sys
import time


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()


def resolve(queries):
    from django.db.models import Count

    from practices.models import Organisation

    top = (
        Organisation.objects.annotate(uses=Count("practice_links"))
        .order_by("-uses", "pk")
        .values_list("slug", flat=True)
        .first()
    )
    resolved = []
    for query in queries:
        filters = {
            key: [top if value == "$organisation" else value for value in values]
            for key, values in query.get("filters", {}).items()
        }
        resolved.append({**query, "filters": filters})
    return resolved


def ours(query):
    from search.query import SearchQuery
    from search.service import search

    results = search(
        SearchQuery(
            text=query["text"],
            filters=query["filters"],
            sort=query.get("sort", ""),
            page=query.get("page", 1),
        )
    )
    return results.total


STOCK_FACETS = [
    "phase",
    "provinces",
    "care_office_regions",
    "themes",
    "movements",
    "target_groups",
]
STOCK_RELATIONS = {
    "provincie": "provinces__slug__in",
    "zorgkantoorregio": "care_office_regions__slug__in",
    "thema": "themes__slug__in",
    "beweging": "movements__slug__in",
    "doelgroep": "target_groups__slug__in",
    "organisatie": "practice_organisations__organisation__slug__in",
    "fase": "phase__in",
}


def stock(query):
    """What a Wagtail developer reaches for: filter, search(), facet()."""
    from practices.models import PracticePage

    pages = PracticePage.objects.live().public()
    if query["filters"]:
        # Wagtail's search() only filters on its FilterFields; relations go in
        # through a pk subquery.
        narrowed = PracticePage.objects.all()
        for key, values in query["filters"].items():
            narrowed = narrowed.filter(**{STOCK_RELATIONS[key]: values})
        pages = pages.filter(pk__in=narrowed.values("pk"))
    page, size = query.get("page", 1), 12
    if query["text"]:
        if query.get("sort") == "newest":
            results = pages.order_by("-first_published_at").search(
                query["text"], operator="and", order_by_relevance=False
            )
        else:
            results = pages.search(query["text"], operator="and")
    else:
        from wagtail.search.query import MATCH_ALL

        order = "title" if query.get("sort") == "title" else "-first_published_at"
        results = pages.order_by(order).search(MATCH_ALL, order_by_relevance=False)
    total = results.count()
    list(results[(page - 1) * size : page * size])
    for field in STOCK_FACETS:
        results.facet(field)
    return total


class Floor:
    """Raw SQL on a DB-API connection, the least any implementation must do."""

    def __init__(self):
        from django.db import connection

        self.vendor = connection.vendor
        settings = connection.settings_dict
        if self.vendor == "sqlite":
            import sqlite3

            self.db = sqlite3.connect(settings["NAME"])
            self.mark = "?"
        else:
            import psycopg

            self.db = psycopg.connect(
                dbname=settings["NAME"],
                user=settings["USER"] or None,
                password=settings["PASSWORD"] or None,
                host=settings["HOST"] or None,
                port=settings["PORT"] or None,
                autocommit=True,
            )
            self.mark = "%s"

    def run(self, query, terms):
        m = self.mark
        where, params = ["d.kind = 'practice'"], []
        if terms:
            if self.vendor == "sqlite":
                where.append(
                    "d.id IN (SELECT rowid FROM search_fulltext "
                    "WHERE search_fulltext MATCH ?)"
                )
                joined = " AND ".join(f'"{t}"' for t in terms)
                params.append(f"{{title summary keywords body}} : ({joined})")
            else:
                where.append(
                    "d.id IN (SELECT document_id FROM search_fulltext "
                    "WHERE vector @@ to_tsquery('simple', %s))"
                )
                params.append(" & ".join(f"'{t}'" for t in terms))
        for key, values in query["filters"].items():
            marks = ", ".join([m] * len(values))
            where.append(
                "d.id IN (SELECT document_id FROM search_searchfacetvalue "
                f"WHERE facet = {m} AND value IN ({marks}))"
            )
            params += [key, *values]
        condition = " AND ".join(where)
        page = query.get("page", 1)
        cursor = self.db.cursor()
        cursor.execute(
            f"SELECT COUNT(*) FROM search_searchdocument d WHERE {condition}", params
        )
        cursor.fetchall()
        cursor.execute(
            f"SELECT d.id FROM search_searchdocument d WHERE {condition} "
            f"ORDER BY d.published_at DESC LIMIT 12 OFFSET {(page - 1) * 12}",
            params,
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT v.facet, v.value, COUNT(*) FROM search_searchfacetvalue v "
            "WHERE v.document_id IN "
            f"(SELECT d.id FROM search_searchdocument d WHERE {condition}) "
            "GROUP BY v.facet, v.value",
            params,
        )
        cursor.fetchall()


class Interrupted(Exception):
    pass


def capped(function, query, seconds):
    """Run a stock search, interrupting the database after `seconds`.

    Wagtail's SQLite backend can take many minutes for one broad query at
    100,000 practices; a capped run is recorded at the cap (a lower bound).
    """
    from django.db import OperationalError, connection

    deadline = time.perf_counter() + seconds
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(
            lambda: 1 if time.perf_counter() > deadline else 0, 10_000
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
    started = time.perf_counter()
    try:
        function(query)
        return (time.perf_counter() - started) * 1000, False
    except OperationalError:
        return seconds * 1000, True
    finally:
        if connection.vendor == "sqlite":
            connection.connection.set_progress_handler(None, 0)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")


def timed(function, *args):
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--stock-reps", type=int, default=3)
    parser.add_argument("--stock-budget", type=float, default=120.0, help="seconds")
    parser.add_argument(
        "--stock-cap", type=float, default=30.0, help="seconds per call"
    )
    args = parser.parse_args()
    setup()
    from search.analysis import query_terms

    from .queries import QUERIES

    queries = resolve(QUERIES)
    floor = Floor()
    report = []
    stock_spent = 0.0
    stock_capped = 0
    for query in queries:
        terms = query_terms(query["text"])
        ours(query)  # warm caches the way a running site has them
        floor.run(query, terms)
        times = {"ours": [], "stock": [], "floor": []}
        for round_number in range(args.reps):
            times["ours"].append(timed(ours, query))
            times["floor"].append(timed(floor.run, query, terms))
            if round_number < args.stock_reps and stock_spent < args.stock_budget:
                spent, hit_cap = capped(stock, query, args.stock_cap)
                times["stock"].append(spent)
                stock_capped += hit_cap
                stock_spent += spent / 1000
        entry = {"name": query["name"], "stock_capped": stock_capped}
        stock_capped = 0
        for path, values in times.items():
            if values:
                entry[path] = summary(values)
        report.append(entry)
        print(
            f"  {query['name']}: ours p95 {entry['ours']['p95']:.1f} ms",
            file=sys.stderr,
        )
    report += suggestions(args.reps)
    json.dump(report, sys.stdout)


def suggestions(reps):
    from explore.views import _suggestions

    from .queries import SUGGESTIONS

    entries = []
    for text in SUGGESTIONS:
        suggest = functools.partial(_suggestions, text, prefix=True)
        suggest()  # warm what every keystroke shares
        values = [timed(suggest) for _ in range(reps)]
        entries.append({"name": f"suggest {text}", "suggest": summary(values)})
        print(
            f"  suggest {text}: p95 {entries[-1]['suggest']['p95']:.1f} ms",
            file=sys.stderr,
        )
    return entries


def summary(values):
    return {
        "p50": statistics.median(values),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "n": len(values),
        "samples": values,
    }


if __name__ == "__main__":
    main()
