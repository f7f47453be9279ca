"""Benchmark: a quarter's ranking and the dashboard's data over 10^6 ledger entries.

Creates 60 units in 3 classes and N score entries spread over three years, runs ANALYZE,
then times (best of 5) ``ranking()`` for one quarter and the dashboard's data
(``unit_statistics`` for the quarter, the quality mix and the 12-month ``trend``).
Prints and saves (JSON) the figures against the 200 ms target.

    .venv/bin/python bench/scoring_ledger.py [--entries N] [--repeat K]

Uses a fresh SQLite database in a temporary folder, or the PostgreSQL of DATABASE_URL
(a new database is created there and dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import bench_database, save  # noqa: E402  (bench/benchkit.py, after the path is set)

TARGET_MS = 200.0
BATCH = 10_000
FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 3 * 365


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with bench_database(migrate=False):
        result = run(args.entries, args.repeat)
    save("scoring_ledger", result, key=result["database"])


def best_ms(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(min(times), 1), [round(t, 1) for t in times]


def run(total: int, repeat: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from xinbao.org.models import Unit, UnitClass, UnitKind
    from xinbao.scoring import statistics
    from xinbao.scoring.models import Cause, ScoreEntry

    call_command("migrate", verbosity=0)
    classes = [
        UnitClass.objects.create(name=name, rank=i + 1)
        for i, name in enumerate(("一类", "二类", "三类"))
    ]
    units = Unit.objects.bulk_create(
        Unit(
            code=f"B{i:03d}",
            name=f"基准测试单位{i:03d}",
            kind=UnitKind.COUNTY if i < 20 else UnitKind.MUNICIPAL_DEPARTMENT,
            unit_class=classes[i % 3],
        )
        for i in range(60)
    )
    unit_ids = list(Unit.objects.order_by("code").values_list("pk", flat=True))
    assert len(units) == len(unit_ids) == 60
    rng = random.Random(20261128)
    values = [Decimal(v) for v in ("1", "2", "3", "5", "10", "-2", "-10", "0.50")]
    started = time.perf_counter()
    for first in range(0, total, BATCH):
        ScoreEntry.objects.bulk_create(
            [
                ScoreEntry(
                    unit_id=rng.choice(unit_ids),
                    on=FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)),
                    points=rng.choice(values),
                    cause=Cause.ADOPTION,
                    cause_id=n,
                    explanation="基准测试",
                )
                for n in range(first, min(first + BATCH, total))
            ],
            batch_size=BATCH,
        )
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # VACUUM too on PostgreSQL: it sets the visibility map that index-only scans need,
        # as autovacuum would on a ledger that grows a little every day.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    day = FIRST_DAY + dt.timedelta(days=DAYS - 100)  # a quarter well inside the data
    start, end = statistics.period_bounds("quarter", day)

    def ranking() -> object:
        return statistics.ranking(start, end)

    def dashboard() -> object:
        rows = statistics.ranking(start, end, classes[0])
        mix = statistics.kind_mix(start, end, classes[0])
        months = statistics.trend(None, 12, until=day)
        return rows, mix, months

    ranking_ms, ranking_runs = best_ms(ranking, repeat)
    dashboard_ms, dashboard_runs = best_ms(dashboard, repeat)
    top = statistics.ranking(start, end)[0]
    return {
        "benchmark": "scoring_ledger",
        "database": connection.vendor,
        "entries": ScoreEntry.objects.count(),
        "units": len(unit_ids),
        "load_seconds": round(load_seconds, 1),
        "quarter": [start.isoformat(), end.isoformat()],
        "target_ms": TARGET_MS,
        "ranking_ms": ranking_ms,
        "ranking_runs_ms": ranking_runs,
        "dashboard_ms": dashboard_ms,
        "dashboard_runs_ms": dashboard_runs,
        "met": ranking_ms < TARGET_MS and dashboard_ms < TARGET_MS,
        "top_of_ranking": {"unit": top.unit.name, "points": str(top.points)},
    }


if __name__ == "__main__":
    main()
