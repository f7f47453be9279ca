"""The chores each app registers with the scanner; this module imports no app.

Two shapes of chore:

- **Per row** — ``register(name, interval, due=..., handle=...)``: ``due()`` lists the ids of the
  rows that are due, ``handle(key)`` handles one of them. The scanner calls ``handle`` for each key
  in a transaction of its own (``atomic=False``: none, for a ``handle`` that renders documents
  before the short transaction of its service), so a row that raises is rolled back alone,
  recorded and retried later with a backoff, while the other rows go on. ``handle`` claims its
  row itself (a conditional UPDATE, or a row lock and a second look) and must do nothing when
  the row is no longer due or is gone: two scanners may list the same key, and a failed key is
  handed to ``handle`` again when its retry is due.
- **One unit of work** — ``register(name, interval, run=...)``: ``run()`` does the whole job in
  one transaction (``atomic=False``: none, for a chore that keeps its own claims and short
  transactions) and returns a one-line summary for the log.

Every app may register (in its AppConfig.ready), since registering imports nothing of any app;
the scanner itself (``xinbao.scheduler``) reads the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: A row's key: its primary key.
Key = int


@dataclass(frozen=True)
class ChoreSpec:
    name: str
    interval: dt.timedelta
    due: Callable[[], Iterable[Key]] | None = None
    """Per row: the keys of the rows due now (bounded by the chore, e.g. 200 at a time)."""
    handle: Callable[[Key], None] | None = None
    """Per row: handle one row; raises to have it rolled back, recorded and retried."""
    run: Callable[[], str] | None = None
    """One unit of work: does it and returns a one-line summary for the log."""
    atomic: bool = True
    """Run the whole job, or each row, in one transaction. False for a chore that keeps its own
    claims and short transactions (the outbox's leases; documents rendered before the
    transaction that records them), since no network I/O or long rendering may happen while one
    is open."""

    budget: dt.timedelta | None = None
    """Per row: once this much time is spent in one run, the rows still listed wait for the
    next run (a chore whose rows do network I/O must not hold the scanner's other chores)."""

    @property
    def per_row(self) -> bool:
        return self.handle is not None


_CHORES: dict[str, ChoreSpec] = {}


def register(
    name: str,
    interval: dt.timedelta,
    *,
    due: Callable[[], Iterable[Key]] | None = None,
    handle: Callable[[Key], None] | None = None,
    run: Callable[[], str] | None = None,
    atomic: bool = True,
    budget: dt.timedelta | None = None,
) -> ChoreSpec:
    """Register a chore run every ``interval``: either ``due`` and ``handle``, or ``run``;
    ``budget`` bounds the time one run of a per-row chore spends on its rows."""
    if run is not None and (due is not None or handle is not None):
        raise TypeError(f"chore {name}: give either run or due and handle, not both")
    if run is None and (due is None or handle is None):
        raise TypeError(f"chore {name}: a per-row chore needs both due and handle")
    if budget is not None and handle is None:
        raise TypeError(f"chore {name}: a budget bounds the rows of a per-row chore")
    spec = ChoreSpec(name, interval, due=due, handle=handle, run=run, atomic=atomic, budget=budget)
    _CHORES[name] = spec
    return spec


def unregister(name: str) -> None:
    """Take a chore out of the registry (tests that register one of their own)."""
    _CHORES.pop(name, None)


def chores() -> dict[str, ChoreSpec]:
    return dict(_CHORES)
