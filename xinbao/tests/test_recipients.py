"""Whom each kind of message goes to, as a whole list: the addressing of the apps through
``xinbao.notify.resolve`` reaches exactly these people, each once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from xinbao.desk import services as desk
from xinbao.incidents import services as incidents
from xinbao.incidents.models import Incident
from xinbao.lib.levels import Category
from xinbao.notify.models import Dispatch
from xinbao.org.models import Person
from xinbao.periodicals.tests.factories import make_periodical
from xinbao.scoring.reports import make_report
from xinbao.test import BaseTestCase, make_user


def told(event: str) -> list[str]:
    """The names told of ``event``, sorted; a name twice means someone was told twice."""
    return sorted(Dispatch.objects.filter(event=event).values_list("recipient_name", flat=True))


class RecipientsTest(BaseTestCase):
    def open_incident(self, level: int) -> Incident:
        return incidents.record_lead(
            user=self.duty,
            lead=incidents.LeadData(
                received_at=timezone.now(),
                source="东城县应急局",
                place="东城县城关镇",
                what="东城县城关镇一居民楼发生火灾，1人受伤，消防部门已组织扑救。",
                caller_name="赵小红",
                caller_phone="13900000001",
            ),
            title="东城县城关镇居民楼火灾",
            category=Category.ACCIDENT,
            level=level,
            units=[self.county_a],
        )

    def test_it_tells_the_reporters_of_the_unit_and_of_its_joint_units_of_a_decision(self) -> None:
        item = self.make_item(self.alice, submitted_at=timezone.now())
        item.joint_units.add(self.county_b)
        # The reporter of county B is on the roster and has a login: told once, by login.
        sun = Person.objects.get(unit=self.county_b, name="孙明")
        sun.user = make_user("sunming", "reporter", self.county_b, full_name="孙明")
        sun.save()
        desk.adopt(user=self.ed, item=item, periodicals=[make_periodical("每日要情")])
        assert told("desk_adopted") == sorted(["赵小红", "Alice", "孙明", "Bob"])

    def test_it_demands_reports_from_the_reporters_and_the_deputy_in_charge(self) -> None:
        incident = self.open_incident(4)
        incidents.demand_reports(user=self.duty, incident=incident, units=[self.county_a])
        assert told("urgent_demand") == sorted(["赵小红", "Alice", "李文华"])

    def test_it_takes_major_emergency_information_straight_to_the_principal_leader(self) -> None:
        make_user("principal2", "principal_leader", is_active=False)  # a former one: not told
        self.open_incident(1)
        assert told("incident_direct") == [str(self.principal)]

    def test_it_tells_the_section_chiefs_that_the_score_report_waits_for_the_check(self) -> None:
        with time_machine.travel(dt.datetime(2026, 4, 1, 4, 0, tzinfo=dt.UTC), tick=False):
            make_report(dt.date(2026, 1, 1))
        assert told("scoring_report_draft") == [str(self.chief)]
