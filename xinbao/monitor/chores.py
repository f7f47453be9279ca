"""The scanner's part in collection: ``monitor.poll`` polls each due source in a row of its
own (``xinbao.monitor.poll``), outside any scanner transaction, since a poll's network I/O
comes before its short transaction."""

from __future__ import annotations

import datetime as dt

from xinbao.lib.chores import register
from xinbao.monitor import poll, search

POLL = "monitor.poll"


def handle(pk: int) -> None:
    poll.poll(pk)


# Sources wait on the network: at most 20 seconds of polling a run (then one fetch's timeouts
# at worst), so that deadlines, chases and the outbox's chores are never held behind them.
register(
    POLL,
    dt.timedelta(seconds=30),
    due=poll.due,
    handle=handle,
    atomic=False,
    budget=dt.timedelta(seconds=20),
)


def index_unsearchable_posts() -> str:
    """Index posts stored before the full-text index existed (new ones are indexed as stored)."""
    return f"{search.index_missing()} posts indexed for search"


register("monitor.search_index", dt.timedelta(minutes=5), run=index_unsearchable_posts)
