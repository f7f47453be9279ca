"""The placing chore: every minute, the items sent within the last week (``PLACE_WINDOW``) and
not placed yet (oldest first, 200 a run) get their suggested placement, each in its own
transaction. A corrected placement is never touched: the chore only makes placements that do
not exist. Older items never placed: ``services.place_missing``."""

from __future__ import annotations

import datetime as dt

from xinbao.analysis import selectors, services
from xinbao.lib.chores import register

PLACE = "analysis.place"


def place_due() -> list[int]:
    return selectors.unplaced_ids()


def place_one(pk: int) -> None:
    services.place_item(item_id=pk)


register(PLACE, dt.timedelta(minutes=1), due=place_due, handle=place_one)
