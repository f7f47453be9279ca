"""A month of the leaders' agenda, the scanner running every day as it does in production.

The section chief sets two priorities and a leader an interest on the first Monday; units
report; the scanner matches items to priorities and tells the leader at once; the leader asks
for information (点题), which the office issues as a commission; one unit answers in time, the
other misses the deadline (−10 on the ledger) and answers late; a priority nobody reports on is
flagged stale and made a commission of its own; the leader marks the answer useful. Everything
goes through the services and the scanner's `run_due`, and the outcomes are read where people
read them: the ledger, the in-app inbox, the pages.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from xinbao.agenda import services as agenda
from xinbao.agenda.models import PriorityMatch, StaleFlag
from xinbao.interests import services as interests
from xinbao.interests.models import Mark
from xinbao.items.models import ItemKind, Urgency
from xinbao.items.services import ItemData, create_item
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.research import services as research
from xinbao.research.models import Assignment, AssignmentState
from xinbao.scheduler.services import run_due
from xinbao.scoring.models import Cause, ScoreEntry
from xinbao.test import BaseTestCase, EnglishClient

SHANGHAI = ZoneInfo("Asia/Shanghai")


def scan() -> None:
    """The scanner's pass, then the worker's delivery of what it queued (in production the
    worker is woken when the scanner's transaction commits)."""
    run_due()
    deliver_due()


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


class AgendaMonthTest(BaseTestCase):
    client_class = EnglishClient

    def report(self, user: object, title: str, body: str, **extra: object) -> object:
        data = ItemData(
            title=title,
            body=body,
            kind=str(extra.get("kind", ItemKind.DYNAMIC)),
            urgency=str(extra.get("urgency", Urgency.ROUTINE)),
            writer_name="撰稿人",
            writer_phone="13800000009",
        )
        return create_item(user=user, data=data, submit=True)  # type: ignore[arg-type]

    def test_a_month_of_priorities_interests_requests_and_commissions(self) -> None:
        with time_machine.travel(at(2), tick=False) as clock:
            safety = agenda.create_priority(
                user=self.chief,
                data=agenda.PriorityData(
                    title="冬季安全生产",
                    kind="central_task",
                    keywords="安全生产、隐患排查",
                    starts_on=dt.date(2026, 11, 1),
                    ends_on=dt.date(2026, 12, 31),
                    owner=self.leader,
                    units=[self.county_a, self.county_b],
                ),
            )
            revival = agenda.create_priority(
                user=self.chief,
                data=agenda.PriorityData(
                    title="乡村振兴重点项目推进",
                    kind="decision",
                    keywords="乡村振兴",
                    starts_on=dt.date(2026, 11, 1),
                    ends_on=dt.date(2026, 12, 31),
                    owner=self.principal,
                    units=[self.county_b],
                    stale_weeks=1,
                ),
            )
            interests.save_interest(
                user=self.leader, name="防汛", keywords=["防汛", "汛情"], urgent_channel=False
            )
            scan()

            # Tuesday: units report; the scanner matches and tells the leader first.
            clock.move_to(at(3))
            check = self.report(
                self.alice,
                "东城县开展冬季安全生产隐患排查",
                "11月3日，东城县组织安全生产大检查，排查隐患42处，已整改38处。",
            )
            flood = self.report(
                self.bob,
                "西山县出现汛情 转移群众200人",
                "11月3日，西山县局地强降雨出现汛情，县防汛指挥部转移群众200人。",
                urgency=Urgency.GENERAL_URGENT,
            )
            clock.move_to(at(3, 11))
            scan()
            matched = PriorityMatch.objects.filter(priority=safety, removed_at=None)
            assert list(matched.values_list("item", flat=True)) == [check.pk]  # type: ignore[attr-defined]
            told = Notification.objects.filter(user=self.leader, link__contains=str(flood.pk))  # type: ignore[attr-defined]
            assert told.exists()
            assert not Notification.objects.filter(
                user=self.principal,
                link__contains=str(flood.pk),  # type: ignore[attr-defined]
            ).exists()

            # The leader asks (点题); the office issues it to both counties, due the 13th.
            request = interests.ask(
                user=self.leader,
                subject="冬季供暖保障情况",
                wanted="各县城区供暖运行、困难群众取暖保障情况及存在问题",
                wanted_by=dt.date(2026, 11, 20),
            )
            request = interests.issue_request(
                user=self.chief,
                request=request,
                units=[self.county_a, self.county_b],
                due_on=dt.date(2026, 11, 13),
                form="commissioned",
                requirements="情况、分析、对策",
            )
            commission = request.commission
            assert commission is not None
            deliver_due()
            assert Notification.objects.filter(
                user=self.alice, link__contains=f"/{commission.pk}/"
            ).exists()

            # The 10th: the first county answers in time.
            clock.move_to(at(10))
            heating = self.report(
                self.alice,
                "东城县冬季供暖保障情况及建议",
                "一、基本情况：城区供暖面积320万平方米。二、存在问题。三、对策建议。",
                kind=ItemKind.ANALYSIS,
            )
            mine = Assignment.objects.get(commission=commission, unit=self.county_a)
            research.link_answer(assignment=mine, item=heating, user=self.alice)  # type: ignore[arg-type]
            scan()

            # The 16th: the scanner found the second county missed the 13th; it answers late.
            clock.move_to(at(16))
            scan()
            theirs = Assignment.objects.get(commission=commission, unit=self.county_b)
            assert theirs.state == AssignmentState.MISSED
            deduction = ScoreEntry.objects.get(unit=self.county_b, cause=Cause.COMMISSION)
            assert deduction.points == -10
            assert not ScoreEntry.objects.filter(
                unit=self.county_a, cause=Cause.COMMISSION
            ).exists()
            late = self.report(
                self.bob, "西山县冬季供暖情况", "西山县城区供暖运行平稳，困难群众取暖补贴已发放。"
            )
            research.link_answer(assignment=theirs, item=late, user=self.bob)  # type: ignore[arg-type]
            theirs.refresh_from_db()
            assert theirs.state == AssignmentState.LATE
            assert ScoreEntry.objects.get(unit=self.county_b, cause=Cause.COMMISSION).pk == (
                deduction.pk
            )

            # Nobody reported on rural revival: flagged, and made a commission to the county.
            flag = StaleFlag.objects.get(priority=revival, resolved_at=None)
            assert not StaleFlag.objects.filter(priority=safety).exists()
            flag = agenda.commission_from_flag(
                user=self.chief,
                flag=flag,
                requirements="情况、分析、对策",
                due_on=dt.date(2026, 11, 27),
            )
            assert flag.commission is not None
            assert list(
                Assignment.objects.filter(commission=flag.commission).values_list("unit", flat=True)
            ) == [self.county_b.pk]

            # The leader reads the answers on the request's page and marks one useful.
            self.client.force_login(self.leader)
            page = self.client.get(reverse("interests:request", args=[request.pk]))
            self.assertContains(page, "东城县冬季供暖保障情况及建议")
            self.assertContains(page, "西山县冬季供暖情况")
            interests.set_mark(user=self.leader, useful=True, item=heating)  # type: ignore[arg-type]
            assert Mark.objects.get(leader=self.leader).useful

            # The office sees the priority's coverage: who reported and who did not.
            self.client.force_login(self.ed)
            coverage = self.client.get(reverse("agenda:detail", args=[safety.pk]))
            self.assertContains(coverage, "东城县开展冬季安全生产隐患排查")
            body = coverage.content.decode()
            reported = body[body.index('id="units-reported"') : body.index('id="units-silent"')]
            silent = body[body.index('id="units-silent"') :].split("</div>", 1)[0]
            a, b = (u.short_name or u.name for u in (self.county_a, self.county_b))
            assert a in reported and b not in reported
            assert b in silent and a not in silent
