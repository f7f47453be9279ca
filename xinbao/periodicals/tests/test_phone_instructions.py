"""Leaders' instructions beyond the sign-off pages: given by phone and recorded by the duty
officer or an editor (read back, required), written by a leader in the reading room or on an
incident page; each forwarded the same day with feedback due in working days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.calendar.models import CalendarDay
from xinbao.incidents import services as incidents
from xinbao.incidents.models import Incident
from xinbao.lib.levels import Category, Level
from xinbao.notify.models import Dispatch
from xinbao.periodicals import services
from xinbao.periodicals.models import Instruction, Issue
from xinbao.periodicals.tests.factories import PeriodicalCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


#: A Thursday: five working days run over the weekend and National Day's make-up Sunday.
THURSDAY = at(2026, 9, 17, 10, 0)
#: The eve of the National Day holiday (1–7 October; Saturday 10 October is a make-up day).
EVE = at(2026, 9, 30, 10, 0)


class InstructionPagesCase(PeriodicalCase):
    def distributed(self) -> Issue:
        issue = self.awaiting(self.adopted("东城县防汛工作情况"))
        services.sign(user=self.leader, issue=issue)
        return services.distribute(user=self.ed, issue=issue)

    def incident(self) -> Incident:
        return incidents.record_lead(
            user=self.duty,
            lead=incidents.LeadData(
                received_at=timezone.now(),
                source="西山县应急局",
                place="西山县石门镇",
                what="西山县石门镇发生山体滑坡，3人失联，县里已组织搜救。",
                caller_name="孙明",
                caller_phone="13900000002",
            ),
            title="西山县石门镇山体滑坡",
            category=Category.NATURAL_DISASTER,
            level=Level.III,
            units=[self.county_b],
        )

    def phone_data(self, **changes: Any) -> dict[str, Any]:
        data = {
            "leader": self.principal.pk,
            "spoken_at": "2026-09-17T09:40",
            "text": "要全力搜救失联人员，防止次生灾害，及时报告进展。",
            "read_back": "on",
            "units": [],
            "feedback_due": "",
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}


class PhoneInstructionTest(InstructionPagesCase):
    def test_it_records_a_phone_instruction_on_an_incident_and_forwards_it(self) -> None:
        with time_machine.travel(THURSDAY, tick=False):
            incident = self.incident()
            self.client.force_login(self.duty)
            panel = self.client.get(reverse("periodicals:incident_instruct", args=[incident.pk]))
            assert 'id="record-phone-instruction"' in panel.content.decode()
            url = reverse("periodicals:phone_instruction") + f"?incident={incident.pk}"
            page = self.client.get(url).content.decode()
            assert "西山县石门镇山体滑坡" in page and 'id="phone-instruction-form"' in page
            response = self.client.post(url, self.phone_data())
        instruction = Instruction.objects.get()
        assert response["Location"] == reverse("periodicals:instruction", args=[instruction.pk])
        assert instruction.incident == incident and instruction.item is None
        assert instruction.leader == self.principal
        assert instruction.by_phone and instruction.read_back
        assert instruction.recorded_by == self.duty
        assert instruction.spoken_at == at(2026, 9, 17, 9, 40)
        assert list(instruction.units.all()) == [self.county_b]
        # Five working days: Fri 18, Sun 20 (make-up day), Mon 21, Tue 22, Wed 23.
        assert instruction.feedback_due == dt.date(2026, 9, 23)
        assert instruction.forwarded_at == THURSDAY
        names = set(
            Dispatch.objects.filter(event="instruction_forwarded").values_list(
                "recipient_name", flat=True
            )
        )
        assert {"陈志强", "孙明", str(self.bob)} <= names
        event = AuditEvent.objects.get(action="instruction.phone")
        assert event.actor == self.duty and event.summary["read_back"] is True
        # The unit answers it like a written instruction, through its page.
        self.client.force_login(self.bob)
        with time_machine.travel(at(2026, 9, 22, 15, 0), tick=False):
            self.client.post(
                reverse("periodicals:instruction_feedback", args=[instruction.pk]),
                {"text": "已组织搜救，2人获救。"},
            )
        feedback = instruction.feedback.get()
        assert feedback.unit == self.county_b and not feedback.late
        self.client.force_login(self.ed)
        detail = self.client.get(reverse("periodicals:instruction", args=[instruction.pk]))
        assert "已组织搜救，2人获救。" in detail.content.decode()
        assert 'id="by-phone"' in detail.content.decode()

    def test_it_requires_the_read_back_and_keeps_what_was_typed(self) -> None:
        issue = self.distributed()
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:issue", args=[issue.pk])).content.decode()
        assert 'id="record-phone-instruction"' in page
        url = reverse("periodicals:phone_instruction") + f"?issue={issue.pk}"
        with time_machine.travel(THURSDAY, tick=False):
            response = self.client.post(url, self.phone_data(read_back=None))
        body = response.content.decode()
        assert response.status_code == 400
        assert "Read the instruction back to the leader and confirm it" in body
        assert "要全力搜救失联人员" in body
        assert not Instruction.objects.exists()
        with time_machine.travel(THURSDAY, tick=False):
            response = self.client.post(url, self.phone_data(spoken_at="2026-09-17T23:00"))
        assert response.status_code == 400
        assert "cannot be in the future" in response.content.decode()
        with time_machine.travel(THURSDAY, tick=False):
            self.client.post(url, self.phone_data(leader=self.leader.pk))
        instruction = Instruction.objects.get()
        assert instruction.issue == issue and instruction.leader == self.leader
        assert list(instruction.units.all()) == [self.county_a]

    def test_it_counts_feedback_over_national_day_and_the_offices_own_table(self) -> None:
        item = self.adopted("东城县国庆假期安全工作")
        url = reverse("periodicals:phone_instruction") + f"?item={item.pk}"
        self.client.force_login(self.duty)
        with time_machine.travel(EVE, tick=False):
            self.client.post(url, self.phone_data(spoken_at="2026-09-30T09:30"))
        # 8, 9, 10 (make-up Saturday), 12, 13 October.
        assert Instruction.objects.get(item=item).feedback_due == dt.date(2026, 10, 13)
        # The office's table wins: it gives 9 October off as well.
        CalendarDay.objects.create(date=dt.date(2026, 10, 9), is_workday=False, name="本市调休")
        with time_machine.travel(EVE, tick=False):
            self.client.post(url, self.phone_data(spoken_at="2026-09-30T09:45"))
        assert Instruction.objects.latest("pk").feedback_due == dt.date(2026, 10, 14)

    def test_it_links_the_phone_form_from_the_item_page_for_those_who_record(self) -> None:
        item = self.adopted()
        form = reverse("periodicals:phone_instruction") + f"?item={item.pk}"
        for user in (self.duty, self.ed, self.chief):
            self.client.force_login(user)
            page = self.client.get(reverse("items:detail", args=[item.pk])).content.decode()
            assert f'id="phone-instruction" href="{form}"' in page, user
            assert self.client.get(form).status_code == 200
        for user in (self.alice, self.principal):
            self.client.force_login(user)
            page = self.client.get(reverse("items:detail", args=[item.pk])).content.decode()
            assert 'id="phone-instruction"' not in page, user

    def test_it_refuses_roles_that_do_not_record_phone_instructions(self) -> None:
        item = self.adopted()
        url = reverse("periodicals:phone_instruction") + f"?item={item.pk}"
        for user in (self.alice, self.leader, self.principal, self.sysadmin):
            self.client.force_login(user)
            assert self.client.get(url).status_code == 403
            assert self.client.post(url, self.phone_data()).status_code == 403
        assert not Instruction.objects.exists()
        # An office role may record only against what exists and it may see.
        self.client.force_login(self.ed)
        missing = reverse("periodicals:phone_instruction") + "?item=999999"
        assert self.client.get(missing).status_code == 404
        assert self.client.get(reverse("periodicals:phone_instruction")).status_code == 404


class LeaderInstructionTest(InstructionPagesCase):
    def test_it_lets_a_leader_instruct_from_the_reading_room(self) -> None:
        issue = self.distributed()
        self.client.force_login(self.principal)
        page = self.client.get(reverse("periodicals:reading_issue", args=[issue.pk]))
        assert 'id="leader-instruction-form"' in page.content.decode()
        url = reverse("periodicals:reading_instruct", args=[issue.pk])
        with time_machine.travel(THURSDAY, tick=False):
            response = self.client.post(
                url, {"text": "请东城县加强巡查。", "feedback_due": ""}, HTTP_HX_REQUEST="true"
            )
        body = response.content.decode()
        assert response.status_code == 200 and "<nav" not in body
        assert "Instruction given and forwarded to the units today." in body
        assert "请东城县加强巡查。" in body
        instruction = Instruction.objects.get()
        assert instruction.issue == issue and instruction.leader == self.principal
        assert not instruction.by_phone
        assert instruction.feedback_due == dt.date(2026, 9, 23)
        assert list(instruction.units.all()) == [self.county_a]
        assert Dispatch.objects.filter(event="instruction_forwarded").exists()
        # An empty instruction is refused in the panel, which keeps the deadline typed.
        with time_machine.travel(THURSDAY, tick=False):
            refused = self.client.post(
                url, {"text": "", "feedback_due": "2026-12-31"}, HTTP_HX_REQUEST="true"
            )
            # Without htmx the form posts and comes back to the reading room.
            plain = self.client.post(url, {"text": "再次强调。"})
        assert "This field is required." in refused.content.decode()
        assert 'value="2026-12-31"' in refused.content.decode()
        assert plain["Location"] == reverse("periodicals:reading_issue", args=[issue.pk])
        assert Instruction.objects.count() == 2

    def test_it_lets_a_leader_instruct_on_an_incident_page(self) -> None:
        incident = self.incident()
        self.client.force_login(self.leader)
        page = self.client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        url = reverse("periodicals:incident_instruct", args=[incident.pk])
        assert f'hx-get="{url}"' in page
        panel = self.client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert 'id="leader-instruction-form"' in panel
        with time_machine.travel(THURSDAY, tick=False):
            response = self.client.post(
                url, {"text": "全力搜救，注意救援人员安全。"}, HTTP_HX_REQUEST="true"
            )
        assert "Instruction given and forwarded to the units today." in response.content.decode()
        instruction = Instruction.objects.get()
        assert instruction.incident == incident and instruction.leader == self.leader
        assert list(instruction.units.all()) == [self.county_b]

    def test_it_refuses_the_leaders_form_to_others(self) -> None:
        incident = self.incident()
        issue = self.distributed()
        issue.periodical.readers.add(self.ed)
        url = reverse("periodicals:incident_instruct", args=[incident.pk])
        for user in (self.duty, self.ed):
            self.client.force_login(user)
            panel = self.client.get(url).content.decode()
            assert 'id="leader-instruction-form"' not in panel
            assert self.client.post(url, {"text": "批示"}).status_code == 403
        reading = self.client.get(reverse("periodicals:reading_issue", args=[issue.pk]))
        assert 'id="leader-instruction-form"' not in reading.content.decode()
        response = self.client.post(
            reverse("periodicals:reading_instruct", args=[issue.pk]), {"text": "批示"}
        )
        assert response.status_code == 403
        # A reporter sees neither the incident nor the instructions on it.
        self.client.force_login(self.bob)
        assert self.client.get(url).status_code == 404
        assert self.client.post(url, {"text": "批示"}).status_code == 404
        assert not Instruction.objects.exists()
