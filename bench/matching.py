"""Benchmark: the quality of the shared matcher (``xinbao.items.matching``) on the demo's texts.

The labelled set is bench/data/matching_labels.json: six profiles as an editor would set them up
(a priority's or an interest's keywords) and, for each, the demo's item templates
(xinbao/demo/texts.py) a person following it would say are about it. The texts are the items
the demo writes (``demo.writer.plan_items``: 300 items drawn from the templates with their
places, dates and figures filled in); an item is relevant to a profile when its template is
listed. Every item is matched against every profile; precision, recall and F1 are printed per
profile and overall (micro-averaged), with the same figures at a few score thresholds, and the
templates behind the misses, so that a change of the matcher is judged on figures.

    .venv/bin/python bench/matching.py [--items N]

Needs no database. Prints and saves JSON in bench/results/matching.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "bench" / "data" / "matching_labels.json"
RESULTS = ROOT / "bench" / "results"
#: The demo's items are planned back from this moment (any fixed one gives the same texts).
NOW = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6)


def _setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinbao.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _pattern(title: str) -> re.Pattern[str]:
    """A template's title as a pattern its filled-in titles match."""
    parts = re.split(r"\{\w+(?::[^{}]*)?\}", title)
    return re.compile(".+?".join(re.escape(p) for p in parts) + r"\Z", re.S)


def load_labels() -> dict[str, Any]:
    return dict(json.loads(LABELS.read_text(encoding="utf-8")))


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _scores(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def run(items: int | None = None) -> dict[str, Any]:
    """Match the first ``items`` demo items (all 300 by default) against every profile."""
    _setup()
    from django.utils import translation

    from xinbao.demo.texts import TEMPLATES
    from xinbao.demo.writer import plan_items
    from xinbao.items.matching import MIN_SCORE, match, profile

    labels = load_labels()
    templates = [t.title for group in TEMPLATES.values() for t in group]
    patterns = [(title, _pattern(title)) for title in templates]
    for entry in labels["profiles"]:
        unknown = set(entry["relevant"]) - set(templates)
        if unknown:
            raise ValueError(f"{entry['name']}: not a demo template: {sorted(unknown)}")

    specs = plan_items(NOW)[:items] if items else plan_items(NOW)
    texts: list[tuple[str, str, str]] = []
    for spec in specs:
        found = [title for title, pattern in patterns if pattern.match(spec.title)]
        if len(found) != 1:
            raise ValueError(f"item {spec.number}: {len(found)} templates match {spec.title!r}")
        texts.append((found[0], spec.title, spec.body))

    started = time.perf_counter()
    per_profile: dict[str, Any] = {}
    totals = {t: [0, 0, 0] for t in THRESHOLDS}
    with translation.override("zh-hans"):
        for entry in labels["profiles"]:
            wanted = profile(entry["keywords"], entry["exclude"])
            relevant = set(entry["relevant"])
            counts = {t: [0, 0, 0] for t in THRESHOLDS}
            misses: dict[str, set[str]] = {"false_positives": set(), "false_negatives": set()}
            for template, title, body in texts:
                got = match(wanted, title=title, body=body, min_score=0.0)
                score = got.score if got else 0.0
                truth = template in relevant
                for threshold in THRESHOLDS:
                    said = got is not None and score >= threshold
                    slot = 0 if said and truth else 1 if said else 2 if truth else -1
                    if slot >= 0:
                        counts[threshold][slot] += 1
                        totals[threshold][slot] += 1
                said = got is not None and score >= MIN_SCORE
                if said and not truth:
                    misses["false_positives"].add(template)
                elif truth and not said:
                    misses["false_negatives"].add(template)
            per_profile[entry["name"]] = {
                "relevant_items": sum(1 for t, _a, _b in texts if t in relevant),
                **_scores(*counts[MIN_SCORE]),
                "by_threshold": {str(t): _scores(*counts[t]) for t in THRESHOLDS},
                **{k: sorted(v) for k, v in misses.items()},
            }
    elapsed = time.perf_counter() - started
    matched = len(texts) * len(labels["profiles"])
    return {
        "items": len(texts),
        "profiles": len(labels["profiles"]),
        "min_score": MIN_SCORE,
        "overall": _scores(*totals[MIN_SCORE]),
        "overall_by_threshold": {str(t): _scores(*totals[t]) for t in THRESHOLDS},
        "per_profile": per_profile,
        "matches_per_second": round(matched / elapsed) if elapsed else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--items", type=int, default=None, help="the first N demo items")
    args = parser.parse_args()
    result = run(args.items)
    for name, figures in result["per_profile"].items():
        print(
            f"{name}: precision {figures['precision']:.2f} recall {figures['recall']:.2f} "
            f"F1 {figures['f1']:.2f} ({figures['relevant_items']} relevant)"
        )
    overall = result["overall"]
    print(
        f"overall: precision {overall['precision']:.2f} recall {overall['recall']:.2f} "
        f"F1 {overall['f1']:.2f} over {result['items']} items x {result['profiles']} profiles"
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "matching.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
