"""Monthly topic lists (报送要点) in the demo, told through the services.

* Late last month the section chief wrote last month's list and published it on its first
  working morning; units linked their items to its topics during the month and the editor
  confirmed some of the matcher's suggestions.
* For this month the chief started from last month's list (copied), changed two topics, added
  two, and published it on the 1st (or an hour before the demo's "now" if that is earlier).
  Its units answered the topics they wrote about; the editor confirmed one suggestion per topic
  and left the others offered; one topic (人工智能 in social governance) nobody answered.

The story is told once: when this month's list exists, it is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.demo.office import Book, replay
from xinbao.items.models import Item
from xinbao.org.models import UnitClass
from xinbao.topiclists import selectors
from xinbao.topiclists import services as lists
from xinbao.topiclists.models import ListedTopic, TopicList

FOREWORD = (
    "为进一步提高信息报送的针对性和时效性，现将本月信息报送要点印发给你们，"
    "请各单位紧扣要点，深入调查研究，及时报送有情况、有分析、有建议的信息。"
)
#: (title, what is wanted, keywords, suggested kind, unit classes aimed at)
LAST_MONTH = (
    (
        "秋冬季安全生产和燃气安全",
        "重点反映安全生产专项整治、城镇燃气隐患排查整改的进展、问题和建议。",
        "安全生产、燃气、隐患排查",
        "analysis",
        (),
    ),
    (
        "森林防灭火和秸秆禁烧",
        "反映秋冬季森林防灭火责任落实、秸秆禁烧巡查和综合利用情况。",
        "森林防灭火、森林火情、秸秆",
        "dynamic",
        (),
    ),
    (
        "秋粮收购和农民增收",
        "反映秋粮收购进度、价格走势以及农民增收的新做法。",
        "秋粮收购、增收、合作社",
        "comprehensive",
        (),
    ),
    (
        "基层治理和矛盾纠纷化解",
        "反映信访积案化解、矛盾纠纷多元化解和网格化治理的经验做法。",
        "矛盾纠纷、信访、网格",
        "analysis",
        (),
    ),
)
#: This month: two of last month's topics changed, two added.
CHANGED = {
    "森林防灭火和秸秆禁烧": (
        "冬季民生保障",
        "反映困难群众冬季取暖、走访慰问和冬季传染病防控等民生保障工作。",
        "困难群众、取暖、走访慰问、传染病",
        "dynamic",
        (),
    ),
    "秋粮收购和农民增收": (
        "乡村振兴和农村人居环境",
        "反映乡村旅游、高标准农田建设和农村人居环境整治的新进展、新经验。",
        "乡村旅游、高标准农田、人居环境",
        "comprehensive",
        (),
    ),
}
ADDED = (
    (
        "优化营商环境和政务服务",
        "反映企业开办、政务服务便利化和“澜政通”平台应用的成效与群众评价。",
        "营商环境、企业开办、政务服务",
        "assessment",
        ("一类",),
    ),
    (
        "人工智能赋能社会治理",
        "反映运用人工智能提升社会治理和公共服务水平的探索、问题和建议。",
        "人工智能、大模型",
        "proposal",
        ("一类",),
    ),
)
#: Per topic: how many of the matcher's best items their units link, and how many of the
#: next the editor confirms; the rest stay offered.
UNIT_LINKS = 3
CONFIRMED = 1


def topiclists(book: Book) -> None:
    """See the module's docstring."""
    now = book.now
    this_month = timezone.localtime(now).date().replace(day=1)
    if TopicList.objects.filter(month=this_month).exists():
        book.skipped.append("topic lists: this month's list exists")
        return
    chief, editor = book.users["chief"], book.users["editor"]
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    zone = timezone.get_default_timezone()

    def morning(day: dt.date, hour: int) -> dt.datetime:
        return min(
            dt.datetime.combine(day, dt.time(hour), tzinfo=zone), now - dt.timedelta(hours=1)
        )

    holder: dict[str, TopicList] = {}

    def write_last() -> None:
        if TopicList.objects.filter(month=last_month).exists():
            holder["last"] = TopicList.objects.get(month=last_month)
            return
        written = lists.create_list(
            user=chief, month=last_month, title=_title(last_month), foreword=FOREWORD
        )
        for spec in LAST_MONTH:
            _add(chief, written, spec)
        holder["last"] = written

    replay(morning(last_month - dt.timedelta(days=3), 15), write_last)
    last = holder["last"]
    if last.state == "draft":
        replay(morning(last_month, 9), lambda: _publish(chief, last))
        last.refresh_from_db()
    _answer(book, last, editor)

    def write_this() -> None:
        written = lists.create_list(
            user=chief, month=this_month, title=_title(this_month), copy_from=last
        )
        for topic in written.topics.all():
            if topic.title in CHANGED:
                title, wanted, keywords, kind, classes = CHANGED[topic.title]
                lists.update_topic(
                    user=chief,
                    topic=topic,
                    title=title,
                    wanted=wanted,
                    keywords=keywords,
                    suggested_kind=kind,
                    unit_classes=_classes(classes),
                )
        for spec in ADDED:
            _add(chief, written, spec)
        holder["this"] = written

    replay(morning(this_month - dt.timedelta(days=2), 16), write_this)
    current = holder["this"]
    replay(morning(this_month, 9), lambda: _publish(chief, current))
    current.refresh_from_db()
    _answer(book, current, editor)
    book.add("topic_lists", 2)


def _publish(chief: User, topic_list: TopicList) -> None:
    lists.publish(user=chief, topic_list=topic_list)


def _title(month: dt.date) -> str:
    return f"{month.year}年{month.month}月信息报送要点"


def _classes(names: tuple[str, ...]) -> list[UnitClass]:
    return list(UnitClass.objects.filter(name__in=names))


def _add(
    chief: User, topic_list: TopicList, spec: tuple[str, str, str, str, tuple[str, ...]]
) -> ListedTopic:
    title, wanted, keywords, kind, classes = spec
    return lists.add_topic(
        user=chief,
        topic_list=topic_list,
        title=title,
        wanted=wanted,
        keywords=keywords,
        suggested_kind=kind,
        unit_classes=_classes(classes),
    )


def _reporter(item: Item) -> User | None:
    return (
        User.objects.filter(role=Role.REPORTER, unit_id=item.unit_id, is_active=True)
        .order_by("pk")
        .first()
    )


def _answer(book: Book, topic_list: TopicList, editor: User) -> None:
    """Units link the matcher's best items of each topic, the editor confirms the next one;
    each an hour after the item was sent (never after the demo's "now")."""
    links = 0
    for topic in topic_list.topics.order_by("order", "pk"):
        offered = selectors.suggestions(editor, topic)
        for rank, suggestion in enumerate(offered[: UNIT_LINKS + CONFIRMED]):
            item = suggestion.item
            sent = item.submitted_at or book.now
            after = max(sent, topic_list.published_at or sent) + dt.timedelta(hours=1)
            moment = min(after, book.now - dt.timedelta(minutes=30))
            reporter = _reporter(item) if rank < UNIT_LINKS else None
            user = reporter or editor
            confirmed = reporter is None

            def step(
                user: User = user,
                topic: ListedTopic = topic,
                item: Item = item,
                confirmed: bool = confirmed,
            ) -> None:
                lists.link(user=user, topic=topic, item=item, suggested=confirmed)

            replay(moment, step)
            links += 1
    book.add("topic_answers", links)
