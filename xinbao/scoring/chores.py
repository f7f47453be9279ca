"""The scanner's part in scoring: the quarterly report, reminder letters, silence SMS."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.scheduler.registry import register
from xinbao.scoring.reports import make_report, send_letters, send_silence_sms
from xinbao.scoring.statistics import period_bounds


@register("scoring.report", dt.timedelta(hours=1))
def scan_report() -> str:
    """Once the quarter has ended, make its report (exactly once: unique per quarter)."""
    this_quarter, _ = period_bounds("quarter", timezone.localdate())
    report = make_report(this_quarter - dt.timedelta(days=1))
    return f"report of {report.quarter_start} made" if report else "no report due"


@register("scoring.reminders", dt.timedelta(hours=1))
def scan_reminders() -> str:
    """Reminder letters from the configured day of the month; silence SMS after a month."""
    today = timezone.localdate()
    letters = send_letters(today)
    sms = send_silence_sms(today)
    return f"{letters} reminder letters, {sms} silence SMS"
