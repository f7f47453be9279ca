"""The agenda's chores: the automatic matching of newly submitted items (every five minutes,
from a cursor) and the daily check for priorities that information stopped following."""

from __future__ import annotations

import datetime as dt

from xinbao.agenda import services
from xinbao.lib.chores import register

MATCH = "agenda.match"
STALE = "agenda.stale"


def match_items() -> str:
    return f"{services.match_new_items()} items matched to priorities"


def flag_stale() -> str:
    return f"{services.flag_stale()} priorities flagged as stale"


register(MATCH, dt.timedelta(minutes=5), run=match_items)
register(STALE, dt.timedelta(days=1), run=flag_stale)
