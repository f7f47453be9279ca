"""The committee's priorities in the demo city, told through the agenda's services.

* Sixty days ago the section chief entered four of the committee's priorities, each with the
  keywords an editor would choose (those of the matcher's labelled set, bench/data): the flood
  season (a major decision owned by the principal leader, with milestones, one done and one
  late), work safety, the business environment and rural revitalisation (central tasks). The
  scanner's matching pass, as it runs, matches the demo's items to them.
* An editor took the flood drill off the flood decision (an exercise, not the season's news)
  and added the landslide report, which no keyword found.
* Thirty days ago the chief entered a decision on a "zero-waste city" that no unit has written
  about; the daily check flagged it twelve days ago, and the chief turned the flag into a
  commissioned article to the counties concerned.

The story is told once: when its first priority exists, it is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.agenda import services
from xinbao.agenda.models import Priority, PriorityKind, PriorityMatch, StaleFlag
from xinbao.demo.office import Book, replay
from xinbao.items.models import Item
from xinbao.items.search import index_missing
from xinbao.org.models import Unit, UnitKind

FLOOD = "全力做好汛期安全度汛工作"
SAFETY = "安全生产治本攻坚三年行动"
BUSINESS = "持续优化营商环境"
RURAL = "全面推进乡村振兴"
ZERO_WASTE = "推进“无废城市”建设"


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _priority(
    book: Book,
    at: dt.datetime,
    *,
    title: str,
    kind: str,
    keywords: str,
    description: str,
    owner: str,
    units: list[Unit],
    starts_on: dt.date,
    ends_on: dt.date,
) -> Priority:
    holder: list[Priority] = []

    def create() -> None:
        holder.append(
            services.create_priority(
                user=book.users["chief"],
                data=services.PriorityData(
                    title=title,
                    kind=kind,
                    keywords=keywords,
                    description=description,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    owner=book.users[owner],
                    units=units,
                ),
            )
        )

    replay(at, create)
    book.add("agenda_priorities")
    return holder[0]


def agenda(book: Book) -> None:
    if Priority.objects.exists():
        book.skipped.append("agenda: the demo's priorities exist")
        return
    now = book.now
    # The scanner indexes items written past the services; the priorities' first matching
    # finds the period's items through search, as it does on a working install.
    index_missing()
    counties = list(Unit.objects.filter(kind=UnitKind.COUNTY, is_active=True).order_by("code"))
    departments = list(
        Unit.objects.filter(kind=UnitKind.MUNICIPAL_DEPARTMENT, is_active=True).order_by("code")
    )
    start = _day(now - dt.timedelta(days=120))
    end = _day(now + dt.timedelta(days=120))
    entered = now - dt.timedelta(days=60)
    flood = _priority(
        book,
        entered,
        title=FLOOD,
        kind=PriorityKind.DECISION,
        keywords="防汛、汛期、强降雨、暴雨、山洪、管涌、水位、旱情、干旱、水毁",
        description="市委常委会部署：压紧压实防汛责任，做好监测预警、群众转移和水毁修复。",
        owner="principal",
        units=counties,
        starts_on=start,
        ends_on=end,
    )
    _priority(
        book,
        entered + dt.timedelta(minutes=20),
        title=SAFETY,
        kind=PriorityKind.CENTRAL_TASK,
        keywords="安全生产、隐患排查、事故、泄漏、燃气、坍塌、自建房、危化品、交通安全",
        description="深化重点行业领域隐患排查整治，坚决遏制重特大事故。",
        owner="leader",
        units=counties + departments[:3],
        starts_on=start,
        ends_on=end,
    )
    _priority(
        book,
        entered + dt.timedelta(minutes=40),
        title=BUSINESS,
        kind=PriorityKind.CENTRAL_TASK,
        keywords="营商环境、惠企、企业开办、一件事、政务服务、免申即享、小微企业",
        description="“一号改革工程”：审批提速、政策直达、服务暖企。",
        owner="leader",
        units=counties,
        starts_on=start,
        ends_on=end,
    )
    _priority(
        book,
        entered + dt.timedelta(minutes=60),
        title=RURAL,
        kind=PriorityKind.CENTRAL_TASK,
        keywords="乡村振兴、村集体、集体经济、农户、增收、高标准农田、人居环境、返贫、乡村旅游",
        description="巩固拓展脱贫攻坚成果，发展乡村产业，建设宜居宜业和美乡村。",
        owner="leader",
        units=counties,
        starts_on=start,
        ends_on=end,
    )

    def milestones() -> None:
        chief = book.users["chief"]
        done = services.add_milestone(
            user=chief,
            priority=flood,
            title="完成汛前水库、堤防隐患排查",
            due_on=_day(entered + dt.timedelta(days=10)),
        )
        services.update_milestone(
            user=chief,
            milestone=done,
            title=done.title,
            due_on=done.due_on,
            done_on=_day(entered + dt.timedelta(days=8)),
        )
        services.add_milestone(
            user=chief,
            priority=flood,
            title="水毁水利工程修复完成八成",
            due_on=_day(now - dt.timedelta(days=5)),
            note="各县按月报送进度",
        )
        services.add_milestone(user=chief, priority=flood, title="汛期工作总结报市委", due_on=end)

    replay(entered + dt.timedelta(hours=1), milestones)

    # The scanner's matching pass, as it ran up to now.
    def match() -> None:
        while services.match_new_items():
            pass

    replay(now - dt.timedelta(minutes=30), match)
    book.add("agenda_matches", PriorityMatch.objects.count())

    # An editor corrects the flood decision's matches by hand.
    editor = book.users["editor"]
    drill = (
        PriorityMatch.objects.filter(priority=flood, item__title__contains="应急演练")
        .order_by("pk")
        .first()
    )
    if drill is not None:

        def remove() -> None:
            assert drill is not None
            services.remove_match(user=editor, match=drill)

        replay(now - dt.timedelta(minutes=25), remove)
    landslide = (
        Item.objects.filter(title__contains="山体滑坡", submitted_at__isnull=False)
        .exclude(pk__in=PriorityMatch.objects.filter(priority=flood).values("item_id"))
        .order_by("-submitted_at")
        .first()
    )
    if landslide is not None:

        def add() -> None:
            assert landslide is not None
            services.add_match(user=editor, priority=flood, item=landslide)

        replay(now - dt.timedelta(minutes=20), add)

    # A decision nothing follows: flagged by the daily check, then made a commission.
    waste = _priority(
        book,
        now - dt.timedelta(days=30),
        title=ZERO_WASTE,
        kind=PriorityKind.DECISION,
        keywords="无废城市、固体废物、垃圾分类、资源化利用",
        description="市委全面深化改革委员会部署，年内建成一批“无废细胞”。",
        owner="principal",
        units=counties[:3],
        starts_on=_day(now - dt.timedelta(days=45)),
        ends_on=end,
    )

    def check() -> None:
        services.flag_stale()

    replay(now - dt.timedelta(days=12), check)
    flag = StaleFlag.objects.filter(priority=waste, resolved_at=None).first()
    if flag is not None:
        asked = now - dt.timedelta(days=11)

        def commission() -> None:
            assert flag is not None
            services.commission_from_flag(
                user=book.users["chief"],
                flag=flag,
                requirements="请围绕“无废城市”建设报送工作进展、存在问题和对策建议。",
                due_on=_day(asked + dt.timedelta(days=15)),
            )

        replay(asked, commission)
        book.add("agenda_commissions")
