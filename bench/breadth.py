"""Benchmark: how often the breadth classifier (xinbao/analysis/breadth.py) places a text where
a person would, per axis, on a labelled set written apart from its lexicons.

The labelled set (bench/breadth_labels.json) is every item template of the demo city
(xinbao/demo/texts.py), rendered once with a fixed seed, labelled by hand on all three axes
(the demo's texts are all about the demo city: local). The region axis also gets real reports
from elsewhere in China: the CEC accident, earthquake and fire texts of ``../shared/data``
(the first ``--cec`` of each kind, by file name; labelled "outside" by their source, since none
is in the demo city's network), skipped with a message where the data is absent. The places of
the office's network are the demo's units, their short names and the city, as the org tree
would give them.

    .venv/bin/python bench/breadth.py [--cec 20]

Prints per-axis accuracy, the confusion of each axis and the texts placed wrongly, and saves
JSON in bench/results/breadth.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import bench_database, save  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
LABELS = ROOT / "bench" / "breadth_labels.json"
AXES = ("horizon", "sphere", "region")
SEED = 14


def demo_texts() -> list[dict[str, Any]]:
    """The labelled demo templates, rendered: title, body and the three labels."""
    from xinbao.demo import data
    from xinbao.demo.texts import TEMPLATES
    from xinbao.demo.writer import VILLAGES, render

    labels = {row["title"]: row for row in json.loads(LABELS.read_text())["items"]}
    rng = random.Random(SEED)
    out = []
    templates = [t for group in TEMPLATES.values() for t in group]
    seen: set[str] = set()
    for number, template in enumerate(templates):
        if template.title in seen or template.title not in labels:
            continue
        seen.add(template.title)
        county = data.COUNTIES[number % len(data.COUNTIES)]
        other = data.COUNTIES[(number + 1) % len(data.COUNTIES)]
        unit = data.UNITS_BY_CODE[template.units[0]] if template.units else county
        context = {
            "city": data.CITY,
            "county": county.short_name,
            "county2": other.short_name,
            "ctype": county.short_name[-1],
            "town": county.towns[0],
            "town2": county.towns[1],
            "village": VILLAGES[number % len(VILLAGES)],
            "river": county.river,
            "unit": unit.short_name,
            "d0": "10月9日",
            "d1": "10月10日",
            "h": "9",
            "mi": "30",
            "year": "2026",
        }
        title, body = render(rng, context, template.title, template.body)
        row = labels[template.title]
        out.append(
            {
                "source": "demo",
                "title": title,
                "body": body,
                **{axis: row[axis] for axis in AXES},
            }
        )
    missing = sorted(set(labels) - seen)
    if missing:
        print(f"labels without a template (the demo's texts changed): {missing}")
    return out


def cec_texts(per_kind: int, data: Path = DATA) -> list[dict[str, Any]]:
    root = data / "cec" / "text"
    if not root.exists():
        print(f"{root} is absent: the region axis is measured on the demo's texts alone")
        return []
    out = []
    for kind in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(kind.glob("*.txt"))[:per_kind]:
            text = path.read_text(encoding="utf-8", errors="replace")
            lines = [line for line in text.splitlines() if line.strip()]
            out.append(
                {
                    "source": f"cec/{kind.name}/{path.name}",
                    "title": lines[1][:40] if len(lines) > 1 else "",
                    "body": "\n".join(lines[1:]),
                    "horizon": None,
                    "sphere": None,
                    "region": "outside",
                }
            )
    return out


def local_places() -> frozenset[str]:
    from xinbao.analysis.breadth import local_names
    from xinbao.demo import data

    names = [data.CITY]
    for unit in data.UNITS:
        names += [unit.name, unit.short_name]
    return local_names(names)


def run(cec_per_kind: int = 20, limit: int | None = None) -> dict[str, Any]:
    from xinbao.analysis.breadth import suggest

    texts = demo_texts()[:limit] + cec_texts(cec_per_kind)
    local = local_places()
    start = time.perf_counter()
    per_axis: dict[str, dict[str, Any]] = {}
    wrong: list[dict[str, str]] = []
    confusion: dict[str, Counter[str]] = {axis: Counter() for axis in AXES}
    scored = {axis: 0 for axis in AXES}
    right = {axis: 0 for axis in AXES}
    for text in texts:
        found = suggest(title=text["title"], body=text["body"], local=local)
        for axis in AXES:
            expected = text[axis]
            if expected is None:
                continue
            got = getattr(found, axis)
            scored[axis] += 1
            confusion[axis][f"{expected}->{got}"] += 1
            if got == expected:
                right[axis] += 1
            else:
                wrong.append(
                    {
                        "source": text["source"],
                        "title": text["title"],
                        "axis": axis,
                        "expected": expected,
                        "got": str(got),
                        "why": "、".join(found.reasons.get(axis, [])),
                    }
                )
    seconds = time.perf_counter() - start
    for axis in AXES:
        per_axis[axis] = {
            "texts": scored[axis],
            "accuracy": round(right[axis] / scored[axis], 3) if scored[axis] else None,
            "confusion": dict(sorted(confusion[axis].items())),
        }
    return {
        "benchmark": "breadth",
        "labelled_set": "bench/breadth_labels.json (demo templates) + CEC texts as outside",
        "texts": len(texts),
        "demo_texts": sum(1 for t in texts if t["source"] == "demo"),
        "cec_texts": sum(1 for t in texts if t["source"] != "demo"),
        "axes": per_axis,
        "seconds": round(seconds, 3),
        "wrong": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cec", type=int, default=20, help="CEC texts of each kind")
    args = parser.parse_args()
    with bench_database():
        result = run(args.cec)
    save("breadth", result)


if __name__ == "__main__":
    main()
