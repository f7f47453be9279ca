"""Login flooding (issue 11, defect 7): per-address and global throttles that make failed
logins wait instead of locking anybody out, a lockout audited once, durations in words."""

from __future__ import annotations

import datetime as dt
import threading

import time_machine
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from xinbao.accounts import throttle
from xinbao.accounts.models import LoginFailureWindow
from xinbao.audit.models import AuditEvent
from xinbao.lib.durations import in_words
from xinbao.scheduler.services import run_chore
from xinbao.test import PASSWORD, BaseTestCase

T0 = dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC)
COUNTY = "10.20.0.1"
ELSEWHERE = "10.30.0.1"


@override_settings(
    XINBAO_LOGIN_FAILURES_PER_ADDRESS=3,
    XINBAO_LOGIN_FAILURES_GLOBAL=1000,
    XINBAO_LOGIN_MAX_WAIT_SECONDS=5,
)
class LoginThrottleTest(BaseTestCase):
    def _post(self, username: str, password: str, address: str = COUNTY) -> tuple[int, str]:
        response = self.client.post(
            reverse("accounts:login"),
            {"username": username, "password": password},
            REMOTE_ADDR=address,
        )
        return response.status_code, response.get("Retry-After", "")

    def test_it_makes_an_address_wait_past_its_limit_and_never_locks_it_out(self) -> None:
        with time_machine.travel(T0, tick=False) as clock:
            for n in range(3):
                assert self._post(f"nobody{n}", "guess") == (200, "")
            # The limit is reached: the next attempt must wait a second, and is answered at
            # once without its password being checked, even the right one.
            response = self.client.post(
                reverse("accounts:login"),
                {"username": "alice", "password": PASSWORD},
                REMOTE_ADDR=COUNTY,
            )
            assert response.status_code == 429
            assert response["Retry-After"] == "1"
            page = response.content.decode()
            assert "Too many failed logins from your network. Try again in 1 second." in page
            assert 'value="alice"' in page
            # Another address is not slowed.
            assert self._post("bob", PASSWORD, ELSEWHERE)[0] == 302
            # After the wait, the county's next attempt is checked: a right password logs in.
            clock.shift(dt.timedelta(seconds=1))
            self.client.logout()
            assert self._post("alice", PASSWORD)[0] == 302

    def test_it_makes_the_wait_grow_up_to_its_cap(self) -> None:
        waits = []
        with time_machine.travel(T0, tick=False) as clock:
            for n in range(8):
                status, retry = self._post(f"nobody{n}", "guess")
                while status == 429:
                    waits.append(int(retry))
                    clock.shift(dt.timedelta(seconds=int(retry)))
                    status, retry = self._post(f"nobody{n}", "guess")
        assert waits == [1, 2, 4, 5, 5]

    def test_it_keeps_the_audit_bounded_under_a_flood_of_unknown_names(self) -> None:
        with time_machine.travel(T0, tick=False) as clock:
            statuses = []
            for n in range(200):
                statuses.append(self._post(f"random{n}", "guess")[0])
                clock.shift(dt.timedelta(milliseconds=250))
            # Meanwhile a colleague elsewhere logs in as usual.
            assert self._post("bob", PASSWORD, ELSEWHERE)[0] == 302
        assert statuses.count(429) > 150
        failed = AuditEvent.objects.filter(action="login_failed").count()
        floods = AuditEvent.objects.filter(action="accounts.login_flood")
        # The first three failures are recorded one by one; past the limit, one event.
        assert failed == 3
        assert floods.count() == 1
        assert floods.get().summary["scope"] == COUNTY
        assert floods.get().summary["failures"] == 4
        window = LoginFailureWindow.objects.get(scope=COUNTY)
        assert window.failures + window.refused == 200

    def test_it_records_the_flood_totals_when_the_window_closes(self) -> None:
        with time_machine.travel(T0, tick=False) as clock:
            for n in range(30):
                self._post(f"random{n}", "guess")
                clock.shift(dt.timedelta(seconds=1))
            clock.move_to(T0 + dt.timedelta(minutes=2))
            run_chore("accounts.login_floods")
        totals = AuditEvent.objects.filter(action="accounts.login_flood_total").order_by("id")
        by_scope = {e.summary["scope"]: e.summary for e in totals}
        county = by_scope[COUNTY]
        assert county["failures"] + county["refused"] == 30
        assert county["refused"] > 0
        assert not LoginFailureWindow.objects.exists()

    def test_it_still_records_failures_of_known_accounts_one_by_one(self) -> None:
        with time_machine.travel(T0, tick=False) as clock:
            for _ in range(4):
                self._post("alice", "wrong-password")
                clock.shift(dt.timedelta(seconds=10))
        assert AuditEvent.objects.filter(action="login_failed", actor=self.alice).count() == 4

    @override_settings(XINBAO_LOGIN_FAILURES_PER_ADDRESS=100, XINBAO_LOGIN_FAILURES_GLOBAL=5)
    def test_it_slows_a_flood_spread_over_many_addresses(self) -> None:
        with time_machine.travel(T0, tick=False):
            for n in range(5):
                assert self._post(f"nobody{n}", "guess", f"10.40.0.{n}")[0] == 200
            status, retry = self._post("alice", PASSWORD, "10.50.0.1")
        assert (status, retry) == (429, "1")
        # No address came near its own limit: it is the count of all of them that waits.
        assert (
            max(LoginFailureWindow.objects.exclude(scope="*").values_list("failures", flat=True))
            == 1
        )


class LockoutAuditTest(BaseTestCase):
    def _post(self, password: str) -> int:
        return self.client.post(
            reverse("accounts:login"),
            {"username": "alice", "password": password},
            REMOTE_ADDR=COUNTY,
        ).status_code

    def test_it_audits_a_lockout_once_with_its_end(self) -> None:
        with time_machine.travel(T0, tick=False) as clock:
            for _ in range(8):
                self._post("wrong-password")
                clock.shift(dt.timedelta(seconds=20))
        event = AuditEvent.objects.get(action="accounts.locked_out")
        assert event.actor == self.alice
        assert event.address == COUNTY
        assert event.summary["username"] == "alice"
        # The fifth failure, 80 seconds after the first, locked it for 30 minutes.
        assert event.summary["until"] == (T0 + dt.timedelta(seconds=80, minutes=30)).isoformat()

    def test_it_shows_the_lockout_in_words(self) -> None:
        for _ in range(4):
            self._post("wrong-password")
        response = self.client.post(
            reverse("accounts:login"), {"username": "alice", "password": "wrong-password"}
        )
        page = response.content.decode()
        assert response.status_code == 429
        assert "Try again in 30 minutes" in page
        assert "PT30M" not in page


class DurationsTest(BaseTestCase):
    def test_it_says_durations_in_words(self) -> None:
        assert in_words(dt.timedelta(minutes=30)) == "30 minutes"
        assert in_words(dt.timedelta(hours=1)) == "1 hour"
        assert in_words(dt.timedelta(hours=1, minutes=30, seconds=59)) == "1 hour 30 minutes"
        assert in_words(dt.timedelta(days=2, seconds=5)) == "2 days 5 seconds"
        assert in_words(0.2) == "1 second"

    def test_it_shows_the_scheduled_jobs_intervals_in_words(self) -> None:
        run_chore("accounts.clear_sessions")
        self.client.force_login(self.sysadmin)
        page = self.client.get(reverse("scheduler:chores")).content.decode()
        assert "<td>1 day</td>" in page
        assert "0:00:00" not in page


@override_settings(XINBAO_LOGIN_FAILURES_PER_ADDRESS=10, XINBAO_LOGIN_FAILURES_GLOBAL=1000)
class ConcurrentCountTest(TransactionTestCase):
    def test_it_counts_concurrent_failures_and_reports_the_flood_once(self) -> None:
        errors: list[BaseException] = []
        reported: list[str] = []

        def fail(n: int) -> None:
            try:
                for _ in range(5):
                    counted = throttle.count_failure(COUNTY, now=T0)
                    reported.extend(scope for scope, _window in counted.floods)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=fail, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        row = LoginFailureWindow.objects.get(scope=COUNTY)
        assert row.failures == 40
        # Eight processes passed the limit together; exactly one of them reports it.
        assert reported == [COUNTY]
