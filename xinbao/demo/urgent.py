"""Urgent information in the demo: a landslide handled last week and an explosion this hour.

Both are told through the services, step by step, on the demo's clock: the duty officer records
the call, demands reports, units confirm receipt and report by phone and in writing, the scanner
reminds and chases, reports are filed and compared. An incident that exists (by title) is left
alone, so a second run adds nothing.

* 云岭县白云镇杨家湾村山体滑坡 (level III, six days ago, closed): demands to 云岭县委办公室 and
  市应急管理局; the county reports on time (phone, first, follow-up and final reports) and is
  commended; the bureau misses the written deadline, gets a chase notice (and, since the
  office heard of it from the county first, a missed-report record) and reports late.
  Its first report went out in 紧急信息快报, signed and distributed.
* 新港区临港化工园区澜江恒泰化工有限公司爆炸事故 (level II, forty minutes ago, open): the
  direct route to the principal leader; the emergency bureau and the police report, their
  casualty figures disagree and a verification is open; the issue of 紧急信息快报 waits for the
  principal's signature; 新港区委办公室 has just been asked to report, its phone deadline ahead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.demo.office import FLASH, Book, replay, signer_of
from xinbao.desk import services as desk
from xinbao.incidents import services as incidents
from xinbao.incidents.chores import scan_deadlines
from xinbao.incidents.models import (
    AccountabilityRecord,
    Incident,
    NoticeKind,
    RecordKind,
    ReportRequest,
    ReportStage,
)
from xinbao.incidents.notices import make_notice
from xinbao.incidents.services import LeadData
from xinbao.items import services as item_services
from xinbao.items.models import Item, ItemKind, Urgency
from xinbao.lib.levels import Category, Level
from xinbao.notify.models import Dispatch
from xinbao.notify.services import mark_dispatch_read
from xinbao.org.models import Position, Unit
from xinbao.periodicals import services as issues
from xinbao.periodicals.models import Issue

LANDSLIDE = "云岭县白云镇杨家湾村山体滑坡"
EXPLOSION = "新港区临港化工园区澜江恒泰化工有限公司爆炸事故"


def when(moment: dt.datetime) -> str:
    """ "3月4日5时15分许", as a report states a time."""
    local = timezone.localtime(moment)
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{local.month}月{local.day}日{local.hour}时{minutes}许"


@dataclass
class Scene:
    """What both stories use: the users, the units by code, the clock's 'now'."""

    book: Book
    units: Mapping[str, Unit]

    @property
    def users(self) -> Mapping[str, User]:
        return self.book.users

    def reporter(self, code: str) -> User:
        return User.objects.get(username=f"reporter_{_SLUGS[code]}")

    def request(self, incident: Incident, code: str) -> ReportRequest:
        return ReportRequest.objects.select_related("incident", "unit").get(
            incident=incident, unit=self.units[code]
        )

    def report_item(
        self,
        code: str,
        key: str,
        title: str,
        body: str,
        *,
        urgency: str,
        place: str,
        event_at: dt.datetime,
        topics: tuple[str, ...],
    ) -> Item:
        """The unit's reporter writes and sends the report; the duty officer receives it."""
        user = self.reporter(code)
        unit = self.units[code]
        heads = unit.holders(Position.HEAD)
        item = item_services.create_item(
            user=user,
            data=item_services.ItemData(
                title=title,
                body=body,
                kind=ItemKind.DYNAMIC,
                urgency=urgency,
                writer_name=user.full_name,
                writer_phone=user.phone,
                approved_by=heads[0].name if heads else "",
                place=place,
                event_at=event_at,
                topics=list(topics),
            ),
            source_id=f"demo-{key}",
            submit=True,
        )
        self.book.add("report_items")
        return item_services.receive_item(user=self.users["duty"], item=item)

    def receipt(self, incident: Incident, code: str) -> None:
        """The unit signs for the demand, and its people open the message's link."""
        request = self.request(incident, code)
        reporter = self.reporter(code)
        incidents.confirm_receipt(request=request, by=reporter.full_name, user=reporter)
        self.read_messages(request)

    def read_messages(self, request: ReportRequest) -> None:
        """The unit's urgent messages about this demand are read (so no calls follow)."""
        keys = [f"request-{request.pk}"]
        unread = Dispatch.objects.filter(read_at__isnull=True, ladder="urgent")
        for dispatch in unread:
            key = str(dispatch.context.get("key", ""))
            if key in keys or key.startswith((f"reminder-{request.pk}-", f"chase-{request.pk}-")):
                mark_dispatch_read(dispatch=dispatch, how="link")


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


_SLUGS = {"C04": "xingang", "C06": "yunling", "D05": "gongan", "D20": "yingji"}


class Timeline:
    """Steps at minutes after the incident's start, run in order on the demo's clock."""

    def __init__(self, start: dt.datetime) -> None:
        self.start = start
        self.steps: list[tuple[float, Callable[[], None]]] = []

    def at(self, minutes: float, step: Callable[[], None]) -> None:
        self.steps.append((minutes, step))

    def run(self) -> None:
        for minutes, step in sorted(self.steps, key=lambda s: s[0]):
            replay(self.start + dt.timedelta(minutes=minutes), step)


def _flash_issue(scene: Scene, item: Item, *, direct: bool) -> Issue:
    """紧急信息快报: adopt the report, compile an issue of it and send it to its signer."""
    editor, duty = scene.users["editor"], scene.users["duty"]
    periodical = scene.book.periodicals[FLASH]
    desk.adopt(user=editor, item=item, periodicals=[periodical], comment="紧急信息，即报。")
    issue = issues.create_issue(user=editor, periodical=periodical, title=item.title)
    issues.add_items(user=editor, issue=issue, items=[item])
    scene.book.add("issues_flash")
    if direct:
        return issues.send_direct(
            user=duty, issue=issue, comment="较大以上突发事件，按首接直报程序直送主要领导。"
        )
    return issues.submit(user=editor, issue=issue)


# --- the landslide -------------------------------------------------------------------------


def landslide(scene: Scene) -> None:
    if Incident.objects.filter(title=LANDSLIDE).exists():
        return
    start = scene.book.now - dt.timedelta(days=6, hours=3)
    happened = start - dt.timedelta(minutes=25)
    place = "云岭县白云镇杨家湾村三组"
    topics = ("防汛抗旱", "安全生产")
    duty = scene.users["duty"]
    t = Timeline(start)
    state: dict[str, Incident] = {}

    def lead() -> None:
        state["incident"] = incidents.record_lead(
            user=duty,
            lead=LeadData(
                received_at=timezone.now(),
                source="云岭县委办公室",
                place=place,
                what=(
                    f"{when(happened)}，云岭县白云镇杨家湾村三组后山发生山体滑坡，"
                    "约1.2万立方米土石方冲毁坡下民房3户，有群众被埋。"
                ),
                casualties="初步了解已造成3人死亡、2人受伤，是否还有人员被埋正在核实。",
                measures="白云镇已组织干部群众开展自救，县应急管理局、消防救援大队正赶赴现场。",
                caller_name="罗志航",
                caller_phone="13900006601",
                occurred_at=happened,
            ),
            title=LANDSLIDE,
            category=Category.NATURAL_DISASTER,
            level=Level.III,
            units=[scene.units["C06"]],
        )
        scene.book.add("incidents")

    def demand() -> None:
        made = incidents.demand_reports(
            user=duty,
            incident=state["incident"],
            units=[scene.units["C06"], scene.units["D20"]],
            matter="白云镇杨家湾村山体滑坡人员伤亡及抢险处置情况",
        )
        scene.book.add("demands", len(made))

    def phone(code: str, note: str) -> Callable[[], None]:
        def step() -> None:
            request = scene.request(state["incident"], code)
            incidents.record_phone_report(user=duty, request=request, note=note)
            scene.read_messages(request)

        return step

    def report(code: str, stage: str, key: str, title: str, body: str) -> Callable[[], None]:
        def step() -> None:
            item = scene.report_item(
                code,
                key,
                title,
                body,
                urgency=Urgency.IMPORTANT,
                place=place,
                event_at=happened,
                topics=topics,
            )
            incidents.file_report(user=duty, incident=state["incident"], item=item, stage=stage)
            scene.read_messages(scene.request(state["incident"], code))
            state_items[key] = item
            scene.book.add("reports")

        return step

    state_items: dict[str, Item] = {}
    state_issue: dict[str, Issue] = {}

    def scan() -> None:
        # The chase notice's PDF is drawn here; WeasyPrint's progress lines are noise.
        with _quiet("weasyprint"), _quiet("fontTools"):
            scan_deadlines()

    def flash() -> None:
        state_issue["issue"] = _flash_issue(scene, state_items["landslide-C06-1"], direct=False)

    def sign() -> None:
        issue = Issue.objects.get(pk=state_issue["issue"].pk)
        issues.sign(user=signer_of(scene.book, issue), issue=issue)

    def distribute() -> None:
        issue = Issue.objects.get(pk=state_issue["issue"].pk)
        issues.distribute(user=scene.users["editor"], issue=issue)

    def read(name: str) -> Callable[[], None]:
        def step() -> None:
            issue = Issue.objects.get(pk=state_issue["issue"].pk)
            issues.record_read(user=scene.users[name], issue=issue)

        return step

    def close() -> None:
        incidents.close_incident(user=duty, incident=state["incident"])

    def commend() -> None:
        records = list(
            AccountabilityRecord.objects.filter(
                incident=state["incident"], kind=RecordKind.COMMENDED, notice__isnull=True
            ).select_related("unit", "incident")
        )
        if records:
            make_notice(user=scene.users["chief"], kind=NoticeKind.COMMEND, records=records)
            scene.book.add("notices")

    t.at(0, lead)
    t.at(6, demand)
    t.at(9, lambda: scene.receipt(state["incident"], "C06"))
    t.at(14, lambda: scene.receipt(state["incident"], "D20"))
    t.at(
        21,
        phone("C06", "云岭县委办公室电话报告：已搜救出被埋群众5人，其中3人死亡、2人轻伤。"),
    )
    t.at(31, scan)  # reminds the bureau before its phone deadline
    t.at(33, phone("D20", "市应急管理局电话报告：已派出工作组和救援力量赶赴现场。"))
    t.at(
        52,
        report(
            "C06",
            ReportStage.FIRST,
            "landslide-C06-1",
            "云岭县白云镇杨家湾村发生山体滑坡造成3人死亡",
            f"{when(happened)}，云岭县白云镇杨家湾村三组后山发生山体滑坡，滑坡体约1.2万立方米，"
            "冲毁坡下民房3户7间。\n"
            f"截至{when(start + dt.timedelta(minutes=45))}，已搜救出被埋群众5人，其中3人经抢救"
            "无效死亡、2人受轻伤，伤者已送云岭县人民医院救治，生命体征平稳。\n"
            "险情发生后，县委、县政府主要负责同志第一时间赶赴现场，启动地质灾害应急预案，"
            "组织应急、消防、自然资源等部门开展搜救，紧急转移受威胁群众23户86人。",
        ),
    )
    t.at(66, scan)  # the bureau's written deadline passes: chase notice
    t.at(76, scan)  # a reminder before the deadline the notice extended
    t.at(
        79,
        report(
            "D20",
            ReportStage.FIRST,
            "landslide-D20-1",
            "云岭县白云镇杨家湾村山体滑坡抢险救援情况",
            f"{when(happened)}，云岭县白云镇杨家湾村三组发生山体滑坡，造成3人死亡、2人受伤。\n"
            "接报后，我局立即启动地质灾害四级应急响应，局主要负责同志带领工作组赶赴现场，"
            "调派市消防救援支队2个中队、专业救援队伍1支共68人参与救援，"
            "协调调运帐篷、折叠床等救灾物资一批。",
        ),
    )
    t.at(82, flash)
    t.at(97, sign)
    t.at(105, distribute)
    t.at(130, read("principal"))
    t.at(150, read("leader"))
    t.at(
        185,
        report(
            "C06",
            ReportStage.FOLLOW_UP,
            "landslide-C06-2",
            "云岭县白云镇山体滑坡抢险救援进展情况（续报一）",
            f"{when(happened)}云岭县白云镇杨家湾村三组发生山体滑坡后，经逐户核查，被埋群众已"
            "全部找到，事故共造成3人死亡、2人受伤，无其他人员失联。\n"
            "县里已组织转移安置受威胁群众23户86人，安置点生活物资保障到位；"
            "省地质环境监测院专家组已到达现场，对周边隐患点开展排查。",
        ),
    )
    t.at(
        300,
        report(
            "D20",
            ReportStage.FOLLOW_UP,
            "landslide-D20-2",
            "云岭县白云镇杨家湾村山体滑坡救援进展情况（续报）",
            f"{when(happened)}云岭县白云镇杨家湾村发生的山体滑坡，现场搜救工作已经结束，"
            "事故共造成3人死亡、2人受伤。我局已组织对全市"
            "地质灾害隐患点开展拉网式排查，督促各地落实群测群防措施。",
        ),
    )
    t.at(
        26 * 60,
        report(
            "C06",
            ReportStage.FINAL,
            "landslide-C06-3",
            "云岭县白云镇山体滑坡处置情况（终报）",
            f"{when(happened)}云岭县白云镇杨家湾村三组发生的山体滑坡，共造成3人死亡、2人受伤，"
            "冲毁民房3户7间，直接经济损失约260万元。"
            "遇难者善后工作已基本完成，受威胁群众全部妥善安置。\n"
            "县里已组织对全县地质灾害隐患点开展全面排查，对排查出的17处隐患点落实监测责任人，"
            "并将启动杨家湾村滑坡体综合治理工程。",
        ),
    )
    t.at(2 * 24 * 60, close)
    t.at(2 * 24 * 60 + 120, commend)
    t.run()


# --- the explosion -------------------------------------------------------------------------


def explosion(scene: Scene) -> None:
    if Incident.objects.filter(title=EXPLOSION).exists():
        return
    now = scene.book.now
    start = now - dt.timedelta(minutes=40)
    happened = start - dt.timedelta(minutes=12)
    place = "新港区临港镇临港化工园区"
    topics = ("安全生产",)
    duty = scene.users["duty"]
    t = Timeline(start)
    state: dict[str, Incident] = {}
    items: dict[str, Item] = {}

    def lead() -> None:
        state["incident"] = incidents.record_lead(
            user=duty,
            lead=LeadData(
                received_at=timezone.now(),
                source="市应急管理局",
                place=place,
                what=(
                    f"{when(happened)}，新港区临港镇临港化工园区澜江恒泰化工有限公司硝化车间"
                    "发生爆炸并引发火灾，现场有大量黑烟，周边企业门窗玻璃被震碎。"
                ),
                casualties="初步了解已造成5人死亡、30余人受伤，另有4人失联。",
                measures=(
                    "市消防救援支队已调派12个中队赶赴现场处置，新港区已启动应急响应，"
                    "正组织疏散周边群众。"
                ),
                caller_name="陈思远",
                caller_phone="13900002001",
                occurred_at=happened,
            ),
            title=EXPLOSION,
            category=Category.ACCIDENT,
            # The figures alone suggest level III; toxic smoke over a chemical park and four
            # people missing make the duty officer raise it.
            level=Level.II,
            units=[scene.units["C04"]],
        )
        scene.book.add("incidents")

    def principal_reads() -> None:
        for dispatch in Dispatch.objects.filter(
            context__key=f"incident-direct-{state['incident'].pk}", read_at__isnull=True
        ):
            mark_dispatch_read(dispatch=dispatch, how="link")

    def demand(codes: tuple[str, ...], matter: str) -> Callable[[], None]:
        def step() -> None:
            made = incidents.demand_reports(
                user=duty,
                incident=state["incident"],
                units=[scene.units[c] for c in codes],
                matter=matter,
            )
            scene.book.add("demands", len(made))

        return step

    def phone(code: str, note: str) -> Callable[[], None]:
        def step() -> None:
            request = scene.request(state["incident"], code)
            incidents.record_phone_report(user=duty, request=request, note=note)
            scene.read_messages(request)

        return step

    def report(code: str, key: str, title: str, body: str) -> Callable[[], None]:
        def step() -> None:
            item = scene.report_item(
                code,
                key,
                title,
                body,
                urgency=Urgency.MAJOR_EMERGENCY,
                place=place,
                event_at=happened,
                topics=topics,
            )
            incidents.file_report(
                user=duty, incident=state["incident"], item=item, stage=ReportStage.FIRST
            )
            items[key] = item
            scene.book.add("reports")

        return step

    def flash() -> None:
        _flash_issue(scene, items["explosion-D20-1"], direct=True)

    t.at(0, lead)
    t.at(3, demand(("D20", "D05"), "临港化工园区爆炸事故人员伤亡及救援处置情况"))
    t.at(5, lambda: scene.receipt(state["incident"], "D20"))
    t.at(6, lambda: scene.receipt(state["incident"], "D05"))
    t.at(8, principal_reads)
    t.at(12, phone("D20", "市应急管理局电话报告：现场明火已基本扑灭，正全力搜救失联人员。"))
    t.at(15, phone("D05", "市公安局电话报告：已对园区周边道路实施交通管制，企业负责人已被控制。"))
    t.at(
        24,
        report(
            "D20",
            "explosion-D20-1",
            "新港区临港化工园区澜江恒泰化工有限公司发生爆炸事故",
            f"{when(happened)}，新港区临港镇临港化工园区澜江恒泰化工有限公司硝化车间发生爆炸"
            "并引发火灾。\n"
            "据现场初步统计，事故已造成5人死亡、31人受伤，另有4人失联，伤者已分送市第一人民医院、"
            "新港区人民医院救治。\n"
            "事故发生后，市委、市政府主要负责同志赶赴现场指挥处置，市消防救援支队调派12个中队、"
            "危化品处置专业队伍2支开展灭火和搜救，生态环境部门在园区周边布设8个监测点位"
            "开展大气和水质监测，新港区组织疏散周边群众1200余人。",
        ),
    )
    t.at(
        28,
        report(
            "D05",
            "explosion-D05-1",
            "新港区临港镇临港化工园区爆炸事故现场处置情况",
            f"{when(happened)}，新港区临港镇临港化工园区澜江恒泰化工有限公司发生爆炸。"
            "据我局现场指挥部核实，事故已造成7人死亡、26人受伤，2人失联。\n"
            "我局已调集警力260人开展现场警戒、交通管制和人员疏散，"
            "对企业法定代表人等3名相关责任人依法控制，事故原因正在调查。",
        ),
    )
    t.at(31, flash)
    t.at(37, demand(("C04",), "临港化工园区爆炸事故周边群众疏散安置情况"))
    t.run()
