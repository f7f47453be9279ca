"""Benchmark: same-event lookup (``xinbao.items.similarity``) over N items with planted pairs.

Builds N items (default 10^5) from ``../shared/data``: filler items of five sentences drawn at
random from the government work reports and the CEC accident, earthquake and fire texts, spread
over a year; and planted pairs sent within two days of each other:

- near-duplicates, from a CEC text or a filler: small edits (a figure changed, a sentence
  dropped, a word replaced), sentences reordered, another unit's name and a different opening;
- "same words, different event": a CEC text and the same text with its place replaced by
  another county's and its dates moved by three days, which must never be grouped.

Every item is signed with ``index_items`` (the intake's path: segmentation, MinHash, facts,
bands). Then it times ``similar_items`` as an editor for the planted items and as many fillers
(p50/p95), and reports recall (near-duplicate partners found) and precision (found items that
are the planted partner) against the 0.95 targets, the different-event pairs grouped (target
0), signing throughput and the process's peak memory.

    .venv/bin/python bench/similar.py [--items N] [--pairs P] [--queries Q] [--keep]

Uses a fresh SQLite database in a temporary folder, or the PostgreSQL of DATABASE_URL (a new
database is created there and dropped afterwards). Prints and saves JSON in
bench/results/similar.json (one entry per database and size).
"""

from __future__ import annotations

import argparse
import array
import datetime as dt
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import MemoryPhase, bench_database, load_average, percentile, save  # noqa: E402  (bench/benchkit.py, after the path is set)

TARGET_RECALL = 0.95
TARGET_PRECISION = 0.95
TARGET_P95_MS = 50.0
BATCH = 2000
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPAN_DAYS = 365

_SPLIT = re.compile(r"(?<=[。！？!?])")
# A figure of people, money or things; never a date or a clock time.
_NUMBER = re.compile(r"\d+(?=[余多]?[人名元辆间户座处])")
# Other places, by the suffix of the name they replace (the longest suffixes first).
OTHER_NAMES = {
    "自治州": ("凉山彝族自治州", "甘孜藏族自治州"),
    "市": ("天水市", "六安市", "赣州市", "怀化市", "曲靖市"),
    "州": ("凉山州", "恩施州"),
    "盟": ("锡林郭勒盟", "阿拉善盟"),
    "县": ("秦安县", "霍山县", "于都县", "沅陵县", "剑阁县"),
    "区": ("鹿泉区", "江宁区", "龙岗区"),
    "旗": ("鄂托克旗", "准格尔旗"),
    "镇": ("白沙镇", "青石镇", "龙泉镇"),
    "乡": ("石门乡", "双河乡"),
}
OPENINGS = ("据{unit}报告，", "{unit}报：", "{unit}消息，", "")


def load(data: Path = DATA) -> tuple[list[str], list[str]]:
    """Sentences of the reports and the CEC texts (for fillers), and the CEC texts themselves."""
    sentences: list[str] = []
    reports = data / "gov-reports" / "government_work_reports.jsonl"
    if reports.exists():
        for line in reports.read_text(encoding="utf-8").splitlines():
            if line.strip():
                for para in json.loads(line).get("content", "").split("\n"):
                    sentences.extend(s.strip() for s in _SPLIT.split(para) if len(s.strip()) > 8)
    texts: list[str] = []
    cec = data / "cec" / "text"
    if cec.exists():
        for path in sorted(cec.rglob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            # The first line of a CEC text is its date ("2009/05/22"): not part of a report.
            body = "\n".join(text.splitlines()[1:]).strip()
            if len(body) > 80:
                texts.append(body)
                sentences.extend(s.strip() for s in _SPLIT.split(body) if len(s.strip()) > 8)
    return sentences, texts


def split(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SPLIT.split(text)) if s]


def near_duplicate(text: str, rng: random.Random, unit: str) -> str:
    """The same report as another unit would send it."""
    parts = split(text)
    if len(parts) > 4:
        parts.pop(rng.randrange(1, len(parts)))  # a sentence dropped
    if len(parts) > 2:
        i, j = rng.sample(range(len(parts)), 2)
        parts[i], parts[j] = parts[j], parts[i]  # two sentences swapped
    out = "".join(parts)
    numbers = list(_NUMBER.finditer(out))
    if numbers:  # a figure changed
        m = rng.choice(numbers)
        out = out[: m.start()] + str(int(m.group()) + 1) + out[m.end() :]
    out = out.replace("目前", "截至目前", 1).replace("已经", "已", 1)
    return rng.choice(OPENINGS).format(unit=unit) + out


def other_event(text: str, names: list[str], rng: random.Random) -> str:
    """The same words about other places (every city, county and township renamed), three
    days later: another flood, another accident."""
    for name in names:
        suffix = next(s for s in OTHER_NAMES if name.endswith(s))
        text = text.replace(name, rng.choice([n for n in OTHER_NAMES[suffix] if n != name]))
    return re.sub(r"(\d{1,2})日", lambda m: f"{(int(m.group(1)) + 2) % 28 + 1}日", text)


def build(n: int, pairs: int, seed: int = 7) -> dict[str, Any]:
    """Create the units, the editor and the N items, signed; return the planted pairs."""
    from xinbao.accounts.models import Role, User
    from xinbao.items.models import Item, ItemKind, ItemStatus
    from xinbao.items.similarity import index_items, place_names
    from xinbao.org.models import Unit, UnitClass, UnitKind

    rng = random.Random(seed)
    sentences, texts = load()
    if not sentences or not texts:
        raise SystemExit(f"no corpus at {DATA}: the benchmark needs gov-reports and cec")
    klass = UnitClass.objects.create(name="基准", rank=1)
    units = Unit.objects.bulk_create(
        Unit(
            code=f"S{i:03d}",
            name=f"第{i}县委办公室",
            short_name=f"第{i}县",
            kind=UnitKind.COUNTY,
            unit_class=klass,
        )
        for i in range(60)
    )
    writer = User.objects.create_user("bench-writer", role=Role.REPORTER, unit=units[0])
    editor = User.objects.create_user("bench-editor", role=Role.EDITOR)

    # Planted sources: CEC texts with a place (for both kinds), fillers for near-duplicates.
    placed = []
    for text in texts:
        # Only cities, counties and townships are renamed (a province tells no event apart).
        names = [n for n in place_names(text) if n.endswith(tuple(OTHER_NAMES))]
        if names:
            placed.append((text, names))
    # Only the planted rows are kept; the fillers are made chunk by chunk as they are inserted.
    rows: list[tuple[str, str, int, dt.datetime]] = []  # title, body, unit index, sent
    near: list[tuple[int, int]] = []
    apart: list[tuple[int, int]] = []

    def add(body: str, unit: int, sent: dt.datetime) -> int:
        rows.append((body[:40], body, unit, sent))
        return len(rows) - 1

    # A CEC text is used again only after a window's length, so that its copies are no pairs.
    rounds = max(1, SPAN_DAYS // 9)
    for i in range(pairs):
        day = START + dt.timedelta(days=9 * ((i // max(1, len(placed))) % rounds))
        sent = day + dt.timedelta(hours=rng.randrange(0, 24))
        later = sent + dt.timedelta(hours=rng.randrange(1, 48))
        ua, ub = rng.sample(range(len(units)), 2)
        if i % 2 == 0 and placed:
            text, _names = placed[i % len(placed)]
        else:
            text = "".join(rng.sample(sentences, 6))
        a = add(text, ua, sent)
        b = add(near_duplicate(text, rng, units[ub].short_name), ub, later)
        near.append((a, b))
    for i in range(pairs // 2):
        text, names = placed[(i * 7 + 3) % len(placed)]
        day = START + dt.timedelta(days=9 * ((i // len(placed)) % rounds) + 4)
        ua, ub = rng.sample(range(len(units)), 2)
        a = add(text, ua, day)
        b = add(other_event(text, names, rng), ub, day + dt.timedelta(hours=rng.randrange(1, 48)))
        apart.append((a, b))

    def fillers() -> Iterator[tuple[str, str, int, dt.datetime]]:
        # The same draws, in the same order, as when every row was made before the inserts.
        for _ in range(n - len(rows)):
            body = "".join(rng.sample(sentences, 5))
            sent = START + dt.timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
            yield body[:40], body, rng.randrange(len(units)), sent

    stream = itertools.chain(rows, fillers())
    started = time.perf_counter()
    pks = array.array("q")  # 8 bytes an item, not a Python int's 36
    chars = 0
    while chunk_rows := list(itertools.islice(stream, BATCH)):
        chunk = [
            Item(
                title=title,
                body=body,
                kind=ItemKind.DYNAMIC,
                status=ItemStatus.SUBMITTED,
                unit=units[u],
                writer_name="基准",
                writer_phone="13800000000",
                created_by=writer,
                submitted_at=sent,
            )
            for title, body, u, sent in chunk_rows
        ]
        Item.objects.bulk_create(chunk)
        if chunk[0].pk is None:  # a database that does not return the keys of a bulk insert
            raise SystemExit("bulk_create returned no primary keys")
        index_items(chunk, new=True)
        pks.extend(i.pk for i in chunk)
        chars += sum(len(r[1]) for r in chunk_rows)
    elapsed = time.perf_counter() - started
    return {
        "editor": editor,
        "pks": pks,
        "planted": len(rows),
        "near": [(pks[a], pks[b]) for a, b in near],
        "apart": [(pks[a], pks[b]) for a, b in apart],
        "build_s": round(elapsed, 1),
        "signed_per_s": round(len(pks) / elapsed, 1),
        "chars": chars,
    }


def measure(built: dict[str, Any], queries: int, seed: int = 11) -> dict[str, Any]:
    """Lookup latencies, recall and precision on the planted pairs, different events grouped."""
    from xinbao.items.models import Item
    from xinbao.items.similarity import similar_items

    rng = random.Random(seed)
    editor = built["editor"]
    partner = {a: b for a, b in built["near"]} | {b: a for a, b in built["near"]}
    apart = {a: b for a, b in built["apart"]} | {b: a for a, b in built["apart"]}
    # The planted rows were inserted first: the fillers are the rest (a slice of an array, not
    # a list of 10^6 ints).
    fillers = built["pks"][built["planted"] :]
    probe = [a for a, _ in built["near"]][: queries // 2] + [a for a, _ in built["apart"]]
    probe += rng.sample(fillers, min(len(fillers), queries - len(probe))) if fillers else []
    items = Item.objects.in_bulk(probe)
    times: list[float] = []
    found_partner = reported = correct = grouped_apart = 0
    for pk in probe:
        item = items[pk]
        started = time.perf_counter()
        found = {s.item.pk for s in similar_items(item, editor)}
        times.append((time.perf_counter() - started) * 1000)
        if pk in partner:
            found_partner += partner[pk] in found
            reported += len(found)
            correct += partner[pk] in found
        if pk in apart:
            grouped_apart += apart[pk] in found
    near_queries = sum(1 for pk in probe if pk in partner)
    # Recall over every planted pair, from the pair's first item.
    recall = found_partner / near_queries if near_queries else 0.0
    precision = correct / reported if reported else 1.0
    times.sort()
    return {
        "queries": len(probe),
        "lookup_p50_ms": round(statistics.median(times), 2),
        "lookup_p95_ms": percentile(times, 0.95, 2),
        "near_duplicate_pairs": near_queries,
        "recall": round(recall, 4),
        "precision": round(precision, 4),
        "different_event_pairs": sum(1 for pk in probe if pk in apart),
        "different_event_grouped": grouped_apart,
    }


def run(n: int, pairs: int, queries: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    started = time.perf_counter()
    built = build(n, pairs)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load = load_average()
    with MemoryPhase() as memory:
        measured = measure(built, queries)
    result = {
        "benchmark": "similar",
        "database": connection.vendor,
        "items": len(built["pks"]),
        "planted_pairs": {
            "near_duplicates": len(built["near"]),
            "different_events": len(built["apart"]),
        },
        "window_days": settings.XINBAO_SIMILAR_WINDOW_DAYS,
        "signed_per_s": built["signed_per_s"],
        "build_s": built["build_s"],
        **measured,
        **memory.figures(),
        "load_average_before_queries": load,
        "wall_s": round(time.perf_counter() - started, 1),
        "targets": {
            "recall": TARGET_RECALL,
            "precision": TARGET_PRECISION,
            "lookup_p95_ms": TARGET_P95_MS,
            "different_event_grouped": 0,
        },
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite database (to EXPLAIN a slow query)"
    )
    args = parser.parse_args()
    with bench_database(keep=args.keep):
        result = run(args.items, args.pairs, args.queries)
    save("similar", result, key=f"{result['database']}_{result['items']}")


if __name__ == "__main__":
    main()
