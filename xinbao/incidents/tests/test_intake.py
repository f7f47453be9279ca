"""The duty phone's intake: the level suggested with its reasons, an incident opened from a call."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from xinbao.incidents.models import (
    Incident,
    Lead,
)
from xinbao.incidents.tests.cases import T0, WHAT, IncidentCase, intake_data
from xinbao.lib.levels import Category, Level


class IntakeTest(IncidentCase):
    def test_it_suggests_level_iii_with_reasons_for_five_deaths(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:suggest"),
            {"what": "东城县一化工厂发生爆炸，造成5人死亡", "category": Category.ACCIDENT},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "<nav" not in body  # the partial only
        assert str(Level.III.label) in body
        assert "5 deaths: 3 or more reach Level III" in body
        assert "Thresholds of State Council decree 493 applied to: Accident" in body

    def test_it_raises_the_suggestion_for_a_sensitive_crowd(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("incidents:suggest"),
            {"what": "群众聚集", "category": Category.SOCIAL_SECURITY, "crowd": "200"},
        )
        body = response.content.decode()
        assert str(Level.III.label) in body
        assert "Crowd of 200 people" in body

    def test_it_shows_a_hint_before_any_text(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(reverse("incidents:suggest"), {"what": ""})
        assert "suggested level and its reasons appear here" in response.content.decode()

    def test_it_offers_the_form_with_the_time_received_now(self) -> None:
        with time_machine.travel(T0, tick=False):
            body = self.page(self.duty, reverse("incidents:intake"))
        assert 'value="2026-11-28T09:00"' in body  # Asia/Shanghai, not UTC
        assert 'hx-post="/incidents/new/suggest/"' in body
        assert "Duty" in body  # the recorder is the user

    def test_it_opens_an_incident_from_the_call(self) -> None:
        self.client.force_login(self.duty)
        data = intake_data(units=[self.county_a.pk, self.dept.pk], sensitive="on")
        response = self.client.post(reverse("incidents:intake"), data)
        incident = Incident.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
        # 5 deaths reach III; the sensitive place raises it to II, which takes the direct route.
        assert incident.level == Level.II
        assert incident.suggested_level == Level.II
        assert incident.direct_route
        assert incident.deaths == 5
        assert set(incident.units.all()) == {self.county_a, self.dept}
        lead = Lead.objects.get(incident=incident)
        assert lead.recorded_by == self.duty
        assert lead.caller_phone == "13900000001"
        assert lead.received_at == dt.datetime(2026, 11, 28, 1, 5, tzinfo=dt.UTC)

    def test_it_takes_the_officers_level_over_the_suggestion(self) -> None:
        self.client.force_login(self.duty)
        self.client.post(reverse("incidents:intake"), intake_data(level=str(Level.I.value)))
        incident = Incident.objects.get()
        assert (incident.level, incident.suggested_level) == (Level.I, Level.III)
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert "the officer chose otherwise" in body

    def test_it_keeps_what_was_typed_on_error(self) -> None:
        self.client.force_login(self.duty)
        data = intake_data(caller_phone="", units=[self.dept.pk])
        response = self.client.post(reverse("incidents:intake"), data)
        body = response.content.decode()
        assert response.status_code == 200
        assert not Incident.objects.exists()
        assert "is-invalid" in body
        assert WHAT in body
        assert 'value="东城县化工园区爆炸事故"' in body
        assert 'value="2026-11-28T09:05"' in body
        assert f'value="{self.dept.pk}" selected' in body
        # The suggestion is shown from the typed text, even before the form is complete.
        assert "5 deaths: 3 or more reach Level III" in body

    def test_it_refuses_the_intake_to_other_roles(self) -> None:
        for user in (self.alice, self.leader, self.sysadmin):
            self.client.force_login(user)
            assert self.client.get(reverse("incidents:intake")).status_code == 403
            assert self.client.post(reverse("incidents:intake"), intake_data()).status_code == 403
            assert self.client.post(reverse("incidents:suggest"), {"what": WHAT}).status_code == 403
        assert not Incident.objects.exists()
