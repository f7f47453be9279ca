"""The scanner polls the office mailbox every minute."""

from __future__ import annotations

import datetime as dt

from xinbao.inbound.imap import configured, poll
from xinbao.lib.chores import register


def poll_mailbox() -> str:
    mailbox = configured()
    if mailbox is None:
        return "no mailbox configured"
    return poll(mailbox)


# atomic=False: the poll holds no transaction while it talks to the server, and stores each
# message in a transaction of its own.
register("inbound.poll_mailbox", dt.timedelta(minutes=1), run=poll_mailbox, atomic=False)
