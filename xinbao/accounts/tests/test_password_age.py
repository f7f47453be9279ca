"""Password maximum age and the disabling of inactive accounts (MLPS level 3, issue 11)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import Role, User
from xinbao.accounts.services import save_user
from xinbao.audit.models import AuditEvent
from xinbao.scheduler.services import run_chore
from xinbao.test import PASSWORD, BaseTestCase, make_user

NEW_PASSWORD = "Chosen-Pass-2026"


@override_settings(XINBAO_PASSWORD_MAX_AGE_DAYS=90)
class PasswordAgeTest(BaseTestCase):
    def test_it_sends_an_old_password_to_the_change_form(self) -> None:
        User.objects.filter(pk=self.alice.pk).update(
            password_changed_at=timezone.now() - dt.timedelta(days=91)
        )
        self.client.force_login(self.alice)
        response = self.client.get(reverse("home"))
        assert response["Location"] == reverse("accounts:password_change")
        page = self.client.get(response["Location"]).content.decode()
        assert "Your password is older than 90 days: please choose a new one." in page
        self.client.post(
            reverse("accounts:password_change"),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert self.client.get(reverse("home")).status_code == 200
        self.alice.refresh_from_db()
        assert timezone.now() - self.alice.password_changed_at < dt.timedelta(minutes=1)

    def test_it_lets_a_recent_password_be(self) -> None:
        User.objects.filter(pk=self.alice.pk).update(
            password_changed_at=timezone.now() - dt.timedelta(days=89)
        )
        self.client.force_login(self.alice)
        assert self.client.get(reverse("home")).status_code == 200

    @override_settings(XINBAO_PASSWORD_MAX_AGE_DAYS=0)
    def test_it_lets_passwords_age_when_the_maximum_is_off(self) -> None:
        User.objects.filter(pk=self.alice.pk).update(
            password_changed_at=timezone.now() - dt.timedelta(days=3000)
        )
        self.client.force_login(self.alice)
        assert self.client.get(reverse("home")).status_code == 200

    def test_it_counts_the_age_from_a_reset_by_the_administrator(self) -> None:
        User.objects.filter(pk=self.alice.pk).update(
            password_changed_at=timezone.now() - dt.timedelta(days=200)
        )
        self.client.force_login(self.sysadmin)
        form = {
            "username": "alice",
            "full_name": self.alice.full_name,
            "role": Role.REPORTER,
            "unit": self.alice.unit_id,
            "password": "Initial-Pass-2026",
            "is_active": "on",
        }
        self.client.post(reverse("accounts:user_edit", args=[self.alice.pk]), form)
        self.alice.refresh_from_db()
        assert timezone.now() - self.alice.password_changed_at < dt.timedelta(minutes=1)


T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


@override_settings(XINBAO_INACTIVE_DAYS=90)
class InactiveAccountsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Everyone active lately, except the two accounts below.
        User.objects.update(last_login=T0 - dt.timedelta(days=10))
        User.objects.filter(pk=self.alice.pk).update(last_login=T0 - dt.timedelta(days=91))
        self.newcomer = make_user("newcomer", Role.EDITOR)
        User.objects.filter(pk=self.newcomer.pk).update(
            last_login=None, date_joined=T0 - dt.timedelta(days=100)
        )
        # An administrator long away keeps the account: no page could enable it again.
        User.objects.filter(pk=self.auditor.pk).update(last_login=T0 - dt.timedelta(days=400))

    def test_it_disables_accounts_without_a_login_for_too_long(self) -> None:
        with time_machine.travel(T0, tick=False):
            run_chore("accounts.disable_inactive")
        disabled = set(User.objects.filter(is_active=False).values_list("username", flat=True))
        assert disabled == {"alice", "newcomer"}
        events = AuditEvent.objects.filter(action="user.disable_inactive")
        assert {e.summary["username"] for e in events} == {"alice", "newcomer"}
        # A disabled account cannot log in.
        response = self.client.post(
            reverse("accounts:login"), {"username": "alice", "password": PASSWORD}
        )
        assert response.status_code == 200

    @override_settings(XINBAO_INACTIVE_DAYS=0)
    def test_it_disables_nobody_when_the_rule_is_off(self) -> None:
        with time_machine.travel(T0, tick=False):
            run_chore("accounts.disable_inactive")
        assert not User.objects.filter(is_active=False).exists()

    def test_it_lets_the_security_administrator_enable_an_account_again(self) -> None:
        with time_machine.travel(T0, tick=False):
            run_chore("accounts.disable_inactive")
        self.client.force_login(self.secadmin)
        page = self.client.get(reverse("accounts:user_list")).content.decode()
        assert "Enable" in page
        response = self.client.post(reverse("accounts:user_enable", args=[self.alice.pk]))
        assert response.status_code == 302
        assert AuditEvent.objects.filter(
            action="user.enable", object_id=str(self.alice.pk)
        ).exists()
        self.client.logout()
        response = self.client.post(
            reverse("accounts:login"), {"username": "alice", "password": PASSWORD}
        )
        assert response.status_code == 302
        # The next daily run leaves the account alone: its owner has just come back.
        with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
            run_chore("accounts.disable_inactive")
        self.alice.refresh_from_db()
        assert self.alice.is_active

    def test_an_account_ticked_active_on_its_form_is_not_disabled_again_at_once(self) -> None:
        with time_machine.travel(T0, tick=False):
            run_chore("accounts.disable_inactive")
        self.alice.refresh_from_db()
        self.alice.is_active = True
        save_user(actor=self.secadmin, user=self.alice, password=None, changed={"is_active": 1})
        with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
            run_chore("accounts.disable_inactive")
        self.alice.refresh_from_db()
        assert self.alice.is_active

    def test_it_refuses_the_enabling_to_other_roles(self) -> None:
        with time_machine.travel(T0, tick=False):
            run_chore("accounts.disable_inactive")
        self.client.force_login(self.ed)
        response = self.client.post(reverse("accounts:user_enable", args=[self.alice.pk]))
        assert response.status_code == 403
        self.alice.refresh_from_db()
        assert not self.alice.is_active
