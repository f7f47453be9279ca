"""The working calendar: chinese-calendar, the office's table, the weekend rule, deadlines."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.calendar.models import CalendarDay, CalendarYear
from xinbao.calendar.services import CalendarDayData, set_calendar_day, set_calendar_year_complete
from xinbao.calendar.workdays import (
    DayInfo,
    add_minutes,
    add_workdays,
    calendar_warnings,
    day_info,
    is_workday,
    special_days,
    workdays_between,
    years_missing,
)
from xinbao.scheduler.services import run_due
from xinbao.test import BaseTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date

#: A made-up 2027 Spring Festival for the tests (the real schedule is published late in 2026):
#: seven days off from Saturday 6 February, paid back on Sunday 31 January and Saturday 20 February.
SPRING_2027 = [D(2027, 2, 6) + dt.timedelta(days=i) for i in range(7)]
MAKE_UP_2027 = [D(2027, 1, 31), D(2027, 2, 20)]


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class CalendarTestCase(BaseTestCase):
    def enter_spring_2027(self) -> None:
        for day in SPRING_2027:
            set_calendar_day(
                actor=self.sysadmin, data=CalendarDayData(date=day, is_workday=False, name="春节")
            )
        for day in MAKE_UP_2027:
            set_calendar_day(
                actor=self.sysadmin,
                data=CalendarDayData(date=day, is_workday=True, name="春节调休上班"),
            )


class ChineseCalendarTest(CalendarTestCase):
    def test_it_takes_national_day_2026_from_chinese_calendar(self) -> None:
        # 2026: 10月1日至7日放假调休，共7天；9月20日（周日）、10月10日（周六）上班.
        for day in range(1, 8):
            assert day_info(D(2026, 10, day)) == DayInfo(False, "chinese_calendar", "国庆节")
        assert is_workday(D(2026, 9, 30))
        assert is_workday(D(2026, 10, 8))

    def test_it_counts_a_make_up_sunday_as_a_workday(self) -> None:
        sunday = D(2026, 9, 20)
        assert sunday.weekday() == 6
        assert day_info(sunday) == DayInfo(True, "chinese_calendar", "国庆节调休上班")
        saturday = D(2026, 10, 10)
        assert day_info(saturday).workday
        assert not is_workday(D(2026, 10, 11))  # the Sunday after stays a day off

    def test_it_lets_the_table_override_chinese_calendar(self) -> None:
        set_calendar_day(
            actor=self.sysadmin,
            data=CalendarDayData(date=D(2026, 10, 8), is_workday=False, name="国庆节（本市延长）"),
        )
        assert day_info(D(2026, 10, 8)) == DayInfo(False, "table", "国庆节（本市延长）")
        assert is_workday(D(2026, 10, 9))
        listed = {d.date: d for d in special_days(2026)}
        assert listed[D(2026, 10, 8)].source == "table"
        assert listed[D(2026, 10, 1)].source == "chinese_calendar"
        assert listed[D(2026, 9, 20)].workday


class MissingYearTest(CalendarTestCase):
    def test_it_falls_back_to_weekends_in_a_year_without_a_table(self) -> None:
        # chinese-calendar 1.11 stops at 2026; it raises for 2027, we must not.
        assert day_info(D(2027, 2, 8)) == DayInfo(True, "weekend_rule", "")
        assert day_info(D(2027, 2, 6)) == DayInfo(False, "weekend_rule", "")
        assert years_missing([2025, 2026, 2027, 2028]) == [2027, 2028]
        assert add_workdays(at(2027, 2, 5, 9, 0), 1) == at(2027, 2, 8, 17, 30)

    def test_it_warns_about_next_year_and_louder_about_this_year(self) -> None:
        [warning] = calendar_warnings(D(2026, 11, 28))
        assert (warning.year, warning.level) == (2027, "warning")
        assert "2027" in warning.message
        levels = {w.year: w.level for w in calendar_warnings(D(2027, 3, 1))}
        assert levels == {2027: "danger", 2028: "warning"}
        assert calendar_warnings(D(2025, 6, 1)) == []

    def test_it_respects_a_table_entered_for_2027(self) -> None:
        self.enter_spring_2027()
        assert day_info(D(2027, 2, 8)) == DayInfo(False, "table", "春节")
        assert day_info(D(2027, 1, 31)) == DayInfo(True, "table", "春节调休上班")
        # Entered but not yet complete: other days still follow the weekend rule, with a warning.
        assert day_info(D(2027, 3, 1)).source == "weekend_rule"
        assert years_missing([2027]) == [2027]
        set_calendar_year_complete(actor=self.sysadmin, year=2027, complete=True)
        assert day_info(D(2027, 3, 1)) == DayInfo(True, "table", "")
        assert years_missing([2027]) == []
        assert calendar_warnings(D(2026, 11, 28)) == []
        # Friday before the holiday + 1 working day: the Monday after it.
        assert add_workdays(at(2027, 2, 5, 16, 0), 1) == at(2027, 2, 15, 17, 30)
        assert add_workdays(at(2027, 2, 15, 16, 0), 4) == at(2027, 2, 19, 17, 30)
        assert add_workdays(at(2027, 2, 15, 16, 0), 5) == at(2027, 2, 20, 17, 30)

    def test_it_refuses_to_mark_a_year_complete_without_holidays(self) -> None:
        with pytest.raises(ValidationError):
            set_calendar_year_complete(actor=self.sysadmin, year=2027, complete=True)
        assert not CalendarYear.objects.filter(complete=True).exists()

    def test_it_lets_only_the_system_administrator_write(self) -> None:
        with pytest.raises(PermissionDenied):
            set_calendar_day(
                actor=self.ed,
                data=CalendarDayData(date=D(2027, 1, 1), is_workday=False, name="元旦"),
            )
        assert not CalendarDay.objects.exists()


class DeadlineTest(CalendarTestCase):
    def test_it_counts_working_days_across_a_weekend(self) -> None:
        friday = at(2026, 11, 27, 15, 0)
        assert add_workdays(friday, 1) == at(2026, 11, 30, 17, 30)
        assert add_workdays(friday, 3) == at(2026, 12, 2, 17, 30)
        # The day of the demand does not count, whatever the hour: 08:00 Monday + 1 = Tuesday.
        assert add_workdays(at(2026, 11, 30, 8, 0), 1) == at(2026, 12, 1, 17, 30)

    def test_it_counts_working_days_across_a_holiday(self) -> None:
        eve = at(2026, 9, 30, 10, 0)
        assert add_workdays(eve, 1) == at(2026, 10, 8, 17, 30)
        assert add_workdays(eve, 2) == at(2026, 10, 9, 17, 30)
        assert add_workdays(eve, 3) == at(2026, 10, 10, 17, 30)  # the make-up Saturday
        assert add_workdays(eve, 4) == at(2026, 10, 12, 17, 30)

    def test_it_counts_by_the_date_in_shanghai(self) -> None:
        # 20:00 UTC on Friday is 04:00 on Saturday in Shanghai.
        start = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)
        assert add_workdays(start, 1) == at(2026, 11, 30, 17, 30)

    def test_it_agrees_with_workdays_between(self) -> None:
        start = at(2026, 9, 25, 9, 0)
        for n in (1, 2, 5, 10):
            deadline = add_workdays(start, n)
            assert workdays_between(start, deadline) == n
            assert workdays_between(deadline, start) == -n
        assert workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0

    @override_settings(XINBAO_CLOSE_OF_BUSINESS="18:00")
    def test_it_takes_the_close_of_business_from_settings(self) -> None:
        assert add_workdays(at(2026, 11, 27, 15, 0), 1) == at(2026, 11, 30, 18, 0)

    def test_it_refuses_nonsense(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            add_workdays(at(2026, 11, 27, 15, 0), 0)
        with pytest.raises(ValueError, match="aware"):
            add_minutes(dt.datetime(2026, 11, 27, 15, 0), 30)

    def test_it_counts_emergency_minutes_around_the_clock(self) -> None:
        night = at(2026, 10, 1, 23, 50)  # a holiday night: emergencies do not rest
        assert add_minutes(night, 30) == at(2026, 10, 2, 0, 20)
        assert add_minutes(night, 24 * 60) == at(2026, 10, 2, 23, 50)


class CalendarPageTest(CalendarTestCase):
    def test_it_is_for_the_system_administrator_only(self) -> None:
        day = CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
        urls = [
            reverse("calendar:calendar"),
            reverse("calendar:calendar_year", args=[2027]),
            reverse("calendar:calendar_year_complete", args=[2027]),
            reverse("calendar:calendar_day_remove", args=[day.pk]),
        ]
        for user in (self.alice, self.ed, self.chief, self.secadmin, self.auditor):
            self.client.force_login(user)
            for url in urls:
                assert self.client.post(url, {"complete": "1"}).status_code == 403, (user, url)
            assert self.client.get(urls[1]).status_code == 403
        assert CalendarDay.objects.filter(pk=day.pk).exists()
        assert not CalendarYear.objects.exists()
        nav = self.client.get(reverse("home")).content.decode()
        assert reverse("calendar:calendar") not in nav

    def test_it_shows_a_missing_year_with_its_warning(self) -> None:
        self.client.force_login(self.sysadmin)
        with time_machine.travel(at(2026, 11, 28, 10, 0), tick=False):
            response = self.client.get(reverse("calendar:calendar_year", args=[2027]))
            this_year = self.client.get(reverse("calendar:calendar")).content.decode()
        assert response.status_code == 200
        page = response.content.decode()
        assert 'class="alert alert-warning"' in page
        assert reverse("calendar:calendar_year_complete", args=[2027]) in page
        assert "国庆节" in this_year and "国庆节调休上班" in this_year
        assert reverse("calendar:calendar") in this_year  # the nav entry

    def test_it_enters_removes_and_completes_a_year(self) -> None:
        self.client.force_login(self.sysadmin)
        year_url = reverse("calendar:calendar_year", args=[2027])
        response = self.client.post(
            year_url, {"date": "2027-02-08", "kind": "holiday", "name": "春节", "note": ""}
        )
        self.assertRedirects(response, year_url)
        day = CalendarDay.objects.get(date=D(2027, 2, 8))
        assert (day.is_workday, day.name) == (False, "春节")
        self.client.post(year_url, {"date": "2027-02-20", "kind": "workday", "name": "调休上班"})
        assert is_workday(D(2027, 2, 20))
        page = self.client.get(year_url).content.decode()
        assert "春节" in page and "调休上班" in page
        self.client.post(reverse("calendar:calendar_day_remove", args=[day.pk]))
        assert not CalendarDay.objects.filter(date=D(2027, 2, 8)).exists()
        # Now without a single holiday: refused, with a message.
        complete_url = reverse("calendar:calendar_year_complete", args=[2027])
        response = self.client.post(complete_url, {"complete": "1"}, follow=True)
        assert not CalendarYear.objects.filter(year=2027, complete=True).exists()
        assert "alert-danger" in response.content.decode()
        self.client.post(year_url, {"date": "2027-02-08", "kind": "holiday", "name": "春节"})
        self.client.post(complete_url, {"complete": "1"})
        entry = CalendarYear.objects.get(year=2027)
        assert entry.complete and entry.entered_by == self.sysadmin
        page = self.client.get(year_url).content.decode()
        assert 'name="complete" value="0"' in page  # offered to reopen
        assert self.sysadmin.full_name in page
        actions = list(
            AuditEvent.objects.filter(action__startswith="calendar_")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == [
            "calendar_day_set",
            "calendar_day_set",
            "calendar_day_removed",
            "calendar_day_set",
            "calendar_year_completed",
        ]

    def test_it_shows_a_bad_entry_again_with_its_errors(self) -> None:
        self.client.force_login(self.sysadmin)
        url = reverse("calendar:calendar_year", args=[2027])
        response = self.client.post(url, {"date": "2027-13-01", "kind": "holiday", "name": " "})
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode()
        assert not CalendarDay.objects.exists()
        response = self.client.post(url, {"date": "1999-12-31", "kind": "holiday", "name": "元旦"})
        assert "2000" in response.content.decode() and "%(first)s" not in response.content.decode()
        assert not CalendarDay.objects.exists()
        assert self.client.get(reverse("calendar:calendar_year", args=[1850])).status_code == 404


class CalendarChoreTest(CalendarTestCase):
    def test_it_warns_once_a_day_about_a_missing_year(self) -> None:
        with time_machine.travel(at(2026, 11, 28, 3, 0), tick=False):
            with self.assertLogs("xinbao.calendar.chores", "WARNING") as logs:
                said = run_due()
            assert "calendar.check: calendar missing for 2027" in said
            assert any("2027" in line for line in logs.output)
            assert not any(line.startswith("calendar.check") for line in run_due())
        with time_machine.travel(at(2026, 11, 28, 20, 0), tick=False):
            assert not any(line.startswith("calendar.check") for line in run_due())
        [event] = AuditEvent.objects.filter(action="calendar_year_missing")
        assert event.summary == {"years": [2027]}
        self.enter_spring_2027()
        set_calendar_year_complete(actor=self.sysadmin, year=2027, complete=True)
        with time_machine.travel(at(2026, 11, 29, 4, 0), tick=False):
            said = run_due()
        assert "calendar.check: calendar known for this year and next" in said
        assert AuditEvent.objects.filter(action="calendar_year_missing").count() == 1


class CalendarImportTest(CalendarTestCase):
    def test_it_imports_a_csv_file_and_completes_its_year(self) -> None:
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "2027.csv"
        rows = ["date,is_workday,name"]
        rows += [f"{d:%Y-%m-%d},0,春节" for d in SPRING_2027]
        rows += [f"{d:%Y-%m-%d},班,春节调休上班" for d in MAKE_UP_2027]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
        call_command("calendar_import", str(path), "--complete", stdout=io.StringIO())
        assert CalendarDay.objects.count() == 9
        assert years_missing([2027]) == []
        assert day_info(D(2027, 2, 20)) == DayInfo(True, "table", "春节调休上班")

    def test_it_refuses_a_file_with_a_bad_line(self) -> None:
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "bad.csv"
        path.write_text("2027-02-06,0,春节\n2027-02-30,0,春节\n", encoding="utf-8")
        with pytest.raises(CommandError, match="line 2"):
            call_command("calendar_import", str(path), stdout=io.StringIO())
        assert not CalendarDay.objects.exists()
