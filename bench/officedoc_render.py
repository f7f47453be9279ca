"""Benchmark: a 30-item periodical issue rendered to DOCX and to PDF.

    .venv/bin/python bench/officedoc_render.py [--items N] [--runs K] [--out FILE]

Item texts come from the State Council government work reports in
``../shared/data/gov-reports/government_work_reports.jsonl`` beside the repository where that
file exists (it is not part of the project), else from generated sentences. Prints and saves
(JSON) the best of K runs of each renderer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from xinbao.lib.officedoc import (
    Distribution,
    EditorNote,
    NumberedItem,
    OfficialDocument,
    Recipients,
    render_docx,
    render_pdf,
)

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT.parent / "shared" / "data" / "gov-reports" / "government_work_reports.jsonl"
DEFAULT_OUT = ROOT / "bench" / "results" / "officedoc_render.json"
SEED = 9704

_PLACES = ["澜江县", "河口区", "城关镇", "青山乡", "市应急管理局", "市交通运输局", "市卫生健康委"]
_ACTIONS = [
    "召开专题会议研究部署",
    "组织开展拉网式排查",
    "建立健全长效工作机制",
    "压实属地管理责任",
    "加强值班值守和信息报送",
    "推动问题整改落实到位",
]
_RESULTS = [
    "排查整改隐患{n}处",
    "覆盖群众{n}万余人",
    "发放宣传资料{n}份",
    "出动工作人员{n}人次",
    "化解矛盾纠纷{n}件",
]


def _generated_paragraphs(rng: random.Random, count: int) -> list[str]:
    paragraphs = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            result = rng.choice(_RESULTS).format(n=rng.randint(3, 900))
            sentences.append(f"{rng.choice(_PLACES)}{rng.choice(_ACTIONS)}，{result}。")
        paragraphs.append("".join(sentences))
    return paragraphs


def _report_paragraphs(path: Path) -> list[str]:
    """Prose paragraphs of 60–400 characters (headings and short lines left out)."""
    paragraphs = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            content = json.loads(line).get("content", "")
            for paragraph in re.split(r"\n+", content):
                paragraph = paragraph.strip()
                if 60 <= len(paragraph) <= 400 and paragraph.endswith("。"):
                    paragraphs.append(paragraph)
    return paragraphs


def _title(paragraph: str) -> str:
    """An item title: the paragraph's first sentence, cut to 24 characters."""
    sentence = paragraph.split("。", 1)[0]
    return sentence if len(sentence) <= 24 else sentence[:23] + "……"


def build_issue(items: int, rng: random.Random) -> tuple[OfficialDocument, str]:
    """A periodical issue of ``items`` items, and where its text came from."""
    need = items * 3
    if REPORTS.is_file():
        pool = _report_paragraphs(REPORTS)
        source = "gov-reports"
    else:
        pool = []
        source = "generated"
    if len(pool) < need:
        pool = _generated_paragraphs(rng, need)
        source = "generated"
    chosen = rng.sample(pool, need)
    blocks: list[NumberedItem | EditorNote] = [
        EditorNote("本期刊发各地各部门近期工作情况，供领导同志参阅。")
    ]
    for index in range(items):
        paragraphs = chosen[index * 3 : index * 3 + rng.randint(1, 3)]
        blocks.append(NumberedItem(_title(paragraphs[0]), paragraphs))
    issue = OfficialDocument(
        masthead="每日要情",
        issue_line="第12期（总第345期）",
        issuing_office="中共澜江市委办公室",
        date=dt.date(2026, 11, 29),
        signer="张明",
        blocks=blocks,
        distribution=Distribution(
            recipients=[
                Recipients("报", ["省委办公厅"]),
                Recipients("送", ["市委常委，市人大常委会、市政府、市政协领导"]),
                Recipients("发", ["各县（市、区）委办公室，市直各部门"]),
            ],
            printed_by="中共澜江市委办公室信息科",
            copies=60,
        ),
    )
    return issue, source


def best_of(
    runs: int, render: Callable[[OfficialDocument], bytes], issue: OfficialDocument
) -> tuple[float, bytes]:
    best = float("inf")
    output = b""
    for _ in range(runs):
        started = time.perf_counter()
        output = render(issue)
        best = min(best, time.perf_counter() - started)
    return best, output


def pdf_pages(pdf: bytes) -> int | None:
    """The page count by poppler's pdfinfo, or None where it is not installed."""
    if shutil.which("pdfinfo") is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(
            ["pdfinfo", file.name],  # noqa: S607 - found on PATH just above
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(match.group(1)) if match else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    issue, source = build_issue(args.items, random.Random(SEED))
    characters = sum(len(text) for text in issue.texts())
    docx_s, docx_bytes = best_of(args.runs, render_docx, issue)
    pdf_s, pdf_bytes = best_of(args.runs, render_pdf, issue)
    result = {
        "items": args.items,
        "characters": characters,
        "text_source": source,
        "runs": args.runs,
        "docx_seconds_best": round(docx_s, 4),
        "docx_bytes": len(docx_bytes),
        "pdf_seconds_best": round(pdf_s, 4),
        "pdf_bytes": len(pdf_bytes),
        "pdf_pages": pdf_pages(pdf_bytes),
        "python": platform.python_version(),
        "python_docx": version("python-docx"),
        "weasyprint": version("weasyprint"),
    }
    print(
        f"{args.items} items, {characters} characters ({source}): "
        f"DOCX {docx_s * 1000:.0f} ms ({len(docx_bytes) // 1024} KiB), "
        f"PDF {pdf_s * 1000:.0f} ms ({len(pdf_bytes) // 1024} KiB, "
        f"{result['pdf_pages']} pages), best of {args.runs}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
