"""Load test: an office's busiest hour, with Locust against the real server.

Prepares a fresh database with the demo city (SQLite in a temporary XINBAO_VAR_DIR, or a new
PostgreSQL database beside the one DATABASE_URL names, dropped afterwards), issues waiting for
each signer made through the services, and a password of the bench's own for the people who
take part; starts ``xinbao serve`` (gunicorn, the task worker and the scanner, loopback only);
runs Locust headless (bench/locustfile.py) with reporters submitting items with pictures, editors
at the desk, leaders signing on phones and the duty officer taking incidents; prints p50/p95 per
page, requests and failures, and saves bench/results/busiest_hour_<vendor>.json with the load
average. The second factor is off for the run (the bench measures pages, not authenticator
apps); the lockout never triggers, since every login uses the right password.

    .venv/bin/python bench/busiest_hour.py [--users 50] [--minutes 3] [--database sqlite|postgres]

Bounded: 50 users and 10 minutes at most.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import RESULTS, Server, drop_postgres, fresh_postgres, load_average  # noqa: E402  (bench/benchkit.py, after the path is set)
from login_flood import Browser  # noqa: E402  (the same cookie-keeping client)

PYTHON = sys.executable
MAX_USERS = 50
MAX_MINUTES = 10.0
PASSWORD = "Bench-Busiest-Hour-2026"
DEFAULT_POSTGRES = "postgres://xinbao:xinbao@127.0.0.1:5432/xinbao"
#: Each leader signs at most about one issue every 10 seconds (Locust waits 4–10 s).
SIGNINGS_PER_LEADER_MINUTE = 8


def mix(users: int) -> dict[str, int]:
    """How many of each kind: reporters are most; one duty officer; editors and leaders grow
    with the office (at 50: 39 reporters, 6 editors, 4 leaders, 1 duty officer)."""
    if users < 4:
        raise SystemExit("at least 4 users: one of each kind")
    editors = max(1, users // 8)
    leaders = max(1, users // 12)
    return {
        "reporter": users - editors - leaders - 1,
        "editor": editors,
        "leader": leaders,
        "duty": 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument(
        "--database-url",
        help="Use this migrated database instead of a fresh one (the demo is loaded into it).",
    )
    parser.add_argument("--out", type=Path, help="Where to save the JSON (default bench/results).")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--issues", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--migrated", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.issues, migrate=not args.migrated)
        return
    if not 4 <= args.users <= MAX_USERS:
        parser.error(f"--users: 4 to {MAX_USERS}")
    if not 0 < args.minutes <= MAX_MINUTES:
        parser.error(f"--minutes: more than 0, at most {MAX_MINUTES:g}")
    result = run(args)
    out = args.out or RESULTS / f"busiest_hour_{result['vendor']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    print(f"saved to {out}")
    if result["failures"]:
        raise SystemExit(1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="xinbao-busiest-"))
    base_postgres = ""
    if args.database_url:
        url = args.database_url
    elif args.database == "postgres":
        base_postgres = os.environ.get("DATABASE_URL", "")
        base_postgres = base_postgres if base_postgres.startswith("postgres") else DEFAULT_POSTGRES
        url = fresh_postgres(base_postgres)
    else:
        url = f"sqlite:///{folder / 'busiest.sqlite3'}"
    vendor = "postgresql" if url.startswith("postgres") else "sqlite"
    env = {
        **os.environ,
        "XINBAO_VAR_DIR": str(folder),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "xinbao.settings",
        "XINBAO_SECOND_FACTOR_ROLES": "",
        "XINBAO_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    kinds = mix(args.users)
    leaders_per_role = math.ceil(kinds["leader"] / 2)
    issues = math.ceil(leaders_per_role * args.minutes * SIGNINGS_PER_LEADER_MINUTE) + 2
    plan = folder / "plan.json"
    try:
        started = time.monotonic()
        subprocess.run(
            [
                *(PYTHON, __file__, "--prepare", str(plan), "--issues", str(issues)),
                *(["--migrated"] if args.database_url else []),
            ],
            env=env,
            check=True,
        )
        prepared_s = round(time.monotonic() - started, 1)
        started = time.monotonic()
        with Server(env, lambda port: serve_argv(port, args.web_workers), "serve.log") as server:
            started_s = round(time.monotonic() - started, 1)
            started = time.monotonic()
            figures = locust(server.url, env, plan, kinds, args)
            ran_s = round(time.monotonic() - started, 1)
            check = desk_check(server.url, plan, figures)
    finally:
        if base_postgres:
            os.environ["DJANGO_SETTINGS_MODULE"] = "xinbao.settings"
            os.environ["DATABASE_URL"] = url
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            drop_postgres(base_postgres, url)
    # The database, the server's log and Locust's figures: kept where something failed.
    if figures["failures"] or not check["visible_on_desk"]:
        print(f"kept: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "benchmark": "busiest_hour",
        "vendor": vendor,
        "users": args.users,
        "mix": kinds,
        "minutes": args.minutes,
        "web_workers": args.web_workers,
        "prepared_s": prepared_s,
        "server_start_s": started_s,
        "locust_s": ran_s,
        "issues_prepared_per_signer": issues,
        **figures,
        "desk_check": check,
        "load_average": load_average(),
        "cpus": os.cpu_count(),
    }


def serve_argv(port: int, workers: int) -> list[str]:
    """``xinbao serve``: web, worker and scanner; it stops them all on SIGTERM."""
    return [
        *(PYTHON, "-m", "xinbao.cli", "serve", "--bind", f"127.0.0.1:{port}"),
        *("--web-workers", str(workers)),
    ]


def locust(
    url: str, env: dict[str, str], plan: Path, kinds: dict[str, int], args: argparse.Namespace
) -> dict[str, Any]:
    out = plan.parent / "locust.json"
    seconds = max(1, round(args.minutes * 60))
    subprocess.run(
        [
            str(Path(PYTHON).parent / "locust"),
            *("-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", url),
            *("--users", str(args.users), "--spawn-rate", str(max(4, args.users // 5))),
            *("--run-time", f"{seconds}s", "--stop-timeout", "30", "--only-summary"),
            *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
        ],
        env={
            **env,
            "BUSIEST_HOUR_PLAN": str(plan),
            "BUSIEST_HOUR_OUT": str(out),
            "BUSIEST_HOUR_EDITORS": str(kinds["editor"]),
            "BUSIEST_HOUR_LEADERS": str(kinds["leader"]),
            "BUSIEST_HOUR_DUTY": str(kinds["duty"]),
        },
        cwd=ROOT,
        check=True,
        timeout=seconds + 120,
    )
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures


def desk_check(url: str, plan: Path, figures: dict[str, Any]) -> dict[str, Any]:
    """An item a reporter submitted in the run, opened afterwards on an editor's desk."""
    submitted = figures.pop("submitted")
    if not submitted:
        return {"item": None, "visible_on_desk": False}
    last = submitted[-1]
    data = json.loads(plan.read_text())
    browser = Browser(url)
    assert browser.login(data["accounts"]["editor"][0], data["password"]) == 302
    status, page = browser.request(f"/desk/{last['id']}/")
    return {"item": last["id"], "visible_on_desk": status == 200 and last["title"] in page}


def print_table(result: dict[str, Any]) -> None:
    pages = result["pages"]
    width = max(len(n) for n in pages)
    print(
        f"busiest hour on {result['vendor']}: {result['users']} users "
        f"({', '.join(f'{v} {k}' for k, v in result['mix'].items())}), {result['minutes']:g} min"
    )
    print(f"{'page':<{width}}  {'requests':>8}  {'failures':>8}  {'p50 ms':>7}  {'p95 ms':>7}")
    for name, p in pages.items():
        print(
            f"{name:<{width}}  {p['requests']:>8}  {p['failures']:>8}  "
            f"{p['p50_ms']:>7.0f}  {p['p95_ms']:>7.0f}"
        )
    print(
        f"{'all':<{width}}  {result['requests']:>8}  {result['failures']:>8}  "
        f"{result['p50_ms']:>7.0f}  {result['p95_ms']:>7.0f}"
    )
    print(f"requests/s {result['requests_per_s']}, load average {result['load_average']}")
    print("done: " + ", ".join(f"{k} {v}" for k, v in sorted(result["done"].items())))
    print(f"desk check: {result['desk_check']}")
    for error in result["errors"]:
        print(f"error: {error['count']}× {error['page']}: {error['error']}")


def prepare(plan: Path, issues: int, *, migrate: bool) -> None:
    """In the bench's database: migrations (unless told it is migrated), the demo, the bench's
    password for the people who take part, ``issues`` issues awaiting each signer's signature;
    the plan for Locust."""
    import io

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)
    said = io.StringIO()
    call_command("demo", force=True, verbosity=0, stdout=said)
    # What the demo skipped (parts it found set up already) explains a missing login or rule.
    skipped = [line for line in said.getvalue().splitlines() if line.startswith("Skipped:")]
    if skipped:
        print("\n".join(skipped), file=sys.stderr)

    from xinbao.accounts.models import Role, User
    from xinbao.org.models import Unit

    def usernames(role: str, **extra: Any) -> list[str]:
        return list(
            User.objects.filter(role=role, is_active=True, **extra)
            .order_by("username")
            .values_list("username", flat=True)
        )

    accounts = {
        "reporter": usernames(Role.REPORTER, unit__isnull=False),
        "editor": usernames(Role.EDITOR),
        "leader": usernames(Role.LEADER_IN_CHARGE)[:1] + usernames(Role.PRINCIPAL_LEADER)[:1],
        "duty": usernames(Role.DUTY_OFFICER),
    }
    for kind, names in accounts.items():
        if not names:
            raise SystemExit(f"the demo has no {kind} login")
    for user in User.objects.filter(username__in=[n for names in accounts.values() for n in names]):
        user.set_password(PASSWORD)
        user.must_change_password = False
        user.save()
    periodical = issues_to_sign(issues)
    units = list(
        Unit.objects.filter(is_active=True).order_by("kind", "code").values_list("pk", flat=True)
    )[:12]
    plan.write_text(
        json.dumps(
            {"password": PASSWORD, "accounts": accounts, "periodical": periodical, "units": units}
        )
    )


def issues_to_sign(count: int) -> int:
    """``count`` one-item issues awaiting the leader in charge and as many awaiting the
    principal leader, each item a unit's, adopted and compiled as the office does; returns the
    periodical the editors adopt into."""
    from xinbao.accounts.models import Role, User
    from xinbao.desk import services as desk
    from xinbao.items.models import Urgency
    from xinbao.items.services import ItemData, create_item
    from xinbao.periodicals import services as periodicals
    from xinbao.periodicals.models import IssueState, Periodical, SignerRule
    from xinbao.periodicals.routing import signer_for_urgency

    editor = User.objects.filter(role=Role.EDITOR, is_active=True).order_by("username").first()
    chief = User.objects.filter(role=Role.SECTION_CHIEF, is_active=True).first()
    reporters = list(User.objects.filter(role=Role.REPORTER, is_active=True, unit__isnull=False))
    active = list(Periodical.objects.filter(is_active=True).order_by("pk"))
    assert editor is not None and chief is not None and reporters and active

    def route(role: str) -> tuple[Periodical, str]:
        for p in active:
            if p.signer_rule == role:
                return p, Urgency.ROUTINE
            if p.signer_rule == SignerRule.BY_URGENCY:
                for urgency in Urgency:
                    if signer_for_urgency(urgency) == role:
                        return p, urgency
        raise SystemExit(f"no periodical is signed by {role}")

    for role in (Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER):
        periodical, urgency = route(role)
        for n in range(count):
            reporter = reporters[n % len(reporters)]
            item = create_item(
                user=reporter,
                data=ItemData(
                    title=f"关于做好近期重点工作的情况报告（第{n + 1}号）",
                    body="一、基本情况\n近期各项重点工作总体平稳有序。\n二、下一步打算\n持续跟踪问效。",
                    kind="dynamic",
                    urgency=urgency,
                    writer_name="王晓",
                    writer_phone="13900002222",
                ),
                submit=True,
            )
            desk.adopt(user=editor, item=item, periodicals=[periodical])
            issue = periodicals.create_issue(user=editor, periodical=periodical)
            periodicals.add_items(user=editor, issue=issue, items=[item])
            issue = periodicals.submit(user=editor, issue=issue)
            if issue.state == IssueState.SECTION_CHECK:
                issue = periodicals.check(user=chief, issue=issue)
            assert issue.state == IssueState.AWAITING_SIGNATURE and issue.signer_role == role
    return active[0].pk


if __name__ == "__main__":
    main()
