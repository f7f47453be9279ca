"""Who sees which inbound messages."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from xinbao.accounts.models import User
from xinbao.inbound.models import InboundMessage, InboundState
from xinbao.inbound.services import REVIEWERS
from xinbao.items.access import visible_item_exists
from xinbao.lib.http import require


def can_review(user: User) -> bool:
    return user.is_authenticated and user.role in REVIEWERS


def visible_messages(user: User) -> QuerySet[InboundMessage]:
    """Messages a reviewer may see: those that made no item yet, and those whose item they may
    see (``visible_items``: a reporter's draft stays the reporter's until it is submitted)."""
    require(can_review(user))
    # EXISTS per message (one lookup of its item by key), not ``item__in``: the databases
    # would build the list of every visible item first, a scan of the items at 10^6.
    seen = visible_item_exists(user)
    return InboundMessage.objects.filter(Q(item__isnull=True) | seen).select_related(
        "item", "person", "decided_by", "reply_to"
    )


def access_quarantined(user: User, pk: int) -> InboundMessage:
    """A quarantined message, for a reviewer; 404 for any other."""
    found = visible_messages(user).filter(pk=pk, state=InboundState.QUARANTINED).first()
    if found is None:
        raise Http404
    return found
