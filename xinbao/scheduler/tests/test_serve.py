"""`xinbao serve` keeps web, worker and scanner running; the systemd units restart them too."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from xinbao.scheduler.management.commands.serve import Supervisor

UNITS = Path(__file__).resolve().parents[3] / "docs" / "systemd"
SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310  (http://127.0.0.1 only)
            return bool(response.status == 200)
    except OSError:
        return False


def until(condition: object, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie not yet reaped counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def test_it_restarts_a_killed_worker_while_web_keeps_answering(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    web = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
    supervisor = Supervisor(
        {"web": web, "worker": SLEEP, "scanner": SLEEP},
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stop_grace=3,
    )
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    try:
        assert until(lambda: answers(url))
        worker = supervisor.children["worker"].process
        web_process = supervisor.children["web"].process
        assert worker is not None and web_process is not None
        first_pid = worker.pid
        os.kill(first_pid, signal.SIGKILL)

        def restarted() -> bool:
            process = supervisor.children["worker"].process
            return process is not None and process.pid != first_pid and alive(process.pid)

        assert until(restarted, 4)
        assert answers(url)
        assert supervisor.children["web"].process is web_process
        assert supervisor.children["worker"].restarts == 1
        assert supervisor.children["scanner"].restarts == 0
    finally:
        supervisor.stop.set()
        thread.join(10)
    assert not thread.is_alive()
    pids = [c.process.pid for c in supervisor.children.values() if c.process is not None]
    assert len(pids) == 3
    assert not any(alive(pid) for pid in pids)
    assert not answers(url)


def test_it_backs_off_doubling_to_the_ceiling_and_resets_after_a_stable_run() -> None:
    supervisor = Supervisor(
        {"worker": [sys.executable, "-c", "pass"]}, first_delay=0.1, max_delay=0.4, stable_after=60
    )
    child = supervisor.children["worker"]
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    try:
        assert until(lambda: child.restarts >= 3, 5)
        assert child.delay == 0.4
        supervisor.stable_after = 0
        restarts = child.restarts
        assert until(lambda: child.restarts >= restarts + 2, 5)
        assert child.delay == 0.2  # reset to 0.1 on each exit after a "stable" run, then doubled
    finally:
        supervisor.stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_it_serves_on_after_a_child_dies_and_stops_every_child_on_sigterm(tmp_path: Path) -> None:
    """The real command: a killed worker comes back, web stays; SIGTERM stops all three."""
    port = free_port()
    env = {
        **os.environ,
        "XINBAO_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "xinbao.settings",
    }
    env.pop("DATABASE_URL", None)
    # A migrated SQLite database of its own, so that the worker and the scanner stay up.
    subprocess.run(
        [sys.executable, "-m", "xinbao.cli", "migrate", "-v0"], env=env, check=True, timeout=60
    )
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xinbao.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--web-workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        children: list[int] = []

        def three_children() -> bool:
            children[:] = [
                int(p)
                for p in Path(f"/proc/{serve.pid}/task/{serve.pid}/children").read_text().split()
            ]
            return len(children) == 3

        assert until(three_children, 10)
        worker = next(pid for pid in children if b"xinbao.cli\0worker" in cmdline(pid))
        web = next(pid for pid in children if b"gunicorn" in cmdline(pid))
        os.kill(worker, signal.SIGKILL)
        assert until(lambda: three_children() and worker not in children, 5)
        assert web in children and serve.poll() is None
        serve.send_signal(signal.SIGTERM)
        _, err = serve.communicate(timeout=15)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    assert serve.returncode == 0, err.decode()
    log = err.decode()
    assert f"worker (pid {worker}) exited with status -9; restarting in 1 s" in log
    assert "exited with status 1" not in log
    assert not any(alive(pid) for pid in children)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_it_ships_systemd_units_that_verify_and_always_restart(tmp_path: Path) -> None:
    units = sorted(UNITS.glob("*.service"))
    assert [u.name for u in units] == [
        "xinbao-scan.service",
        "xinbao-web.service",
        "xinbao-worker.service",
    ]
    checkout = Path(__file__).resolve().parents[3]
    for unit in units:
        text = unit.read_text()
        assert "\nRestart=always\n" in text
        # verify checks that ExecStart exists: point /opt/xinbao at this checkout.
        (tmp_path / unit.name).write_text(text.replace("/opt/xinbao", str(checkout)))
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in units)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
