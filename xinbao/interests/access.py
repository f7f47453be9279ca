"""Who sees what: a leader their own interests, requests and marks; the office's editors and
section chief every request and the marks; anyone else a 403. Another leader's interest or
request is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinbao.accounts.models import User
from xinbao.accounts.permissions import require
from xinbao.interests.models import InfoRequest, Interest
from xinbao.interests.services import is_handler, is_leader


def own_interests(user: User) -> QuerySet[Interest]:
    require(is_leader(user))
    return Interest.objects.filter(leader=user)


def access_interest(user: User, pk: int) -> Interest:
    found = own_interests(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def visible_requests(user: User) -> QuerySet[InfoRequest]:
    require(is_leader(user) or is_handler(user))
    found = InfoRequest.objects.select_related("leader").prefetch_related("units")
    return found.filter(leader=user) if is_leader(user) else found


def access_request(user: User, pk: int) -> InfoRequest:
    found = visible_requests(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
