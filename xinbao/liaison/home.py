"""Home-page section of the partner leads: for a liaison, the office's requests still to answer;
shown only when there are any."""

from __future__ import annotations

from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.liaison.access import is_liaison
from xinbao.liaison.models import Direction, Lead, LeadState
from xinbao.lib.home import HOME_LIMIT, Section, register


@register(15)
def to_answer(user: User) -> Section | None:
    if not is_liaison(user):
        return None
    leads = Lead.objects.filter(
        liaison=user, direction=Direction.OUT, state=LeadState.REQUESTED
    ).order_by("due_at", "pk")[:HOME_LIMIT]
    now = timezone.now()
    rows = [(lead, lead.is_overdue(now)) for lead in leads]
    if not rows:
        return None
    return Section("liaison/partials/_home_to_answer.html", {"leads_to_answer": rows})
