"""Home-page sections of urgent information: the unit's demands, or what is overdue."""

from __future__ import annotations

from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.incidents import selectors
from xinbao.incidents.access import can_handle_incidents
from xinbao.lib.home import HOME_LIMIT, Section, register


@register(50)
def our_demands(user: User) -> Section | None:
    """What the reporter's unit is asked to report, with its deadlines."""
    if not user.is_reporter or user.unit_id is None:
        return None
    now = timezone.now()
    requests = selectors.open_requests_of_unit(user.unit_id).prefetch_related("notices")
    return Section(
        "incidents/partials/_home_our_demands.html",
        {"our_demands": [selectors.demand_row(r, now) for r in requests[:HOME_LIMIT]]},
    )


@register(70)
def overdue(user: User) -> Section | None:
    """For those who handle incidents: overdue demands and verifications still open."""
    if not can_handle_incidents(user):
        return None
    now = timezone.now()
    late = selectors.overdue_requests(now).prefetch_related("notices")
    return Section(
        "incidents/partials/_home_overdue.html",
        {
            "overdue_demands": [selectors.demand_row(r, now) for r in late[:HOME_LIMIT]],
            "open_verifications": list(selectors.open_verifications()[:HOME_LIMIT]),
        },
    )
