"""The scanner's part in collection: ``monitor.poll`` polls each due source in a row of its
own (``xinbao.monitor.poll``), outside any scanner transaction, since a poll's network I/O
comes before its short transaction."""

from __future__ import annotations

import datetime as dt

from xinbao.lib.chores import register
from xinbao.monitor import poll

POLL = "monitor.poll"


def handle(pk: int) -> None:
    poll.poll(pk)


register(POLL, dt.timedelta(seconds=30), due=poll.due, handle=handle, atomic=False)
