"""The panel topic lists add to an item's own page (``items:detail``): the topics the item
answers and, for whoever may link it (its unit's reporters, the information section), a form to
say which topic of a published list it answers."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.items.models import Item
from xinbao.lib.panels import Panel, register
from xinbao.topiclists.access import is_unit_reporter, is_writer, may_read
from xinbao.topiclists.models import ListedTopic, ListState, TopicAnswer, TopicList
from xinbao.topiclists.services import NOT_ANSWERING

#: Published lists offered in the panel's form, newest month first.
OFFERED_LISTS = 2


@register(kind="item", order=60)
def answered_topics(user: User, item: Item) -> Panel | None:
    if not may_read(user):
        return None
    answers = list(
        TopicAnswer.objects.filter(item=item)
        .exclude(topic__topic_list__state=ListState.DRAFT)
        .select_related("topic__topic_list")
        .order_by("-topic__topic_list__month", "topic__order")
    )
    may_link = item.status not in NOT_ANSWERING and (
        is_writer(user) or (is_unit_reporter(user) and item.unit_id == user.unit_id)
    )
    offered: list[ListedTopic] = []
    if may_link:
        lists = TopicList.objects.filter(state=ListState.PUBLISHED).order_by("-month")
        taken = {a.topic_id for a in answers}
        offered = [
            topic
            for topic in ListedTopic.objects.filter(
                topic_list__in=list(lists[:OFFERED_LISTS])
            ).select_related("topic_list")
            if topic.pk not in taken
        ]
    if not answers and not offered:
        return None
    return Panel(
        "topiclists/partials/_item_panel.html",
        {"item": item, "answers": answers, "offered": offered},
    )
