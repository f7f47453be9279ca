"""Slow tasks for the reaper's tests: each logs its start, waits for a release file, logs its
end. One is marked idempotent, the other is not."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from xinbao.scheduler.idempotent import idempotent

WAIT_AT_MOST = 60.0


def _log(folder: Path, line: str) -> None:
    with (folder / "log").open("a") as fh:
        fh.write(line + "\n")


def _wait_for_release(folder: str) -> str:
    path = Path(folder)
    _log(path, "started")
    deadline = time.monotonic() + WAIT_AT_MOST
    while not (path / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    _log(path, "done")
    return "done"


def lines(folder: Path) -> list[str]:
    """What the tasks logged in ``folder`` so far."""
    log = folder / "log"
    return log.read_text().split() if log.exists() else []


@idempotent
@task()
def wait_for_release(folder: str) -> str:
    return _wait_for_release(folder)


@task()
def wait_for_release_once(folder: str) -> str:
    return _wait_for_release(folder)
