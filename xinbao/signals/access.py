"""Permission-checked getters of the early signals: a role outside SIGNAL_ROLES gets a 403."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.signals.models import EarlySignal
from xinbao.signals.services import SIGNAL_ROLES


def can_handle_signals(user: User) -> bool:
    return user.is_authenticated and user.role in SIGNAL_ROLES


def visible_signals(user: User) -> QuerySet[EarlySignal]:
    require(can_handle_signals(user))
    return EarlySignal.objects.all()


def access_signal(user: User, pk: int) -> EarlySignal:
    found = visible_signals(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
