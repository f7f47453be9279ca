from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from xinbao.accounts.models import Role, User
from xinbao.audit.models import AuditEvent
from xinbao.test import PASSWORD, BaseTestCase


class LoginProtectionTest(BaseTestCase):
    def _login(self, username: str, password: str) -> int:
        response = self.client.post(
            reverse("accounts:login"), {"username": username, "password": password}
        )
        return response.status_code

    def test_it_logs_in_and_records_it(self) -> None:
        assert self._login("alice", PASSWORD) == 302
        assert AuditEvent.objects.filter(action="login", actor=self.alice).exists()

    def test_it_records_a_failed_login_with_the_address(self) -> None:
        self.client.post(
            reverse("accounts:login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="10.9.8.7",
        )
        event = AuditEvent.objects.get(action="login_failed")
        assert event.actor == self.alice
        assert event.address == "10.9.8.7"

    def test_it_locks_an_account_after_repeated_failures(self) -> None:
        for _ in range(4):
            assert self._login("alice", "wrong-password") == 200
        # The fifth failure locks the account: the page says so.
        assert self._login("alice", "wrong-password") == 429
        # The right password no longer works while the account is locked.
        assert self._login("alice", PASSWORD) == 429
        # Another account on the same address is not affected.
        assert self._login("bob", PASSWORD) == 302

    def test_it_lets_the_security_admin_unlock(self) -> None:
        for _ in range(5):
            self._login("alice", "wrong-password")
        self.client.force_login(self.secadmin)
        page = self.client.get(reverse("accounts:user_list")).content.decode()
        assert "Unlock" in page
        self.client.post(reverse("accounts:user_unlock", args=[self.alice.pk]))
        self.client.logout()
        assert self._login("alice", PASSWORD) == 302
        assert AuditEvent.objects.filter(action="user.unlock").exists()

    def test_it_unlocks_by_itself_after_the_cooloff(self) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
            for _ in range(5):
                self._login("alice", "wrong-password")
            assert self._login("alice", PASSWORD) == 429
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 31, tzinfo=dt.UTC), tick=False):
            assert self._login("alice", PASSWORD) == 302

    def test_it_expires_an_idle_session(self) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
            assert self._login("alice", PASSWORD) == 302
            assert self.client.get(reverse("home")).status_code == 200
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 29, tzinfo=dt.UTC), tick=False):
            assert self.client.get(reverse("home")).status_code == 200
        # Each request renews the session; 31 idle minutes after the last one it is gone.
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
            response = self.client.get(reverse("home"))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))

    def test_it_enforces_the_password_policy(self) -> None:
        for weak in ("short1A!", "alllowercaseletters", "12345678901", "password123"):
            with pytest.raises(ValidationError):
                validate_password(weak, self.alice)
        validate_password("Xinbao-2026-ok", self.alice)

    def test_it_makes_a_new_user_change_the_initial_password(self) -> None:
        self.client.force_login(self.sysadmin)
        response = self.client.post(
            reverse("accounts:user_create"),
            {
                "username": "newbie",
                "full_name": "新 同事",
                "role": Role.EDITOR,
                "password": "Initial-Pass-2026",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        newbie = User.objects.get(username="newbie")
        assert newbie.must_change_password
        self.client.force_login(newbie)
        assert self.client.get(reverse("home"))["Location"] == reverse("accounts:password_change")
        self.client.post(
            reverse("accounts:password_change"),
            {"new_password1": "Chosen-Pass-2026", "new_password2": "Chosen-Pass-2026"},
        )
        assert self.client.get(reverse("home")).status_code == 200

    def test_it_keeps_what_was_typed_when_the_user_form_is_refused(self) -> None:
        self.client.force_login(self.sysadmin)
        response = self.client.post(
            reverse("accounts:user_create"),
            {"username": "weak", "full_name": "弱密码", "role": Role.REPORTER, "password": "abc"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "弱密码" in page
        assert not User.objects.filter(username="weak").exists()

    def test_it_offers_no_admin_roles_in_the_user_form(self) -> None:
        self.client.force_login(self.sysadmin)
        response = self.client.post(
            reverse("accounts:user_create"),
            {
                "username": "rogue",
                "full_name": "Rogue",
                "role": Role.AUDIT_ADMIN,
                "password": "Initial-Pass-2026",
            },
        )
        assert response.status_code == 200
        assert not User.objects.filter(username="rogue").exists()
        # Nor can an administrator edit another administrator.
        assert (
            self.client.get(reverse("accounts:user_edit", args=[self.auditor.pk])).status_code
            == 404
        )

    def test_it_creates_administrators_only_from_the_command_line(self) -> None:
        out = StringIO()
        with mock.patch("sys.stdin", StringIO("Admin-Pass-2026\n")):
            call_command(
                "createadmin", "root2", "--role", "security_admin", "--password-stdin", stdout=out
            )
        admin = User.objects.get(username="root2")
        assert admin.role == Role.SECURITY_ADMIN
        assert admin.check_password("Admin-Pass-2026")
        with (
            mock.patch("sys.stdin", StringIO("weak\n")),
            pytest.raises(CommandError),
        ):
            call_command("createadmin", "root3", "--role", "audit_admin", "--password-stdin")

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_it_names_the_limit_in_the_error(self) -> None:
        response = self.client.post(
            reverse("accounts:login"), {"username": "alice", "password": "nope"}
        )
        assert "2" in response.content.decode()
