"""Burst detection: pure arithmetic over hourly counts, no database."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xinbao.signals.conf import Params

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    observed: int
    mean: float
    std: float
    score: float
    bursting: bool


def hourly_counts(times: Iterable[dt.datetime], *, end: dt.datetime, hours: int) -> list[int]:
    """Counts per hour of ``times`` in ``[end - hours, end)``, oldest hour first."""
    start = end - hours * HOUR
    counts = [0] * hours
    for t in times:
        if start <= t < end:
            counts[int((t - start) / HOUR)] += 1
    return counts


def judge(counts: Sequence[int], params: Params) -> Verdict:
    """The verdict on the last ``window_hours`` of ``counts`` (``span_hours`` long) against the
    ``baseline_hours`` before them."""
    w = params.window_hours
    observed = sum(counts[-w:])
    base = counts[: len(counts) - w]
    # Chunks of the window's length, the most recent first, so that a short remainder falls at
    # the oldest end and is dropped.
    chunks = [sum(base[max(0, i - w) : i]) for i in range(len(base), w - 1, -w)] or [0]
    mean = sum(chunks) / len(chunks)
    std = math.sqrt(sum((c - mean) ** 2 for c in chunks) / len(chunks))
    score = (observed - mean) / max(std, params.std_floor)
    return Verdict(
        observed=observed,
        mean=round(mean, 3),
        std=round(std, 3),
        score=round(score, 2),
        bursting=observed >= params.min_count and score >= params.z,
    )
