"""The topic lists' pages cost a frozen number of queries, however many lists, topics and
answers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts
from xinbao.topiclists import services
from xinbao.topiclists.models import ListedTopic, TopicList

#: Every page: session and user (2), the session's save (savepoint, update, release: 3), one
#: query of the menu's own; then what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen("topiclists:index", "ed", 7, "the lists"),
    Frozen("topiclists:index", "alice", 8, "the published lists; a reporter's menu reads the unit"),
    Frozen(
        "topiclists:detail",
        "ed",
        13,
        "the list; its topics and their classes (2); coverage: topics and classes (2), units, "
        "answers with the visible items' filter",
        args=("main_list",),
    ),
    Frozen(
        "topiclists:coverage",
        "alice",
        13,
        "the list; coverage: topics and classes (2), units, answers; the unit's own answers "
        "with their items; the reporter's menu reads the unit",
        args=("main_list",),
    ),
    Frozen(
        "topiclists:topic",
        "ed",
        10,
        "the topic with its list; the answers with item, unit and linker; the classes; the "
        "month's candidates for suggestions with their units",
        args=("first_topic",),
    ),
    Frozen(
        "topiclists:topic",
        "alice",
        11,
        "the topic; the unit's answers; the classes; the unit's items to link; the reporter's "
        "menu reads the unit",
        args=("first_topic",),
    ),
)


class TopicListsQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    main_list: TopicList
    first_topic: ListedTopic

    def add_rows(self, n: int) -> None:
        """Per row: an earlier published list, a topic of the main list and an item of county A
        answering its first topic."""
        if not hasattr(self, "main_list"):
            self.main_list = services.create_list(
                user=self.chief, month=timezone.localdate(), title="本月要点"
            )
            self.first_topic = services.add_topic(
                user=self.chief, topic_list=self.main_list, title="安全生产", keywords="安全生产"
            )
            services.publish(user=self.chief, topic_list=self.main_list)
        start = TopicList.objects.count()
        for i in range(start, start + n):
            month = dt.date(2000 + i, 1, 1)
            earlier = services.create_list(user=self.chief, month=month, title=f"{month}要点")
            services.add_topic(user=self.chief, topic_list=earlier, title="要点")
            services.publish(user=self.chief, topic_list=earlier)
            # A published list changes only withdrawn, and is then published again.
            services.withdraw(user=self.chief, topic_list=self.main_list)
            services.add_topic(
                user=self.chief, topic_list=self.main_list, title=f"要点{i}", keywords="防汛"
            )
            services.publish(user=self.chief, topic_list=self.main_list)
            item = self.make_item(
                self.alice, title=f"东城县安全生产检查{i}", submitted_at=timezone.now()
            )
            services.link(user=self.alice, topic=self.first_topic, item=item)
            self.make_item(self.bob, title=f"西山县安全生产{i}", submitted_at=timezone.now())
