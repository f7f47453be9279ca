"""The office's side of the demo: the desk's decisions, periodicals, issues and instructions.

What happens is planned from the item plan alone (never from what the database holds), so two
runs plan the same story; each step then checks the database and skips what is already there:
an item that has a decision, an issue whose periodical already has its title, an instruction
its leader already gave. Every step goes through the desk's and the periodicals' services,
run on the demo's clock (``clock.at``) at the moment it happened, oldest first.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.demo import clock, data
from xinbao.demo.data import UNITS_BY_CODE
from xinbao.desk import services as desk
from xinbao.desk.models import AdoptionLevel
from xinbao.items import services as item_services
from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due, mark_read
from xinbao.periodicals import services as issues
from xinbao.periodicals.models import (
    Frequency,
    Instruction,
    Issue,
    IssueItem,
    IssueState,
    Periodical,
    SignerRule,
)

if TYPE_CHECKING:
    # The writer imports this module: its item plan is only named here, for the types.
    from xinbao.demo.writer import ItemSpec

ISSUING_OFFICE = "中共澜江市委办公室"
#: Who reads the periodicals in the reading room: the leaders and a few of the office.
READERS = ("leader", "principal", "chief", "duty", "liaison")
DESK_USERS = ("editor", "editor2", "chief")

DAILY = "每日要情"
SPECIAL = "信息专报"
WEEKLY = "综合信息"
FLASH = "紧急信息快报"


@dataclass(frozen=True)
class PeriodicalSpec:
    name: str
    frequency: str
    copies: int
    distribution: str
    signer_rule: str = SignerRule.BY_URGENCY
    section_check: bool = True
    countersign: bool = False


PERIODICALS = (
    PeriodicalSpec(
        DAILY,
        Frequency.DAILY,
        60,
        "报：市委常委，市人大常委会、市政府、市政协主要领导\n"
        "送：市委各部委，市直各单位，各县（区）委办公室",
    ),
    PeriodicalSpec(
        SPECIAL,
        Frequency.IRREGULAR,
        15,
        "报：市委书记，市长\n送：市委常委，市委秘书长",
        signer_rule=SignerRule.PRINCIPAL_LEADER,
    ),
    PeriodicalSpec(
        WEEKLY,
        Frequency.WEEKLY,
        120,
        "报：市委常委，市人大常委会、市政府、市政协领导\n"
        "送：各县（区）委，市委各部委，市直各单位党组（党委）",
    ),
    PeriodicalSpec(
        FLASH,
        Frequency.IRREGULAR,
        20,
        "报：市委书记，市长，市委、市政府分管领导\n送：市应急管理局，有关县（区）委办公室",
        section_check=False,
        countersign=True,
    ),
)

#: The state each demo issue is left in; the steps before it are all taken.
S = IssueState


@dataclass(frozen=True)
class IssuePlan:
    periodical: str
    #: Hours before "now" that the editor compiled it; the later steps follow within hours.
    hours_ago: float
    size: int
    state: str
    kinds: tuple[str, ...]
    urgencies: tuple[str, ...] = (Urgency.ROUTINE, Urgency.GENERAL_URGENT)
    #: Items of units with a demo login first (an instruction's feedback needs one).
    login_units: bool = False


_TEXTS = (ItemKind.ANALYSIS, ItemKind.PROPOSAL)
_SUMMARIES = (ItemKind.COMPREHENSIVE, ItemKind.ASSESSMENT)
ISSUES = (
    *(
        IssuePlan(DAILY, days * 24 + 2, 4, S.DISTRIBUTED, (ItemKind.DYNAMIC,))
        for days in (36, 31, 26, 21, 16, 12, 9, 6, 4)
    ),
    IssuePlan(DAILY, 22, 4, S.SIGNED, (ItemKind.DYNAMIC,)),
    IssuePlan(DAILY, 7, 4, S.AWAITING_SIGNATURE, (ItemKind.DYNAMIC,), (Urgency.ROUTINE,)),
    IssuePlan(DAILY, 4, 3, S.SECTION_CHECK, (ItemKind.DYNAMIC,)),
    IssuePlan(DAILY, 2, 2, S.COMPILING, (ItemKind.DYNAMIC,)),
    *(IssuePlan(WEEKLY, days * 24 + 5, 3, S.DISTRIBUTED, _SUMMARIES) for days in (28, 21, 14, 7)),
    IssuePlan(WEEKLY, 10, 2, S.COMPILING, _SUMMARIES),
    IssuePlan(SPECIAL, 24 * 24 + 3, 1, S.DISTRIBUTED, _TEXTS, tuple(Urgency)),
    IssuePlan(SPECIAL, 10 * 24 + 3, 1, S.DISTRIBUTED, _TEXTS, tuple(Urgency), login_units=True),
    IssuePlan(SPECIAL, 8, 1, S.AWAITING_SIGNATURE, _TEXTS, tuple(Urgency)),
)
#: Adopted in the last hours and waiting for an issue: the compiling issues' pool.
POOL = ((DAILY, 3, (ItemKind.DYNAMIC,)), (SPECIAL, 1, _TEXTS))

RETURN_COMMENTS = (
    "数据不够具体，请补充今年以来的完成情况和同比变化，压缩一般性表述后重新报送。",
    "请补充典型做法和取得的实际成效，避免罗列工作安排。",
    "标题与内容不够对应，请提炼主要做法和成效，修改标题后重新报送。",
    "请核实文中数据来源，补充分管负责同志审核意见后重新报送。",
    "篇幅过长，请围绕一个主题精简到800字以内。",
    "请补充存在的问题和下一步打算，体现信息的分析深度。",
)
REJECT_REASONS = (
    "内容为常规性工作部署，信息价值不高，暂不采用。",
    "与已采用的同类信息内容重复，不再采用。",
    "时效性不强，所述情况已过去较长时间。",
    "属于部门内部事务性工作，不宜报送市委领导。",
    "所述情况已在其他渠道报送，本刊不再采用。",
    "缺少具体做法和成效，信息价值不高。",
)
ARCHIVE_COMMENTS = (
    "作为工作参考资料存档。",
    "已掌握有关情况，存档备查。",
    "供年度综合材料参考，存档。",
)
EDITOR_NOTES = (
    "按：该做法聚焦群众关切，成效明显，值得各地学习借鉴。",
    "按：请各地结合实际，认真研究借鉴。",
)
#: What the unit adds to its returned item before sending it again.
REVISION = (
    "今年以来，相关工作累计投入资金1200万元，惠及群众3.6万人，群众满意度达96.5%，"
    "同比提高4.2个百分点。"
)
FORWARD_TO = "中共省委办公厅信息处"
HIGHER_PUBLICATION = "省委办公厅《每日汇报》"
INSTRUCTION_FEEDBACK = (
    "请{unit}抓紧研究，提出具体落实意见，并将进展情况及时报市委办公室。",
    "此件所提建议很好。请{unit}会同有关部门认真研究，尽快拿出可操作的措施。",
)
FEEDBACK_TEXT = (
    "收到批示后，我单位立即召开专题会议传达学习，逐条研究落实措施：一是成立工作专班，"
    "明确分管负责同志牵头；二是制定工作方案，细化任务分工和时间节点；三是建立周调度机制，"
    "每周汇总进展情况。下一步，我们将持续跟踪推进，及时报告工作进展。"
)


@dataclass
class Plan:
    """Every step, with its moment; ``run`` takes them oldest first."""

    steps: list[tuple[dt.datetime, int, Callable[[], None]]] = field(default_factory=list)

    def add(self, moment: dt.datetime, step: Callable[[], None]) -> None:
        self.steps.append((moment, len(self.steps), step))

    def run(self) -> None:
        for moment, _order, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            replay(moment, step)


def replay(moment: dt.datetime, step: Callable[[], None]) -> None:
    """Run ``step`` at ``moment``, then what the worker would have sent right after it, so
    that notifications carry the time of what they tell."""
    with clock.at(moment):
        step()
        deliver_due()


def read_old_notifications(now: dt.datetime, older_than: dt.timedelta, after_pk: int) -> int:
    """Of the notifications this run made (``pk > after_pk``), what came before
    ``now - older_than`` has been read, within the hour it arrived."""
    old = Notification.objects.filter(
        pk__gt=after_pk, read_at__isnull=True, created_at__lt=now - older_than
    ).select_related("user", "message__dispatch")
    done = 0
    for notification in old.order_by("pk"):
        with clock.at(notification.created_at + dt.timedelta(minutes=20 + notification.pk % 40)):
            mark_read(user=notification.user, notification=notification)
        done += 1
    return done


@dataclass
class Book:
    """What the office story needs from the rest of the demo, and what it made."""

    now: dt.datetime
    items: Mapping[int, Item]
    users: Mapping[str, User]
    periodicals: dict[str, Periodical] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, key: str, n: int = 1) -> None:
        self.created[key] = self.created.get(key, 0) + n

    def item(self, number: int) -> Item:
        return Item.objects.select_related("unit").get(pk=self.items[number].pk)


@dataclass(frozen=True)
class Merged:
    """The comprehensive item a merge makes (once its step has run) and its topics."""

    item: Callable[[], Item | None]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A received item of the plan, as the office story sees it."""

    number: int
    kind: str
    urgency: str
    unit_code: str
    received_at: dt.datetime
    receiver: str
    title: str
    body: str
    creator: str
    topics: tuple[str, ...]


def ensure_periodicals(book: Book) -> dict[str, Periodical]:
    """The four periodicals of 中共澜江市委办公室 with their readers (no service writes these:
    they are the administrator's settings)."""
    readers = list(User.objects.filter(username__in=READERS))
    for spec in PERIODICALS:
        periodical, made = Periodical.objects.get_or_create(
            name=spec.name,
            defaults={
                "frequency": spec.frequency,
                "issuing_office": ISSUING_OFFICE,
                "signer_rule": spec.signer_rule,
                "section_check": spec.section_check,
                "countersign": spec.countersign,
                "copies": spec.copies,
                "distribution": spec.distribution,
            },
        )
        if made:
            periodical.readers.add(*readers)
            book.add("periodicals")
        book.periodicals[spec.name] = periodical
    return book.periodicals


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A moment between ``start`` and ``end`` (``start`` if they are the wrong way round)."""
    span = (end - start).total_seconds()
    if span <= 0:
        return start
    return start + dt.timedelta(seconds=rng.uniform(0, span))


def _desk_user(book: Book, candidate: Candidate, rng: random.Random) -> User:
    name = candidate.receiver if candidate.receiver in DESK_USERS else rng.choice(DESK_USERS[:2])
    return book.users[name]


def _undecided(book: Book, number: int) -> Item | None:
    """The item if the desk has not decided anything on it yet (else the step is done)."""
    item = book.item(number)
    if item.status != ItemStatus.RECEIVED or item.decisions.exists():
        return None
    return item


def signer_of(book: Book, issue: Issue) -> User:
    """Whoever holds the role the issue waits for."""
    return (
        User.objects.filter(role=issue.signer_role, is_active=True).order_by("pk").first()
        or (book.users["principal"])
    )


class OfficeStory:
    """Plans the desk's decisions and the issues, then runs them on the demo's clock."""

    def __init__(self, book: Book, candidates: Sequence[Candidate]) -> None:
        self.book = book
        self.rng = random.Random(data.SEED + 2)  # noqa: S311  (fixed demo data, not security)
        self.candidates = sorted(candidates, key=lambda c: (c.received_at, c.number))
        self.used: set[int] = set()
        self.plan = Plan()
        self.titles: set[tuple[str, str]] = set()
        self.picked_titles: set[str] = set()

    # --- choosing ----------------------------------------------------------------------------

    def ago(self, hours: float) -> dt.datetime:
        return self.book.now - dt.timedelta(hours=hours)

    def _pick(
        self,
        n: int,
        before: dt.datetime,
        kinds: Iterable[str],
        urgencies: Iterable[str] = tuple(Urgency),
        login_units: bool = False,
        distinct: bool = False,
    ) -> list[Candidate]:
        """The ``n`` latest unused candidates received at least an hour before ``before``;
        ``distinct``: none with the title of one picked before (a special report's title is
        its item's)."""
        kinds, urgencies = set(kinds), set(urgencies)
        fitting = [
            c
            for c in self.candidates
            if c.number not in self.used
            and c.kind in kinds
            and c.urgency in urgencies
            and c.received_at < before - dt.timedelta(hours=1)
            and not (distinct and c.title in self.picked_titles)
        ]
        fitting.reverse()
        if login_units:
            fitting.sort(key=lambda c: not UNITS_BY_CODE[c.unit_code].slug)
        chosen = fitting[:n]
        self.used.update(c.number for c in chosen)
        self.picked_titles.update(c.title for c in chosen)
        return sorted(chosen, key=lambda c: c.received_at)

    # --- the desk ----------------------------------------------------------------------------

    def adopt(self, candidate: Candidate, periodical: Periodical, moment: dt.datetime) -> None:
        user = _desk_user(self.book, candidate, self.rng)

        def step() -> None:
            item = _undecided(self.book, candidate.number)
            if item is None:
                return
            desk.adopt(user=user, item=item, periodicals=[periodical])
            self.book.add("adoptions")

        self.plan.add(moment, step)

    def decide_others(self) -> None:
        """Returned, not adopted and archived items, among those the issues did not take."""
        rest = [
            c
            for c in self.candidates
            if c.number not in self.used and c.received_at > self.ago(60 * 24)
        ]
        chosen = self.rng.sample(rest, min(len(rest), 18))
        revised = False
        for index, candidate in enumerate(chosen):
            self.used.add(candidate.number)
            user = _desk_user(self.book, candidate, self.rng)
            moment = min(
                candidate.received_at + dt.timedelta(hours=self.rng.uniform(1, 20)),
                self.ago(0.3),
            )
            if index % 3 == 0:
                self.plan.add(moment, self._return(candidate, user, RETURN_COMMENTS[index // 3]))
                if not revised and candidate.creator.startswith("reporter_"):
                    revised = True
                    self.plan.add(moment + dt.timedelta(minutes=10), self._revise(candidate))
            elif index % 3 == 1:
                reason = REJECT_REASONS[index // 3]
                self.plan.add(moment, self._reject(candidate, user, reason))
            else:
                comment = ARCHIVE_COMMENTS[index // 3 % len(ARCHIVE_COMMENTS)]
                self.plan.add(moment, self._archive(candidate, user, comment))

    def _return(self, candidate: Candidate, user: User, comment: str) -> Callable[[], None]:
        def step() -> None:
            item = _undecided(self.book, candidate.number)
            if item is not None:
                desk.return_for_revision(user=user, item=item, comment=comment)
                self.book.add("decisions_returned")

        return step

    def _reject(self, candidate: Candidate, user: User, reason: str) -> Callable[[], None]:
        def step() -> None:
            item = _undecided(self.book, candidate.number)
            if item is not None:
                desk.reject(user=user, item=item, reason=reason)
                self.book.add("decisions_not_adopted")

        return step

    def _archive(self, candidate: Candidate, user: User, comment: str) -> Callable[[], None]:
        def step() -> None:
            item = _undecided(self.book, candidate.number)
            if item is not None:
                desk.archive(user=user, item=item, comment=comment)
                self.book.add("decisions_archived")

        return step

    def _revise(self, candidate: Candidate) -> Callable[[], None]:
        """The unit revises the returned item as asked and sends it again: back in the inbox,
        with the unit's revision kept as a version of its own."""

        def step() -> None:
            item = self.book.item(candidate.number)
            if item.status != ItemStatus.RETURNED:
                return
            author = self.book.users[candidate.creator]
            revised = item_services.ItemData(
                title=item.title,
                body=item.body + "\n" + REVISION,
                kind=item.kind,
                urgency=item.urgency,
                writer_name=item.writer_name,
                writer_phone=item.writer_phone,
                approved_by=item.approved_by,
                place=item.place,
                event_at=item.event_at,
                topics=list(item.topics.values_list("name", flat=True)),
                joint_unit_ids=list(item.joint_units.values_list("pk", flat=True)),
            )
            item = item_services.update_item(user=author, item=item, data=revised)
            item_services.submit_item(user=author, item=item)
            self.book.add("items_revised")

        return step

    # --- the merge ----------------------------------------------------------------------------

    def merge(self, into: Periodical, hours_ago: float) -> Merged | None:
        """Three similar items from three counties merged into one comprehensive item."""
        groups: dict[str, list[Candidate]] = {}
        for c in self.candidates:
            unit = UNITS_BY_CODE[c.unit_code]
            if c.number in self.used or unit.kind != "county" or unit.short_name not in c.title:
                continue
            if c.received_at > self.ago(hours_ago + 1) or c.received_at < self.ago(24 * 30):
                continue
            key = c.title.replace(unit.short_name, "")
            groups.setdefault(key, []).append(c)
        best: list[Candidate] = []
        for key in sorted(groups):
            by_unit = {c.unit_code: c for c in groups[key]}
            if len(by_unit) >= 3 and len(by_unit) > len(best):
                best = sorted(by_unit.values(), key=lambda c: c.received_at)[-3:]
        if len(best) < 3:
            self.book.skipped.append("merge: no three similar items from three counties")
            return None
        self.used.update(c.number for c in best)
        common = best[0].title.replace(UNITS_BY_CODE[best[0].unit_code].short_name, "")
        names = [UNITS_BY_CODE[c.unit_code].short_name for c in best]
        title = f"我市{'、'.join(names)}等地{common}"
        paragraphs = [
            f"近期，{'、'.join(names)}等地结合实际，{common}，取得阶段性成效。现将有关情况综合如下。"
        ]
        numerals = "一二三"
        for index, (name, c) in enumerate(zip(names, best, strict=True)):
            paragraphs.append(f"（{numerals[index]}）{name}。{c.body.splitlines()[0]}")
        paragraphs.append("下一步，市委办公室将持续跟踪各地工作进展，及时报告有关情况。")
        moment = self.ago(hours_ago)
        user = self.book.users["editor"]
        made: list[Item] = []

        def step() -> None:
            sources = [_undecided(self.book, c.number) for c in best]
            if any(s is None for s in sources):
                return
            merged = desk.merge(
                user=user,
                items=[s for s in sources if s is not None],
                title=title,
                body="\n".join(paragraphs),
                periodicals=[into],
                comment="多地同类做法，综合采用。",
            )
            made.append(merged)
            self.book.add("merged_items")

        self.plan.add(moment, step)
        topics = tuple(dict.fromkeys(t for c in best for t in c.topics))
        return Merged(lambda: made[0] if made else None, topics)

    # --- issues ------------------------------------------------------------------------------

    def issue(
        self, spec: IssuePlan, extra: Merged | None = None
    ) -> tuple[list[Candidate], Callable[[], Issue | None]]:
        """Plan one issue: adopt its items, compile it, and take it as far as ``spec.state``."""
        periodical = self.book.periodicals[spec.periodical]
        compiled = self.ago(spec.hours_ago)
        chosen = self._pick(
            spec.size,
            compiled,
            spec.kinds,
            spec.urgencies,
            spec.login_units,
            distinct=spec.periodical == SPECIAL,
        )
        for c in chosen:
            self.adopt(c, periodical, _between(self.rng, c.received_at, compiled))
        topics = [t for c in chosen for t in c.topics] + list(extra.topics if extra else ())
        title = self._title(spec.periodical, chosen, topics)
        holder: list[Issue] = []
        editor = self.book.users[self.rng.choice(("editor", "editor2"))]
        chief = self.book.users["chief"]

        def create() -> None:
            items = [self.book.item(c.number) for c in chosen]
            if extra is not None and (made := extra.item()) is not None:
                items.append(made)
            # Keyed on the items (source ids), not the title: a title may quote a date.
            if IssueItem.objects.filter(issue__periodical=periodical, item__in=items).exists():
                return
            placeable = set(
                issues.adoptable_items(periodical)
                .filter(pk__in=[i.pk for i in items])
                .values_list("pk", flat=True)
            )
            items = [i for i in items if i.pk in placeable]
            if not items:
                self.book.skipped.append(f"issue {title}: none of its items is adoptable")
                return
            issue = issues.create_issue(user=editor, periodical=periodical, title=title)
            issues.add_items(user=editor, issue=issue, items=items)
            if spec.periodical in (DAILY, WEEKLY) and len(items) > 2:
                entry = issue.entries.order_by("position").first()
                if entry is not None:
                    note = EDITOR_NOTES[issue.number % len(EDITOR_NOTES)]
                    issues.set_note(user=editor, entry=entry, note=note)
            holder.append(issue)
            self.book.add(f"issues_{spec.state}")

        def current() -> Issue | None:
            return Issue.objects.get(pk=holder[0].pk) if holder else None

        steps: list[tuple[str, float, Callable[[Issue], object]]] = [
            (S.SECTION_CHECK, 0.5, lambda i: issues.submit(user=editor, issue=i)),
            (S.AWAITING_SIGNATURE, 1.0, lambda i: issues.check(user=chief, issue=i)),
            (S.SIGNED, 2.0, lambda i: issues.sign(user=signer_of(self.book, i), issue=i)),
            (S.DISTRIBUTED, 2.5, lambda i: issues.distribute(user=editor, issue=i)),
        ]
        order: list[str] = [
            S.COMPILING,
            S.SECTION_CHECK,
            S.AWAITING_SIGNATURE,
            S.SIGNED,
            S.DISTRIBUTED,
        ]
        self.plan.add(compiled, create)
        for state, after, move in steps:
            if order.index(state) > order.index(spec.state):
                break
            if state == S.AWAITING_SIGNATURE and not periodical.section_check:
                continue
            self.plan.add(compiled + dt.timedelta(hours=after), self._move(current, state, move))
        if spec.state == S.DISTRIBUTED:
            self._reads(current, compiled + dt.timedelta(hours=2.5))
        return chosen, current

    def _title(self, periodical: str, chosen: Sequence[Candidate], topics: Sequence[str]) -> str:
        """A title from the items' topics (stable: item texts carry dates, topics do not),
        numbered where two issues of the periodical would share one."""
        if periodical == SPECIAL and chosen:
            base = chosen[0].title
        else:
            head = "、".join(list(dict.fromkeys(topics))[:3]) or "重点"
            base = f"{head}等工作动态" if periodical == DAILY else f"{head}工作综述"
        title, n = base, 1
        while (periodical, title) in self.titles:
            n += 1
            title = f"{base}（之{'一二三四五六七八九十'[n - 1]}）"
        self.titles.add((periodical, title))
        return title

    @staticmethod
    def _move(
        current: Callable[[], Issue | None], state: str, move: Callable[[Issue], object]
    ) -> Callable[[], None]:
        def step() -> None:
            issue = current()
            if issue is None or issue.state == state:
                return
            # The section chief's check is skipped where the periodical has none: submit
            # already sent the issue to its signer.
            if state == S.AWAITING_SIGNATURE and issue.state == S.AWAITING_SIGNATURE:
                return
            move(issue)

        return step

    def _reads(self, current: Callable[[], Issue | None], distributed: dt.datetime) -> None:
        for name in READERS:
            if self.rng.random() > 0.7:
                continue
            moment = min(
                distributed + dt.timedelta(minutes=self.rng.randint(10, 20 * 60)),
                self.ago(0.2),
            )
            reader = self.book.users[name]

            def step(reader: User = reader) -> None:
                issue = current()
                if issue is not None and issue.state == S.DISTRIBUTED:
                    _receipt, made = issues.record_read(user=reader, issue=issue)
                    self.book.add("read_receipts", made)

            self.plan.add(moment, step)

    def pool(self) -> None:
        """Items adopted in the last hours and not in an issue yet."""
        for name, n, kinds in POOL:
            periodical = self.book.periodicals[name]
            for c in self._pick(n, self.ago(0.5), kinds, (Urgency.ROUTINE,)):
                moment = _between(self.rng, c.received_at, self.ago(0.5))
                self.adopt(c, periodical, max(moment, self.ago(10)))

    # --- forwarding and instructions ---------------------------------------------------------

    def forward(self, candidate: Candidate, after: dt.datetime) -> None:
        """Forwarded to the province a day after the issue; adopted there days later."""
        user = self.book.users["chief"]
        forwarded = after + dt.timedelta(hours=20)
        adopted = forwarded + dt.timedelta(days=4)

        def send() -> None:
            item = self.book.item(candidate.number)
            if (
                item.status == ItemStatus.ADOPTED
                and not item.decisions.filter(kind="forward").exists()
            ):
                desk.forward(
                    user=user, item=item, to_office=FORWARD_TO, comment="建议省委办公厅参考。"
                )
                self.book.add("forwarded")

        def adopt_above() -> None:
            item = self.book.item(candidate.number)
            if item.adoptions.filter(level=AdoptionLevel.PROVINCE).exists():
                return
            desk.record_higher_adoption(
                user=user,
                item=item,
                level=AdoptionLevel.PROVINCE,
                publication=HIGHER_PUBLICATION,
                adopted_on=timezone.localdate() - dt.timedelta(days=1),
                comment="省委办公厅《每日汇报》全文采用。",
            )
            self.book.add("higher_adoptions")

        self.plan.add(forwarded, send)
        self.plan.add(min(adopted, self.ago(1)), adopt_above)

    def instruction(
        self,
        current: Callable[[], Issue | None],
        candidate: Candidate,
        given: dt.datetime,
        leader: str,
        *,
        due_days: int,
        answered: dt.datetime | None,
    ) -> None:
        """A leader's instruction on an item of a distributed issue; answered, or left overdue."""
        user = self.book.users[leader]
        unit = UNITS_BY_CODE[candidate.unit_code]
        text = INSTRUCTION_FEEDBACK[0 if answered is None else 1].format(unit=unit.name)
        holder: list[Instruction] = []

        def give() -> None:
            if Instruction.objects.filter(leader=user, text=text).exists() or current() is None:
                return
            item = self.book.item(candidate.number)
            holder.append(
                issues.give_instruction(
                    user=user,
                    text=text,
                    item=item,
                    units=[item.unit],
                    feedback_due=timezone.localdate() + dt.timedelta(days=due_days),
                )
            )
            self.book.add("instructions")

        self.plan.add(given, give)
        if answered is None:
            return
        reporter = self.book.users.get(data.reporter_username(unit)) if unit.slug else None
        if reporter is None:
            self.book.skipped.append("instruction feedback: the unit has no demo login")
            return

        def answer() -> None:
            if holder:
                issues.answer_instruction(user=reporter, instruction=holder[0], text=FEEDBACK_TEXT)
                self.book.add("instruction_feedback")

        def close() -> None:
            if holder:
                issues.close_instruction(user=self.book.users["editor"], instruction=holder[0])

        self.plan.add(answered, answer)
        self.plan.add(answered + dt.timedelta(hours=20), close)


def candidates_of(specs: Iterable[ItemSpec]) -> list[Candidate]:
    """The received items of the plan: what the desk may decide on."""
    out = []
    for s in specs:
        if s.status != ItemStatus.RECEIVED or s.received_at is None:
            continue
        out.append(
            Candidate(
                number=s.number,
                kind=s.kind,
                urgency=s.urgency,
                unit_code=s.unit_code,
                received_at=s.received_at,
                receiver=s.receiver,
                title=s.title,
                body=s.body,
                creator=s.creator,
                topics=s.topics,
            )
        )
    return out


@transaction.atomic
def run_office(book: Book, candidates: Sequence[Candidate]) -> OfficeStory:
    """The whole office story; returns it (the plan, what was adopted where)."""
    ensure_periodicals(book)
    story = OfficeStory(book, candidates)
    periodicals = book.periodicals
    merged = story.merge(periodicals[WEEKLY], hours_ago=12)
    planned: dict[IssuePlan, tuple[list[Candidate], Callable[[], Issue | None]]] = {}
    for spec in ISSUES:
        extra = merged if spec.periodical == WEEKLY and spec.state == S.COMPILING else None
        planned[spec] = story.issue(spec, extra)
    story.pool()
    story.decide_others()
    # Forwarded upward: the oldest special report's item and one weekly summary.
    special = [s for s in ISSUES if s.periodical == SPECIAL]
    weekly = [s for s in ISSUES if s.periodical == WEEKLY]
    for spec in (special[0], weekly[1]):
        chosen, _current = planned[spec]
        if chosen:
            story.forward(chosen[0], story.ago(spec.hours_ago))
    # The principal's instruction on the second special report, answered by the unit; the
    # leader's on a daily issue's item, never answered: overdue.
    answered_spec = special[1]
    chosen, current = planned[answered_spec]
    if chosen:
        given = story.ago(answered_spec.hours_ago - 5)
        story.instruction(
            current,
            chosen[0],
            given,
            "principal",
            due_days=7,
            answered=given + dt.timedelta(days=4),
        )
    overdue_spec = next(s for s in ISSUES if s.periodical == DAILY and s.hours_ago == 16 * 24 + 2)
    chosen, current = planned[overdue_spec]
    if chosen:
        story.instruction(
            current,
            chosen[-1],
            story.ago(overdue_spec.hours_ago - 6),
            "leader",
            due_days=5,
            answered=None,
        )
    story.plan.run()
    return story
