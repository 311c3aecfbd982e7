"""`python -m bench.soak [--seconds N]`: readers and writers at once, nothing lost.

Serves the site with gunicorn (2 workers) on loopback, as `make bench` does,
and runs wrk with a Lua script (bench/soak.lua) that mixes visitors and
logged-in members: anonymous and member reads of the home, search, practice
and question pages (85%), members posting answers (10%) and following or
unfollowing questions (5%). Every answer has a text of its own, so the
duplicate check never refuses one. Meanwhile the workers' memory is sampled.

It then checks what a soak is for: no 5xx, no lost writes (every answer the
site acknowledged with its redirect is stored; more may be stored than
acknowledged, since wrk stops with requests in flight) and memory that stays
flat (the workers' RSS in the last quarter against the first). Before it
the readers alone warm the workers for WARMUP_SECONDS, so the first quarter
is a worker whose caches (the search postings, the templates) hold what
the reads need, not an empty one: what grows after that is what a soak
looks for. The result
goes to var/bench/soak.json; `make bench` runs it after the HTTP load.

The members and their sessions are made in the benchmark database first
(`python -m bench.soak --setup RUN`), and the stored answers counted after
(`--count RUN`); the bench settings loosen flood control for them.
"""

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("soak.lua")
MEMBERS = 24
QUESTIONS = 40
SAMPLE_SECONDS = 5
# Reads only, before the soak is measured (see the docstring).
WARMUP_SECONDS = 10
# The workers may grow this much between the first and the last quarter.
MEMORY_SLACK_MB = 25


def setup(run):
    """Members with live sessions, and the pages they read and answer."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from community.models import Question
    from practices.models import PracticePage

    User = get_user_model()
    members = []
    for number in range(MEMBERS):
        email = f"soak-{run}-{number}@example.org"
        user = User.objects.create_user(
            username=f"soak-{run}-{number}", email=email, password=None
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        user.profile.display_name = f"Soak {number}"
        user.profile.save(update_fields=["display_name"])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        members.append([session.session_key, secrets.token_hex(16)])
    questions = [
        [q.pk, q.get_absolute_url()]
        for q in Question.objects.public()
        .filter(is_locked=False)
        .order_by("pk")[:QUESTIONS]
    ]
    practices = [p.url for p in PracticePage.objects.reachable().order_by("-pk")[:50]]
    print(
        json.dumps({"members": members, "questions": questions, "practices": practices})
    )


def count(run):
    import django

    django.setup()
    from community.models import Answer

    print(Answer.objects.filter(body__startswith=f"Soak-{run}-").count())


def lua_table(rows):
    return (
        "{"
        + ", ".join(json.dumps(row).replace("[", "{").replace("]", "}") for row in rows)
        + "}"
    )


def script(run, data, writes=True):
    """bench/soak.lua with this run's data in front of it."""
    reads = [
        "/",
        "/zoeken/?q=ouderen",
        "/zoeken/?q=ziekenhuizen&provincie=gelderland",
        "/zoeken/?thema=acute-zorg&sort=nieuw",
        "/zoeken/?q=wijkverpleging&page=2",
        "/community/",
        "/api/v1/practices/?q=zorg",
        *data["practices"][:20],
        *[url for _pk, url in data["questions"][:20]],
    ]
    header = "\n".join(
        [
            f"run = {json.dumps(run)}",
            f"writes = {'true' if writes else 'false'}",
            f"members = {lua_table(data['members'])}",
            f"questions = {lua_table(data['questions'])}",
            f"reads = {lua_table(reads)}",
        ]
    )
    name = f"soak-{run}.lua" if writes else f"soak-{run}-warmup.lua"
    path = ROOT / "var" / "bench" / name
    path.write_text(header + "\n" + LUA.read_text())
    return path


def worker_rss(master):
    children = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    total = 0.0
    for pid in children:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            if match:
                total = max(total, int(match.group(1)) / 1024)
    return total


def in_database(env, *args):
    """Run this module with `args` against the benchmark database; its output."""
    return subprocess.run(
        [sys.executable, "-m", "bench.soak", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def soak(env, seconds, serve):
    """Run the soak against the database of `env`; returns the result dict.

    `serve(env)` is bench's gunicorn context manager: it yields (base URL,
    gunicorn's master process)."""
    run = secrets.token_hex(4)
    data = json.loads(in_database(env, "--setup", run))
    lua = script(run, data)
    warmup = script(run, data, writes=False)
    samples = []
    with serve(env) as (base, server):
        subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{WARMUP_SECONDS}s", "-s", str(warmup), base],
            capture_output=True,
            check=True,
        )
        wrk = subprocess.Popen(
            ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", str(lua), base],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        while wrk.poll() is None:
            samples.append(worker_rss(server.pid))
            time.sleep(SAMPLE_SECONDS)
        output = wrk.stdout.read()
    lua.unlink()
    warmup.unlink()
    match = re.search(r"^SOAK (\{.*\})$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk gave no soak summary:\n{output}")
    counts = json.loads(match.group(1))
    stored = int(in_database(env, "--count", run))
    requests = re.search(r"(\d+) requests in", output)
    quarter = max(len(samples) // 4, 1)
    first = sorted(samples[:quarter])[quarter // 2] if samples else 0.0
    last = sorted(samples[-quarter:])[quarter // 2] if samples else 0.0
    result = {
        "seconds": seconds,
        "requests": int(requests.group(1)) if requests else None,
        **counts,
        "answers_stored": stored,
        "lost_writes": max(counts["answers_acknowledged"] - stored, 0),
        "rss_first_quarter_mb": round(first, 1),
        "rss_last_quarter_mb": round(last, 1),
        "rss_growth_mb": round(last - first, 1),
    }
    result["passed"] = (
        result["server_errors"] == 0
        and result["socket_errors"] == 0
        and result["lost_writes"] == 0
        and result["answers_acknowledged"] > 0
        and result["rss_growth_mb"] <= MEMORY_SLACK_MB
    )
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--setup", metavar="RUN")
    parser.add_argument("--count", metavar="RUN")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.bench")
    if args.setup:
        return setup(args.setup)
    if args.count:
        return count(args.count)

    from bench.__main__ import OUT, environment, manage, say, serving

    env = environment("soak")
    Path(env["VINDPLAATS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    say("[soak] database: migrate, demo content, search index")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_demo_data", "--no-progress", capture=True)
    manage(env, "rebuild_search_index", capture=True)
    say(f"[soak] {args.seconds} s of readers and writers")
    result = soak(env, args.seconds, serving)
    (OUT / "soak.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
