"""A leader's request for information (点题/交办): asked on a phone, issued by the office to
units as a research commission, answered by a unit's item the leader then reads."""

from __future__ import annotations

import datetime as dt

import time_machine

from xinbao.accounts.models import User
from xinbao.interests.models import InfoRequest, RequestState
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.research.models import Assignment, Commission, CommissionSource
from xinbao.research.services import link_answer
from xinbao.test import BaseTestCase

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)


class RequestTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))

    def inbox(self, user: User) -> list[str]:
        deliver_due()
        return list(
            Notification.objects.filter(user=user).values_list("message__subject", flat=True)
        )

    def test_it_turns_a_leaders_request_into_a_commission_that_is_answered(self) -> None:
        self.client.force_login(self.leader)
        menu = dict(self.client.get("/").context["nav_all"])
        self.assertContains(self.client.get(menu["My requests"]), "Ask for information")
        # A date in the past is refused; what was typed stays.
        response = self.client.post(
            "/interests/requests/new/",
            {
                "subject": "农村饮水安全",
                "wanted": "各县农村饮水工程运行情况",
                "wanted_by": "2026-07-01",
            },
        )
        self.assertContains(response, "The date wanted cannot be in the past.", status_code=400)
        self.assertContains(response, "农村饮水安全", status_code=400)
        response = self.client.post(
            "/interests/requests/new/",
            {
                "subject": "农村饮水安全",
                "wanted": "各县农村饮水工程运行情况、存在问题和建议",
                "wanted_by": "2026-07-20",
                "units": [self.county_a.pk],
            },
            follow=True,
        )
        self.assertContains(response, "Request sent to the office.")
        req = InfoRequest.objects.get()
        assert req.state == RequestState.OPEN and list(req.units.all()) == [self.county_a]
        # The office is told.
        assert any("农村饮水安全" in s for s in self.inbox(self.ed))

        # The office sees it waiting, and issues it to the units.
        self.client.force_login(self.ed)
        menu = dict(self.client.get("/").context["nav_all"])
        page = self.client.get(menu["Leaders' requests"])
        self.assertContains(page, "农村饮水安全")
        page = self.client.get(f"/interests/requests/{req.pk}/")
        self.assertContains(page, "Issue to units as a commission")
        response = self.client.post(
            f"/interests/requests/{req.pk}/issue/",
            {"form": "commissioned", "due_on": "2026-07-20", "requirements": "请报送"},
        )
        self.assertContains(response, "Choose at least one unit.", status_code=400)
        self.assertContains(response, "请报送", status_code=400)
        response = self.client.post(
            f"/interests/requests/{req.pk}/issue/",
            {
                "units": [self.county_a.pk, self.county_b.pk],
                "form": "commissioned",
                "due_on": "2026-07-20",
                "requirements": "写清情况、分析和对策",
            },
            follow=True,
        )
        self.assertContains(response, "Request issued to the units as a commission.")
        req.refresh_from_db()
        commission = Commission.objects.get()
        assert (req.state, req.commission, req.issued_by) == (
            RequestState.ISSUED,
            commission,
            self.ed,
        )
        assert commission.source == CommissionSource.LEADER_REQUEST
        assert commission.subject == "农村饮水安全"
        assert {a.unit for a in commission.assignments.all()} == {self.county_a, self.county_b}
        # Issued once only.
        response = self.client.post(
            f"/interests/requests/{req.pk}/issue/",
            {
                "units": [self.county_a.pk],
                "form": "commissioned",
                "due_on": "2026-07-20",
                "requirements": "再次",
            },
        )
        assert response.status_code in (400, 409)
        assert Commission.objects.count() == 1
        # The leader is told it was commissioned.
        assert any("农村饮水安全" in s for s in self.inbox(self.leader))

        # County A answers with an item; the leader sees it on the request's page.
        item = self.make_item(self.alice, title="东城县农村饮水安全调研报告")
        link_answer(
            assignment=Assignment.objects.get(commission=commission, unit=self.county_a),
            item=item,
            user=self.alice,
        )
        # The leader is told at once, in their inbox.
        deliver_due()
        told = Notification.objects.filter(
            user=self.leader, message__body__contains="东城县农村饮水安全调研报告"
        ).values_list("message__subject", flat=True)
        assert len(told) == 1 and "农村饮水安全" in told[0], list(told)
        self.client.force_login(self.leader)
        page = self.client.get(f"/interests/requests/{req.pk}/")
        self.assertContains(page, "Commissioned to units")
        self.assertContains(page, "东城县农村饮水安全调研报告")
        self.assertContains(page, commission.number)
        self.assertNotContains(page, "Issue to units as a commission")

    def test_it_lets_the_leader_withdraw_an_open_request_only(self) -> None:
        self.client.force_login(self.principal)
        self.client.post(
            "/interests/requests/new/",
            {"subject": "营商环境", "wanted": "企业反映的突出问题", "wanted_by": "2026-07-30"},
        )
        req = InfoRequest.objects.get()
        self.client.force_login(self.leader)
        assert self.client.get(f"/interests/requests/{req.pk}/").status_code == 404
        assert self.client.post(f"/interests/requests/{req.pk}/withdraw/").status_code == 404
        self.client.force_login(self.principal)
        response = self.client.post(f"/interests/requests/{req.pk}/withdraw/", follow=True)
        self.assertContains(response, "Request withdrawn.")
        req.refresh_from_db()
        assert req.state == RequestState.WITHDRAWN
        # The office can no longer issue it.
        self.client.force_login(self.chief)
        response = self.client.post(
            f"/interests/requests/{req.pk}/issue/",
            {
                "units": [self.county_a.pk],
                "form": "commissioned",
                "due_on": "2026-07-20",
                "requirements": "请报送",
            },
        )
        assert response.status_code == 409
        assert not Commission.objects.exists()

    def test_it_refuses_reporters_and_keeps_leaders_from_issuing(self) -> None:
        self.client.force_login(self.alice)
        assert self.client.get("/interests/requests/").status_code == 403
        assert self.client.get("/interests/requests/new/").status_code == 403
        self.client.force_login(self.leader)
        self.client.post(
            "/interests/requests/new/",
            {"subject": "营商环境", "wanted": "企业反映的突出问题", "wanted_by": "2026-07-30"},
        )
        req = InfoRequest.objects.get()
        response = self.client.post(
            f"/interests/requests/{req.pk}/issue/",
            {
                "units": [self.county_a.pk],
                "form": "commissioned",
                "due_on": "2026-07-20",
                "requirements": "请报送",
            },
        )
        assert response.status_code == 403
        self.client.force_login(self.alice)
        assert self.client.get(f"/interests/requests/{req.pk}/").status_code == 403
