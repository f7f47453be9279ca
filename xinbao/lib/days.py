"""The office's days as moments: where a local day (Asia/Shanghai) begins, as an aware datetime.

Datetimes are stored in UTC and dates are the office's days (``TIME_ZONE``, Asia/Shanghai), so
a filter by day cuts at office midnight: ``submitted_at >= office_midnight(start)`` and
``submitted_at < office_midnight(end + 1 day)`` for the days ``start`` to ``end`` included.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def office_midnight(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in the office's time zone, aware (in UTC: 16:00 the day before)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())
