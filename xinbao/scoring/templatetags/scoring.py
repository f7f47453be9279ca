"""Filters of the statistics pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """0.256 → "25.6%"; no share (nothing was due) → "–"."""
    if share is None:
        return "–"
    return f"{share * 100:.1f}%"
