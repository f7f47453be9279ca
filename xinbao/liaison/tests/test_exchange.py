"""The exchange with the partner department: the liaison shares a lead into the office's inbox;
the office sends a lead with a question and a deadline, the liaison answers and the office reads
the answer; an unanswered request is shown overdue and reminded once by the scanner."""

from __future__ import annotations

import datetime as dt

import time_machine

from xinbao.accounts.models import Role, User
from xinbao.audit.models import AuditEvent
from xinbao.liaison.chores import OVERDUE
from xinbao.liaison.models import Direction, Lead, LeadState
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.scheduler.services import run_chore
from xinbao.signals.models import EarlySignal, SignalKind
from xinbao.test import BaseTestCase

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def told(user: User) -> list[str]:
    """What reached the user's in-app inbox: subjects in the office's language."""
    deliver_due()
    return list(
        Notification.objects.filter(user=user)
        .order_by("pk")
        .values_list("message__subject", flat=True)
    )


class ExchangeTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tm = self.enterContext(time_machine.travel(NOW, tick=False))

    def test_it_brings_a_shared_lead_into_the_office_inbox(self) -> None:
        self.client.force_login(self.liaison)
        form = {
            "title": "某小区业主网上集中反映停水",
            "text": "多名网民在本地论坛发帖，称青石镇某小区停水三天。",
            "source_url": "https://bbs.example.cn/t/123",
        }
        response = self.client.post("/liaison/share/", form, follow=True)
        self.assertContains(response, "Lead shared with the office.")
        lead = Lead.objects.get()
        assert (lead.direction, lead.state, lead.liaison) == (
            Direction.IN,
            LeadState.SHARED,
            self.liaison,
        )
        assert told(self.ed) == ["舆情线索：某小区业主网上集中反映停水"]
        assert told(self.duty) == ["舆情线索：某小区业主网上集中反映停水"]

        self.client.force_login(self.ed)
        self.assertContains(self.client.get("/liaison/"), "某小区业主网上集中反映停水")
        response = self.client.post(f"/liaison/{lead.pk}/take/", follow=True)
        self.assertContains(response, "Lead taken in.")
        assert Lead.objects.get().state == LeadState.TAKEN
        assert AuditEvent.objects.filter(action__startswith="liaison.").count() == 2

    def test_it_keeps_what_was_typed_when_the_share_form_is_refused(self) -> None:
        self.client.force_login(self.liaison)
        response = self.client.post("/liaison/share/", {"title": "", "text": "网民反映的情况"})
        self.assertContains(response, "网民反映的情况", status_code=400)
        self.assertContains(response, "This field is required.", status_code=400)
        assert not Lead.objects.exists()

    def test_it_sends_a_request_and_shows_the_answer(self) -> None:
        self.client.force_login(self.ed)
        due = NOW + dt.timedelta(hours=4)
        response = self.client.post(
            "/liaison/request/",
            {
                "liaison": self.liaison.pk,
                "title": "网传青石镇化工厂泄漏",
                "text": "微博有网民称青石镇化工厂泄漏。",
                "question": "请核实网传情况并告知处置口径。",
                "due_at": "2026-07-10T14:00",
            },
        )
        assert response.status_code == 302, response.content.decode()
        lead = Lead.objects.get()
        assert (lead.state, lead.due_at) == (LeadState.REQUESTED, due)
        assert told(self.liaison) == ["办公室请求答复：网传青石镇化工厂泄漏"]

        self.client.force_login(self.liaison)
        self.assertContains(self.client.get("/liaison/mine/"), "网传青石镇化工厂泄漏")
        home = self.client.get("/")
        self.assertContains(home, "Leads the office asks you to answer")
        self.assertContains(home, f"/liaison/{lead.pk}/")
        response = self.client.post(f"/liaison/{lead.pk}/answer/", {"answer": ""})
        self.assertContains(response, "Write the answer.", status_code=400)
        response = self.client.post(
            f"/liaison/{lead.pk}/answer/", {"answer": "经核实系谣言，已发布辟谣信息。"}
        )
        assert response.status_code == 302

        assert told(self.ed) == ["已答复：网传青石镇化工厂泄漏"]
        self.client.force_login(self.ed)
        page = self.client.get(f"/liaison/{lead.pk}/")
        self.assertContains(page, "经核实系谣言，已发布辟谣信息。")
        self.assertContains(page, "Answered")

    def test_it_refuses_a_deadline_in_the_past_and_keeps_the_form(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(
            "/liaison/request/",
            {
                "liaison": self.liaison.pk,
                "title": "网传停电",
                "text": "网传停电。",
                "question": "请核实。",
                "due_at": "2026-07-10T08:00",
            },
        )
        self.assertContains(response, "The deadline must be in the future.", status_code=400)
        self.assertContains(response, "网传停电", status_code=400)

    def test_it_shows_and_reminds_an_overdue_request_once(self) -> None:
        self.client.force_login(self.chief)
        self.client.post(
            "/liaison/request/",
            {
                "liaison": self.liaison.pk,
                "title": "网传学校食堂问题",
                "text": "网传某学校食堂卫生问题。",
                "question": "请核实。",
                "due_at": "2026-07-10T12:00",
            },
        )
        lead = Lead.objects.get()
        run_chore(OVERDUE)
        assert told(self.liaison) == ["办公室请求答复：网传学校食堂问题"]

        self.tm.move_to(NOW + dt.timedelta(hours=3))
        run_chore(OVERDUE)
        run_chore(OVERDUE)
        assert told(self.liaison)[1:] == ["逾期未答复：网传学校食堂问题"]
        assert told(self.chief) == ["逾期未答复：网传学校食堂问题"]
        self.client.force_login(self.chief)  # the idle session ended meanwhile
        self.assertContains(self.client.get("/liaison/"), "Overdue")
        assert Lead.objects.get(pk=lead.pk).reminded_at is not None


class SignalToDepartmentTest(BaseTestCase):
    def test_it_sends_an_early_signal_to_the_department(self) -> None:
        now = NOW
        signal = EarlySignal.objects.create(
            kind=SignalKind.PLACE,
            key="青石镇",
            label="青石镇",
            window_start=now - dt.timedelta(hours=1),
            window_end=now,
            observed=9,
            baseline=1.0,
            baseline_std=0.8,
            score=8.0,
            raised_at=now,
            burst_last_seen_at=now,
        )
        with time_machine.travel(NOW, tick=False):
            self.client.force_login(self.duty)
            form = self.client.get(f"/liaison/request/?signal={signal.pk}")
            self.assertContains(form, "Early signal: 青石镇")
            response = self.client.post(
                "/liaison/request/",
                {
                    "liaison": self.liaison.pk,
                    "title": "Early signal: 青石镇",
                    "text": "青石镇相关帖文一小时内9条。",
                    "question": "请研判并告知是否需要发布信息。",
                    "due_at": "2026-07-10T18:00",
                    "signal": signal.pk,
                },
            )
            assert response.status_code == 302
            lead = Lead.objects.get()
            assert lead.signal == signal
            self.assertContains(self.client.get(f"/liaison/{lead.pk}/"), f"/signals/{signal.pk}/")
            self.client.force_login(self.liaison)
            page = self.client.get(f"/liaison/{lead.pk}/")
            self.assertContains(page, "请研判并告知是否需要发布信息。")
            self.assertNotContains(page, f"/signals/{signal.pk}/")


class LiaisonIsolationTest(BaseTestCase):
    def test_it_shows_a_liaison_only_their_own_leads_and_no_item(self) -> None:
        other = User.objects.create_user(
            username="liaison2", password="Xb-test-2026!", role=Role.PARTNER_LIAISON
        )
        self.client.force_login(self.liaison)
        self.client.post("/liaison/share/", {"title": "宣传部线索甲", "text": "线索甲正文"})
        lead = Lead.objects.get()
        item = self.make_item(self.alice, title="东城县内部情况")

        self.client.force_login(other)
        assert self.client.get(f"/liaison/{lead.pk}/").status_code == 404
        assert self.client.post(f"/liaison/{lead.pk}/answer/", {"answer": "x"}).status_code == 404
        self.assertNotContains(self.client.get("/liaison/mine/"), "宣传部线索甲")
        assert self.client.get("/liaison/").status_code == 403
        assert self.client.get(f"/items/{item.pk}/").status_code in (403, 404)
        # Neither may a liaison send leads or read the signals.
        self.client.force_login(self.liaison)
        assert self.client.get("/liaison/request/").status_code == 403
        assert self.client.get("/signals/").status_code == 403
        assert self.client.get(f"/items/{item.pk}/").status_code in (403, 404)
