"""Working days where they are meant: a routine (non-emergency) demand is due in working days,
an emergency counts minutes around the clock, the office's calendar table wins over
chinese-calendar, and lateness counts from when the unit submitted its report, not from when the
office filed it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse
from django.utils import timezone

from xinbao.calendar.models import CalendarDay
from xinbao.incidents import services
from xinbao.incidents.models import AccountabilityRecord, Incident, RecordKind, ReportRequest
from xinbao.items.models import Item
from xinbao.lib.levels import Category, Level
from xinbao.notify.models import Dispatch
from xinbao.test import BaseTestCase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in Shanghai, as the office says it."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class WorkingDaysCase(BaseTestCase):
    def open_incident(self, level: int) -> Incident:
        return services.record_lead(
            user=self.duty,
            lead=services.LeadData(
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

    def demand_through_the_page(self, level: int) -> ReportRequest:
        """The duty officer opens an incident and demands reports on its page."""
        incident = self.open_incident(level)
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:demand", args=[incident.pk]),
            {"units": [self.county_a.pk], "matter": ""},
        )
        assert response.status_code == 302
        return ReportRequest.objects.get(incident=incident, unit=self.county_a)


class RoutineDemandTest(WorkingDaysCase):
    def test_it_counts_a_routine_demand_over_a_weekend_in_working_days(self) -> None:
        # Ordinary incident: in writing within 24 hours, i.e. one working day.
        with time_machine.travel(at(2026, 7, 10, 18, 0), tick=False):  # a Friday evening
            demand = self.demand_through_the_page(Level.IV)
        assert demand.written_due_at == at(2026, 7, 13, 17, 30)  # Monday, close of business
        assert demand.phone_due_at is None
        dispatch = Dispatch.objects.get(event="urgent_demand", recipient_name="赵小红")
        assert dispatch.context["deadline"] == "07-13 17:30"
        # The unit's page shows the Monday deadline.
        self.client.force_login(self.alice)
        page = self.client.get(reverse("incidents:request_detail", args=[demand.pk]))
        assert "07-13 17:30" in page.content.decode()

    def test_it_skips_a_holiday_and_counts_the_make_up_workday(self) -> None:
        with time_machine.travel(at(2026, 9, 30, 10, 0), tick=False):  # eve of National Day
            before_holiday = self.demand_through_the_page(Level.IV)
        assert before_holiday.written_due_at == at(2026, 10, 8, 17, 30)
        with time_machine.travel(at(2026, 10, 9, 16, 0), tick=False):  # Friday
            friday = self.demand_through_the_page(Level.IV)
        # Saturday 10 October is National Day's make-up workday (国庆节调休上班).
        assert friday.written_due_at == at(2026, 10, 10, 17, 30)

    def test_it_lets_the_offices_table_win_over_chinese_calendar(self) -> None:
        # The office declares the make-up Saturday a day off: its table wins.
        CalendarDay.objects.create(date=dt.date(2026, 10, 10), is_workday=False, name="本市调整")
        with time_machine.travel(at(2026, 10, 9, 16, 0), tick=False):
            friday = self.demand_through_the_page(Level.IV)
        assert friday.written_due_at == at(2026, 10, 12, 17, 30)
        # And a day the library calls a holiday is a working day when the table says so.
        CalendarDay.objects.create(date=dt.date(2026, 10, 2), is_workday=True, name="值班工作日")
        with time_machine.travel(at(2026, 10, 1, 9, 0), tick=False):
            incident = self.open_incident(Level.IV)
            demand = services.demand_reports(
                user=self.duty, incident=incident, units=[self.county_b]
            )[0]
        assert demand.written_due_at == at(2026, 10, 2, 17, 30)

    def test_it_keeps_emergencies_on_the_clock_through_holidays(self) -> None:
        with time_machine.travel(at(2026, 10, 3, 3, 0), tick=False):  # a holiday night
            demand = self.demand_through_the_page(Level.II)
        assert demand.phone_due_at == at(2026, 10, 3, 3, 15)
        assert demand.written_due_at == at(2026, 10, 3, 3, 30)
        dispatch = Dispatch.objects.get(event="urgent_demand", recipient_name="赵小红")
        assert dispatch.context["deadline"] == "03:15"

    def test_it_refuses_demands_from_roles_that_do_not_handle_incidents(self) -> None:
        incident = self.open_incident(Level.IV)
        for user in (self.alice, self.leader, self.sysadmin):
            self.client.force_login(user)
            response = self.client.post(
                reverse("incidents:demand", args=[incident.pk]), {"units": [self.county_a.pk]}
            )
            assert response.status_code == 403
        assert not ReportRequest.objects.filter(incident=incident).exists()


class LatenessTest(WorkingDaysCase):
    def report_item(self, submitted_at: dt.datetime, **extra: Any) -> Item:
        return self.make_item(
            self.alice,
            title="东城县城关镇居民楼火灾首报",
            body="7月6日10时20分，东城县城关镇一居民楼发生火灾，造成1人受伤，消防部门已组织扑救。",
            submitted_at=submitted_at,
            **extra,
        )

    def file_through_the_page(self, incident: Incident, item: Item) -> None:
        """The office files the unit's item as its report, on the incident page."""
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:file", args=[incident.pk]), {"item": item.pk, "stage": ""}
        )
        assert response.status_code == 302, response.content.decode()[:500]

    def test_it_counts_lateness_from_the_units_submission_not_the_filing(self) -> None:
        # Relatively serious: in writing within 60 minutes.
        with time_machine.travel(at(2026, 7, 6, 10, 30), tick=False):
            demand = self.demand_through_the_page(Level.III)
        assert demand.written_due_at == at(2026, 7, 6, 11, 30)
        item = self.report_item(at(2026, 7, 6, 11, 20))  # ten minutes early
        with time_machine.travel(at(2026, 7, 6, 12, 45), tick=False):  # filed 75 minutes late
            self.file_through_the_page(demand.incident, item)
        report = item.report
        assert report.late is False
        assert not AccountabilityRecord.objects.filter(kind=RecordKind.LATE).exists()
        demand.refresh_from_db()
        assert demand.reported_at == at(2026, 7, 6, 11, 20)
        self.client.force_login(self.ed)
        page = self.client.get(reverse("incidents:detail", args=[demand.incident.pk]))
        assert "Late report" not in page.content.decode()

    def test_it_still_records_a_report_submitted_after_the_deadline(self) -> None:
        with time_machine.travel(at(2026, 7, 6, 10, 30), tick=False):
            demand = self.demand_through_the_page(Level.III)
        item = self.report_item(at(2026, 7, 6, 11, 40))  # ten minutes late
        with time_machine.travel(at(2026, 7, 6, 11, 45), tick=False):
            self.file_through_the_page(demand.incident, item)
        assert item.report.late is True
        late = AccountabilityRecord.objects.get(kind=RecordKind.LATE, unit=self.county_a)
        assert late.reason == "Written report 10 minutes after the deadline."
