"""A classified marking never enters an incident: not in the title or the call's record, not in a
demand's matter or a phone report. (A "机密★" title once reached every chase notice, and the
notice, refusing to draw a marked document, made every later chase fail.)"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from xinbao.incidents import services
from xinbao.incidents.models import Incident, ReportRequest
from xinbao.incidents.tests.cases import IncidentCase, intake_data


class IncidentMarkingTest(IncidentCase):
    def test_it_refuses_a_marked_title_and_keeps_what_was_typed(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:intake"), intake_data(title="机密★东城县化工园区爆炸事故")
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "carries the classified marking “机密★”" in body
        assert 'value="机密★东城县化工园区爆炸事故"' in body
        assert not Incident.objects.exists()

    def test_it_refuses_a_marking_in_what_the_caller_said(self) -> None:
        with pytest.raises(ValidationError) as refused:
            services.record_lead(
                user=self.duty,
                lead=services.LeadData(
                    received_at=self.open_incident().created_at,
                    source="东城县应急局",
                    place="东城县化工园区",
                    what="据秘密★级通报，园区发生爆炸。",
                    caller_name="赵小红",
                    caller_phone="13900000001",
                ),
                title="东城县化工园区第二次爆炸",
                category="accident",
            )
        assert refused.value.code == "classified"
        assert Incident.objects.count() == 1

    def test_it_refuses_a_marked_demand_matter_on_the_page(self) -> None:
        incident = self.open_incident()
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:demand", args=[incident.pk]),
            {"units": [self.county_a.pk], "matter": "核实伤亡（绝密★）"},
        )
        assert response.status_code == 400
        assert "carries the classified marking “绝密★”" in response.content.decode()
        assert not ReportRequest.objects.exists()

    def test_it_refuses_a_marked_phone_report(self) -> None:
        incident = self.open_incident()
        (demand,) = self.demand(incident)
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:phone", args=[incident.pk]),
            {"request": demand.pk, "note": "机密★ 现场已控制"},
        )
        assert response.status_code == 400
        assert "carries the classified marking “机密★”" in response.content.decode()
        demand.refresh_from_db()
        assert demand.phoned_at is None
