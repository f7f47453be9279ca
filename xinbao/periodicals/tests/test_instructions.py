"""Leaders' instructions (批示): forwarded the same day, answered by the units, flagged when
overdue (and reported once by the scanner), closed by the section."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from xinbao.notify import resolve
from xinbao.notify.models import Dispatch
from xinbao.org.models import Person, Position, RosterEntry, Unit
from xinbao.periodicals import selectors, services
from xinbao.periodicals.models import Instruction, InstructionStatus
from xinbao.periodicals.services import IssueError
from xinbao.periodicals.tests.factories import PeriodicalCase
from xinbao.scheduler.services import run_chore

MONDAY = dt.datetime(2026, 7, 6, 9, tzinfo=dt.UTC)
OVERDUE = "periodicals.instructions_overdue"


class InstructionTest(PeriodicalCase):
    def give(
        self, *, units: list[Unit] | None = None, feedback_due: dt.date | None = None
    ) -> Instruction:
        item = self.adopted("东城县防汛工作情况")
        return services.give_instruction(
            user=self.leader,
            text="请东城县抓紧做好转移安置工作，及时报告进展。",
            item=item,
            units=units,
            feedback_due=feedback_due,
        )

    def test_it_forwards_the_same_day_to_heads_and_reporters(self) -> None:
        with time_machine.travel(MONDAY, tick=False):
            instruction = self.give()
        assert list(instruction.units.all()) == [self.county_a]
        assert instruction.feedback_due == dt.date(2026, 7, 13)
        assert instruction.forwarded_at == MONDAY
        dispatches = Dispatch.objects.filter(event="instruction_forwarded")
        names = set(dispatches.values_list("recipient_name", flat=True))
        # The head and the reporter from the roster, and alice who logs in for the unit.
        assert {"王建国", "赵小红", str(self.alice)} <= names
        assert "陈志强" not in names  # county B's head is not concerned
        assert dispatches.first().ladder == "normal"  # type: ignore[union-attr]
        # Forwarding again sends nothing twice.
        services.forward_instruction(instruction=instruction)
        assert Dispatch.objects.filter(event="instruction_forwarded").count() == len(dispatches)

    def test_it_takes_chosen_units_and_deadline_and_defaults_for_an_issue(self) -> None:
        due = timezone.localdate() + dt.timedelta(days=3)
        chosen = self.give(units=[self.county_b, self.dept], feedback_due=due)
        assert set(chosen.units.all()) == {self.county_b, self.dept}
        assert chosen.feedback_due == due
        issue = self.compiled(self.adopted("甲"), self.adopted("乙", user=self.carol))
        on_issue = services.give_instruction(
            user=self.principal, text="各地要引起重视。", issue=issue
        )
        assert set(on_issue.units.all()) == {self.county_a, self.point}
        assert on_issue.item is None and on_issue.issue == issue

    def test_it_lets_only_leaders_instruct(self) -> None:
        item = self.adopted()
        for user in (self.ed, self.chief, self.alice):
            with pytest.raises(PermissionDenied):
                services.give_instruction(user=user, text="批示", item=item)
        with pytest.raises(IssueError):
            services.give_instruction(user=self.leader, text="批示")
        with pytest.raises(IssueError):
            services.give_instruction(
                user=self.leader,
                text="批示",
                item=item,
                feedback_due=timezone.localdate() - dt.timedelta(days=1),
            )

    def test_it_takes_feedback_from_the_units_concerned_only(self) -> None:
        instruction = self.give()
        with pytest.raises(PermissionDenied):
            services.answer_instruction(user=self.bob, instruction=instruction, text="西山县反馈")
        feedback = services.answer_instruction(
            user=self.alice, instruction=instruction, text="已转移群众320人。"
        )
        assert feedback.unit == self.county_a and not feedback.late
        assert selectors.missing_units(instruction) == []

    def test_it_flags_overdue_and_the_scanner_reports_it_once(self) -> None:
        with time_machine.travel(MONDAY, tick=False):
            instruction = self.give(units=[self.county_a, self.county_b])
        services.answer_instruction(user=self.bob, instruction=instruction, text="西山县已落实。")
        assert not selectors.is_overdue(instruction, dt.date(2026, 7, 13))
        assert selectors.is_overdue(instruction, dt.date(2026, 7, 14))
        with time_machine.travel(MONDAY + dt.timedelta(days=7, hours=1), tick=False):
            assert run_chore(OVERDUE) == "0 handled"
        with time_machine.travel(MONDAY + dt.timedelta(days=8), tick=False):
            assert run_chore(OVERDUE) == "1 handled"
            assert run_chore(OVERDUE) == "0 handled"
            overdue = Dispatch.objects.filter(event="instruction_overdue")
            told = set(overdue.values_list("recipient_name", flat=True))
            assert {str(self.ed), str(self.chief), "王建国", str(self.alice)} <= told
            assert "陈志强" not in told  # county B answered in time
            # Feedback after the deadline is marked late.
            late = services.answer_instruction(
                user=self.alice, instruction=instruction, text="东城县迟报。"
            )
        assert late.late
        instruction.refresh_from_db()
        assert instruction.overdue_notified_at is not None
        assert not selectors.is_overdue(instruction, dt.date(2026, 7, 20))

    def test_it_claims_the_overdue_report_with_a_conditional_update(self) -> None:
        with time_machine.travel(MONDAY, tick=False):
            instruction = self.give()
        # Another scanner got there first: this one finds the row already claimed.
        Instruction.objects.filter(pk=instruction.pk).update(overdue_notified_at=timezone.now())
        with time_machine.travel(MONDAY + dt.timedelta(days=9), tick=False):
            assert run_chore(OVERDUE) == "0 handled"
        assert not Dispatch.objects.filter(event="instruction_overdue").exists()

    def test_it_is_closed_by_the_section(self) -> None:
        instruction = self.give()
        with pytest.raises(PermissionDenied):
            services.close_instruction(user=self.leader, instruction=instruction)
        services.close_instruction(user=self.chief, instruction=instruction)
        instruction.refresh_from_db()
        assert instruction.status == InstructionStatus.CLOSED and instruction.closed_at
        with pytest.raises(IssueError, match="closed"):
            services.answer_instruction(user=self.alice, instruction=instruction, text="反馈")
        with pytest.raises(IssueError):
            services.close_instruction(user=self.chief, instruction=instruction)


class InstructionPagesTest(PeriodicalCase):
    def test_it_lets_a_reporter_answer_on_the_page(self) -> None:
        item = self.adopted()
        instruction = services.give_instruction(user=self.leader, text="请抓好落实。", item=item)
        self.client.force_login(self.alice)
        listing = self.client.get(reverse("periodicals:instructions_to_answer")).content.decode()
        assert "请抓好落实。" in listing
        url = reverse("periodicals:instruction", args=[instruction.pk])
        assert 'id="send-feedback"' in self.client.get(url).content.decode()
        response = self.client.post(
            reverse("periodicals:instruction_feedback", args=[instruction.pk]),
            {"text": "已召开专题会议部署落实。"},
        )
        assert response.status_code == 302
        assert instruction.feedback.get().text == "已召开专题会议部署落实。"
        # Bob's unit was not concerned: the instruction does not exist for him.
        self.client.force_login(self.bob)
        assert self.client.get(url).status_code == 404
        listing = self.client.get(reverse("periodicals:instructions_to_answer")).content.decode()
        assert "请抓好落实。" not in listing

    def test_it_shows_the_ledger_with_overdue_flags(self) -> None:
        with time_machine.travel(MONDAY, tick=False):
            services.give_instruction(user=self.leader, text="逾期的批示", item=self.adopted())
            services.give_instruction(
                user=self.leader,
                text="按时的批示",
                item=self.adopted("乙"),
                feedback_due=dt.date(2026, 7, 31),
            )
        self.client.force_login(self.chief)
        with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
            page = self.client.get(reverse("periodicals:instructions") + "?state=overdue")
        body = page.content.decode()
        assert "逾期的批示" in body and "按时的批示" not in body
        assert "text-bg-danger overdue" in body
        with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
            body = self.client.get(reverse("periodicals:instructions")).content.decode()
        assert "按时的批示" in body and body.count("text-bg-danger overdue") == 1
        self.client.force_login(self.alice)
        assert self.client.get(reverse("periodicals:instructions")).status_code == 403

    def test_it_closes_from_the_page(self) -> None:
        instruction = services.give_instruction(
            user=self.leader, text="请抓好落实。", item=self.adopted()
        )
        self.client.force_login(self.ed)
        self.client.post(reverse("periodicals:instruction_close", args=[instruction.pk]))
        instruction.refresh_from_db()
        assert instruction.status == InstructionStatus.CLOSED


class RosterTest(PeriodicalCase):
    def test_it_tells_each_person_once_when_head_and_reporter_are_one(self) -> None:
        person = Person.objects.create(name="钱一人", unit=self.dept, user=None)
        for position in (Position.HEAD, Position.REPORTER):
            RosterEntry.objects.create(
                unit=self.dept, person=person, position=position, started_on=dt.date(2026, 1, 1)
            )
        recipients = resolve(units=[self.dept], positions=services.INSTRUCTED_POSITIONS)
        assert [r.name for r in recipients] == ["钱一人"]
