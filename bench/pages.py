"""Benchmark: the server time of every page of every role, on the demo city grown to N items.

Builds the database once (``xinbao demo`` and ``demo --scale N``: ``xinbao.demo.scale``) into a
kept place, reused by later runs: SQLite in var/bench/pages-sqlite-<N>/, or the PostgreSQL
database xinbao_pages_<N> beside the one DATABASE_URL names (default: the local xinbao one),
with its var folder (audit key, media) in var/bench/pages-postgresql-<N>/. Then signs in as
every demo role (reporter, editor, section chief, the two leaders, duty officer, liaison and
the three administrators), opens every entry of the role's menu (``xinbao.lib.menu``, as
xinbao/tests/test_menu.py does) and the pages that matter at scale reached from them (the desk's
queue and inbox search, search with a very common word and a rare one, an item, an issue, the
downloads of an issue and of the scores), and measures the in-process server time of each
request (Django's test client: wall time from the request to the response, no network), p50 and
p95 over K runs after one warm-up, and the queries of one request.

    .venv/bin/python bench/pages.py [--items N] [--database sqlite|postgres] [--runs K]

Prints a table, slowest first, pages over 100 ms p95 marked, and saves
bench/results/pages_<vendor>_<N>.json. --rebuild drops the kept database first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import load_average, percentile, save  # noqa: E402  (bench/benchkit.py, after the path is set)

TARGET_P95_MS = 100.0
DEFAULT_POSTGRES = "postgres://xinbao:xinbao@127.0.0.1:5432/xinbao"
#: A word in a good share of the items, and one in very few.
COMMON_WORD = "工作"
RARE_WORD = "冰雹"
#: The demo's office logins, one a role (the reporter is added: the unit with most items).
OFFICE_LOGINS = (
    "editor",
    "chief",
    "leader",
    "principal",
    "duty",
    "liaison",
    "sysadmin",
    "secadmin",
    "auditor",
)


@dataclass(frozen=True)
class Page:
    role: str
    label: str
    url: str


@dataclass
class Timing:
    page: Page
    status: int
    queries: int
    size: int
    times_ms: list[float]

    def row(self) -> dict[str, Any]:
        p95 = percentile(self.times_ms, 0.95)
        return {
            "role": self.page.role,
            "page": self.page.label,
            "url": self.page.url,
            "status": self.status,
            "p50_ms": percentile(self.times_ms, 0.5),
            "p95_ms": p95,
            "queries": self.queries,
            "bytes": self.size,
            "slow": p95 > TARGET_P95_MS,
        }


def setup(items: int, database: str, rebuild: bool = False) -> str:
    """Point Django at the kept database of ``items`` items on ``database`` and set it up;
    the database's description."""
    folder = (
        ROOT
        / "var"
        / "bench"
        / f"pages-{'postgresql' if database == 'postgres' else 'sqlite'}-{items}"
    )
    if database == "postgres":
        base = os.environ.get("DATABASE_URL", "")
        base = base if base.startswith("postgres") else DEFAULT_POSTGRES
        name = f"xinbao_pages_{items}"
        url = base.rsplit("/", 1)[0] + "/" + name
        _postgres_database(base, name, rebuild)
    else:
        url = f"sqlite:///{folder / 'pages.sqlite3'}"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "XINBAO_VAR_DIR": str(folder),
            "XINBAO_AUDIT_KEY_FILE": str(folder / "audit.key"),
            "XINBAO_AUDIT_CHECKPOINT_DIR": str(folder / "audit-checkpoints"),
            # Pages are timed for signed-in people: the second factor is not what is measured.
            "XINBAO_SECOND_FACTOR_ROLES": "",
            "DJANGO_SETTINGS_MODULE": "xinbao.settings",
        }
    )
    import django

    django.setup()
    return url.rsplit("@", 1)[-1]


def _postgres_database(base: str, name: str, rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        if rebuild:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(items: int, out: Callable[[str], None] = print) -> float:
    """Migrate, load the demo and grow it to ``items`` (nothing when it is there); seconds."""
    from django.core.management import call_command

    from xinbao.demo.scale import grow
    from xinbao.demo.writer import demo_logins, load_demo
    from xinbao.items.models import Item

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not demo_logins():
        out("Loading the demo city.")
        load_demo()
    if Item.objects.count() < items:
        grow(target=items, out=out)
    from django.db import connection

    # Statistics for the planner, also of indexes a newer migration added to a kept database.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def users() -> list[Any]:
    """One demo user a role: the office's logins and the reporter of the busiest unit."""
    from django.db.models import Count

    from xinbao.accounts.models import Role, User
    from xinbao.items.models import Item

    found = {u.username: u for u in User.objects.filter(username__in=OFFICE_LOGINS)}
    out = [found[name] for name in OFFICE_LOGINS if name in found]
    busiest = Item.objects.values("unit").annotate(n=Count("pk")).order_by("-n").values_list("unit")
    reporter = (
        User.objects.filter(role=Role.REPORTER, is_active=True, unit__in=busiest[:1])
        .order_by("pk")
        .first()
    )
    return ([reporter] if reporter is not None else []) + out


def pages_of(user: Any) -> list[Page]:
    """Every menu entry of ``user`` and the pages reached from them that grow with the data."""
    from django.urls import reverse
    from django.utils import translation

    from xinbao.accounts.models import Role
    from xinbao.accounts.permissions import can_use_desk
    from xinbao.items.models import Item, ItemStatus
    from xinbao.lib.menu import entries_for
    from xinbao.periodicals.models import Issue, IssueState

    role = user.role
    with translation.override("en"):
        found = [Page(role, str(e.label), e.url) for e in entries_for(user)]
    admins = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
    if role not in admins:
        search = reverse("items:search")
        found += [
            Page(role, f"search {COMMON_WORD}", f"{search}?q={COMMON_WORD}"),
            Page(role, f"search {RARE_WORD}", f"{search}?q={RARE_WORD}"),
        ]
    if role == Role.REPORTER:
        own = Item.objects.filter(unit=user.unit_id).order_by("-pk").first()
        if own is not None:
            found.append(Page(role, "own item", reverse("items:detail", args=[own.pk])))
    if can_use_desk(user):
        inbox = reverse("desk:inbox")
        found += [
            Page(role, "desk queue", reverse("desk:queue")),
            Page(role, f"desk inbox search {COMMON_WORD}", f"{inbox}?q={COMMON_WORD}"),
            Page(role, f"desk inbox search {RARE_WORD}", f"{inbox}?q={RARE_WORD}"),
            Page(role, "desk inbox page 50", f"{inbox}?page=50"),
        ]
        item = Item.objects.filter(status=ItemStatus.ADOPTED).order_by("-pk").first()
        if item is not None:
            found.append(Page(role, "desk item", reverse("desk:item", args=[item.pk])))
    if role in {Role.EDITOR, Role.SECTION_CHIEF, Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER}:
        issue = Issue.objects.filter(state=IssueState.DISTRIBUTED).order_by("-pk").first()
        if issue is not None:
            if role in {Role.EDITOR, Role.SECTION_CHIEF}:
                # The section's page of the issue (the leaders read it in the reading room).
                found.append(Page(role, "issue", reverse("periodicals:issue", args=[issue.pk])))
            found.append(
                Page(role, "issue DOCX", reverse("periodicals:issue_docx", args=[issue.pk]))
            )
        found.append(Page(role, "scores export", reverse("scoring:export")))
    return found


def measure(runs: int, out: Callable[[str], None] = print) -> list[Timing]:
    """Every page of every role: a warm-up counting the queries, then ``runs`` timed requests."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    timings: list[Timing] = []
    hosts = ["testserver", "127.0.0.1", "localhost"]
    with override_settings(
        ALLOWED_HOSTS=hosts, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):
        for user in users():
            # A failing page is reported with its status, not raised.
            client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(user)
            pages = pages_of(user)
            for page in pages:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(page.url)
                # Read now: the next request empties the connection's query log.
                count = len(queries.captured_queries)
                size = len(response.content)
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    client.get(page.url)
                    times.append((time.perf_counter() - started) * 1000)
                timings.append(Timing(page, response.status_code, count, size, times))
            out(f"  {user.role}: {len(pages)} pages")
    return timings


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'':2}{'p95 ms':>8} {'p50 ms':>8} {'queries':>7} {'status':>6}  {'role':<18} page",
    ]
    for r in rows:
        mark = "**" if r["slow"] else ""
        lines.append(
            f"{mark:2}{r['p95_ms']:>8.1f} {r['p50_ms']:>8.1f} {r['queries']:>7} {r['status']:>6}  "
            f"{r['role']:<18} {r['page']} ({r['url']})"
        )
    return "\n".join(lines)


def run(runs: int, out: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure the pages of the database Django is set up on; the results."""
    from django.db import connection

    from xinbao.items.models import Item

    load_before = load_average()
    started = time.perf_counter()
    timings = measure(runs, out)
    rows = sorted((t.row() for t in timings), key=lambda r: -r["p95_ms"])
    return {
        "benchmark": "pages",
        "database": connection.vendor,
        "items": Item.objects.count(),
        "runs": runs,
        "target_p95_ms": TARGET_P95_MS,
        "pages": len(rows),
        "slow_pages": sum(r["slow"] for r in rows),
        "not_ok": [r for r in rows if r["status"] != 200],
        "measure_s": round(time.perf_counter() - started, 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "python": sys.version.split()[0],
        "results": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=5, help="timed requests a page (K)")
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the kept database and build it again"
    )
    args = parser.parse_args()
    where = setup(args.items, args.database, args.rebuild)
    print(f"Database: {where}")
    build_s = build(args.items)
    result = run(args.runs)
    result["build_s"] = round(build_s, 1)
    print(table(result["results"]))
    print(
        f"{result['pages']} pages, {result['slow_pages']} over {TARGET_P95_MS:.0f} ms p95 (**), "
        f"{len(result['not_ok'])} not 200"
    )
    save(f"pages_{result['database']}_{args.items}", result)


if __name__ == "__main__":
    main()
