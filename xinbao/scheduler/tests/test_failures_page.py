"""The system administrator sees failed chore rows and a stalled scanner: home page and page."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from xinbao.lib import chores
from xinbao.scheduler.models import ChoreFailure
from xinbao.scheduler.services import run_due
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 5, 4, 1, 0, tzinfo=dt.UTC)
NAME = "test.broken_rows"


def broken(key: int) -> None:
    raise ValueError(f"row {key} has no unit")


class FailuresPageTest(BaseTestCase):
    def fail_a_row(self) -> int:
        key = Group.objects.create(name="broken").pk
        chores.register(NAME, dt.timedelta(minutes=5), due=lambda: [key], handle=broken)
        self.addCleanup(chores.unregister, NAME)
        with time_machine.travel(T0, tick=False):
            run_due()
        return key

    def test_it_shows_the_failed_row_with_its_error_to_the_system_administrator(self) -> None:
        key = self.fail_a_row()
        self.client.force_login(self.sysadmin)
        with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
            home = self.client.get(reverse("home")).content.decode()
            page = self.client.get(reverse("scheduler:chores")).content.decode()
        assert 'id="scheduled-jobs"' in home
        assert "1 failure in scheduled jobs is being retried." in home
        assert reverse("scheduler:chores") in home
        assert NAME in page and f"<td>{key}</td>" in page
        assert f"ValueError: row {key} has no unit" in page
        assert "No scanner has run since" not in page

    def test_it_says_no_scanner_runs_when_chores_are_long_overdue(self) -> None:
        self.fail_a_row()
        ChoreFailure.objects.all().delete()
        self.client.force_login(self.sysadmin)
        with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
            home = self.client.get(reverse("home")).content.decode()
        assert "No scanner has run since 2026-05-04 09:00" in home  # Shanghai time
        assert "failure in scheduled jobs" not in home

    def test_it_shows_nothing_on_the_home_page_when_all_is_well(self) -> None:
        self.client.force_login(self.sysadmin)
        home = self.client.get(reverse("home")).content.decode()
        assert 'id="scheduled-jobs"' not in home
        page = self.client.get(reverse("scheduler:chores")).content.decode()
        assert "No scheduled job has a failure." in page

    def test_it_refuses_the_page_to_other_roles(self) -> None:
        for user in (self.ed, self.secadmin, self.alice):
            self.client.force_login(user)
            assert self.client.get(reverse("scheduler:chores")).status_code == 403
            home = self.client.get(reverse("home")).content.decode()
            assert 'id="scheduled-jobs"' not in home
