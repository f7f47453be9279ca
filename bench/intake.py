"""Benchmark: item intake through the API, single and batch, against the raw segmenter.

Starts gunicorn (``--workers`` sync workers, 4 by default) on a free loopback port over a fresh
database (SQLite in a temporary folder; ``DATABASE_URL`` for PostgreSQL: it must name an
empty database the bench may migrate), with one unit and one reporter and her API token, then:

(a) single creates: ``--clients`` threads (8) each POST ``/api/v1/items`` with an
    Idempotency-Key, ``--singles`` in all: items/s and p50/p95 latency; then a quarter as many
    from one client, the latency of a request with no queue in front of it;
(b) the batch endpoint: ``--batches`` POSTs of ``--batch-size`` items (500) from
    ``--batch-clients`` clients (2, one per core), each posting its share one after another:
    items/s end to end (first request sent to last answer read);
(c) the raw segmenter (``xinbao.lib.text.segment``, the one intake uses; ``tokens`` where it
    is absent) over the same texts in one process: items/s and characters/s, and the ratio
    of (b) to it.

Texts are paragraphs of ``../shared/data/gov-reports`` (a built-in sample where it is absent).
Prints and saves JSON to bench/results/intake.json, with the issue's targets beside.

    .venv/bin/python bench/intake.py [--clients 8] [--singles 400] [--batches 6]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import Gunicorn, percentile  # noqa: E402  (bench/benchkit.py, after the path is set)

RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DATA = ROOT.parent / "shared" / "data" / "gov-reports" / "government_work_reports.jsonl"
TARGETS = {"batch_items_per_s": 1000, "batch_vs_segmenter": 0.5, "single_p95_ms": 50}

SAMPLE = [
    "7月3日夜间，东城县普降暴雨，最大降雨量达180毫米，县防汛指挥部启动应急响应。",
    "全县转移受威胁群众1200人，未造成人员伤亡，部分农田受淹，直接经济损失正在核查。",
    "县委召开专题会议，部署安全生产大检查，重点排查危化品、建筑施工和道路交通领域隐患。",
    "今年以来，全县新增就业岗位3500个，帮助困难群众就业820人，城镇登记失业率控制在3%以内。",
]

SETUP = """
import sys
from xinbao.accounts.models import Role, User
from xinbao.accounts.services import create_token
from xinbao.org.models import Unit, UnitClass, UnitKind
klass = UnitClass.objects.create(name="一类", rank=1, quota_per_month=6)
unit = Unit.objects.create(code="B01", name="东城县委办公室", short_name="东城县",
                           kind=UnitKind.COUNTY, unit_class=klass)
user = User.objects.create_user(username="bench", password=None, role=Role.REPORTER, unit=unit,
                                full_name="赵小红", phone="13800000001")
sys.stdout.write("TOKEN=" + create_token(user=user, name="bench")[1] + "\\n")
"""

SEGMENT = """
import json, sys, time
from xinbao.lib import text
cut = getattr(text, "segment", None) or text.tokens
texts = json.loads(sys.stdin.read())
cut(texts[0])  # the dictionary loaded before the clock starts
t = time.perf_counter()
for s in texts:
    cut(s)
sys.stdout.write("SECONDS=%r\\n" % (time.perf_counter() - t))
sys.stdout.write("ENGINE=%s\\n" % cut.__name__)
"""


def paragraphs(limit: int) -> list[str]:
    found: list[str] = []
    if DATA.exists():
        with DATA.open(encoding="utf-8") as f:
            for line in f:
                for p in json.loads(line).get("content", "").split("\n"):
                    p = p.strip()
                    if 40 <= len(p) <= 2000:
                        found.append(p)
                        if len(found) >= limit:
                            return found
    while len(found) < limit:
        found.append(SAMPLE[len(found) % len(SAMPLE)] + f"（第{len(found)}条）")
    return found


def item(n: int, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": f"{text[:24]}（{n}）",
        "body": text,
        "kind": "dynamic",
        "urgency": "routine",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
        "topics": ["政府工作"],
        "submit": True,
        **extra,
    }


def post(url: str, token: str, body: Any, key: str | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(  # noqa: S310  (loopback http only)
        url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST"
    )
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    if key is not None:
        req.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()[:500]


def run_clients(client: Callable[[int], None], clients: int) -> float:
    """Run ``client(0)`` … ``client(clients - 1)`` in threads at once; the wall seconds."""
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - start


def singles(
    url: str, token: str, texts: list[str], clients: int, prefix: str = "s"
) -> dict[str, Any]:
    times: list[float] = []
    failures: list[Any] = []
    lock = threading.Lock()
    share = [texts[i::clients] for i in range(clients)]

    def client(c: int) -> None:
        for n, text in enumerate(share[c]):
            t = time.perf_counter()
            status, answer = post(url, token, item(n, text), key=f"{prefix}-{c}-{n}")
            ms = (time.perf_counter() - t) * 1000
            with lock:
                times.append(ms)
                if status != 201:
                    failures.append((status, answer))

    seconds = run_clients(client, clients)
    ordered = sorted(times)
    return {
        "items": len(times),
        "clients": clients,
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "seconds": round(seconds, 2),
        "items_per_s": round(len(times) / seconds, 1),
        "p50_ms": percentile(ordered, 0.5),
        "p95_ms": percentile(ordered, 0.95),
        "mean_ms": round(statistics.mean(ordered), 1),
    }


def batches(url: str, token: str, texts: list[str], size: int, clients: int) -> dict[str, Any]:
    """``clients`` threads each post their share of the batches one after another; items/s
    over the wall time from the first request sent to the last answer read."""
    chunks = [(b, texts[b : b + size]) for b in range(0, len(texts), size)]
    times: list[float] = []
    made: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(c: int) -> None:
        for b, chunk in chunks[c::clients]:
            body = {"items": [item(b + n, t, key=f"b-{b + n}") for n, t in enumerate(chunk)]}
            t = time.perf_counter()
            status, answer = post(url + "/batch", token, body)
            with lock:
                times.append(time.perf_counter() - t)
                if status != 201:
                    errors.append(f"batch refused: {status} {answer}")
                else:
                    made.append(answer["created"])

    seconds = run_clients(client, clients)
    if errors:
        raise RuntimeError(errors[0])
    return {
        "items": sum(made),
        "batch_size": size,
        "batches": len(times),
        "clients": clients,
        "seconds": round(seconds, 2),
        "items_per_s": round(sum(made) / seconds, 1),
        "per_batch_ms": [round(t * 1000) for t in times],
    }


def segmenter(env: dict[str, str], texts: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "shell", "-c", SEGMENT],
        env=env,
        input=json.dumps(texts, ensure_ascii=False),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    seconds = float(values["SECONDS"])
    chars = sum(len(t) for t in texts)
    return {
        "engine": f"xinbao.lib.text.{values['ENGINE']}",
        "items": len(texts),
        "seconds": round(seconds, 3),
        "items_per_s": round(len(texts) / seconds, 1),
        "chars_per_s": round(chars / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--singles", type=int, default=400)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--batch-clients", type=int, default=2)
    parser.add_argument("--out", default=str(RESULTS / "intake.json"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xinbao-bench-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "XINBAO_VAR_DIR": str(tmp),
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "xinbao.settings",
        "XINBAO_LOG_LEVEL": "WARNING",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    out = subprocess.run(
        [*manage, "shell", "-c", SETUP], env=env, check=True, capture_output=True, text=True
    ).stdout
    token = next(line[6:] for line in out.splitlines() if line.startswith("TOKEN="))
    texts = paragraphs(args.singles + args.batches * args.batch_size)
    single_texts, batch_texts = texts[: args.singles], texts[args.singles :]

    result: dict[str, Any] = {
        "database": database.split(":", 1)[0],
        "workers": args.workers,
        "cpus": os.cpu_count(),
        # Other work on the machine skews every figure: the load before the run, to judge them.
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "texts": "gov-reports" if DATA.exists() else "built-in sample",
        "targets": TARGETS,
    }
    with Gunicorn(env, args.workers, timeout=300) as server:
        url = server.url + "/api/v1/items"
        # Every worker loads its code and the segmenter's dictionary before the clock starts.
        warm = paragraphs(4 * args.workers)
        singles(url, token, warm, args.workers, prefix="w")
        post(
            url + "/batch",
            token,
            {"items": [item(n, t, key=f"wb-{n}") for n, t in enumerate(warm)]},
        )
        result["single"] = singles(url, token, single_texts, args.clients)
        # One client: a request's own time, no queue behind the other clients.
        result["single_one_client"] = singles(
            url, token, single_texts[: max(1, len(single_texts) // 4)], 1, prefix="one"
        )
        result["batch"] = batches(url, token, batch_texts, args.batch_size, args.batch_clients)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["segmenter"] = segmenter(env, batch_texts)
    ratio = result["batch"]["items_per_s"] / result["segmenter"]["items_per_s"]
    result["batch_vs_segmenter"] = round(ratio, 3)
    result["met"] = {
        "batch_items_per_s": result["batch"]["items_per_s"] >= TARGETS["batch_items_per_s"],
        "batch_vs_segmenter": ratio >= TARGETS["batch_vs_segmenter"],
        "single_p95_ms": result["single"]["p95_ms"] <= TARGETS["single_p95_ms"],
    }
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"saved to {path}")


if __name__ == "__main__":
    main()
