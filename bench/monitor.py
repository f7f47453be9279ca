"""Benchmark: collection end to end — S sources × P posts served from loopback, polled by the
scanner's code (fetch, parse, extract, dedupe, match W watch terms, store) — and the watchlist's
automaton measured alone on the same text, with both candidate libraries.

Each source is an RSS feed on one local HTTP server (the politeness gap set to 0: every source
on one host); a twentieth of the posts are reposts of another source's post under another URL
(recognised by content hash or by MinHash bands: stored as aliases, not posts). Post texts are
3–8 sentences drawn from ``../shared/data`` (government work reports, CEC reports) when it is
there, else from a few built-in sentences. The watch terms are words of that text of middling
frequency (so that posts hit some, not hundreds), filled up with random three-character terms.

Figures: seconds, CPU seconds (the process: the scanner's code and the local server's threads)
and peak memory of the poll of every source; a second poll (every feed answers 304); matching
throughput in MB/s (UTF-8) of the pipeline's matcher (``xinbao.monitor.watch``: post by post,
with the hits' objects and context) beside the raw automaton's over the same text in one call,
for ahocorasick-rs (used) and pyahocorasick (measured against it).

    .venv/bin/python bench/monitor.py [--sources 100] [--posts 50] [--terms 10000]

Uses a fresh SQLite database in a temporary folder, or the PostgreSQL of DATABASE_URL (a new
database is created there and dropped afterwards). Prints and saves JSON in
bench/results/monitor.json (one entry per database).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import MemoryPhase, bench_database, save  # noqa: E402  (bench/benchkit.py, after the path is set)

_SPLIT = re.compile(r"(?<=[。！？!?])")
FALLBACK = [
    "12月7日上午，东城县东河镇因连日降雨发生内涝，部分村民房屋进水。",
    "镇政府已组织转移群众120人，县应急管理局派出工作组赶赴现场。",
    "西山县城南一家小餐馆发生火灾，消防救援人员迅速到场处置。",
    "澜江市交通运输局发布消息，市区主干道改造工程本周进入路面铺设阶段。",
    "施工期间部分路段实行交通管制，请市民合理安排出行路线。",
    "全市上下坚持稳中求进工作总基调，推动经济社会高质量发展。",
    "今年以来，全县新增城镇就业人员3200人，居民人均可支配收入增长6.1%。",
    "县委召开常委会议，研究部署安全生产和森林防火工作。",
]


def sentences(data: Path = DATA) -> list[str]:
    """Sentences of the corpus (or the built-in ones when it is absent)."""
    out: list[str] = []
    reports = data / "gov-reports" / "government_work_reports.jsonl"
    if reports.exists():
        for line in reports.read_text(encoding="utf-8").splitlines()[:400]:
            if line.strip():
                for para in json.loads(line).get("content", "").split("\n"):
                    out.extend(s.strip() for s in _SPLIT.split(para) if len(s.strip()) > 8)
    cec = data / "cec" / "text"
    if cec.exists():
        for path in sorted(cec.rglob("*.txt"))[:300]:
            body = "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[1:])
            out.extend(s.strip() for s in _SPLIT.split(body) if len(s.strip()) > 8)
    return out or FALLBACK


def _feed(items: list[tuple[str, str, str]]) -> bytes:
    from xml.sax.saxutils import escape

    body = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<description>{escape(d)}</description>"
        "<pubDate>Mon, 07 Dec 2026 10:00:00 +0800</pubDate></item>"
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>'
        f"<link>http://bench/</link>{body}</channel></rss>"
    ).encode()


def make_feeds(n_sources: int, n_posts: int, rng: random.Random, base: str) -> dict[str, bytes]:
    """path → RSS bytes; every 20th post of a source repeats another source's post."""
    pool = sentences()
    texts: list[list[tuple[str, str, str]]] = []
    for s in range(n_sources):
        items = []
        for p in range(n_posts):
            if s and p % 20 == 19:
                title, _link, text = texts[rng.randrange(s)][rng.randrange(n_posts)]
            else:
                text = "".join(rng.sample(pool, min(len(pool), rng.randint(3, 8))))
                title = text[: rng.randint(12, 24)]
            items.append((title, f"{base}/post/{s}/{p}?utm_source=bench", text))
        texts.append(items)
    return {f"/feed/{s}": _feed(items) for s, items in enumerate(texts)}


def watch_terms(feeds: dict[str, bytes], n: int, rng: random.Random) -> list[str]:
    """n terms: words of middling frequency in the posts, then random three-character ones."""
    from xinbao.lib.text import segment

    sample = b"".join(list(feeds.values())[:20]).decode()
    words = Counter(w for w in segment(re.sub(r"<[^>]+>", " ", sample)) if len(w) >= 2)
    ranked = [w for w, _c in words.most_common()]
    terms = ranked[len(ranked) // 10 : len(ranked) // 10 + n // 2]
    while len(terms) < n:
        terms.append("".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(3)))
    return list(dict.fromkeys(terms))[:n]


def _serve(feeds: dict[str, bytes]) -> tuple[Any, str]:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = feeds.get(self.path)
            etag = f'"{hash(body)}"'
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _mb_s(nbytes: int, seconds: float) -> float:
    return round(nbytes / 1e6 / seconds, 1) if seconds > 0 else 0.0


def automata(texts: list[str], keys: list[str]) -> dict[str, Any]:
    """Both libraries' build time and raw matching speed over the texts joined (one call)."""
    import ahocorasick  # type: ignore[import-not-found]  # pyahocorasick is a C extension without stubs
    import ahocorasick_rs

    joined = "\n".join(texts)
    nbytes = len(joined.encode())
    t = time.perf_counter()
    rs = ahocorasick_rs.AhoCorasick(keys)
    rs_build = time.perf_counter() - t
    t = time.perf_counter()
    rs_found = len(rs.find_matches_as_indexes(joined, overlapping=True))
    rs_match = time.perf_counter() - t
    t = time.perf_counter()
    py = ahocorasick.Automaton()
    for i, key in enumerate(keys):
        py.add_word(key, i)
    py.make_automaton()
    py_build = time.perf_counter() - t
    t = time.perf_counter()
    py_found = sum(1 for _ in py.iter(joined))
    py_match = time.perf_counter() - t
    return {
        "text_mb": round(nbytes / 1e6, 2),
        "ahocorasick_rs": {
            "build_ms": round(rs_build * 1000, 1),
            "mb_s": _mb_s(nbytes, rs_match),
            "matches": rs_found,
        },
        "pyahocorasick": {
            "build_ms": round(py_build * 1000, 1),
            "mb_s": _mb_s(nbytes, py_match),
            "matches": py_found,
        },
    }


def run(n_sources: int, n_posts: int, n_terms: int, seed: int = 7) -> dict[str, Any]:
    """Build the sources and terms, poll everything twice, measure the matchers."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from xinbao.accounts.models import Role, User
    from xinbao.monitor import poll, services, watch
    from xinbao.monitor.models import Hit, Post, PostAlias, Source, TermKind

    settings.XINBAO_MONITOR = {
        **getattr(settings, "XINBAO_MONITOR", {}),
        "host_gap_seconds": 0,
        "allowed_networks": ["127.0.0.0/8"],  # its feeds are served on loopback
    }
    rng = random.Random(seed)
    # The posts' links are never fetched (a feed entry is stored from the feed itself).
    feeds = make_feeds(n_sources, n_posts, rng, "http://news.example.cn")
    server, base = _serve(feeds)
    try:
        editor = User.objects.create_user(username="bench-editor", role=Role.EDITOR)
        terms = watch_terms(feeds, n_terms, rng)
        services.add_terms(user=editor, kind=TermKind.KEYWORD, terms=terms)
        for s in range(n_sources):
            services.create_source(
                user=editor,
                data=services.SourceData(
                    name=f"源{s}", kind="feed", url=f"{base}/feed/{s}", interval_minutes=30
                ),
            )
        Source.objects.update(next_due=timezone.now())
        watch.automaton()  # built once, as a running scanner has it

        def poll_all() -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            while keys := poll.due(limit=1000):
                for pk in keys:
                    poll.poll(pk)
            return time.perf_counter() - wall, time.process_time() - cpu

        with MemoryPhase() as memory:
            seconds, cpu = poll_all()
        Source.objects.update(next_due=timezone.now())
        again, again_cpu = poll_all()

        posts = list(Post.objects.values_list("title", "text", "normalised"))
        texts = [n for _t, _x, n in posts]
        nbytes = sum(len(t.encode()) for t in texts)
        ac = watch.automaton()
        t = time.perf_counter()
        found = 0
        for text in texts:
            for m in ac.find(text):
                watch.context(text, m.start, m.end, 30)
                found += 1
        pipeline = time.perf_counter() - t
        failing = list(Source.objects.exclude(state="ok").values_list("name", "last_error"))
        total = n_sources * n_posts
        return {
            "benchmark": "monitor",
            "database": connection.vendor,
            "sources": n_sources,
            "posts_per_source": n_posts,
            "watch_terms": len(terms),
            "posts_served": total,
            "posts_stored": len(posts),
            "reposts_linked": PostAlias.objects.count(),
            "hits": Hit.objects.count(),
            "failing_sources": failing,
            "poll": {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "posts_per_second": round(total / seconds, 1) if seconds else None,
                **memory.figures(),
            },
            "second_poll_304": {"seconds": round(again, 2), "cpu_seconds": round(again_cpu, 2)},
            "matching": {
                "text_mb": round(nbytes / 1e6, 2),
                "pipeline_mb_s": _mb_s(nbytes, pipeline),
                "pipeline_matches": found,
                **automata(texts, [watch.term_key(t) for t in terms]),
            },
        }
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--terms", type=int, default=10_000)
    args = parser.parse_args()
    with bench_database():
        result = run(args.sources, args.posts, args.terms)
    save("monitor", result, key=f"{result['database']}_{args.sources}x{args.posts}")


if __name__ == "__main__":
    main()
