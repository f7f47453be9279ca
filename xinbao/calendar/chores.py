"""The working calendar is checked daily: a missing year is logged and audited."""

from __future__ import annotations

import datetime as dt
import logging

from xinbao.audit.services import record
from xinbao.calendar.workdays import calendar_warnings
from xinbao.lib.chores import register

log = logging.getLogger(__name__)


def check_calendar() -> str:
    warnings = calendar_warnings()
    if not warnings:
        return "calendar known for this year and next"
    years = [w.year for w in warnings]
    for w in warnings:
        log.warning("working calendar of %s not entered: weekends only until it is", w.year)
    record(
        actor=None,
        actor_name="system",
        action="calendar_year_missing",
        summary={"years": years},
    )
    return "calendar missing for " + ", ".join(str(y) for y in years)


register("calendar.check", dt.timedelta(hours=24), run=check_calendar)
