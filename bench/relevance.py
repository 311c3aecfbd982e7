"""How well search ranks the demo content: the team's judged set (issue 16).

`python -m bench.relevance [--json PATH] [--fresh]` scores the queries of
tests/relevance/judgments.json on a database of its own holding the demo
content (SQLite under var/bench/db-relevance/, or with DATABASE_URL a
PostgreSQL database named after it with a `_bench_relevance` suffix, as
`python -m bench` names its databases). It migrates, loads the demo content
(idempotent: only what is missing; `--fresh` drops the database first), and
always rebuilds the search index, so the index is made by the analysis code
being measured. Every query goes through the real search service
(search.service.search with a SearchQuery for practices, sorted by relevance),
which is what a visitor's search runs. `python -m bench.relevance --compare A
B` lists the queries whose first result differs between two `--json` files
(SQLite against PostgreSQL, say).

tests/test_search_relevance.py runs the same scoring on the test database.

The judgments grade practices by slug: 2 highly relevant, 1 partly relevant;
anything not judged counts as 0. Per query, with rel_i the grade of the
result at rank i (1-based) and R the judged practices with a grade of 1 or 2:

- DCG@k   = sum over i = 1..k of (2^rel_i - 1) / log2(i + 1)
- nDCG@10 = DCG@10 of the results / DCG@10 of the ideal ranking (every judged
            practice, highest grade first); 0 when nothing relevant is found
- P@5     = |results in the first 5 that are in R| / 5  (fewer than 5
            results still divide by 5)
- R@20    = |results in the first 20 that are in R| / |R|

A kind's score is the mean over its queries; the overall score is the mean
over all queries (each query weighs the same, so a kind with more queries
weighs more, as in the issue's measurement).
"""

import argparse
import datetime
import json
import math
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "tests" / "relevance" / "judgments.json"
KINDS = ["topic", "name", "prefix", "typo", "compound", "abbreviation", "question"]
DEPTH = 20  # results read per query: R@20 needs the first 20


def load_judgments(path=JUDGMENTS):
    """The judged queries: dicts with text, kind, judgments {slug: grade}, note."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["queries"]


def dcg(grades):
    return sum(
        (2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades)
    )


def ndcg_at(ranked, judgments, k=10):
    ideal = dcg(sorted(judgments.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judgments.get(slug, 0) for slug in ranked[:k]]) / ideal


def precision_at(ranked, judgments, k=5):
    return sum(1 for slug in ranked[:k] if judgments.get(slug, 0) >= 1) / k


def recall_at(ranked, judgments, k=20):
    relevant = {slug for slug, grade in judgments.items() if grade >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def ranked_slugs(text):
    """The slugs of the first DEPTH practices search finds for `text`."""
    from practices.models import PracticePage
    from search.query import SearchQuery
    from search.service import search

    results = search(
        SearchQuery(text=text, sort="relevance", page_size=DEPTH, kinds=("practice",))
    )
    ids = [hit.id for hit in results.hits]
    slugs = dict(PracticePage.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [slugs.get(id, f"#{id}") for id in ids], results.total


def score(queries):
    """Run every judged query through search and score it: a report dict."""
    from django.db import connection

    rows = []
    for query in queries:
        judgments = query["judgments"]
        ranked, total = ranked_slugs(query["text"])
        first = ranked[0] if ranked else None
        rows.append(
            {
                "text": query["text"],
                "kind": query["kind"],
                "ndcg10": ndcg_at(ranked, judgments, 10),
                "p5": precision_at(ranked, judgments, 5),
                "r20": recall_at(ranked, judgments, 20),
                "total": total,
                "first": first,
                "first_grade": judgments.get(first, 0) if first else None,
                "results": ranked[:10],
            }
        )
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    kinds = [kind for kind in KINDS if kind in by_kind] + sorted(
        set(by_kind) - set(KINDS)
    )
    return {
        "database": connection.vendor,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "kinds": {kind: _means(by_kind[kind]) for kind in kinds},
        "overall": _means(rows),
        "queries": rows,
    }


def _means(rows):
    return {
        "queries": len(rows),
        **{
            metric: sum(row[metric] for row in rows) / len(rows)
            for metric in ("ndcg10", "p5", "r20")
        },
    }


def table(report):
    """The report as text: the kinds and overall, then each query's first result."""
    lines = [
        f"Relevance on {report['database']} ({report['date']}), "
        f"{report['overall']['queries']} judged queries",
        "",
        f"{'kind':<14}{'queries':>8}{'nDCG@10':>9}{'P@5':>7}{'R@20':>7}",
    ]
    for kind, means in [*report["kinds"].items(), ("overall", report["overall"])]:
        lines.append(
            f"{kind:<14}{means['queries']:>8}{means['ndcg10']:>9.3f}"
            f"{means['p5']:>7.3f}{means['r20']:>7.3f}"
        )
    lines += ["", f"{'kind':<13}{'nDCG':>5} {'hits':>5}  query -> first result (grade)"]
    for row in report["queries"]:
        first = f"{row['first']} ({row['first_grade']})" if row["first"] else "-"
        lines.append(
            f"{row['kind']:<13}{row['ndcg10']:>5.2f} {row['total']:>5}  "
            f"{row['text']!r} -> {first}"
        )
    return "\n".join(lines)


def compare(first_path, second_path):
    """The queries whose first result differs between two `--json` reports."""
    first = json.loads(Path(first_path).read_text())
    second = json.loads(Path(second_path).read_text())
    other = {row["text"]: row for row in second["queries"]}
    differ = [
        (row["text"], row["first"], other[row["text"]]["first"])
        for row in first["queries"]
        if row["text"] in other and row["first"] != other[row["text"]]["first"]
    ]
    same_top10 = sum(
        1
        for row in first["queries"]
        if row["text"] in other and row["results"] == other[row["text"]]["results"]
    )
    lines = [
        f"First result differs in {len(differ)} of {len(first['queries'])} queries "
        f"({first['database']} vs {second['database']}); the same first 10 in "
        f"{same_top10}."
    ]
    lines += [f"  {text!r}: {a} vs {b}" for text, a, b in differ]
    return "\n".join(lines)


def prepare(fresh=False):
    """Point Django at the relevance database and fill it (see the docstring)."""
    from bench.__main__ import environment, manage, say

    if fresh:
        say("[relevance] dropping the database")
        _drop()
    env = environment("relevance")
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("ELASTICSEARCH_URL", None)
    Path(env["VINDPLAATS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    say("[relevance] database: migrate, demo content, search index")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_demo_data", "--no-progress", capture=True)
    manage(env, "rebuild_search_index", "--no-progress", capture=True)


def _drop():
    """Remove the relevance database, so the next run loads it from scratch."""
    from bench.__main__ import OUT

    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            (OUT / "db-relevance" / f"db.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = base.rsplit("/", 1)[1].split("?")[0] + "_bench_relevance"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="PATH", help="also write the report here")
    parser.add_argument(
        "--fresh", action="store_true", help="drop the database and load it again"
    )
    parser.add_argument("--judgments", default=str(JUDGMENTS), metavar="PATH")
    parser.add_argument(
        "--compare", nargs=2, metavar=("A", "B"), help="compare two --json reports"
    )
    args = parser.parse_args()
    if args.compare:
        print(compare(*args.compare))
        return
    prepare(fresh=args.fresh)
    import django

    django.setup()
    report = score(load_judgments(args.judgments))
    print(table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
