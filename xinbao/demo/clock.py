"""The demo's clock: run a service as if it were called at an earlier moment.

The demo city has a history (items adopted last week, an issue distributed yesterday, a landslide
handled six days ago). The services stamp their rows with ``timezone.now()``, and decide from it
too (a report after its deadline is late, an instruction's deadline may not be in the past). So
instead of writing the rows and their times around the services, the demo sets the clock the
services read and calls them, one step at a time, in the order the steps happened.

Only ``django.utils.timezone.now`` is set: every service, the model fields' ``auto_now`` stamps and
``timezone.localdate()`` read it. Demo-only; never used while serving requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


@contextmanager
def at(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, ``timezone.now()`` is ``moment`` (an aware datetime, in UTC)."""
    if timezone.is_naive(moment):
        raise ValueError("the demo's clock needs an aware datetime")
    utc = moment.astimezone(dt.UTC)
    with mock.patch.object(timezone, "now", lambda: utc):
        yield utc
