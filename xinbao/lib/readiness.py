"""What a new office still lacks before it can work: the first-run checklist, as a registry.

Each app registers the checks of what it owns (``xinbao/<app>/readiness.py``, imported when
the app is ready); a check returns the steps still missing, each naming the screen that fixes
it. ``xinbao setup``, the first-run page and the system administrator's home page list them.
Kept here, app-free, so that no app has to import the apps whose settings it checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One thing missing: ``key`` for tests and scripts, the message, and where to fix it."""

    key: str
    message: str
    url: str
    action: str


Check = Callable[[dt.date | None], Iterable[Step]]

_checks: list[tuple[int, Check]] = []


def register(order: int) -> Callable[[Check], Check]:
    """Register a check; ``order`` places its steps in the order a new office takes them."""

    def add(check: Check) -> Check:
        if all(existing is not check for _, existing in _checks):
            _checks.append((order, check))
        return check

    return add


def missing_steps(today: dt.date | None = None) -> list[Step]:
    """Every step still missing, in order; empty when the office can work."""
    steps: list[Step] = []
    for _, check in sorted(_checks, key=lambda pair: pair[0]):
        steps.extend(check(today))
    return steps
