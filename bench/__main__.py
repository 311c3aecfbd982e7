"""`python -m bench [--quick]`: build benchmark databases, measure, report.

For every size it (re)uses a database of its own (SQLite under var/bench/, or
a PostgreSQL database named after DATABASE_URL's with a `_bench_<size>` suffix),
rebuilds the search index (timed), measures search latency side by side
(bench.latency), then serves the site with gunicorn (2 workers) on loopback and
loads it with wrk. Results: a table on the terminal, var/bench/latest.json and
var/bench/latest.png.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.soak import soak

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
DEMO_PRACTICES = 126
RUN = f"{time.time():.0f}"  # names this run's keys in a shared cache

FULL = {
    "sizes": [10_000, 100_000],
    "reps": 20,
    "stock_reps": 3,
    "stock_budget": 240,
    "stock_cap": 30,
    "wrk": 15,
    "soak": 240,
}
QUICK = {
    "sizes": [10_000],
    "reps": 5,
    "stock_reps": 1,
    "stock_budget": 20,
    "stock_cap": 10,
    "wrk": 4,
    "soak": 30,
}


def say(message):
    print(message, file=sys.stderr, flush=True)


def environment(size):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kb.settings.bench"}
    env["VINDPLAATS_VAR_DIR"] = str(OUT / f"db-{size}")
    env["VINDPLAATS_CACHE_PREFIX"] = f"bench-{size}-{RUN}"
    env.pop("ELASTICSEARCH_URL", None)
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = postgres_database(size)
    else:
        env.pop("DATABASE_URL", None)
    return env


def postgres_database(size):
    """DATABASE_URL of this size's PostgreSQL database, created when missing."""
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = base.rsplit("/", 1)[1].split("?")[0]
    bench_name = f"{name}_bench_{size}"
    with psycopg.connect(base, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{bench_name}"')
    return base.rsplit("/", 1)[0] + "/" + bench_name


def manage(env, *args, capture=False):
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    if capture:
        return subprocess.run(
            command, env=env, check=True, capture_output=True, text=True
        )
    return subprocess.run(command, env=env, check=True)


def probe(env, what):
    """A fact about the benchmark database (bench.probe), as text."""
    result = subprocess.run(
        [PYTHON, "-m", "bench.probe", what],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return result.stdout.strip()


def prepare(size):
    env = environment(size)
    Path(env["VINDPLAATS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    say(f"[{size}] database: migrate, demo content, practices")
    manage(env, "migrate", "--no-input", "-v0")
    count = int(probe(env, "count") or 0)
    if count == 0:
        manage(env, "load_demo_data", "--no-progress", capture=True)
        count = DEMO_PRACTICES
    if count < size:
        manage(env, "generate_practices", str(size - count))
    questions = int(probe(env, "questions") or 0)
    if questions < size // 10:
        say(f"[{size}] questions and answers")
        manage(env, "generate_questions", str(size // 10 - questions))
    say(f"[{size}] rebuilding the search index")
    started = time.monotonic()
    manage(env, "rebuild_search_index", capture=True)
    index_build = time.monotonic() - started
    # A running site works out each practice's comparable initiatives in the
    # background after a rebuild (practices.similar); the bench's server has
    # no worker, so they are worked out here, as they would be by then.
    say(f"[{size}] comparable initiatives of every practice")
    manage(env, "refresh_similar_practices", capture=True)
    say(f"[{size}] Wagtail's own index (the stock reference)")
    manage(env, "update_index", capture=True)
    return env, index_build


def latency(env, settings):
    say("search latency: ours, stock, floor")
    result = subprocess.run(
        [
            PYTHON,
            "-m",
            "bench.latency",
            "--reps",
            str(settings["reps"]),
            "--stock-reps",
            str(settings["stock_reps"]),
            "--stock-budget",
            str(settings["stock_budget"]),
            "--stock-cap",
            str(settings["stock_cap"]),
        ],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout)


def pooled(queries, path, only=None):
    samples = [
        sample
        for query in queries
        if path in query and (only is None or query["name"] in only)
        for sample in query[path]["samples"]
    ]
    return samples


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def search_summary(queries):
    ours = pooled(queries, "ours")
    floor = pooled(queries, "floor")
    with_stock = {q["name"] for q in queries if "stock" in q}
    stock = pooled(queries, "stock")
    ours_same = pooled(queries, "ours", only=with_stock)
    summary = {
        "ours_p50_ms": percentile(ours, 0.5),
        "ours_p95_ms": percentile(ours, 0.95),
        "ours_p99_ms": percentile(ours, 0.99),
        "stock_p95_ms": percentile(stock, 0.95),
        "floor_p95_ms": percentile(floor, 0.95),
        "stock_queries": len(with_stock),
        "stock_capped_runs": sum(q.get("stock_capped", 0) for q in queries),
        "queries": sum(1 for q in queries if "ours" in q),
    }
    suggest = pooled(queries, "suggest")
    summary["suggest_p50_ms"] = percentile(suggest, 0.5)
    summary["suggest_p95_ms"] = percentile(suggest, 0.95)
    summary["suggestions"] = sum(1 for q in queries if "suggest" in q)
    ours_on_stock = percentile(ours_same, 0.95)
    summary["ratio_vs_stock"] = (
        ours_on_stock / summary["stock_p95_ms"] if summary["stock_p95_ms"] else None
    )
    summary["ratio_vs_floor"] = summary["ours_p95_ms"] / summary["floor_p95_ms"]
    return summary


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_wrk(output):
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def millis(label):
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = int(number(r"Non-2xx or 3xx responses: (\d+)"))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": millis("50"),
        "p99_ms": millis("99"),
        "errors": errors,
    }


def worker_rss_mb(master):
    children = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            if match:
                peaks.append(int(match.group(1)) / 1024)
    return max(peaks) if peaks else None


@contextlib.contextmanager
def serving(env):
    """gunicorn with 2 workers on a free loopback port: yields (base URL, master)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "kb.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def load(url, arguments, settings):
    """wrk against `url` (2 threads, 8 connections): rps, p50, p99, errors."""
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{settings['wrk']}s",
            "--latency",
            *arguments,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse_wrk(output)


def cycle_script(paths, bypass_cookie):
    """bench/cycle.lua with these paths in front of it."""
    header = "\n".join(
        [
            "paths = {" + ", ".join(json.dumps(path) for path in paths) + "}",
            "headers = {Cookie = " + json.dumps(f"sessionid={bypass_cookie}") + "}",
        ]
    )
    path = OUT / "cycle.lua"
    path.write_text(header + "\n" + (ROOT / "bench" / "cycle.lua").read_text())
    return path


def http(env, settings):
    if not shutil.which("wrk"):
        say("wrk is not installed (`make bench` installs it): skipping the HTTP load")
        return None, None
    with serving(env) as (base, server):
        practice = probe(env, "url")
        question = probe(env, "question_url")
        bypass = ["-H", "Cookie: sessionid=benchmark"]  # skips the page cache
        endpoints = {
            "home_cached": ("/", []),
            "practice_cached": (practice, []),
            "search_cached": ("/zoeken/?q=ouderen&provincie=gelderland", []),
            "home": ("/", bypass),
            "practice": (practice, bypass),
            "search": ("/zoeken/?q=ouderen&provincie=gelderland", bypass),
            "question_cached": (question, []),
            "question": (question, bypass),
            "api": ("/api/v1/practices/?q=zorg&thema=acute-zorg", bypass),
        }
        # The practice page again, but every request another practice: what
        # a crawler or a visitor from search meets, with cold fragments.
        script = cycle_script(probe(env, "urls").split(), bypass_cookie="benchmark")
        endpoints["practice_cold"] = ("/", ["-s", str(script)])
        results = {}
        for name, (path, arguments) in endpoints.items():
            urllib.request.urlopen(base + path, timeout=30).read()  # warm the cache
            result = {"path": path, **load(base + path, arguments, settings)}
            if name == "practice_cold":
                result["path"] = "every practice in turn (bench/cycle.lua)"
            results[name] = result
            say(f"  {name:16} {result['rps']:8.0f} req/s  p99 {result['p99_ms']} ms")
        script.unlink()
        rss = worker_rss_mb(server.pid)
    return results, rss


def sizes_on_disk(env):
    database, index = probe(env, "sizes").split()
    return int(database) / 2**20, int(index) / 2**20


def run(settings):
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "quick": settings is QUICK,
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "page_cache": "redis" if os.environ.get("REDIS_URL") else "locmem (per worker)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "sizes": {},
    }
    for size in settings["sizes"]:
        env, index_build = prepare(size)
        queries = latency(env, settings)
        endpoints, rss = http(env, settings)
        soaked = None
        if endpoints:
            say(f"[{size}] soak: {settings['soak']} s of readers and writers")
            soaked = soak(env, settings["soak"], serving)
            say(f"  soak passed: {soaked['passed']}")
        db_mb, index_mb = sizes_on_disk(env)
        http_summary = None
        if endpoints:
            http_summary = {
                "search_rps": endpoints["search"]["rps"],
                "practice_rps": endpoints["practice"]["rps"],
                "practice_cold_rps": endpoints["practice_cold"]["rps"],
                "question_rps": endpoints["question"]["rps"],
                "home_cached_rps": endpoints["home_cached"]["rps"],
                "errors": sum(e["errors"] for e in endpoints.values()),
                "p99_ms_max": max(e["p99_ms"] or 0 for e in endpoints.values()),
                "endpoints": endpoints,
            }
        report["sizes"][str(size)] = {
            "search": {**search_summary(queries), "per_query": queries},
            "http": http_summary,
            "rss_mb": rss,
            "soak": soaked,
            "index_build_s": index_build,
            "db_mb": db_mb,
            "index_mb": index_mb,
        }
    return report


def table(report):
    lines = []
    for size, data in report["sizes"].items():
        s, h = data["search"], data["http"] or {}
        lines.append(f"\n{int(size):,} practices ({report['database']})")
        lines.append(
            f"  search p50/p95/p99   {s['ours_p50_ms']:.1f} / {s['ours_p95_ms']:.1f} / "
            f"{s['ours_p99_ms']:.1f} ms over {s['queries']} queries"
        )
        stock = f"{s['stock_p95_ms']:.0f} ms" if s["stock_p95_ms"] else "not measured"
        ratio = f"{s['ratio_vs_stock']:.3f}" if s["ratio_vs_stock"] else "-"
        lines.append(f"  stock Wagtail p95    {stock} ({s['stock_queries']} queries)")
        lines.append(f"    ours / stock       {ratio}")
        lines.append(f"  raw SQL floor p95    {s['floor_p95_ms']:.1f} ms")
        lines.append(f"    ours / floor       {s['ratio_vs_floor']:.2f}")
        if s.get("suggest_p95_ms") is not None:
            lines.append(
                f"  suggestions p50/p95 {s['suggest_p50_ms']:.1f} / "
                f"{s['suggest_p95_ms']:.1f} ms over {s['suggestions']} texts"
            )
        for name, e in (h.get("endpoints") or {}).items():
            lines.append(
                f"  http {name:16} {e['rps']:8.0f} req/s  p50 {e['p50_ms']} ms  "
                f"p99 {e['p99_ms']} ms  errors {e['errors']}"
            )
        lines.append(
            f"  rss/worker {data['rss_mb'] and round(data['rss_mb'])} MB, index build "
            f"{data['index_build_s']:.1f} s, database {data['db_mb']:.0f} MB, "
            f"search tables {data['index_mb']:.0f} MB"
        )
    return "\n".join(lines)


def plot(report, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = list(report["sizes"])
    figure, axes = plt.subplots(
        len(sizes), 1, figsize=(12, 4.5 * len(sizes)), squeeze=False
    )
    for axis, size in zip(axes[:, 0], sizes, strict=True):
        queries = report["sizes"][size]["search"]["per_query"]
        names = [q["name"] for q in queries]
        positions = range(len(names))
        routes = (("ours", "o"), ("stock", "s"), ("floor", "^"), ("suggest", "x"))
        for route, marker in routes:
            values = [q[route]["p95"] if route in q else None for q in queries]
            axis.plot(positions, values, marker=marker, linestyle="", label=route)
        axis.set_yscale("log")
        axis.set_ylabel("p95 latency (ms, log)")
        axis.set_title(f"{int(size):,} practices ({report['database']})")
        axis.set_xticks(list(positions))
        axis.set_xticklabels(names, rotation=70, ha="right", fontsize=7)
        axis.grid(axis="y", alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--quick", action="store_true", help="10,000 practices, short runs"
    )
    args = parser.parse_args()
    settings = QUICK if args.quick else FULL
    OUT.mkdir(parents=True, exist_ok=True)
    report = run(settings)
    (OUT / "latest.json").write_text(json.dumps(report, indent=2))
    plot(report, OUT / "latest.png")
    print(table(report))
    print(f"\nWritten: {OUT / 'latest.json'}, {OUT / 'latest.png'}")


if __name__ == "__main__":
    main()
