"""The burst scan: every ``XINBAO_SIGNALS_EVERY_MINUTES`` the series are judged and new bursts
raised. The scan keeps its own transactions (``atomic=False``): the places of new posts are cut
into words before the short one that stores them, the judging and raising in a second one."""

from __future__ import annotations

import datetime as dt

from xinbao.lib.chores import register
from xinbao.signals import services
from xinbao.signals.conf import every_minutes

SCAN = "signals.scan"


def scan() -> str:
    return services.evaluate().summary()


register(SCAN, dt.timedelta(minutes=every_minutes()), run=scan, atomic=False)
