"""The incident pages and the verification comparison use the facts beyond deaths and injuries."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from xinbao.incidents.models import Verification
from xinbao.incidents.services import file_report
from xinbao.incidents.tests.cases import T0, IncidentCase, intake_data

LANDSLIDE_A = (
    "11月28日8时40分，东城县青石镇双河村发生山体滑坡，5人被困，2人失踪，紧急转移群众2300人，"
    "县应急局已组织救援。"
)
LANDSLIDE_B = (
    "11月28日8时40分，东城县青石镇双河村附近发生山体滑坡，12人被困，2人失踪，"
    "紧急转移群众2300余人，县应急局已组织救援。"
)


class MoreFactsTest(IncidentCase):
    def test_it_shows_the_new_facts_on_the_incident_page(self) -> None:
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            incident.units.add(self.county_b)
            item = self.make_item(self.alice, title="东城县青石镇发生山体滑坡", body=LANDSLIDE_A)
            file_report(user=self.duty, incident=incident, item=item)
            body = self.page(self.principal, reverse("incidents:detail", args=[incident.pk]))
        assert "被困: 5" in body
        assert "疏散转移: 2300" in body

    def test_it_opens_a_verification_when_units_disagree_on_the_trapped(self) -> None:
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            incident.units.add(self.county_b)
            first = self.make_item(self.alice, title="青石镇发生山体滑坡", body=LANDSLIDE_A)
            file_report(user=self.duty, incident=incident, item=first)
            other = self.make_item(self.bob, title="青石镇发生山体滑坡", body=LANDSLIDE_B)
            file_report(user=self.duty, incident=incident, item=other)
        verification = Verification.objects.get(incident=incident)
        facts = {d["fact"] for d in verification.discrepancies}
        # 5 against 12 trapped; the evacuated (2300 and 2300余) and the place
        # ("…双河村" and "…双河村附近") agree once normalised.
        assert facts == {"trapped"}

    def test_it_reads_relative_dates_against_when_the_unit_sent_the_report(self) -> None:
        sent = T0 - dt.timedelta(days=1)  # 27 November, 09:00 in Shanghai
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            item = self.make_item(
                self.alice,
                title="青石镇发生燃气泄漏",
                body="今晨6时许，青石镇一储罐发生燃气泄漏，37人出现头晕症状，已疏散群众300人。",
                submitted_at=sent,
            )
            report = file_report(user=self.duty, incident=incident, item=item)
        assert report.facts["time"] == "2026-11-27T06:00:00+08:00"
        assert report.facts["poisoned"] == 37
        assert "casualties" not in report.missing

    def test_it_shows_the_new_facts_beside_the_duty_phone_form(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:suggest"),
            intake_data(what="东城县青石镇发生山体滑坡，5人被困，受灾群众1.2万人。", casualties=""),
        )
        body = response.content.decode()
        assert "Trapped" in body
        assert "Affected" in body
