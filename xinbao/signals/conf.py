"""The burst model's parameters, read from settings (``XINBAO_SIGNALS_*``) at each use, so that
a test or an operator's change applies at the next evaluation."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Params:
    """A z-score of the last window over the series' own trailing baseline.

    The baseline's hourly buckets are summed in chunks of ``window_hours``; their mean and
    standard deviation (population) are the series' normal. A window is a burst when its count
    is at least ``min_count`` and ``(count - mean) / max(std, std_floor)`` is at least ``z``.
    """

    window_hours: int
    baseline_hours: int
    z: float
    min_count: int
    std_floor: float
    urgent_z: float
    """A burst scoring this much or more is urgent (the urgent ladder)."""

    @property
    def span_hours(self) -> int:
        return self.baseline_hours + self.window_hours


def params() -> Params:
    return Params(
        window_hours=max(1, settings.XINBAO_SIGNALS_WINDOW_HOURS),
        baseline_hours=max(1, settings.XINBAO_SIGNALS_BASELINE_HOURS),
        z=settings.XINBAO_SIGNALS_Z,
        min_count=max(1, settings.XINBAO_SIGNALS_MIN_COUNT),
        std_floor=max(0.1, settings.XINBAO_SIGNALS_STD_FLOOR),
        urgent_z=settings.XINBAO_SIGNALS_URGENT_Z,
    )


def every_minutes() -> int:
    return max(1, settings.XINBAO_SIGNALS_EVERY_MINUTES)
