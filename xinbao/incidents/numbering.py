"""Numbers of the office's yearly document series: chase notices and notices (通报).

"2026-003" is the year and a serial that restarts each year, zero-padded so that it sorts.
"""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from xinbao.incidents.models import NumberSeries


def _prefix(now: dt.datetime) -> tuple[int, str]:
    year = timezone.localtime(now).year
    return year, f"{year}-"


def _last_stored(model: type[models.Model], prefix: str) -> int:
    last = model._default_manager.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    return int(str(last).split("-")[1]) if last else 0


def peek_number(model: type[models.Model], now: dt.datetime) -> str:
    """The number the next document of ``model`` will most likely take; reserves nothing.

    For drawing a document before the short transaction that numbers it: that transaction
    takes :func:`next_number` and draws again only if someone took this one meanwhile.
    """
    year, prefix = _prefix(now)
    series = NumberSeries.objects.filter(name=model._meta.label_lower, year=year).first()
    serial = max(series.last if series else 0, _last_stored(model, prefix)) + 1
    return f"{prefix}{serial:03d}"


def next_number(model: type[models.Model], now: dt.datetime) -> str:
    """Take the next number of ``model``'s series (its ``number`` field) in ``now``'s year.

    Must run inside the transaction that stores the document: the series row stays locked
    until it commits, so a concurrent writer waits and then takes the number after. One past
    the last number given or stored, whichever is higher (documents made before the series
    existed count).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that stores the number")
    year, prefix = _prefix(now)
    series, _ = NumberSeries.objects.select_for_update(no_key=True).get_or_create(
        name=model._meta.label_lower, year=year
    )
    serial = max(series.last, _last_stored(model, prefix)) + 1
    series.last = serial
    series.save(update_fields=["last"])
    return f"{prefix}{serial:03d}"
