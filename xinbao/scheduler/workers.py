"""Task workers' heartbeats: a worker says it is alive every few seconds; one that stopped
saying so, or whose process is gone from this machine, is dead (the reaper handles its tasks).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from xinbao.scheduler.models import WorkerHeartbeat

log = logging.getLogger(__name__)


def local_scope() -> str:
    """Where a process id means something: this host and its process namespace (two containers
    may share a host name but not a namespace)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}:{namespace}"[:255]


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process holds the id: alive, as far as we can tell
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.XINBAO_WORKER_STALE_SECONDS)


def is_dead(beat: WorkerHeartbeat, now: dt.datetime, *, scope: str | None = None) -> bool:
    """Not heard from for the staleness, or its process is gone from this very machine."""
    if beat.last_seen_at < now - stale_after():
        return True
    here = scope if scope is not None else local_scope()
    return beat.scope == here and beat.pid != os.getpid() and not process_alive(beat.pid)


class Heartbeat:
    """Keeps this process's heartbeat row fresh from a thread of its own until ``stop``."""

    def __init__(self, worker_id: str, *, interval: float | None = None) -> None:
        self.worker_id = worker_id
        self.interval = interval or settings.XINBAO_WORKER_HEARTBEAT_SECONDS
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat(self) -> None:
        """Say this worker is alive now; the row is written again if it was taken for dead."""
        now = timezone.now()
        if WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(last_seen_at=now):
            return
        if self._thread.is_alive():
            log.error(
                "worker %s: its heartbeat row was gone (taken for dead after %s without a "
                "heartbeat); writing it again",
                self.worker_id,
                stale_after(),
            )
        WorkerHeartbeat.objects.create(
            worker_id=self.worker_id,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            scope=local_scope(),
            started_at=self.started_at,
            last_seen_at=now,
        )

    def start(self) -> None:
        """Write the first heartbeat now (so no task is claimed before it), then keep beating."""
        self.beat()
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.beat()
                except Exception:
                    # A missed beat is logged and tried again; only staleness makes it dead.
                    log.exception("worker %s: heartbeat failed", self.worker_id)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        """Stop beating and delete the row: a worker that stopped cleanly left no task."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 5)
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
