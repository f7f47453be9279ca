"""``{% load durations %}`` then ``{{ delta|in_words }}``: a duration as people say it."""

from __future__ import annotations

import datetime as dt

from django import template

from xinbao.lib.durations import in_words as _in_words

register = template.Library()


@register.filter
def in_words(value: dt.timedelta | float | int | None) -> str:
    """A timedelta or a number of seconds in words ("30 分钟"); nothing for None."""
    if value is None or value == "":
        return ""
    return _in_words(value)
