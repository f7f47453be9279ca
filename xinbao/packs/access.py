"""Who sees which pack: the information section every pack within its clearance; a leader only
the delivered packs made for them (another leader's, a draft or a withdrawn one: 404); anyone
else a 403."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.packs.models import Pack, PackState
from xinbao.packs.services import BUILDER_ROLES, LEADER_ROLES


def can_build(user: User) -> bool:
    return user.is_authenticated and user.role in BUILDER_ROLES


def is_leader(user: User) -> bool:
    return user.is_authenticated and user.role in LEADER_ROLES


def built_packs(user: User) -> QuerySet[Pack]:
    """Every pack for the section, but one holding an entry above the user's clearance."""
    require(can_build(user))
    return Pack.objects.exclude(entries__sensitivity__gt=user.clearance_level)


def received_packs(user: User) -> QuerySet[Pack]:
    """The delivered packs made for the leader."""
    require(is_leader(user))
    return Pack.objects.filter(recipients=user, state=PackState.DELIVERED)


def access_built(user: User, pk: int) -> Pack:
    found = built_packs(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def access_readable(user: User, pk: int) -> Pack:
    """A pack to read: any the section may see (a preview while a draft), or one of the
    leader's own delivered packs."""
    require(can_build(user) or is_leader(user))
    packs = built_packs(user) if can_build(user) else received_packs(user)
    found = packs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
