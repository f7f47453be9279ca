"""Durations in words for people: "30 分钟", "1 小时 30 分钟", never "PT30M"."""

from __future__ import annotations

import datetime as dt
import math

from django.utils.translation import ngettext


def _unit(name: str, n: int) -> str:
    # One ngettext call per unit with a literal msgid, so makemessages finds each of them.
    if name == "day":
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if name == "hour":
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    if name == "minute":
        return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}
    return ngettext("%(n)d second", "%(n)d seconds", n) % {"n": n}


def in_words(value: dt.timedelta | float | int, *, parts: int = 2) -> str:
    """``value`` (a timedelta, or seconds) in the active language, largest units first.

    Seconds are rounded up (a wait of 0.2 s reads "1 second", never "0 seconds"); at most
    ``parts`` units are named, the smallest of them rounded down ("1 hour 30 minutes" for
    1:30:59), and units that are zero are left out.
    """
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    left = max(0, math.ceil(seconds))
    if left == 0:
        return _unit("second", 0)
    words: list[str] = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, left = divmod(left, size)
        if count:
            words.append(_unit(name, count))
        if len(words) == parts or (words and left == 0):
            break
    return " ".join(words)
