"""`python -m bench.report`: var/bench/latest.json as Markdown, with the targets."""

import json
import sys
from pathlib import Path

LATEST = Path(__file__).resolve().parent.parent / "var" / "bench" / "latest.json"

# (label, size, path into the report, comparison, target)
TARGETS = [
    (
        "search p95, database backend",
        "10000",
        ("search", "ours_p95_ms"),
        "<=",
        25,
        "ms",
    ),
    (
        "search p95, database backend",
        "100000",
        ("search", "ours_p95_ms"),
        "<=",
        120,
        "ms",
    ),
    (
        "ours / stock Wagtail (p95)",
        "10000",
        ("search", "ratio_vs_stock"),
        "<=",
        0.3,
        "",
    ),
    (
        "ours / stock Wagtail (p95)",
        "100000",
        ("search", "ratio_vs_stock"),
        "<=",
        0.3,
        "",
    ),
    ("ours / raw SQL floor (p95)", "10000", ("search", "ratio_vs_floor"), "<=", 2, ""),
    ("ours / raw SQL floor (p95)", "100000", ("search", "ratio_vs_floor"), "<=", 2, ""),
    ("search page, uncached", "10000", ("http", "search_rps"), ">=", 150, "req/s"),
    ("practice page, uncached", "10000", ("http", "practice_rps"), ">=", 300, "req/s"),
    ("home page, cached", "10000", ("http", "home_cached_rps"), ">=", 2000, "req/s"),
    ("HTTP errors", "10000", ("http", "errors"), "<=", 0, ""),
    ("HTTP p99, worst endpoint", "10000", ("http", "p99_ms_max"), "<", 250, "ms"),
    ("RSS per worker", "100000", ("rss_mb",), "<=", 300, "MB"),
    ("index rebuild", "10000", ("index_build_s",), "<=", 60, "s"),
]


def value_at(report, size, path):
    node = report["sizes"].get(size)
    for key in path:
        if node is None:
            return None
        node = node.get(key)
    return node


def verdict(value, comparison, target):
    if value is None:
        return "not measured"
    met = {"<=": value <= target, ">=": value >= target, "<": value < target}[
        comparison
    ]
    return "met" if met else "**not met**"


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if value < 10 else f"{value:,.0f}"
    return f"{value:,}"


def main():
    report = json.loads(LATEST.read_text())
    print(
        f"Run of {report['date']}, {report['machine']['cpus']} cores, "
        f"{report['database']}, page cache {report.get('page_cache', 'locmem')}"
        f"{' (quick)' if report['quick'] else ''}.\n"
    )
    print("| target | practices | measured | goal | |")
    print("|---|---:|---:|---:|---|")
    for label, size, path, comparison, target, unit in TARGETS:
        if size not in report["sizes"]:
            continue
        value = value_at(report, size, path)
        print(
            f"| {label} | {int(size):,} | {fmt(value)} {unit} "
            f"| {comparison} {target} {unit} | {verdict(value, comparison, target)} |"
        )
    print(
        "\n| practices | search p50 / p95 / p99 (ms) | stock p95 (ms) | floor p95 (ms) "
        "| index build (s) | database (MB) | search tables (MB) | RSS/worker (MB) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size, data in report["sizes"].items():
        s = data["search"]
        print(
            f"| {int(size):,} | {fmt(s['ours_p50_ms'])} / {fmt(s['ours_p95_ms'])} / "
            f"{fmt(s['ours_p99_ms'])} | {fmt(s['stock_p95_ms'])} ({s['stock_queries']} "
            f"queries) | {fmt(s['floor_p95_ms'])} | {fmt(data['index_build_s'])} | "
            f"{fmt(data['db_mb'])} | {fmt(data['index_mb'])} | {fmt(data['rss_mb'])} |"
        )
    for size, data in report["sizes"].items():
        endpoints = (data.get("http") or {}).get("endpoints")
        if not endpoints:
            continue
        print(
            f"\nHTTP at {int(size):,} practices (wrk: 2 threads, 8 connections; "
            "gunicorn: 2 workers):\n"
        )
        print("| endpoint | req/s | p50 (ms) | p99 (ms) | errors |")
        print("|---|---:|---:|---:|---:|")
        for name, e in endpoints.items():
            print(
                f"| {name} | {fmt(e['rps'])} | {fmt(e['p50_ms'])} | {fmt(e['p99_ms'])} "
                f"| {e['errors']} |"
            )


if __name__ == "__main__":
    sys.exit(main())
