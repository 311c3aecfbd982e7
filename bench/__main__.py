"""`python -m bench [--quick]`: build benchmark databases, measure, report.

It measures SQLite, then, when DATABASE_URL is set, PostgreSQL the same way.
For every database and size it (re)uses a database of its own (SQLite under
var/bench/, or a PostgreSQL database named after DATABASE_URL's with a
`_bench_<size>` suffix), rebuilds the search index (timed), measures search
latency side by side (bench.latency), then serves the site with gunicorn (2
workers) on loopback and loads it with wrk. Results: a table on the terminal
(the databases side by side), var/bench/latest.json and var/bench/latest.png.
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
# The preparation's longest step (refresh_similar_practices) is shared
# between the cores.
CORES = max(1, min(4, os.cpu_count() or 1))
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


def databases():
    """What `python -m bench` measures, in order: SQLite, and PostgreSQL after
    it when DATABASE_URL is set."""
    return ["sqlite", "postgresql"] if os.environ.get("DATABASE_URL") else ["sqlite"]


def environment(size, database=None):
    """The environment of `size`'s benchmark database on `database` ("sqlite" or
    "postgresql"); by default the last of databases(), DATABASE_URL's when set.

    The child processes inherit it, so the SQLite one has no DATABASE_URL."""
    database = database or databases()[-1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kb.settings.bench"}
    env["VINDPLAATS_VAR_DIR"] = str(OUT / f"db-{size}")
    env["VINDPLAATS_CACHE_PREFIX"] = f"bench-{database}-{size}-{RUN}"
    env.pop("ELASTICSEARCH_URL", None)
    if database == "postgresql":
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


def side_by_side(env, *commands):
    """Run these management commands at once, one per core, nothing being
    measured meanwhile; fail when any of them fails."""
    running = [
        subprocess.Popen(
            [PYTHON, str(ROOT / "manage.py"), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    for process, args in zip(running, commands, strict=True):
        _, errors = process.communicate()
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, args, stderr=errors)


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


def prepare(size, database):
    env = environment(size, database)
    tag = f"[{database} {size}]"
    Path(env["VINDPLAATS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    say(f"{tag} database: migrate, demo content, practices")
    manage(env, "migrate", "--no-input", "-v0")
    count = int(probe(env, "count") or 0)
    if count == 0:
        manage(env, "load_demo_data", "--no-progress", capture=True)
        count = DEMO_PRACTICES
    if count < size:
        manage(env, "generate_practices", str(size - count))
    questions = int(probe(env, "questions") or 0)
    if questions < size // 10:
        say(f"{tag} questions and answers")
        manage(env, "generate_questions", str(size // 10 - questions))
    say(f"{tag} rebuilding the search index")
    started = time.monotonic()
    manage(env, "rebuild_search_index", capture=True)
    index_build = time.monotonic() - started
    if database == "postgresql":
        # A rebuild replaces every row of the search tables; a server's
        # autovacuum reclaims the old ones, and the machines these runs are
        # made on may have it off: without this each run's tables grew.
        say(f"{tag} vacuuming the database")
        vacuum(env)
    # A running site works out each practice's comparable initiatives in the
    # background after a rebuild (practices.similar); the bench's server has
    # no worker, so they are worked out here, as they would be by then.
    say(f"{tag} comparable initiatives of every practice")
    side_by_side(
        env,
        *(
            ["refresh_similar_practices", "--part", f"{number}/{CORES}"]
            for number in range(1, CORES + 1)
        ),
    )
    say(f"{tag} Wagtail's own index (the stock reference)")
    manage(env, "update_index", capture=True)
    return env, index_build


def vacuum(env):
    """VACUUM ANALYZE the benchmark database: the search tables a rebuild
    replaced, and whatever else autovacuum would have seen to."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


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


def measure(size, database, settings):
    """Everything measured of one database at one size: what latest.json
    holds under `databases.<database>.sizes.<size>`."""
    env, index_build = prepare(size, database)
    queries = latency(env, settings)
    endpoints, rss = http(env, settings)
    soaked = None
    if endpoints:
        say(f"[{database} {size}] soak: {settings['soak']} s of readers and writers")
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
    return {
        "search": {**search_summary(queries), "per_query": queries},
        "http": http_summary,
        "rss_mb": rss,
        "soak": soaked,
        "index_build_s": index_build,
        "db_mb": db_mb,
        "index_mb": index_mb,
    }


def run(settings):
    """Every size on SQLite, then every size on PostgreSQL (databases())."""
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "quick": settings is QUICK,
        "page_cache": "redis" if os.environ.get("REDIS_URL") else "locmem (per worker)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "databases": {},
    }
    for database in databases():
        sizes = report["databases"].setdefault(database, {"sizes": {}})["sizes"]
        for size in settings["sizes"]:
            sizes[str(size)] = measure(size, database, settings)
    return report


def sizes_run(report):
    """{size: the databases that ran it}, smallest size first, SQLite first."""
    sizes = {}
    for database, data in report["databases"].items():
        for size in data["sizes"]:
            sizes.setdefault(size, []).append(database)
    return {size: sizes[size] for size in sorted(sizes, key=int)}


def runs(report):
    """(size, database, its data at that size) of every run, as sizes_run()."""
    for size, names in sizes_run(report).items():
        for database in names:
            yield size, database, report["databases"][database]["sizes"][size]


def lookup(data, path):
    """The value at `path` (keys) in one database's data at one size, or None."""
    for key in path:
        if data is None:
            return None
        data = data.get(key)
    return data


def measures(report):
    """The rows of the table: (label, path into one database's data at one
    size, format, whether it is an HTTP rate that PostgreSQL / SQLite compares)."""
    endpoints = {}  # every endpoint any run has, in the order measured
    for _, _, data in runs(report):
        endpoints.update(dict.fromkeys((data.get("http") or {}).get("endpoints") or {}))
    return [
        ("search p50 (ms)", ("search", "ours_p50_ms"), ".1f", False),
        ("search p95 (ms)", ("search", "ours_p95_ms"), ".1f", False),
        ("search p99 (ms)", ("search", "ours_p99_ms"), ".1f", False),
        ("stock Wagtail p95 (ms)", ("search", "stock_p95_ms"), ".0f", False),
        ("  stock queries", ("search", "stock_queries"), "d", False),
        ("  ours / stock", ("search", "ratio_vs_stock"), ".3g", False),
        ("raw SQL floor p95 (ms)", ("search", "floor_p95_ms"), ".1f", False),
        ("  ours / floor", ("search", "ratio_vs_floor"), ".3g", False),
        ("suggestions p95 (ms)", ("search", "suggest_p95_ms"), ".1f", False),
        *(
            (f"http {name} (req/s)", ("http", "endpoints", name, "rps"), ".0f", True)
            for name in endpoints
        ),
        ("http errors", ("http", "errors"), "d", False),
        ("http p99, worst (ms)", ("http", "p99_ms_max"), ".0f", False),
        ("rss/worker (MB)", ("rss_mb",), ".0f", False),
        ("index build (s)", ("index_build_s",), ".1f", False),
        ("database (MB)", ("db_mb",), ".0f", False),
        ("search tables (MB)", ("index_mb",), ".0f", False),
        ("soak passed", ("soak", "passed"), "", False),
    ]


def cell(value, spec):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(value, spec)


RATIO = "pg / sqlite"


def table(report):
    """The databases side by side: a row per measure, a column per size and
    database, and where both ran a size, PostgreSQL / SQLite of the HTTP rates."""
    columns = []  # (size, database or RATIO)
    for size, names in sizes_run(report).items():
        columns += [(size, database) for database in names]
        if {"sqlite", "postgresql"} <= set(names):
            columns.append((size, RATIO))

    def data(size, database):
        return report["databases"][database]["sizes"][size]

    rows = measures(report)
    first, width = max(len(row[0]) for row in rows) + 2, 13
    lines = [
        "".ljust(first) + "".join(f"{int(size):,}".rjust(width) for size, _ in columns),
        "practices".ljust(first) + "".join(name.rjust(width) for _, name in columns),
    ]
    for label, path, spec, rate in rows:
        cells = []
        for size, database in columns:
            if database != RATIO:
                cells.append(cell(lookup(data(size, database), path), spec))
            elif rate:
                postgresql, sqlite = (
                    lookup(data(size, name), path) for name in ("postgresql", "sqlite")
                )
                ratio = (
                    postgresql / sqlite if postgresql is not None and sqlite else None
                )
                cells.append(cell(ratio, ".2f"))
            else:
                cells.append("")
        lines.append(
            (label.ljust(first) + "".join(c.rjust(width) for c in cells)).rstrip()
        )
    return "\n".join(lines)


COLOURS = {"sqlite": "C0", "postgresql": "C1"}


def plot(report, path):
    """A subplot per size: the p95 of every query on each database in its own
    colour; ours and the suggestions filled, stock and the floor hollow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sizes_run(report)
    figure, axes = plt.subplots(
        len(sizes), 1, figsize=(12, 4.5 * len(sizes)), squeeze=False
    )
    routes = (("ours", "o"), ("stock", "s"), ("floor", "^"), ("suggest", "x"))
    for axis, (size, names) in zip(axes[:, 0], sizes.items(), strict=True):
        per_query = {
            database: report["databases"][database]["sizes"][size]["search"][
                "per_query"
            ]
            for database in names
        }
        queries = list(
            dict.fromkeys(q["name"] for qs in per_query.values() for q in qs)
        )
        position = {name: index for index, name in enumerate(queries)}
        for index, (database, measured) in enumerate(per_query.items()):
            shift = (index - (len(names) - 1) / 2) * 0.25  # side by side
            colour = COLOURS.get(database)
            for route, marker in routes:
                points = [
                    (position[q["name"]] + shift, q[route]["p95"])
                    for q in measured
                    if route in q
                ]
                if not points:
                    continue
                hollow = route in ("stock", "floor")
                axis.plot(
                    *zip(*points, strict=True),
                    marker=marker,
                    linestyle="",
                    color=colour,
                    markerfacecolor="none" if hollow else colour,
                    label=f"{route} ({database})",
                )
        axis.set_yscale("log")
        axis.set_ylabel("p95 latency (ms, log)")
        axis.set_title(f"{int(size):,} practices ({', '.join(names)})")
        axis.set_xticks(range(len(queries)))
        axis.set_xticklabels(queries, rotation=70, ha="right", fontsize=7)
        axis.grid(axis="y", alpha=0.3)
        axis.legend(fontsize=7, ncol=len(names))
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
