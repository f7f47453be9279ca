"""An issue from compiling to the archive: the whole path as personas, numbering, content,
the state machine's refusals and the frozen signed content."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse

from xinbao.accounts.models import Role, User
from xinbao.audit.models import AuditEvent
from xinbao.desk import services as desk
from xinbao.items.models import Item, ItemKind, ItemStatus, Urgency
from xinbao.items.services import ItemData, create_item
from xinbao.notify.models import Dispatch
from xinbao.periodicals import services
from xinbao.periodicals.models import (
    IssueState,
    ReadReceipt,
    SignOff,
    SignOffAction,
)
from xinbao.periodicals.services import IssueError
from xinbao.periodicals.tests.factories import PeriodicalCase, make_periodical
from xinbao.test import Personas


class WholePathTest(PeriodicalCase):
    def test_it_goes_from_the_reporter_to_the_reader(self) -> None:
        # Alice, a county reporter, sends an item.
        item = create_item(
            user=self.alice,
            data=ItemData(
                title="东城县三项举措抓好秋冬季安全生产",
                body="东城县召开安全生产专题会议。\n全县排查整改隐患126处。",
                kind=ItemKind.DYNAMIC,
                urgency=Urgency.ROUTINE,
                writer_name="赵小红",
                writer_phone="13800000001",
            ),
            submit=True,
        )
        # Ed adopts it into the periodical at the desk.
        desk.adopt(user=self.ed, periodicals=[self.periodical], item=item)
        item.refresh_from_db()
        assert item.status == ItemStatus.ADOPTED
        # Ed compiles an issue with an editor's note and sends it to the section check.
        issue = services.create_issue(user=self.ed, periodical=self.periodical, title="安全生产")
        (entry,) = services.add_items(user=self.ed, issue=issue, items=[item])
        services.set_note(user=self.ed, entry=entry, note="东城县的做法值得借鉴。")
        issue = services.submit(user=self.ed, issue=issue)
        assert issue.state == IssueState.SECTION_CHECK
        assert Dispatch.objects.filter(event="issue_to_check", user=self.chief).exists()
        # The chief checks; a routine item routes to the leader in charge.
        issue = services.check(user=self.chief, issue=issue)
        assert issue.state == IssueState.AWAITING_SIGNATURE
        assert issue.signer_role == "leader_in_charge"
        assert Dispatch.objects.filter(event="issue_to_sign", user=self.leader).exists()
        # The leader signs.
        issue = services.sign(user=self.leader, issue=issue)
        assert issue.state == IssueState.SIGNED
        assert issue.signed_by == self.leader
        assert issue.frozen["items"][0]["note"] == "东城县的做法值得借鉴。"
        # Ed distributes; the readers are told.
        issue = services.distribute(user=self.ed, issue=issue)
        assert issue.state == IssueState.DISTRIBUTED
        told = set(
            Dispatch.objects.filter(event="issue_distributed").values_list("user", flat=True)
        )
        assert told == {self.leader.pk, self.principal.pk}
        # The principal reads it in the reading room: a receipt on the first opening only.
        self.client.force_login(self.principal)
        url = reverse("periodicals:reading_issue", args=[issue.pk])
        page = self.client.get(url).content.decode()
        assert "东城县三项举措抓好秋冬季安全生产" in page
        first = ReadReceipt.objects.get(issue=issue, user=self.principal).read_at
        self.client.get(url)
        assert ReadReceipt.objects.get(issue=issue, user=self.principal).read_at == first
        # The editor sees who has read it.
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:issue", args=[issue.pk])).content.decode()
        assert 'id="readers"' in page and str(self.principal) in page
        # Every step is on the sign-off record and in the audit log.
        actions = list(issue.signoffs.values_list("action", flat=True))
        assert actions == ["submit", "check", "sign", "distribute"]
        audited = set(
            AuditEvent.objects.filter(object_type="periodicals.issue").values_list(
                "action", flat=True
            )
        )
        assert {"issue.create", "issue.submit", "issue.sign", "issue.read"} <= audited
        services.archive(user=self.chief, issue=issue)
        issue.refresh_from_db()
        assert issue.state == IssueState.ARCHIVED


class NumberingTest(PeriodicalCase):
    def test_it_numbers_per_year_and_overall(self) -> None:
        with time_machine.travel(dt.datetime(2025, 12, 30, 10, tzinfo=dt.UTC)):
            a = services.create_issue(user=self.ed, periodical=self.periodical)
            b = services.create_issue(user=self.ed, periodical=self.periodical)
        with time_machine.travel(dt.datetime(2026, 1, 2, 10, tzinfo=dt.UTC)):
            c = services.create_issue(user=self.chief, periodical=self.periodical)
        other = services.create_issue(user=self.ed, periodical=make_periodical("信息专报"))
        assert [(i.year, i.number, i.total_number) for i in (a, b, c)] == [
            (2025, 1, 1),
            (2025, 2, 2),
            (2026, 1, 3),
        ]
        assert (other.number, other.total_number) == (1, 1)
        assert str(c) == "每日要情 2026年第1期"

    def test_it_lets_only_the_section_compile(self) -> None:
        for user in (self.alice, self.leader, self.duty):
            with pytest.raises(PermissionDenied):
                services.create_issue(user=user, periodical=self.periodical)


class ContentTest(PeriodicalCase):
    def test_it_takes_only_items_adopted_into_this_periodical(self) -> None:
        issue = services.create_issue(user=self.ed, periodical=self.periodical)
        elsewhere = self.adopted("别的刊物采用的信息", periodical=make_periodical("信息专报"))
        received = self.make_item(self.alice, status=ItemStatus.RECEIVED, title="仅接收的信息")
        for item in (elsewhere, received):
            with pytest.raises(IssueError, match="only items adopted into 每日要情"):
                services.add_items(user=self.ed, issue=issue, items=[item])
        assert issue.entries.count() == 0

    def test_it_places_an_item_in_one_issue_of_a_periodical_only(self) -> None:
        item = self.adopted()
        self.compiled(item)
        second = services.create_issue(user=self.ed, periodical=self.periodical)
        with pytest.raises(IssueError):
            services.add_items(user=self.ed, issue=second, items=[item])

    def test_it_orders_items_up_down_and_by_position(self) -> None:
        a, b, c = (self.adopted(t) for t in ("甲", "乙", "丙"))
        issue = self.compiled(a, b, c)

        def order() -> list[str]:
            return list(issue.entries.order_by("position").values_list("item__title", flat=True))

        entry_c = issue.entries.get(item=c)
        services.move_entry(user=self.ed, entry=entry_c, direction="up")
        assert order() == ["甲", "丙", "乙"]
        services.set_position(user=self.ed, entry=issue.entries.get(item=b), position=1)
        assert order() == ["乙", "甲", "丙"]
        services.move_entry(user=self.ed, entry=issue.entries.get(item=b), direction="up")
        assert order() == ["乙", "甲", "丙"]
        services.remove_entry(user=self.ed, entry=issue.entries.get(item=a))
        assert order() == ["乙", "丙"]
        assert list(issue.entries.order_by("position").values_list("position", flat=True)) == [
            1,
            2,
        ]

    def test_it_refuses_a_classified_marking_in_a_note(self) -> None:
        issue = self.compiled()
        with pytest.raises(IssueError, match="classified"):
            services.set_note(user=self.ed, entry=issue.entries.get(), note="机密★ 按语")


class IllegalMovesTest(PeriodicalCase):
    def test_it_refuses_moves_the_table_does_not_have(self) -> None:
        issue = self.compiled()
        with pytest.raises(IssueError, match="is Compiling: it cannot go to Signed"):
            services.sign(user=self.leader, issue=issue)
        with pytest.raises(IssueError, match="only an issue in section check"):
            services.check(user=self.chief, issue=issue)
        with pytest.raises(IssueError, match="cannot go to Distributed"):
            services.distribute(user=self.ed, issue=issue)
        issue = services.submit(user=self.ed, issue=issue)
        with pytest.raises(IssueError, match="can no longer be changed"):
            services.submit(user=self.ed, issue=issue)
        with pytest.raises(IssueError, match="cannot go to Archived"):
            services.archive(user=self.ed, issue=issue)
        issue.refresh_from_db()
        assert issue.state == IssueState.SECTION_CHECK

    def test_it_refuses_the_wrong_role(self) -> None:
        issue = services.submit(user=self.ed, issue=self.compiled())
        with pytest.raises(PermissionDenied):
            services.check(user=self.ed, issue=issue)
        issue = services.check(user=self.chief, issue=issue)
        with pytest.raises(PermissionDenied, match="signs this issue") as refused:
            services.sign(user=self.chief, issue=issue)
        assert str(Role.LEADER_IN_CHARGE.label).lower() in str(refused.value).lower()

    def test_it_refuses_an_empty_issue_and_a_return_without_comment(self) -> None:
        empty = services.create_issue(user=self.ed, periodical=self.periodical)
        with pytest.raises(IssueError, match="without items"):
            services.submit(user=self.ed, issue=empty)
        issue = services.submit(user=self.ed, issue=self.compiled())
        with pytest.raises(IssueError, match="Say why"):
            services.return_issue(user=self.chief, issue=issue, comment="  ")

    def test_it_returns_from_check_and_from_the_signer_to_compiling(self) -> None:
        issue = services.submit(user=self.ed, issue=self.compiled())
        issue = services.return_issue(user=self.chief, issue=issue, comment="标题再精炼")
        assert issue.state == IssueState.COMPILING
        assert Dispatch.objects.filter(event="issue_returned", user=self.ed).exists()
        issue = services.check(user=self.chief, issue=services.submit(user=self.ed, issue=issue))
        issue = services.return_issue(user=self.leader, issue=issue, comment="补充数据")
        assert issue.state == IssueState.COMPILING and issue.signer_role == ""
        comments = list(
            SignOff.objects.filter(issue=issue, action=SignOffAction.RETURN).values_list(
                "comment", flat=True
            )
        )
        assert comments == ["标题再精炼", "补充数据"]

    def test_it_skips_the_section_check_where_the_periodical_has_none(self) -> None:
        quick = make_periodical("信息快报", section_check=False)
        issue = services.submit(
            user=self.ed, issue=self.compiled(self.adopted(periodical=quick), periodical=quick)
        )
        assert issue.state == IssueState.AWAITING_SIGNATURE


class FrozenTest(PeriodicalCase):
    def test_it_freezes_the_signed_content_with_a_stable_hash(self) -> None:
        item = self.adopted("东城县防汛工作情况", body="第一段。\n第二段。")
        issue = self.awaiting(item)
        issue = services.sign(user=self.leader, issue=issue)
        digest = issue.content_hash
        assert len(digest) == 64
        assert services.content_hash(issue.frozen) == digest
        assert services.frozen_intact(issue)
        assert issue.frozen["items"] == [
            {
                "position": 1,
                "item": item.pk,
                "title": "东城县防汛工作情况",
                "body": "第一段。\n第二段。",
                "note": "",
                "unit": "东城县委办公室",
                "urgency": "routine",
            }
        ]
        # The item changes at the desk afterwards: the signed issue does not.
        Item.objects.filter(pk=item.pk).update(title="改过的标题")
        issue.refresh_from_db()
        assert issue.frozen["items"][0]["title"] == "东城县防汛工作情况"
        assert issue.content_hash == digest and services.frozen_intact(issue)
        # A tampered row no longer matches its hash.
        tampered = dict(issue.frozen, title="篡改")
        assert services.content_hash(tampered) != digest

    def test_it_refuses_every_change_to_a_signed_issue(self) -> None:
        issue = services.sign(user=self.leader, issue=self.awaiting())
        entry = issue.entries.get()
        refusals: list[Callable[[], object]] = [
            lambda: services.add_items(user=self.ed, issue=issue, items=[self.adopted("新")]),
            lambda: services.set_note(user=self.ed, entry=entry, note="按语"),
            lambda: services.set_title(user=self.ed, issue=issue, title="新标题"),
            lambda: services.move_entry(user=self.ed, entry=entry, direction="down"),
            lambda: services.remove_entry(user=self.ed, entry=entry),
            lambda: services.revise_item(
                user=self.leader, issue=issue, entry=entry, title="改", body="改"
            ),
            lambda: services.return_issue(user=self.leader, issue=issue, comment="撤回"),
            lambda: services.sign(user=self.leader, issue=issue),
        ]
        for refuse in refusals:
            with pytest.raises(IssueError):
                refuse()
        issue.refresh_from_db()
        assert issue.state == IssueState.SIGNED
        assert services.frozen_intact(issue)


class ConcurrentNumberingTest(Personas, TransactionTestCase):
    def test_it_gives_concurrent_issues_distinct_consecutive_numbers(self) -> None:
        self.create_personas()
        periodical = make_periodical()
        editors = [self.ed, self.chief] * 4
        barrier = threading.Barrier(len(editors))
        made: list[tuple[int, int]] = []
        errors: list[BaseException] = []

        def create(user: User) -> None:
            try:
                barrier.wait()
                issue = services.create_issue(user=user, periodical=periodical)
                made.append((issue.number, issue.total_number))
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=create, args=(u,)) for u in editors]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(made) == [(n, n) for n in range(1, len(editors) + 1)]
