"""Benchmark: item search (``xinbao.items.search``) against a bare full-text table.

Builds N items (default 10^5) from paragraphs of the government work reports and the CEC
texts (two paragraphs an item, submission times spread over two years), indexes them as the
services do (``index_words``, ``SearchEntry`` rows), and puts the same words in a bare FTS5
table (on PostgreSQL: a bare ``tsvector`` table with a GIN index). Then runs a fixed query set,
very common terms included, through ``search()`` as an editor (isolation, recency blend, the
first page with snippets) and as a bare ranked query (best 20 by BM25 / ``ts_rank``), and
reports p50/p95 of each, the indexing rate and the peak memory of the process.

    .venv/bin/python bench/search.py [--n N] [--repeat K] [--keep]

Uses a fresh SQLite database in a temporary folder, or the PostgreSQL of DATABASE_URL (a new
database is created there and dropped afterwards). Prints and saves JSON in
bench/results/search.json (one entry per database and size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import MemoryPhase, bench_database, load_average, save  # noqa: E402  (bench/benchkit.py, after the path is set)
from segment import DATA, corpus  # noqa: E402  (bench/segment.py, after the path is set)

#: Whether the corpus is here (the tests skip the small run without it).
DATA_PRESENT = (DATA / "gov-reports").exists() or (DATA / "cec").exists()

#: Very common (发展, 工作, 建设), common, rare, two-word and absent queries.
QUERIES = (
    "发展",
    "工作",
    "建设",
    "经济",
    "改革",
    "防汛",
    "地震",
    "交通事故",
    "火灾",
    "乡村振兴",
    "安全生产 检查",
    "医疗 保险",
    "死亡 受伤",
    "量子纠缠",
)
TARGET_P95_MS = 100.0
BATCH = 5_000
FIRST = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite database (to EXPLAIN a slow query)"
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=None,
        help="after building, wait (up to an hour) for the 1-minute load average to fall "
        "below this before timing: a long build may run beside other work, the queries not",
    )
    args = parser.parse_args()
    with bench_database(keep=args.keep):
        started = time.perf_counter()
        result = run(args.n, args.repeat, quiet_below=args.quiet_below)
        result["wall_s"] = round(time.perf_counter() - started, 1)
    save("search", result, key=f"{result['database']}_{args.n}")


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def _texts(docs: list[str], first: int, last: int) -> list[tuple[str, str]]:
    """The titles and bodies of items ``first`` to ``last`` (made a chunk at a time: the
    10^6 bodies of up to 2,000 characters would take gigabytes)."""
    out = []
    for i in range(first, last):
        one, two = docs[i % len(docs)], docs[(i * 7 + 3) % len(docs)]
        title = one.strip().split("。")[0][:60] or "情况"
        out.append((title, f"{one}\n{two}"[:2000]))
    return out


def wait_for_quiet(below: float, limit_s: float = 3600.0) -> float:
    """Seconds waited until the 1-minute load average fell below ``below`` (or ``limit_s``)."""
    started = time.perf_counter()
    while os.getloadavg()[0] >= below and time.perf_counter() - started < limit_s:
        time.sleep(10)
    return round(time.perf_counter() - started, 1)


def run(n: int, repeat: int = 5, quiet_below: float | None = None) -> dict[str, Any]:
    """Build ``n`` items in the current (migrated, empty) database and time the queries."""
    from django.db import connection, transaction

    from xinbao.accounts.models import Role, User
    from xinbao.items.models import Item, ItemStatus, SearchEntry
    from xinbao.items.search import search
    from xinbao.lib.labels import Sensitivity
    from xinbao.lib.text import index_words
    from xinbao.org.models import Unit, UnitClass, UnitKind

    unit_class = UnitClass.objects.create(name="基准一类", rank=9)
    units = [
        Unit.objects.create(
            code=f"S{i:02d}",
            name=f"基准县{i:02d}委办公室",
            kind=UnitKind.COUNTY,
            unit_class=unit_class,
        )
        for i in range(20)
    ]
    editor = User.objects.create_user(username="bench-editor", password=None, role=Role.EDITOR)
    build_started = time.perf_counter()
    docs = corpus() or ["防汛工作会议在县委召开，部署全县防汛抗旱工作。"]
    span = dt.timedelta(days=730)
    vendor = connection.vendor
    bare_table = "bench_bare_fts"
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(f"CREATE VIRTUAL TABLE {bare_table} USING fts5(title, body)")
        else:
            cursor.execute(
                f"CREATE TABLE {bare_table} (id bigserial primary key, document tsvector)"
            )
    segment_s = index_s = bare_s = 0.0
    for first in range(0, n, BATCH):
        chunk = _texts(docs, first, min(n, first + BATCH))
        items = Item.objects.bulk_create(
            Item(
                title=title,
                body=body,
                kind="dynamic",
                status=ItemStatus.SUBMITTED,
                sensitivity=Sensitivity.ORDINARY,
                unit=units[(first + i) % len(units)],
                writer_name="基准",
                writer_phone="13800000000",
                created_by=editor,
                submitted_at=FIRST + span * (first + i) / n,
            )
            for i, (title, body) in enumerate(chunk)
        )
        started = time.perf_counter()
        words = [(" ".join(index_words(t)), " ".join(index_words(b))) for t, b in chunk]
        segment_s += time.perf_counter() - started
        started = time.perf_counter()
        SearchEntry.objects.bulk_create(
            SearchEntry(item=item, title=t, body=b)
            for item, (t, b) in zip(items, words, strict=True)
        )
        index_s += time.perf_counter() - started
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "sqlite":
                # The driver's own executemany: Django's wrapper rewrites every row's SQL.
                connection.connection.executemany(
                    f"INSERT INTO {bare_table}(title, body) VALUES (?, ?)",  # noqa: S608  (a constant table name)
                    words,
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {bare_table}(document) VALUES ("  # noqa: S608  (a constant table name)
                    "setweight(to_tsvector('simple', %s), 'A') || "
                    "setweight(to_tsvector('simple', %s), 'B'))",
                    words,
                )
        bare_s += time.perf_counter() - started
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"CREATE INDEX ON {bare_table} USING GIN (document)")
            cursor.execute("ANALYZE")
    build_s = time.perf_counter() - build_started
    del docs
    editor = User.objects.get(pk=editor.pk)
    waited_s = wait_for_quiet(quiet_below) if quiet_below is not None else 0.0

    def bare(q: str) -> list[Any]:
        words = index_words(q)
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                match = " ".join(f'"{w}"' for w in words)
                cursor.execute(
                    f"SELECT rowid FROM {bare_table} WHERE {bare_table} MATCH %s "  # noqa: S608  (a constant table name)
                    f"ORDER BY bm25({bare_table}, 3.0, 1.0) LIMIT 20",
                    [match],
                )
            else:
                cursor.execute(
                    f"SELECT id FROM {bare_table}, plainto_tsquery('simple', %s) q "  # noqa: S608  (a constant table name)
                    "WHERE document @@ q ORDER BY ts_rank(document, q) DESC LIMIT 20",
                    [" ".join(words)],
                )
            return list(cursor.fetchall())

    load = load_average()
    with MemoryPhase() as memory:
        ours: list[float] = []
        theirs: list[float] = []
        per_query: dict[str, dict[str, Any]] = {}
        for q in QUERIES:
            search(editor, q)  # warm
            bare(q)
            mine, base = [], []
            total = 0
            for _ in range(repeat):
                started = time.perf_counter()
                total = search(editor, q).total
                mine.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                bare(q)
                base.append((time.perf_counter() - started) * 1000)
            ours += mine
            theirs += base
            per_query[q] = {
                "found": total,
                "search_ms": round(statistics.median(mine), 2),
                "bare_ms": round(statistics.median(base), 2),
            }
    ours_p, bare_p = _percentiles(ours), _percentiles(theirs)
    return {
        "database": vendor,
        "items": n,
        "queries": len(QUERIES),
        "repeat": repeat,
        "search": ours_p,
        "bare": bare_p,
        "p95_ratio": round(ours_p["p95_ms"] / bare_p["p95_ms"], 2) if bare_p["p95_ms"] else None,
        "target_p95_ms": TARGET_P95_MS,
        "segment_items_per_s": round(n / segment_s) if segment_s else None,
        "index_items_per_s": round(n / index_s) if index_s else None,
        "bare_insert_items_per_s": round(n / bare_s) if bare_s else None,
        "build_s": round(build_s, 1),
        "build_items_per_s": round(n / build_s) if build_s else None,
        **memory.figures(),
        "load_average_before_queries": load,
        "waited_for_quiet_s": waited_s,
        "per_query": per_query,
    }


if __name__ == "__main__":
    main()
