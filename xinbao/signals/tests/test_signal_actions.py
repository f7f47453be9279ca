"""What a person does with a raised signal: acknowledge it, dismiss it with a reason, or turn it
into a verification demand (核实) that reaches the unit concerned on the urgent ladder."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings

from xinbao.audit.models import AuditEvent
from xinbao.incidents.models import ReportRequest
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import GenericSmsPeer
from xinbao.org.models import Person
from xinbao.signals import services
from xinbao.signals.models import EarlySignal, SignalState
from xinbao.signals.tests import factory
from xinbao.test import BaseTestCase

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)
TOKEN = "gw-secret"


class SignalActionTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tm = self.enterContext(time_machine.travel(NOW, tick=False))
        src = factory.source(self.ed)
        term = factory.term(self.ed, "停水")
        factory.flat_week(src, NOW, hit=term)
        factory.posts(src, NOW - dt.timedelta(minutes=20), 8, hit=term)
        [self.signal] = services.evaluate().raised
        self.url = f"/signals/{self.signal.pk}/"

    def refreshed(self) -> EarlySignal:
        return EarlySignal.objects.get(pk=self.signal.pk)

    def test_it_acknowledges_a_signal(self) -> None:
        self.client.force_login(self.chief)
        response = self.client.post(f"{self.url}acknowledge/", follow=True)
        self.assertContains(response, "Signal acknowledged.")
        assert self.refreshed().state == SignalState.ACKNOWLEDGED
        assert AuditEvent.objects.filter(action="signal.acknowledge").count() == 1
        # Twice is refused with the reason, not a second event.
        response = self.client.post(f"{self.url}acknowledge/", follow=True)
        self.assertContains(response, "This signal is already Acknowledged.")

    def test_it_dismisses_only_with_a_reason(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(f"{self.url}dismiss/", {"reason": "  "})
        assert response.status_code == 400
        self.assertContains(response, "Say why the signal is dismissed.", status_code=400)
        assert self.refreshed().state == SignalState.RAISED

        response = self.client.post(f"{self.url}dismiss/", {"reason": "商场促销引发讨论，非舆情"})
        assert response.status_code == 302
        signal = self.refreshed()
        assert (signal.state, signal.reason) == (SignalState.DISMISSED, "商场促销引发讨论，非舆情")
        self.assertContains(self.client.get(self.url), "商场促销引发讨论，非舆情")

    def test_it_turns_a_signal_into_a_demand_that_reaches_the_unit(self) -> None:
        sms = GenericSmsPeer(TOKEN)
        sms.start()
        self.addCleanup(sms.stop)
        self.enterContext(
            override_settings(
                XINBAO_NOTIFY={
                    "http_timeout": 2,
                    "sms": {"provider": "generic", "url": sms.url, "token": TOKEN},
                }
            )
        )
        Person.objects.filter(name="赵小红").update(phone="13900000103")
        self.client.force_login(self.ed)
        # A form without the unit keeps what was typed and says what is missing.
        response = self.client.post(
            f"{self.url}demand/", {"matter": "核实东城县停水情况", "category": "social_security"}
        )
        self.assertContains(response, "核实东城县停水情况", status_code=400)
        self.assertContains(response, "This field is required.", status_code=400)

        response = self.client.post(
            f"{self.url}demand/",
            {
                "unit": self.county_a.pk,
                "matter": "核实东城县停水情况",
                "category": "social_security",
            },
        )
        assert response.status_code == 302

        request = ReportRequest.objects.get(unit=self.county_a)
        assert request.matter == "核实东城县停水情况"
        assert request.phone_due_at or request.written_due_at
        signal = self.refreshed()
        assert (signal.state, signal.request) == (SignalState.DEMANDED, request)
        deliver_due()
        texted = {r.json()["phone"]: r.json()["text"] for r in sms.received}
        assert "核实东城县停水情况" in texted["13900000103"]
        # The unit's reporter with a login finds the demand in the in-app inbox too.
        assert Notification.objects.filter(
            user=self.alice, message__body__contains="核实东城县停水情况"
        ).exists()
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(f"/incidents/requests/{request.pk}/"), "核实东城县停水情况"
        )

    def test_it_refuses_other_roles(self) -> None:
        for user in (self.alice, self.liaison, self.leader, self.sysadmin):
            self.client.force_login(user)
            assert self.client.get("/signals/").status_code == 403
            assert self.client.post(f"{self.url}acknowledge/").status_code == 403
