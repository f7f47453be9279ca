"""The old decorator form of registering a chore, kept until the last chore has moved to
``xinbao.lib.chores.register``; it registers a chore of one unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from xinbao.lib import chores


def register(name: str, interval: dt.timedelta) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def decorator(func: Callable[[], str]) -> Callable[[], str]:
        chores.register(name, interval, run=func)
        return func

    return decorator
