"""Home-page section of the early signals: the ones still waiting for someone, shown only when
there are any (a quiet day adds nothing to the page)."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.lib.home import HOME_LIMIT, Section, register
from xinbao.signals.access import can_handle_signals
from xinbao.signals.models import OPEN_STATES, EarlySignal


@register(68)
def open_signals(user: User) -> Section | None:
    if not can_handle_signals(user):
        return None
    waiting = list(
        EarlySignal.objects.filter(state__in=OPEN_STATES).order_by("-state", "-raised_at", "-pk")[
            :HOME_LIMIT
        ]
    )
    if not waiting:
        return None
    return Section("signals/partials/_home_signals.html", {"open_signals": waiting})
