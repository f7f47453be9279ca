"""What the benches share: a throw-away PostgreSQL database, gunicorn on a loopback port, and
the JSON file each bench saves its figures to."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def fresh_postgres(url: str) -> str:
    """A new empty database beside the one ``url`` names; its URL."""
    import psycopg

    name = f"xinbao_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str, db_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@dataclass(frozen=True)
class BenchDatabase:
    folder: Path
    """The bench's ``XINBAO_VAR_DIR`` (and its SQLite file)."""
    url: str


@contextmanager
def bench_database(*, migrate: bool = True, keep: bool = False) -> Iterator[BenchDatabase]:
    """Django set up in this process over a database of the bench's own: SQLite in a new
    temporary folder, or, when ``DATABASE_URL`` names a PostgreSQL, a new database beside it,
    dropped afterwards. ``migrate``: migrated before the bench runs; ``keep``: the folder (with
    the SQLite file, for EXPLAIN) is left, else removed (10^6 items take gigabytes)."""
    folder = Path(tempfile.mkdtemp(prefix="xinbao-bench-"))
    os.environ["XINBAO_VAR_DIR"] = str(folder)
    base_url = os.environ.get("DATABASE_URL", "")
    postgres = base_url.startswith("postgres")
    url = fresh_postgres(base_url) if postgres else f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinbao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        if migrate:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        yield BenchDatabase(folder, url)
    finally:
        if postgres:
            drop_postgres(base_url, url)
        if keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def save(name: str, result: dict[str, Any], key: str | None = None) -> Path:
    """Prints ``result`` and writes it to bench/results/``name``.json: the whole file, or under
    ``key`` beside the figures of the other runs (one entry per database, say)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    if key is not None:
        saved = json.loads(out.read_text()) if out.exists() else {}
        # A file from before the entries were keyed holds one result: started afresh.
        saved = saved if "benchmark" not in saved else {}
        saved[key] = result
        result = saved
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result if key is None else result[key], indent=2, ensure_ascii=False))
    print(f"saved to {out.relative_to(ROOT)}")
    return out


class Server:
    """A server process (``argv(port)``) on a free loopback port, its output in the var dir;
    entered once its login page answers, stopped with SIGTERM (its process group killed if it
    does not stop in 30 s)."""

    def __init__(
        self, env: dict[str, str], argv: Callable[[int], list[str]], log: str, start_s: int = 90
    ) -> None:
        self.env, self.start_s = env, start_s
        self.port = free_port()
        self.argv = argv(self.port)
        self.log_path = Path(env["XINBAO_VAR_DIR"]) / log
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            # Every failed login logs a warning (axes): kept out of the bench's own output.
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.start_s
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=2)  # noqa: S310  (our own loopback http URL)
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"the server did not start; see {self.log_path}")

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def Gunicorn(env: dict[str, str], workers: int = 4, timeout: int = 120) -> Server:
    """gunicorn (``workers`` sync workers) on a free loopback port."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return Server(
        env,
        lambda port: [
            *(gunicorn, "xinbao.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(workers), "--timeout", str(timeout), "--log-level", "warning"),
        ],
        "gunicorn.log",
        start_s=60,
    )


def percentile(times: list[float], q: float, digits: int = 1) -> float:
    """The ``q`` quantile of ``times`` by the nearest rank, rounded: of 5 runs, p95 is the
    slowest and p50 the third."""
    ordered = sorted(times)
    return round(ordered[max(math.ceil(q * len(ordered)) - 1, 0)], digits)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (Linux reports it in KiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _status_mb(field: str) -> float | None:
    """A ``Vm...`` figure of /proc/self/status in MB, or None where there is no /proc."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


class MemoryPhase:
    """The resident memory one phase of the process costs (the queries, after the build).

    ``ru_maxrss`` only grows, so after a build of 10^6 items it says what the build cost. On
    entry the kernel's high-water mark is reset to the current RSS (``/proc/self/clear_refs``,
    Linux 4.0+), so on exit ``peak_mb`` is the highest RSS during the phase alone and
    ``growth_mb`` what the phase added to the RSS it started with. ``process_peak_mb`` is the
    peak of the whole process, before the phase included (resetting the mark also resets
    ``ru_maxrss``). Where the mark cannot be reset, ``peak_mb`` is None.
    """

    def __enter__(self) -> MemoryPhase:
        import gc

        gc.collect()
        self.before_peak_mb = peak_memory_mb()
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.reset = True
        except OSError:
            self.reset = False
        self.start_mb = _status_mb("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        hwm = _status_mb("VmHWM") if self.reset else None
        # The kernel keeps the mark lazily; it can miss pages touched just after the reset.
        self.peak_mb = max(hwm, self.start_mb or 0.0) if hwm is not None else None
        self.growth_mb = (
            round(self.peak_mb - self.start_mb, 1)
            if self.peak_mb is not None and self.start_mb is not None
            else None
        )
        self.process_peak_mb = max(self.before_peak_mb, peak_memory_mb(), self.peak_mb or 0.0)

    def figures(self) -> dict[str, float | None]:
        """The JSON keys the benches report: whole-process peak, build and query phases."""
        return {
            "peak_memory_mb": self.process_peak_mb,
            "build_peak_memory_mb": self.before_peak_mb,
            "query_start_rss_mb": self.start_mb,
            "query_peak_memory_mb": self.peak_mb,
            "query_memory_growth_mb": self.growth_mb,
        }


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (shared cores make timings slower)."""
    return [round(x, 2) for x in os.getloadavg()]
