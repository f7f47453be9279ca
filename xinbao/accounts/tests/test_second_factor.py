"""The second factor: office roles and administrators enrol an authenticator and enter its code
after the password; recovery codes work once; wrong codes count toward the lockout; the
security administrator resets a lost one. The clock is held still and moved by hand, as TOTP
codes are a function of the time."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinbao.accounts import second_factor
from xinbao.accounts.models import User
from xinbao.accounts.services import create_token
from xinbao.audit.models import AuditEvent
from xinbao.test import PASSWORD, BaseTestCase, totp_code

pytestmark = pytest.mark.second_factor

START = dt.datetime(2026, 9, 29, 1, 0, 5, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=30)


class SecondFactorTest(BaseTestCase):
    def setUp(self) -> None:
        traveller = time_machine.travel(START, tick=False)
        self.clock = traveller.start()
        self.addCleanup(traveller.stop)

    # --- helpers ---------------------------------------------------------------------------

    def log_in(self, user: User) -> str:
        """The password step; returns where the login page sends the user next."""
        response = self.client.post(
            reverse("accounts:login"),
            {"username": user.username, "password": PASSWORD, "next": "/items/"},
        )
        assert response.status_code == 302, response.status_code
        follow = self.client.get(response["Location"])
        return follow["Location"] if follow.status_code == 302 else response["Location"]

    def enrol(self, user: User) -> list[str]:
        """Enrol ``user``'s authenticator through the service; returns the recovery codes."""
        key = second_factor.new_key()
        probe = TOTPDevice(key=key)
        done = second_factor.enrol(user=user, key=key, code=totp_code(probe))
        assert done is not None
        self.clock.shift(STEP)  # the enrolment's code is spent
        return done[1]

    def enter(self, code: str, next_url: str = "/items/") -> str | int:
        response = self.client.post(
            reverse("accounts:second_factor"), {"code": code, "next": next_url}
        )
        return response["Location"] if response.status_code == 302 else response.status_code

    def device(self, user: User) -> TOTPDevice:
        return TOTPDevice.objects.get(user=user, confirmed=True)

    # --- tests -----------------------------------------------------------------------------

    def test_it_enrols_an_editor_at_the_first_login(self) -> None:
        assert self.log_in(self.ed) == (
            reverse("accounts:second_factor_enrol") + "?next=%2Fitems%2F"
        )
        page = self.client.get(reverse("accounts:second_factor_enrol"))
        html = page.content.decode()
        assert "<svg" in html and "<script" not in html.split("<main", 1)[-1]
        secret = re.search(r'id="second-factor-secret">([A-Z2-7 ]+)<', html)
        assert secret is not None
        key = self.client.session["xinbao_second_factor_key"]
        app = TOTPDevice(key=key)  # what the phone's app holds after scanning
        assert secret.group(1).replace(" ", "") == second_factor.enrolment(
            user=self.ed, key=key
        ).secret.replace(" ", "")

        wrong = self.client.post(reverse("accounts:second_factor_enrol"), {"code": "000000"})
        assert "This code does not match" in wrong.content.decode()
        assert not TOTPDevice.objects.filter(user=self.ed).exists()

        done = self.client.post(
            reverse("accounts:second_factor_enrol"), {"code": totp_code(app), "next": "/items/"}
        )
        codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
        assert len(codes) == 10
        assert set(codes) == set(
            StaticToken.objects.filter(device__user=self.ed).values_list("token", flat=True)
        )
        assert self.device(self.ed).key == key
        assert AuditEvent.objects.filter(action="second_factor.enrol", actor=self.ed).exists()
        # The session is verified: the page the editor was going to opens.
        assert self.client.get("/items/").status_code == 200
        # Enrolment is once: the page now leads to the code page.
        again = self.client.get(reverse("accounts:second_factor_enrol"))
        assert again["Location"] == reverse("accounts:second_factor")

    def test_it_asks_an_enrolled_editor_for_the_code_and_lets_them_in(self) -> None:
        self.enrol(self.ed)
        assert self.log_in(self.ed) == reverse("accounts:second_factor") + "?next=%2Fitems%2F"
        assert self.client.get("/items/")["Location"].startswith(reverse("accounts:second_factor"))
        assert self.enter(totp_code(self.device(self.ed))) == "/items/"
        assert self.client.get("/items/").status_code == 200
        event = AuditEvent.objects.get(action="second_factor.verify")
        assert (event.actor, event.summary) == (self.ed, {"kind": "authenticator"})
        # A code is good once: replayed in another session, it is refused.
        code = totp_code(self.device(self.ed))
        self.client.logout()
        self.log_in(self.ed)
        assert self.enter(code) == 200

    def test_it_refuses_a_wrong_code_counts_it_and_locks_the_account(self) -> None:
        self.enrol(self.ed)
        self.log_in(self.ed)
        response = self.client.post(reverse("accounts:second_factor"), {"code": "123456"})
        assert "Wrong code" in response.content.decode()
        assert response.context["form"]["code"].value() == "123456"
        assert AuditEvent.objects.filter(action="second_factor.failed", actor=self.ed).count() == 1
        assert AccessAttempt.objects.get(username="ed").failures_since_start == 1
        # Straight away, a second try is not even checked: the device makes the guesser wait.
        response = self.client.post(reverse("accounts:second_factor"), {"code": "654321"})
        assert "Too many wrong codes in a row" in response.content.decode()
        assert AccessAttempt.objects.get(username="ed").failures_since_start == 2
        for _ in range(settings.AXES_FAILURE_LIMIT - 3):
            self.clock.shift(dt.timedelta(minutes=1))
            assert self.enter("111111") == 200
        self.clock.shift(dt.timedelta(minutes=1))
        # The last wrong code in a row locks the account and ends the session.
        assert self.enter("222222") == 429
        assert "_auth_user_id" not in self.client.session
        assert self.client.get("/items/")["Location"].startswith(reverse("accounts:login"))
        refused = self.client.post(
            reverse("accounts:login"), {"username": "ed", "password": PASSWORD}
        )
        assert refused.status_code == 429

    def test_it_accepts_a_recovery_code_once(self) -> None:
        codes = self.enrol(self.ed)
        self.log_in(self.ed)
        assert self.enter(codes[0].upper()[:4] + " " + codes[0][4:]) == "/items/"
        assert StaticToken.objects.filter(device__user=self.ed).count() == 9
        used = AuditEvent.objects.get(action="second_factor.recovery_used")
        assert (used.actor, used.summary) == (self.ed, {"left": 9})
        assert "9 are left" in self.client.get("/items/").content.decode()
        self.client.logout()
        self.clock.shift(dt.timedelta(minutes=1))
        self.log_in(self.ed)
        assert self.enter(codes[0]) == 200
        self.clock.shift(dt.timedelta(minutes=1))
        assert self.enter(codes[1]) == "/items/"

    def test_it_asks_office_roles_and_administrators_but_not_reporters(self) -> None:
        assert self.log_in(self.alice) == "/items/"
        assert self.client.get("/items/").status_code == 200
        self.client.logout()
        assert self.log_in(self.liaison) == "/items/"
        self.client.logout()
        for user in (self.ed, self.chief, self.duty, self.sysadmin, self.secadmin, self.auditor):
            assert self.log_in(user).startswith(reverse("accounts:second_factor_enrol")), user
            self.client.logout()
        with override_settings(XINBAO_SECOND_FACTOR_ROLES=[]):
            assert self.log_in(self.ed) == "/items/"
        # A reporter is not sent to enrolment even by typing its address.
        self.client.force_login(self.alice)
        assert self.client.get(reverse("accounts:second_factor_enrol"))["Location"] == "/"
        assert not TOTPDevice.objects.filter(user=self.alice).exists()

    def test_it_redirects_every_page_before_verification(self) -> None:
        self.enrol(self.ed)
        self.client.force_login(self.ed)
        for url in ("/", "/items/", reverse("accounts:token_list"), "/desk/"):
            response = self.client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:second_factor")), url
        assert self.client.get(reverse("accounts:second_factor")).status_code == 200
        # The API does not take the unverified session; an API token still works.
        assert self.client.get("/api/v1/items").status_code == 401
        _token, raw = create_token(user=self.ed, name="OA")
        with_token = self.client.get("/api/v1/items", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert with_token.status_code == 200
        self.client.post(reverse("accounts:logout"))
        assert "_auth_user_id" not in self.client.session

    def test_it_lets_the_security_admin_reset_a_lost_authenticator(self) -> None:
        self.enrol(self.ed)
        self.enrol(self.secadmin)
        self.log_in(self.secadmin)
        assert self.enter(totp_code(self.device(self.secadmin)), "/") == "/"
        page = self.client.get(reverse("accounts:user_edit", args=[self.ed.pk]))
        assert "Reset the second factor" in page.content.decode()
        response = self.client.post(reverse("accounts:second_factor_reset", args=[self.ed.pk]))
        assert response["Location"] == reverse("accounts:user_list")
        assert not TOTPDevice.objects.filter(user=self.ed).exists()
        assert not StaticDevice.objects.filter(user=self.ed).exists()
        event = AuditEvent.objects.get(action="second_factor.reset")
        assert (event.actor, event.object_id) == (self.secadmin, str(self.ed.pk))
        assert event.summary == {"username": "ed", "devices_removed": 2}
        self.client.logout()
        assert self.log_in(self.ed).startswith(reverse("accounts:second_factor_enrol"))

    def test_it_lets_only_the_security_admin_reset(self) -> None:
        self.enrol(self.ed)
        for user in (self.sysadmin, self.chief):
            self.client.force_login(user)
            with override_settings(XINBAO_SECOND_FACTOR_ROLES=[]):
                page = self.client.get(reverse("accounts:user_edit", args=[self.ed.pk]))
                reset = self.client.post(reverse("accounts:second_factor_reset", args=[self.ed.pk]))
            assert "Reset the second factor" not in page.content.decode()
            assert reset.status_code == 403
        assert TOTPDevice.objects.filter(user=self.ed).exists()

    def test_it_sends_a_partial_request_to_the_code_page_as_a_whole_page(self) -> None:
        self.enrol(self.ed)
        self.client.force_login(self.ed)
        bell = reverse("notify:bell")
        # The bell polls on the code page itself: nothing is swapped in, the page stays.
        on_code_page = self.client.get(
            bell,
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL="http://testserver" + reverse("accounts:second_factor"),
        )
        assert on_code_page.status_code == 204 and "HX-Redirect" not in on_code_page
        # On a page left open elsewhere, the browser is sent to the code page.
        elsewhere = self.client.get(
            bell, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/items/"
        )
        assert elsewhere.status_code == 204
        assert elsewhere["HX-Redirect"] == reverse("accounts:second_factor")

    def test_it_resets_an_administrator_from_the_command_line(self) -> None:
        self.enrol(self.secadmin)
        out = StringIO()
        call_command("resetsecondfactor", "secadmin", stdout=out)
        assert out.getvalue() == "secadmin: 2 second-factor devices removed\n"
        assert not TOTPDevice.objects.filter(user=self.secadmin).exists()
        event = AuditEvent.objects.get(action="second_factor.reset")
        assert (event.actor, event.actor_name) == (None, "system")
        with pytest.raises(CommandError):
            call_command("resetsecondfactor", "nobody", stdout=out)
