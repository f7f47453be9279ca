"""Benchmark: Python jieba against rjieba (jieba-rs) on the office's kind of text.

Reads the government work reports and the CEC accident/earthquake/fire texts of
``../shared/data`` (skips with a message where they are absent), segments all of it with each
engine in accurate mode (and rjieba also in search mode), and reports MB/s and how far the two
agree: the share of documents cut identically and the word-level agreement (matching words over
all words, from a word diff of the two cuts).

    .venv/bin/python bench/segment.py [--repeat K]

Prints and saves JSON in bench/results/segment.json.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results"


def corpus(data: Path = DATA) -> list[str]:
    """Paragraphs of the reports and whole CEC texts, in a fixed order."""
    docs: list[str] = []
    reports = data / "gov-reports" / "government_work_reports.jsonl"
    if reports.exists():
        for line in reports.read_text(encoding="utf-8").splitlines():
            if line.strip():
                content = json.loads(line).get("content", "")
                docs.extend(p.strip() for p in content.split("\n") if p.strip())
    cec = data / "cec" / "text"
    if cec.exists():
        docs.extend(
            p.read_text(encoding="utf-8", errors="replace") for p in sorted(cec.rglob("*.txt"))
        )
    return docs


def _time(fn: Any, docs: list[str], repeat: int) -> tuple[float, list[list[str]]]:
    best = float("inf")
    out: list[list[str]] = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = [fn(d) for d in docs]
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    docs = corpus()
    if not docs:
        print(f"skipped: no corpus under {DATA}")
        return
    import jieba
    import rjieba

    jieba.setLogLevel(logging.WARNING)
    jieba.lcut("预热")  # load the dictionaries outside the timing
    rjieba.cut("预热")
    size_mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    t_jieba, cut_jieba = _time(lambda d: jieba.lcut(d, HMM=True), docs, 1)
    t_rjieba, cut_rjieba = _time(lambda d: rjieba.cut(d, True), docs, args.repeat)
    t_search, _ = _time(lambda d: rjieba.cut_for_search(d, True), docs, args.repeat)
    same_docs = sum(a == b for a, b in zip(cut_jieba, cut_rjieba, strict=True))
    matched = total = 0
    for a, b in zip(cut_jieba, cut_rjieba, strict=True):
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        matched += sum(block.size for block in sm.get_matching_blocks())
        total += max(len(a), len(b))
    result = {
        "documents": len(docs),
        "megabytes": round(size_mb, 2),
        "jieba_mb_s": round(size_mb / t_jieba, 2),
        "rjieba_mb_s": round(size_mb / t_rjieba, 2),
        "rjieba_search_mode_mb_s": round(size_mb / t_search, 2),
        "speedup": round(t_jieba / t_rjieba, 1),
        "identical_documents": round(same_docs / len(docs), 4),
        "word_agreement": round(matched / total, 4) if total else 1.0,
        "python": sys.version.split()[0],
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "segment.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
