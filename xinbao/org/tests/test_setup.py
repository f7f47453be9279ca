"""The first run: `xinbao setup` on an empty database, the readiness check, the first-run page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.urls import reverse

from xinbao.accounts.models import Role, User
from xinbao.audit.models import AuditEvent
from xinbao.calendar.models import CalendarYear
from xinbao.lib.readiness import missing_steps
from xinbao.org.models import OfficeProfile, UnitClass, UnitKind
from xinbao.org.services import OfficeData, UnitData, create_unit, save_office
from xinbao.periodicals.models import Periodical
from xinbao.test import EnglishClient, make_user

#: A year the working-day library does not know, so that its calendar is missing.
FAR = dt.datetime(2031, 3, 2, 2, 0, tzinfo=dt.UTC)
SMS = {"sms": {"provider": "generic", "url": "http://127.0.0.1:9/sms"}}


def run_setup(*args: str) -> str:
    out = io.StringIO()
    call_command("setup", *args, "--no-input", stdout=out)
    return out.getvalue()


def logs_in(client: EnglishClient, username: str, password: str) -> bool:
    """Through the login page, as the leader will; the first page is the password change."""
    r = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return r.status_code == 302 and client.get(reverse("home"))["Location"] == reverse(
        "accounts:password_change"
    )


def keys() -> list[str]:
    return [step.key for step in missing_steps()]


@time_machine.travel(FAR, tick=False)
class SetupCommandTest(TestCase):
    client_class = EnglishClient

    def test_it_sets_up_an_empty_database_from_flags(self) -> None:
        out = run_setup(
            "--office",
            "中共北岭市委办公室",
            "--city",
            "北岭市",
            "--contact",
            "市委办公室信息科 值班电话 0571-88886666",
            "--class",
            "县区:8:3",
            "--class",
            "乡镇:3",
            "--leader",
            "周立新:leader_in_charge:zhoulx:13900000011",
            "--leader",
            "吴海:principal_leader:wuhai",
            "--leader",
            "彭晓岚:duty_officer:pengxl:13900000013",
        )
        office = OfficeProfile.objects.get()
        assert (office.name, office.city) == ("中共北岭市委办公室", "北岭市")
        county = UnitClass.objects.get(name="县区")
        assert (county.quota_per_month, county.adoptions_per_month) == (8, 3)
        township = UnitClass.objects.get(name="乡镇")
        assert (township.quota_per_month, township.adoptions_per_month, township.rank) == (3, 0, 4)
        leader = User.objects.get(username="zhoulx")
        assert (leader.role, leader.full_name, leader.phone) == (
            Role.LEADER_IN_CHARGE,
            "周立新",
            "13900000011",
        )
        assert leader.must_change_password
        assert User.objects.get(username="wuhai").role == Role.PRINCIPAL_LEADER
        assert User.objects.get(username="pengxl").role == Role.DUTY_OFFICER
        # The one-time password is printed once, and it opens the account.
        line = next(line for line in out.splitlines() if line.startswith("login: zhoulx"))
        password = line.rsplit("one-time password: ", 1)[1]
        assert logs_in(EnglishClient(), "zhoulx", password)
        # What is still missing is listed, with where to fix it.
        assert "[unit] No unit reports to the office yet." in out
        assert "[periodical]" in out and "[urgent_channel]" in out
        assert "[calendar_2031]" in out and "/calendar/2031/" in out
        assert "[office]" not in out and "[signer]" not in out and "[duty_officer]" not in out
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"office.create", "unit_class.create", "unit_class.update", "user.create"} <= actions

    def test_it_changes_nothing_when_a_leader_is_wrong(self) -> None:
        with pytest.raises(CommandError, match="role"):
            run_setup(
                "--office",
                "中共北岭市委办公室",
                "--city",
                "北岭市",
                "--leader",
                "周立新:editor:zhoulx:13900000011",
            )
        assert not OfficeProfile.objects.exists()
        assert not User.objects.exists()
        with pytest.raises(CommandError, match="NAME:ROLE:USERNAME:PHONE"):
            run_setup("--leader", "周立新")

    def test_it_reports_ready_once_everything_is_there(self) -> None:
        admin = make_user("admin", Role.SYSTEM_ADMIN)
        assert keys() == [
            "office",
            "unit",
            "periodical",
            "signer",
            "duty_officer",
            "urgent_channel",
            "calendar_2031",
            "calendar_2032",
        ]
        save_office(user=admin, data=OfficeData(name="中共北岭市委办公室", city="北岭市"))
        assert keys()[0] == "unit"
        create_unit(
            user=admin,
            data=UnitData(
                code="C01",
                name="东城县委办公室",
                kind=UnitKind.COUNTY,
                unit_class=UnitClass.objects.get(name="县区"),
            ),
        )
        Periodical.objects.create(name="每日要情", frequency="daily", issuing_office="北岭")
        make_user("leader", Role.LEADER_IN_CHARGE)
        make_user("duty", Role.DUTY_OFFICER)
        assert keys() == ["urgent_channel", "calendar_2031", "calendar_2032"]
        with override_settings(XINBAO_NOTIFY=SMS):
            assert keys() == ["calendar_2031", "calendar_2032"]
            for year in (2031, 2032):
                CalendarYear.objects.create(year=year, complete=True)
            assert keys() == []
            assert "ready: the office can work." in run_setup()


@time_machine.travel(FAR, tick=False)
class FirstRunPageTest(TestCase):
    client_class = EnglishClient

    def setUp(self) -> None:
        self.admin = make_user("admin", Role.SYSTEM_ADMIN)
        self.client.force_login(self.admin)

    def test_it_lists_what_is_missing_on_the_admin_home_until_it_is_done(self) -> None:
        page = self.client.get(reverse("home")).content.decode()
        assert 'id="setup-steps"' in page
        assert reverse("org:setup") in page
        assert "There is no duty officer to take urgent reports." in page
        assert 'data-step="office"' in page and reverse("org:office") in page
        save_office(user=self.admin, data=OfficeData(name="中共北岭市委办公室", city="北岭市"))
        create_unit(
            user=self.admin,
            data=UnitData(
                code="C01",
                name="东城县委办公室",
                kind=UnitKind.COUNTY,
                unit_class=UnitClass.objects.get(name="县区"),
            ),
        )
        Periodical.objects.create(name="每日要情", frequency="daily", issuing_office="北岭")
        make_user("leader", Role.LEADER_IN_CHARGE)
        page = self.client.get(reverse("home")).content.decode()
        assert 'data-step="office"' not in page and 'data-step="duty_officer"' in page
        make_user("duty", Role.DUTY_OFFICER)
        with override_settings(XINBAO_NOTIFY=SMS):
            page = self.client.get(reverse("home")).content.decode()
        # The calendar is left: its own section says so, the checklist is gone.
        assert 'id="setup-steps"' not in page
        assert 'id="calendar-warnings"' in page

    def test_it_creates_a_leader_on_the_first_run_page_and_shows_the_password_once(self) -> None:
        url = reverse("org:setup")
        page = self.client.get(url).content.decode()
        assert "Still missing before the office can work" in page
        assert 'data-step="signer"' in page
        r = self.client.post(
            url,
            {"name": "周立新", "role": Role.LEADER_IN_CHARGE, "username": "zhou lx", "phone": ""},
        )
        page = r.content.decode()
        assert "A login name is letters, digits and . @ + - _ only." in page
        assert 'value="周立新"' in page and 'value="zhou lx"' in page
        r = self.client.post(
            url,
            {"name": "周立新", "role": Role.LEADER_IN_CHARGE, "username": "zhoulx", "phone": ""},
        )
        page = r.content.decode()
        password = page.split('id="one-time-password"')[1].split("<code>")[1].split("</code>")[0]
        assert 'data-step="signer"' not in page
        assert logs_in(EnglishClient(), "zhoulx", password)
        assert password not in self.client.get(url).content.decode()

    def test_it_refuses_the_first_run_page_to_other_roles(self) -> None:
        for role in (Role.EDITOR, Role.SECURITY_ADMIN, Role.LEADER_IN_CHARGE):
            user = make_user(f"u-{role}", role)
            self.client.force_login(user)
            assert self.client.get(reverse("org:setup")).status_code == 403
            r = self.client.post(
                reverse("org:setup"),
                {"name": "X", "role": Role.LEADER_IN_CHARGE, "username": "x", "phone": ""},
            )
            assert r.status_code == 403
        assert not User.objects.filter(username="x").exists()


class ReadinessLinksTest(TestCase):
    def test_it_links_each_step_to_the_screen_that_fixes_it(self) -> None:
        links = {step.key: step.url for step in missing_steps()}
        assert links["office"] == reverse("org:office")
        assert links["unit"] == reverse("org:unit_create")
        assert links["periodical"] == reverse("periodicals:setup_create")
        assert links["signer"] == links["duty_officer"] == reverse("accounts:user_create")
        admin = make_user("admin", Role.SYSTEM_ADMIN)
        client = EnglishClient()
        client.force_login(admin)
        for key, url in links.items():
            assert client.get(url).status_code == 200, key
