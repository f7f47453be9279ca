"""Who sees which list and which topic: the office every list (drafts to its writers), a unit's
reporters the published and withdrawn ones; the three administrators and the liaison none (403).
A list a user may not see is a 404, as a missing one."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from xinbao.accounts.models import OFFICE_READER_ROLES, Role, User
from xinbao.accounts.permissions import require
from xinbao.items.access import visible_item_exists
from xinbao.topiclists.models import ListedTopic, ListState, TopicAnswer, TopicList

#: The office's roles who write, publish and withdraw lists and link any item to a topic.
WRITER_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF})


def is_writer(user: User) -> bool:
    return user.is_authenticated and user.role in WRITER_ROLES


def is_office(user: User) -> bool:
    return user.is_authenticated and user.role in OFFICE_READER_ROLES


def is_unit_reporter(user: User) -> bool:
    return user.is_authenticated and user.role == Role.REPORTER and user.unit_id is not None


def may_read(user: User) -> bool:
    return is_office(user) or is_unit_reporter(user)


def visible_lists(user: User) -> QuerySet[TopicList]:
    require(may_read(user))
    lists = TopicList.objects.all()
    if is_writer(user):
        return lists
    return lists.exclude(state=ListState.DRAFT)


def access_list(user: User, pk: int) -> TopicList:
    found = visible_lists(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def access_topic(user: User, pk: int) -> ListedTopic:
    lists = visible_lists(user)
    found = (
        ListedTopic.objects.filter(topic_list__in=lists, pk=pk).select_related("topic_list").first()
    )
    if found is None:
        raise Http404
    return found


def access_answer(user: User, pk: int) -> TopicAnswer:
    """An answer the user may take off: the office's writers any, a reporter their unit's."""
    require(is_writer(user) or is_unit_reporter(user))
    answers = TopicAnswer.objects.select_related("topic__topic_list", "item")
    if not is_writer(user):
        seen = visible_item_exists(user)
        answers = answers.filter(seen & Q(item__unit_id=user.unit_id))
    found = answers.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
