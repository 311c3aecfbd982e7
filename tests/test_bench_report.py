"""What `python -m bench` and `python -m bench.report` show of a run on one
database or both, from a trimmed real quick run on SQLite
(tests/bench_latest_sqlite.json) and a PostgreSQL run made up from it."""

import copy
import json
from pathlib import Path

import pytest

import bench.__main__ as bench
from bench import report

SQLITE_RUN = Path(__file__).with_name("bench_latest_sqlite.json")


@pytest.fixture
def sqlite_only():
    return json.loads(SQLITE_RUN.read_text())


@pytest.fixture
def both(sqlite_only):
    """The SQLite run, and PostgreSQL with the uncached search page at half
    SQLite's rate, the API at 0.9 of it and search p95 at 28 ms."""
    run = copy.deepcopy(sqlite_only)
    postgresql = copy.deepcopy(run["databases"]["sqlite"])
    data = postgresql["sizes"]["10000"]
    endpoints = data["http"]["endpoints"]
    endpoints["search"]["rps"] /= 2
    endpoints["api"]["rps"] *= 0.9
    data["http"]["search_rps"] = endpoints["search"]["rps"]
    data["search"]["ours_p95_ms"] = 28.0
    run["databases"]["postgresql"] = postgresql
    return run


def target_row(page, label, database):
    rows = [
        line
        for line in page.splitlines()
        if line.startswith(f"| {label} | {database} |")
    ]
    assert len(rows) == 1, (label, database, rows)
    return rows[0]


def test_the_run_measures_sqlite_then_postgresql_each_size_in_turn(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://bench@127.0.0.1/vindplaats")
    measured = []

    def measure(size, database, settings):
        measured.append((database, size))
        return {"size": size}

    monkeypatch.setattr(bench, "measure", measure)
    run = bench.run({**bench.FULL, "sizes": [10, 20]})
    assert measured == [
        ("sqlite", 10),
        ("sqlite", 20),
        ("postgresql", 10),
        ("postgresql", 20),
    ]
    assert list(run["databases"]) == ["sqlite", "postgresql"]
    assert run["databases"]["postgresql"]["sizes"]["20"] == {"size": 20}
    assert "sizes" not in run and "database" not in run


def test_without_database_url_only_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert bench.databases() == ["sqlite"]
    env = bench.environment("soak")  # bench.soak's and bench.relevance's call
    assert "DATABASE_URL" not in env
    assert env["VINDPLAATS_CACHE_PREFIX"] == f"bench-sqlite-soak-{bench.RUN}"


def test_the_sqlite_pass_hides_database_url_from_its_processes(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://bench@127.0.0.1/vindplaats")
    env = bench.environment(10_000, "sqlite")
    assert "DATABASE_URL" not in env
    assert env["VINDPLAATS_CACHE_PREFIX"] == f"bench-sqlite-10000-{bench.RUN}"


def test_the_table_puts_the_databases_side_by_side(both):
    lines = bench.table(both).splitlines()
    assert lines[0].split() == ["10,000", "10,000", "10,000"]
    assert lines[1].split() == [
        "practices",
        "sqlite",
        "postgresql",
        "pg",
        "/",
        "sqlite",
    ]
    rows = {line[:30].strip(): line[30:].split() for line in lines[2:]}
    assert rows["search p95 (ms)"] == ["10.7", "28.0"]
    assert rows["http search (req/s)"] == ["126", "63", "0.50"]
    assert rows["http api (req/s)"] == ["202", "181", "0.90"]
    assert rows["http home (req/s)"] == ["428", "428", "1.00"]
    assert rows["soak passed"] == ["no", "no"]


def test_the_table_of_one_database_has_no_ratio(sqlite_only):
    table = bench.table(sqlite_only)
    assert "postgresql" not in table and "pg / sqlite" not in table
    assert "http search (req/s)" in table


def test_targets_of_both_databases(both):
    page = report.render(both)
    assert "sqlite and postgresql" in page
    row = target_row(page, "search page, uncached: req/s", "postgresql / sqlite")
    assert "| 0.5 | >= 0.8 | **not met** |" in row
    assert "| 0.9 | >= 0.8 | met |" in target_row(
        page, "API, uncached: req/s", "postgresql / sqlite"
    )
    assert "| 28 ms | <= 30 ms | met |" in target_row(
        page, "search p95, database backend", "postgresql"
    )
    assert "| 11 ms | <= 25 ms | met |" in target_row(
        page, "search p95, database backend", "sqlite"
    )
    summary = page[page.index("Targets not met") : page.index("| target |")]
    summary = " ".join(summary.split())
    assert "search page, uncached: req/s at 10,000 (postgresql / sqlite)" in summary
    assert "API" not in summary
    # Only 10,000 ran: the targets at 100,000 are left out.
    assert "| RSS per worker |" not in page


def test_a_sqlite_run_has_no_postgresql_rows(sqlite_only):
    page = report.render(sqlite_only)
    start = page.index("| target |")
    targets = page[start : page.index("\n\n", start)]
    assert "postgresql" not in targets
    assert "| search p95, database backend | sqlite | 10,000 |" in targets
    assert "| 0.124 | <= 0.3 | met |" in target_row(
        page, "ours / raw SQL floor (p95)", "sqlite"
    )
    # The quick run's soak failed on memory growth.
    assert "| no | yes | **not met** |" in target_row(page, "soak passed", "sqlite")


def test_the_tables_show_each_database(both):
    page = report.render(both)
    assert "| practices | 10,000 sqlite | 10,000 postgresql |" in page
    assert "| search p95 (ms) | 11 | 28 |" in page
    assert "| search | 126 | 61 | 86 | 0 | 63 | 61 | 86 | 0 | 0.5 |" in page
    soak = " ".join(page[page.index("Soak in the same run") :].split())
    assert "sqlite at 10,000 practices 30 s" in soak
    assert "postgresql at 10,000 practices 30 s" in soak


def test_the_plot_is_written(both, tmp_path):
    path = tmp_path / "latest.png"
    bench.plot(both, path)
    assert path.read_bytes().startswith(b"\x89PNG")
