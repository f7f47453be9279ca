"""Every write of the topic lists: keyword-only, atomic, audited. Publishing tells every active
unit's reporters through ``xinbao.notify`` in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.audit.services import record
from xinbao.documents.services import schedule as schedule_documents
from xinbao.items.models import Item, ItemStatus
from xinbao.lib.classified import refuse_classified
from xinbao.notify import notify, resolve
from xinbao.org.models import Position, Unit, UnitClass
from xinbao.topiclists.access import is_unit_reporter, is_writer
from xinbao.topiclists.models import (
    AnswerHow,
    DismissedSuggestion,
    ListedTopic,
    ListState,
    TopicAnswer,
    TopicList,
)


class TopicListError(Exception):
    """A move the list's state or the user's role does not allow."""


#: The state table: move → (states it may start from, state it leads to). Only the office's
#: writers (``access.WRITER_ROLES``) make these moves.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({ListState.DRAFT, ListState.WITHDRAWN}), ListState.PUBLISHED),
    "withdraw": (frozenset({ListState.PUBLISHED}), ListState.WITHDRAWN),
}

#: Item states that cannot answer a topic: a draft is its unit's own, a withdrawn item is gone.
NOT_ANSWERING = frozenset({ItemStatus.DRAFT, ItemStatus.WITHDRAWN})


def allowed_moves(user: User, topic_list: TopicList) -> list[str]:
    if not is_writer(user):
        return []
    return [move for move, (sources, _to) in TRANSITIONS.items() if topic_list.state in sources]


def _require_writer(user: User) -> None:
    if not is_writer(user):
        raise TopicListError(_("Only the information section writes topic lists."))


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def default_title(month: dt.date) -> str:
    return _("%(year)d-%(month)02d information reporting topics") % {
        "year": month.year,
        "month": month.month,
    }


@transaction.atomic
def create_list(
    *,
    user: User,
    month: dt.date,
    title: str,
    foreword: str = "",
    copy_from: TopicList | None = None,
) -> TopicList:
    """A draft list for ``month`` (any day of it); with ``copy_from``, its foreword when none is
    given and its topics (with their keywords and unit classes) to start from."""
    _require_writer(user)
    month = first_of_month(month)
    if TopicList.objects.filter(month=month).exists():
        raise TopicListError(_("There is already a list for this month."))
    title = title.strip() or default_title(month)
    foreword = foreword.strip() or (copy_from.foreword if copy_from else "")
    refuse_classified(title, foreword)
    topic_list = TopicList.objects.create(
        month=month, title=title, foreword=foreword, created_by=user
    )
    copied = 0
    if copy_from is not None:
        for source in copy_from.topics.prefetch_related("unit_classes").order_by("order", "pk"):
            topic = ListedTopic.objects.create(
                topic_list=topic_list,
                order=source.order,
                title=source.title,
                wanted=source.wanted,
                keywords=source.keywords,
                suggested_kind=source.suggested_kind,
            )
            topic.unit_classes.set(source.unit_classes.all())
            copied += 1
    record(
        actor=user,
        action="topiclists.create",
        obj=topic_list,
        summary={
            "title": topic_list.title,
            "month": str(month),
            "copied_from": copy_from.pk if copy_from else None,
            "topics": copied,
        },
    )
    return topic_list


@transaction.atomic
def update_list(*, user: User, topic_list: TopicList, title: str, foreword: str) -> TopicList:
    _require_writer(user)
    locked = TopicList.objects.select_for_update(no_key=True).get(pk=topic_list.pk)
    _editable(locked)
    title = title.strip() or default_title(locked.month)
    refuse_classified(title, foreword)
    locked.title, locked.foreword = title, foreword.strip()
    locked.save(update_fields=["title", "foreword"])
    record(actor=user, action="topiclists.edit", obj=locked, summary={"title": locked.title})
    return locked


def is_editable(topic_list: TopicList) -> bool:
    """A draft, or a list taken back. A published list is what the units read and act on (and
    its documents are rendered once, frozen): it changes only by being withdrawn, corrected and
    published again."""
    return topic_list.state != ListState.PUBLISHED


def _editable(topic_list: TopicList) -> None:
    if not is_editable(topic_list):
        raise TopicListError(
            _("This list is published: withdraw it to change it, then publish it again.")
        )


@transaction.atomic
def add_topic(
    *,
    user: User,
    topic_list: TopicList,
    title: str,
    wanted: str = "",
    keywords: str = "",
    suggested_kind: str = "",
    unit_classes: Iterable[UnitClass] = (),
) -> ListedTopic:
    """A topic at the end of the list."""
    _require_writer(user)
    locked = TopicList.objects.select_for_update(no_key=True).get(pk=topic_list.pk)
    _editable(locked)
    refuse_classified(title, wanted, keywords)
    last = locked.topics.aggregate(last=Max("order"))["last"]
    topic = ListedTopic.objects.create(
        topic_list=locked,
        order=0 if last is None else last + 1,
        title=title.strip(),
        wanted=wanted.strip(),
        keywords=keywords.strip(),
        suggested_kind=suggested_kind,
    )
    topic.unit_classes.set(list(unit_classes))
    record(
        actor=user,
        action="topiclists.topic_add",
        obj=topic,
        summary={"list": locked.pk, "title": topic.title},
    )
    return topic


@transaction.atomic
def update_topic(
    *,
    user: User,
    topic: ListedTopic,
    title: str,
    wanted: str = "",
    keywords: str = "",
    suggested_kind: str = "",
    unit_classes: Iterable[UnitClass] = (),
) -> ListedTopic:
    _require_writer(user)
    locked = TopicList.objects.select_for_update(no_key=True).get(pk=topic.topic_list_id)
    _editable(locked)
    refuse_classified(title, wanted, keywords)
    topic.title, topic.wanted = title.strip(), wanted.strip()
    topic.keywords, topic.suggested_kind = keywords.strip(), suggested_kind
    topic.save(update_fields=["title", "wanted", "keywords", "suggested_kind"])
    topic.unit_classes.set(list(unit_classes))
    record(
        actor=user,
        action="topiclists.topic_edit",
        obj=topic,
        summary={"list": locked.pk, "title": topic.title},
    )
    return topic


@transaction.atomic
def remove_topic(*, user: User, topic: ListedTopic) -> None:
    """Take a topic off the list; one that items already answer stays (their links would go)."""
    _require_writer(user)
    locked = TopicList.objects.select_for_update(no_key=True).get(pk=topic.topic_list_id)
    _editable(locked)
    if topic.answers.exists():
        raise TopicListError(_("Items already answer this topic: it cannot be removed."))
    record(
        actor=user,
        action="topiclists.topic_remove",
        obj=topic,
        summary={"list": locked.pk, "title": topic.title},
    )
    topic.delete()


@transaction.atomic
def move_topic(*, user: User, topic: ListedTopic, up: bool) -> None:
    """Swap a topic with its neighbour above (``up``) or below; numbering the list again from 0
    first, so that equal orders (copied lists, concurrent adds) cannot stall a move."""
    _require_writer(user)
    locked = TopicList.objects.select_for_update(no_key=True).get(pk=topic.topic_list_id)
    _editable(locked)
    topics = list(locked.topics.order_by("order", "pk"))
    at = next(i for i, t in enumerate(topics) if t.pk == topic.pk)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(topics):
        return
    topics[at], topics[other] = topics[other], topics[at]
    for order, each in enumerate(topics):
        if each.order != order:
            each.order = order
            each.save(update_fields=["order"])
    record(
        actor=user,
        action="topiclists.topic_move",
        obj=topic,
        summary={"list": locked.pk, "title": topic.title, "to": other + 1},
    )


def _move(*, user: User, topic_list: TopicList, move: str) -> TopicList:
    _require_writer(user)
    locked = TopicList.objects.select_for_update(no_key=True).get(pk=topic_list.pk)
    if move not in allowed_moves(user, locked):
        raise TopicListError(
            _("This list is %(state)s: you cannot do that now.")
            % {"state": locked.get_state_display()}
        )
    locked.state = TRANSITIONS[move][1]
    return locked


#: The list's documents in the document cache (registered in ``topiclists/rendered.py``).
LIST_DOCUMENT = "topiclists.list"


@transaction.atomic
def publish(*, user: User, topic_list: TopicList) -> TopicList:
    """Publish the list: every active unit's reporters are told (in-app and their normal
    channel), once per list however often it is published again."""
    locked = _move(user=user, topic_list=topic_list, move="publish")
    if not locked.topics.exists():
        raise TopicListError(_("Add at least one topic before publishing the list."))
    locked.published_at = timezone.now()
    locked.published_by = user
    locked.save(update_fields=["state", "published_at", "published_by"])
    units = list(Unit.objects.filter(is_active=True).order_by("pk"))
    told = resolve(units=units, positions=[Position.REPORTER])
    record(
        actor=user,
        action="topiclists.publish",
        obj=locked,
        summary={"title": locked.title, "units": len(units), "told": len(told)},
    )
    notify(
        to=told,
        event="topiclist_published",
        link=reverse("topiclists:detail", args=[locked.pk]),
        context={
            "title": locked.title,
            "topics": locked.topics.count(),
            "month": f"{locked.month.year}-{locked.month.month:02d}",
        },
        key=f"topiclist-{locked.pk}",
    )
    # Published: the worker renders its PDF and DOCX once, after commit; downloads serve them.
    schedule_documents(kind=LIST_DOCUMENT, subject_id=locked.pk)
    return locked


@transaction.atomic
def withdraw(*, user: User, topic_list: TopicList) -> TopicList:
    """Take a published list back: units still read it (marked withdrawn), answers stay, no
    new answer is linked; the office may now correct it and publish it again."""
    locked = _move(user=user, topic_list=topic_list, move="withdraw")
    locked.save(update_fields=["state"])
    record(actor=user, action="topiclists.withdraw", obj=locked, summary={"title": locked.title})
    return locked


def _check_link(user: User, topic: ListedTopic, item: Item) -> None:
    # The list's row is read again and locked, so that a withdrawal made meanwhile (or an
    # instance the caller holds from before publication) cannot let an answer through.
    topic_list = TopicList.objects.select_for_update(no_key=True).get(pk=topic.topic_list_id)
    if topic_list.state != ListState.PUBLISHED:
        raise TopicListError(_("Only a published list's topics take answers."))
    if item.status in NOT_ANSWERING:
        raise TopicListError(_("A draft or withdrawn item cannot answer a topic."))
    if is_writer(user):
        return
    if not (is_unit_reporter(user) and item.unit_id == user.unit_id):
        raise TopicListError(_("You may link only your own unit's items."))


@transaction.atomic
def link(*, user: User, topic: ListedTopic, item: Item, suggested: bool = False) -> TopicAnswer:
    """Say that ``item`` answers ``topic``. A reporter links their unit's items; the office any
    item it sees (the caller fetched it through ``visible_items``); ``suggested`` marks the
    office's confirmation of the matcher's suggestion."""
    _check_link(user, topic, item)
    if suggested and not is_writer(user):
        raise TopicListError(_("Only the information section confirms suggestions."))
    if TopicAnswer.objects.filter(topic=topic, item=item).exists():
        raise TopicListError(_("This item already answers this topic."))
    if suggested:
        how = AnswerHow.SUGGESTED
    elif is_writer(user):
        how = AnswerHow.OFFICE
    else:
        how = AnswerHow.UNIT
    answer = TopicAnswer.objects.create(topic=topic, item=item, how=how, by=user, at=timezone.now())
    record(
        actor=user,
        action="topiclists.link",
        obj=answer,
        summary={"topic": topic.pk, "item": item.pk, "how": how},
    )
    return answer


@transaction.atomic
def unlink(*, user: User, answer: TopicAnswer) -> None:
    """Take a link off: the office any, a reporter their unit's item's."""
    if not is_writer(user) and not (is_unit_reporter(user) and answer.item.unit_id == user.unit_id):
        raise TopicListError(_("You may take off only your own unit's links."))
    record(
        actor=user,
        action="topiclists.unlink",
        obj=answer,
        summary={"topic": answer.topic_id, "item": answer.item_id, "how": answer.how},
    )
    answer.delete()


@transaction.atomic
def dismiss_suggestion(*, user: User, topic: ListedTopic, item: Item) -> DismissedSuggestion:
    """The office says a suggested item does not answer the topic: it is not offered again."""
    _require_writer(user)
    dismissed, _created = DismissedSuggestion.objects.get_or_create(
        topic=topic, item=item, defaults={"by": user, "at": timezone.now()}
    )
    record(
        actor=user,
        action="topiclists.dismiss",
        obj=dismissed,
        summary={"topic": topic.pk, "item": item.pk},
    )
    return dismissed
