"""The incident list with its filters and the incident page with its timeline."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from xinbao.incidents import services
from xinbao.incidents.models import (
    AccountabilityRecord,
)
from xinbao.incidents.tests.cases import T0, IncidentCase
from xinbao.lib.levels import Level


class ListAndDetailTest(IncidentCase):
    def test_it_filters_the_list(self) -> None:
        self.open_incident(title="较大事故甲")
        closed = self.open_incident(level=Level.IV, title="一般事故乙")
        services.close_incident(user=self.duty, incident=closed)
        body = self.page(self.leader, reverse("incidents:list"))
        assert "较大事故甲" in body and "一般事故乙" in body
        body = self.page(self.leader, reverse("incidents:list") + "?status=open")
        assert "较大事故甲" in body and "一般事故乙" not in body
        body = self.page(self.leader, reverse("incidents:list") + f"?level={Level.IV.value}")
        assert "较大事故甲" not in body and "一般事故乙" in body
        body = self.page(self.leader, reverse("incidents:list") + "?category=public_health")
        assert "较大事故甲" not in body and "一般事故乙" not in body

    def test_it_refuses_the_incident_pages_to_reporters(self) -> None:
        incident = self.open_incident()
        self.client.force_login(self.alice)
        assert self.client.get(reverse("incidents:list")).status_code == 403
        assert self.client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 403

    def test_it_renders_the_detail_with_the_timeline(self) -> None:
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            self.demand(incident)
        with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
            body = self.page(self.principal, reverse("incidents:detail", args=[incident.pk]))
        assert incident.title in body
        assert "5 deaths: 3 or more reach Level III" in body
        lead_at = body.index("Duty phone: 东城县应急局 reported it")
        demand_at = body.index(f"Reports demanded from {self.county_a.name}.")
        assert lead_at < demand_at  # newest last
        assert 'id="demand-' in body
        assert "11-28 09:30" in body  # the phone deadline, 30 minutes for level III
        assert "11-28 10:00" in body  # the written one, 60 minutes
        assert "Not confirmed" in body
        assert "Demand reports" not in body  # a leader reads; the duty officer acts

    def test_it_shows_the_direct_route(self) -> None:
        incident = self.open_incident(level=Level.I)
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert 'id="direct-route"' in body

    def test_it_marks_overdue_and_late_demands(self) -> None:
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            late, _ = self.demand(incident, self.county_a, self.county_b)
        with time_machine.travel(T0 + dt.timedelta(minutes=45), tick=False):
            services.record_phone_report(user=self.duty, request=late, note="已核实5人死亡")
            body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
            home = self.page(self.duty, reverse("home"))
        assert body.count(">Late<") == 1  # the phone report 15 minutes after 09:30
        assert body.count(">Overdue<") == 1  # county B's phone report
        assert AccountabilityRecord.objects.filter(unit=self.county_a, kind="late").exists()
        assert self.county_b.name in home.split('id="overdue-demands"')[1]
