"""`xinbao serve`: web, task worker and scanner together, each restarted when it dies.

A small supervisor of our own (docs/operations.md, "make run"): a child that exits is logged and
started again after a pause doubling from 1 second to 60, back to 1 once it has stayed up for
30 seconds; Ctrl-C or SIGTERM stops all three (SIGTERM to each child's process group, SIGKILL
after 10 seconds). In production each process is its own systemd unit (docs/systemd/).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

log = logging.getLogger("xinbao.serve")

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
STABLE_AFTER = 30.0
STOP_GRACE = 10.0
POLL = 0.1


@dataclass
class Child:
    """One supervised command: its process while running, or when it starts again."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = FIRST_DELAY
    restart_at: float | None = field(default=None)
    restarts: int = 0


class Supervisor:
    """Run named commands, restart each one that exits, stop them all when `stop` is set."""

    def __init__(
        self,
        commands: dict[str, list[str]],
        *,
        env: dict[str, str] | None = None,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
        stable_after: float = STABLE_AFTER,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self.children = {
            name: Child(name, argv, delay=first_delay) for name, argv in commands.items()
        }
        self.env = env
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.stop_grace = stop_grace
        self.stop = threading.Event()

    def _start(self, child: Child) -> None:
        # Its own process group: the terminal's Ctrl-C reaches the supervisor only, which then
        # stops each child with its own children (gunicorn's workers) in order.
        child.process = subprocess.Popen(  # noqa: S603  (our own fixed commands, no shell)
            child.argv, env=self.env, start_new_session=True
        )
        child.started_at = time.monotonic()
        child.restart_at = None
        log.info("%s started (pid %d)", child.name, child.process.pid)

    def _check(self, child: Child, now: float) -> None:
        if child.process is None:
            if child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                log.warning("%s restarting (restart %d)", child.name, child.restarts)
                self._start(child)
            return
        status = child.process.poll()
        if status is None:
            return
        # What the child left in its process group (gunicorn's workers, when the master was
        # killed) would hold the port and answer with old code: they go with it.
        _signal_group(child.process, signal.SIGKILL)
        if now - child.started_at >= self.stable_after:
            child.delay = self.first_delay
        log.error(
            "%s (pid %d) exited with status %d; restarting in %g s",
            child.name,
            child.process.pid,
            status,
            child.delay,
        )
        child.process = None
        child.restart_at = now + child.delay
        child.delay = min(child.delay * 2, self.max_delay)

    def run(self) -> None:
        """Start every command and keep them running until `stop` is set; then stop them all."""
        try:
            for child in self.children.values():
                self._start(child)
            while not self.stop.wait(POLL):
                now = time.monotonic()
                for child in self.children.values():
                    self._check(child, now)
        finally:
            self._stop_all()

    def _stop_all(self) -> None:
        running = [
            (c.name, c.process)
            for c in self.children.values()
            if c.process and c.process.poll() is None
        ]
        for name, process in running:
            log.info("stopping %s (pid %d)", name, process.pid)
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_grace
        for name, process in running:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %g s; killing it", name, self.stop_grace)
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


class Command(BaseCommand):
    help = "Run the web server (gunicorn), the task worker (worker) and the scanner (scan)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        commands = {
            "web": [
                *(python, "-m", "gunicorn", "xinbao.wsgi:application"),
                *("--bind", options["bind"], "--workers", str(options["web_workers"])),
                *("--timeout", "120", "--access-logfile", "-"),
            ],
            # db_worker with a heartbeat; at its start it reaps the tasks of a worker that died.
            "worker": [python, "-m", "xinbao.cli", "worker"],
            "scanner": [python, "-m", "xinbao.cli", "scan"],
        }
        supervisor = Supervisor(commands, env=dict(os.environ, PYTHONUNBUFFERED="1"))

        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("%s received: stopping web, worker and scanner", signal.Signals(signum).name)
            supervisor.stop.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        supervisor.run()
