"""Reads of the monitor's posts and the early signals a lead is made from (one place)."""

from __future__ import annotations

from xinbao.monitor.models import Post
from xinbao.signals.models import EarlySignal


def post(pk: int | None) -> Post | None:
    return Post.objects.filter(pk=pk).first() if pk else None


def signal(pk: int | None) -> EarlySignal | None:
    return EarlySignal.objects.filter(pk=pk).first() if pk else None
