"""Defaults of urgent-information handling; each can be overridden in settings.XINBAO_URGENT."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Minutes before a deadline when the unit is reminded.
    "remind_before_minutes": 5,
    # The chase climbs the unit's chain after the deadline: (minutes after, org.Position value).
    "chase_ladder": [(0, "reporter"), (10, "deputy_in_charge"), (20, "head")],
    # A chase notice gives the unit this many more minutes.
    "chase_extension_minutes": 30,
    # Disagreements that open a verification: absolute difference (people), relative
    # difference of losses, hours between stated event times.
    "verify_deaths": 1,
    "verify_injuries": 3,
    "verify_missing": 1,
    "verify_loss_ratio": 0.3,
    "verify_hours": 2,
}


def urgent_conf() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "XINBAO_URGENT", {})}
