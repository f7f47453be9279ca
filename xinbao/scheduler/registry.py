"""The chores each app registers with the scanner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChoreSpec:
    name: str
    interval: dt.timedelta
    run: Callable[[], str]
    """Does the work and returns a one-line summary for the log."""


_CHORES: dict[str, ChoreSpec] = {}


def register(name: str, interval: dt.timedelta) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def decorator(func: Callable[[], str]) -> Callable[[], str]:
        _CHORES[name] = ChoreSpec(name, interval, func)
        return func

    return decorator


def chores() -> dict[str, ChoreSpec]:
    return dict(_CHORES)
