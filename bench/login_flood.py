"""Benchmark: the editor's desk page while clients flood the login with random user names.

Starts gunicorn as in production (4 sync workers, the production password hasher) on a fresh
demo database, logs the editor in, and measures the desk page (median and 95th percentile of
sequential requests) three times: quiet, during a flood of failed logins with the throttles
off (limits set out of reach: the behaviour before them), and during the same flood with the
throttles at their defaults. Each flood is ``--clients`` threads sending ``--attempts`` failed
logins in all, each with a new random user name, from one address (a county's NAT). Prints
and saves (JSON, bench/results/login_flood.json) the page times, the flood's answers (200
checked and refused, 429 told to wait), its duration and the audit rows it wrote.

    .venv/bin/python bench/login_flood.py [--clients 8] [--attempts 200] [--samples 30]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import Gunicorn, percentile, save  # noqa: E402  (bench/benchkit.py, after the path is set)

PYTHON = sys.executable
PASSWORD = "Bench-Flood-2026"
OFF = {
    "XINBAO_LOGIN_FAILURES_PER_ADDRESS": "1000000000",
    "XINBAO_LOGIN_FAILURES_GLOBAL": "1000000000",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xinbao-bench-"))
    env = {
        **os.environ,
        "XINBAO_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "xinbao.settings",
        # The desk is measured, not the second factor: the editor logs in with a password.
        "XINBAO_SECOND_FACTOR_ROLES": "",
        "XINBAO_LOG_LEVEL": "WARNING",
    }
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "demo", "--force", "-v0"], env=env, check=True, capture_output=True)
    # The editor's password, set here so the bench depends on no demo value.
    setup = (
        "from xinbao.accounts.models import User; u = User.objects.get(username='editor'); "
        f"u.set_password({PASSWORD!r}); u.must_change_password = False; u.save()"
    )
    subprocess.run([*manage, "shell", "-c", setup], env=env, check=True)

    result: dict[str, Any] = {"clients": args.clients, "attempts": args.attempts}
    for name, extra in (("throttles_off", OFF), ("throttles_on", {})):
        with Gunicorn({**env, **extra}) as server:
            result[name] = measure(server.url, env, args, PASSWORD)
    save("login_flood", result)


class Browser:
    """A cookie-keeping client that never follows redirects and never raises on 4xx."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a: Any, **k: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310  (loopback http only)
        if data is not None:
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=120) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def login(self, username: str, password: str) -> int:
        _status, page = self.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        return self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )[0]


def desk_times(browser: Browser, samples: int, stop: threading.Event | None = None) -> list[float]:
    times: list[float] = []
    while len(times) < samples or (stop is not None and not stop.is_set()):
        t = time.perf_counter()
        status, _page = browser.request("/desk/")
        assert status == 200, status
        times.append((time.perf_counter() - t) * 1000)
        if stop is None and len(times) >= samples:
            break
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "requests": len(times),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": percentile(ordered, 0.95),
    }


def audit_rows(env: dict[str, str]) -> int:
    code = "from xinbao.audit.models import AuditEvent; print(AuditEvent.objects.count())"
    out = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def measure(
    base: str, env: dict[str, str], args: argparse.Namespace, password: str
) -> dict[str, Any]:
    editor = Browser(base)
    assert editor.login("editor", password) == 302
    quiet = desk_times(editor, args.samples)
    rows_before = audit_rows(env)
    answers: dict[int, int] = {}
    lock = threading.Lock()
    per_client = args.attempts // args.clients

    def flood() -> None:
        client = Browser(base)
        for _ in range(per_client):
            status = client.login("nobody-" + secrets.token_hex(4), "wrong-password")
            with lock:
                answers[status] = answers.get(status, 0) + 1

    stop = threading.Event()
    during: list[float] = []
    watcher = threading.Thread(target=lambda: during.extend(desk_times(editor, 1, stop)))
    started = time.perf_counter()
    threads = [threading.Thread(target=flood) for _ in range(args.clients)]
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flood_s = time.perf_counter() - started
    stop.set()
    watcher.join()
    return {
        "desk_quiet": summary(quiet),
        "desk_during_flood": summary(during),
        "flood_seconds": round(flood_s, 1),
        "flood_answers": {str(k): v for k, v in sorted(answers.items())},
        "audit_rows_written": audit_rows(env) - rows_before,
    }


if __name__ == "__main__":
    main()
