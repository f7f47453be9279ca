"""Who reaches collection, and the getters of its objects (404 for what does not exist).

Collected posts are public web content with no unit and no label: the office's editors,
section chiefs and duty officer read all of them; no other role reaches any (403). An item
made of a post is an ordinary item, seen through ``items.access`` like any other.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from xinbao.accounts.models import User
from xinbao.lib.http import require
from xinbao.monitor.models import Post, Source, WatchTerm
from xinbao.monitor.services import (
    ATTACHER_ROLES,
    MANAGER_ROLES,
    PROMOTER_ROLES,
    READER_ROLES,
)


def can_read(user: User) -> bool:
    return user.is_authenticated and user.role in READER_ROLES


def can_manage(user: User) -> bool:
    return user.is_authenticated and user.role in MANAGER_ROLES


def can_promote(user: User) -> bool:
    return user.is_authenticated and user.role in PROMOTER_ROLES


def can_attach(user: User) -> bool:
    """Who attaches posts to incidents (and takes them off)."""
    return user.is_authenticated and user.role in ATTACHER_ROLES


def access_source(user: User, pk: int) -> Source:
    require(can_read(user))
    return get_object_or_404(Source, pk=pk)


def access_post(user: User, pk: int) -> Post:
    require(can_read(user))
    return get_object_or_404(Post.objects.select_related("source"), pk=pk)


def access_term(user: User, pk: int) -> WatchTerm:
    require(can_manage(user))
    return get_object_or_404(WatchTerm, pk=pk)
