"""The office's home page: the missing calendar, open verifications."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from xinbao.incidents import services
from xinbao.incidents.tests.cases import T0, WHAT, IncidentCase


class HomeTest(IncidentCase):
    def test_it_warns_the_system_administrator_of_a_missing_calendar(self) -> None:
        with time_machine.travel(T0, tick=False):
            body = self.page(self.sysadmin, reverse("home"))
        section = body.split('id="calendar-warnings"')[1].split("</section>")[0]
        assert "2027" in section
        assert reverse("calendar:calendar_year", args=[2027]) in section

    def test_it_lists_open_verifications_for_the_office(self) -> None:
        incident = self.open_incident()
        a = self.make_item(self.alice, title="东城县报告", body=WHAT)
        b = self.make_item(self.bob, title="西山县报告", body="爆炸造成9人死亡，已组织救援。")
        services.file_report(user=self.duty, incident=incident, item=a)
        services.file_report(user=self.duty, incident=incident, item=b)
        body = self.page(self.ed, reverse("home"))
        assert incident.title in body.split('id="open-verifications"')[1]
