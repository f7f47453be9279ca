"""A new office from an empty database, set up and run for a day through the screens only.

The acceptance test of a fresh install. The database holds only what the migrations put there
(the seeded unit classes, the sign-off routing table, the default scoring rules); nothing
else is written by the test: no personas, no fixtures, no demo. One system administrator is
made with ``createadmin``, as an operator does on the server, and from then on every row is
made by a person in Chromium who reaches each page by clicking the menu. Only the first page,
the site's root, is typed.

The day: a reporter submits an item; the editor receives it and adopts it into the periodical,
compiles an issue; the section chief checks it; the leader in charge signs it on a phone; a
reader reads it in the reading room. The duty officer opens an incident and demands a report
from a unit; the deadline passes and the scanner chases it. The quarter ends, the scanner
makes its score report (积分通报), the section chief sends it, and the head of a county, who
has no login, receives it by SMS through a loopback gateway and by email through a loopback
SMTP server.

Runs on SQLite and PostgreSQL alike (``DATABASE_URL``). The browser asks for Chinese, so the
assertions rest on the data typed in, element ids, URLs and the database, never on labels.
With ``XINBAO_MANUAL_SCREENS=1`` the screenshots the user manual shows are written into
``docs/manual/img/``; otherwise screenshots go to ``var/screenshots/fresh-office/``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import (
    AUTHENTICATORS,
    BROWSER_MARKS,
    DESK,
    PHONE,
    new_context,
    pass_second_factor,
)
from xinbao.notify.tests.peers import GenericSmsPeer, SmtpPeer

# With the second factor as in production: office staff and administrators enrol at first login.
pytestmark = [*BROWSER_MARKS, pytest.mark.second_factor]

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A Tuesday near the end of the third quarter: the day runs here, the quarter ends soon after.
DAY = dt.datetime(2026, 9, 29, 8, 30, tzinfo=SHANGHAI)
#: The first morning of the fourth quarter: the third quarter's score report is due.
QUARTER_END = dt.datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)

ADMIN_PASSWORD = "Qc-admin-2026!"  # a fixture, not a secret
FIRST_PASSWORD = "Qc-first-2026!"  # the one the administrator hands out
OWN_PASSWORD = "Qc-mine-2026!#"  # what each user chooses at first login

OFFICE = "中共青川市委办公室"
CITY = "青川市"
PERIODICAL = "青川信息"

UNITS_CSV = """\
单位编码,单位名称,简称,类型,分类,传真
C01,东城县委办公室,东城县,县区,县区,0571-88001234
C02,西城县委办公室,西城县,县区,县区,
D01,市应急管理局,市应急局,市直,市直部门,
"""
# The head of 东城县 has a mobile phone and an email address, and no login: the score report
# reaches him through both.
HEAD_NAME = "周敏"
HEAD_PHONE = "13900000011"
HEAD_EMAIL = "zhoumin@dongcheng.gov.cn"
PEOPLE_CSV = f"""\
单位编码,姓名,职务,岗位,手机,办公电话,邮箱
C01,{HEAD_NAME},县委办主任,主要领导,{HEAD_PHONE},0571-88001235,{HEAD_EMAIL}
C01,赵小红,信息科科员,信息员,13800000001,,zhaoxh@dongcheng.gov.cn
D01,王强,局长,主要领导,13900000021,,wangq@yjj.qc.gov.cn
"""

#: Made on the first-run page (username → full name, role), each with a one-time password.
FIRST_RUN = {
    "lifg": ("李分管", "leader_in_charge"),
    "zhouzy": ("周主要", "principal_leader"),
    "wuzb": ("吴值班", "duty_officer"),
}
#: Made on the users page (username → full name, role, unit code or "").
STAFF = {
    "zhaoxh": ("赵小红", "reporter", "C01"),
    "qianbj": ("钱编辑", "editor", ""),
    "sunkz": ("孙科长", "section_chief", ""),
}
CLASS = "重点直报点"

TITLE = "东城县全力做好秋季森林防火工作"
BODY = (
    "9月以来，东城县落实森林防火责任，组织巡山护林队伍32支、队员460人。\n"
    "县应急局已在重点林区设置检查站12个，暂未发生森林火情。"
)


#: A desk screen as the manual shows it.
SCREEN: dict[str, Any] = {**DESK, "viewport": {"width": 1280, "height": 800}}


class MissingStep(AssertionError):
    """A step of the day has no screen yet (or none reachable from the menu)."""


def url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch as exc:
        raise MissingStep(f"no page named {name!r}: {exc}") from exc


# --- the browser ------------------------------------------------------------------------


class Shots:
    """Screenshots: into docs/manual/img/ for the manual, or var/screenshots/ otherwise."""

    def __init__(self, folder: Path, manual: bool) -> None:
        self.folder, self.manual = folder, manual
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, name: str, *, manual: bool = False) -> None:
        if self.manual and not manual:
            return
        # CSS pixels: a phone's page is 390 px wide in the picture, as the manual shows it.
        page.screenshot(path=self.folder / f"{name}.png", scale="css")


def open_menu_entry(page: Page, href: str, step: str) -> None:
    """Click the menu entry leading to ``href``, opening the phone menu or a dropdown first."""
    nav = page.locator("#xb-nav")
    link = nav.locator(f"a[href='{href}']").first
    if link.count() == 0:
        raise MissingStep(f"{step}: no menu entry leads to {href} for this user")
    # Bootstrap's script (deferred) opens the menus: wait until it has run.
    page.wait_for_load_state("load")
    viewport = page.viewport_size
    if viewport is not None and viewport["width"] < 992:  # Bootstrap's lg: the menu is folded
        page.locator(".navbar-toggler").click()
        expect(nav).to_have_class(re.compile(r"\bshow\b"))
    dropdown = nav.locator(".dropdown", has=page.locator(f"a[href='{href}']"))
    if dropdown.count():
        dropdown.locator(".dropdown-toggle").first.click()
        expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(re.escape(href) + r"(\?.*)?$"))


#: Users who have chosen their own password at their first login.
CHANGED: set[str] = set()
#: One-time passwords the first-run page showed, by username.
ONE_TIME: dict[str, str] = {}


def log_in(context: BrowserContext, base: str, username: str) -> Page:
    """Log in through the form, pass the second factor (enrolling an authenticator at the first
    login of office staff and administrators); at the first login choose one's own password."""
    if username == "admin":
        password = ADMIN_PASSWORD
    else:
        password = OWN_PASSWORD if username in CHANGED else ONE_TIME.get(username, FIRST_PASSWORD)
    page = context.new_page()
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, username)
    if username != "admin" and username not in CHANGED:
        expect(page).to_have_url(re.compile(r"/accounts/password/"))
        page.fill("#id_new_password1", OWN_PASSWORD)
        page.fill("#id_new_password2", OWN_PASSWORD)
        page.locator("main form button[type=submit]").click()
        CHANGED.add(username)
    expect(page).to_have_url(base + "/")
    return page


class Office:
    """The browser, the live server and the screenshots of one run."""

    def __init__(self, browser: Browser, base: str, shot: Shots) -> None:
        self.browser, self.base, self.shot = browser, base, shot

    def session(self, username: str, *, phone: bool = False) -> tuple[BrowserContext, Page]:
        context = new_context(self.browser, **(PHONE if phone else SCREEN))
        return context, log_in(context, self.base, username)


def success(page: Page) -> None:
    expect(page.locator(".alert-success").first).to_be_visible()


# --- the office -------------------------------------------------------------------------


def make_admin() -> None:
    """What the operator types on the server: ``xinbao createadmin``."""
    stdin, sys.stdin = sys.stdin, io.StringIO(ADMIN_PASSWORD + "\n")
    try:
        call_command(
            "createadmin",
            "admin",
            role="system_admin",
            full_name="郑管理",
            password_stdin=True,
            stdout=io.StringIO(),
        )
    finally:
        sys.stdin = stdin


def import_file(page: Page, kind: str, path: Path) -> None:
    """Open the import page, check the file first, read the preview, then import."""
    open_menu_entry(page, url("org:import"), f"import {kind}")
    page.locator(f"input[name=kind][value={kind}]").check()
    page.set_input_files("#id_file", path)
    page.locator("button[name=action][value=check]").click()
    expect(page.locator("#import-preview")).to_be_visible()
    page.locator("#import-preview button[name=action][value=confirm]").click()
    success(page)


def first_run(page: Page, shot: Shots) -> None:
    """The administrator's home leads to the first run: the office, its leaders, a class."""
    from xinbao.accounts.models import User
    from xinbao.org.models import OfficeProfile, UnitClass

    page.locator(f"main a[href='{url('org:setup')}']").first.click()
    steps = page.locator("#readiness-steps")
    for key in ("office", "unit", "periodical", "signer", "duty_officer"):
        expect(steps.locator(f"[data-step={key}]")).to_have_count(1)
    shot(page, "admin-first-run", manual=True)
    office = page.locator("#office")
    office.locator("input[name=name]").fill(OFFICE)
    office.locator("input[name=city]").fill(CITY)
    office.locator("input[name=contact]").fill("市委办公室信息科 0571-88000000")
    office.locator("button[type=submit]").click()
    success(page)
    expect(steps.locator("[data-step=office]")).to_have_count(0)
    profile = OfficeProfile.objects.get()
    assert (profile.name, profile.city) == (OFFICE, CITY)

    for username, (full_name, role) in FIRST_RUN.items():
        leaders = page.locator("#leaders")
        leaders.locator("input[name=name]").fill(full_name)
        leaders.locator("select[name=role]").select_option(role)
        leaders.locator("input[name=username]").fill(username)
        leaders.locator("button[type=submit]").click()
        given = page.locator("#one-time-password code")
        expect(given).to_be_visible()
        ONE_TIME[username] = given.inner_text().strip()
    for key in ("signer", "duty_officer"):
        expect(steps.locator(f"[data-step={key}]")).to_have_count(0)
    assert set(User.objects.filter(username__in=FIRST_RUN).values_list("role", flat=True)) == {
        role for _name, role in FIRST_RUN.values()
    }

    # A class of its own for the office's key direct points, beside the seeded ones.
    page.locator(f"main a[href='{url('org:class_list')}']").first.click()
    page.locator(f"main a[href='{url('org:class_create')}']").click()
    page.fill("#id_name", CLASS)
    page.fill("#id_rank", "4")
    page.fill("#id_quota_per_month", "3")
    page.fill("#id_adoptions_per_month", "1")
    shot(page, "admin-class-form")
    page.locator("main form button[type=submit]").click()
    success(page)
    unit_class = UnitClass.objects.get(name=CLASS)
    assert (unit_class.quota_per_month, unit_class.adoptions_per_month) == (3, 1)


def set_up_periodical(page: Page, shot: Shots) -> None:
    """From the readiness list: the periodical, its distribution list, and so its readers."""
    from xinbao.accounts.models import User
    from xinbao.periodicals.models import Periodical, SignRoute

    page.locator(f"#xb-nav a[href='{url('home')}']").first.click()
    page.locator(f"main a[href='{url('org:setup')}']").first.click()
    page.locator("#readiness-steps [data-step=periodical] a").click()
    expect(page).to_have_url(re.compile(re.escape(url("periodicals:setup_create")) + "$"))
    page.fill("#id_name", PERIODICAL)
    page.fill("#id_masthead", "青川信息")
    page.select_option("#id_frequency", "daily")
    page.fill("#id_issuing_office", OFFICE)
    page.fill("#id_copies", "20")
    page.locator("#periodical-form button[type=submit]").click()
    success(page)
    periodical = Periodical.objects.get(name=PERIODICAL)
    expect(page).to_have_url(re.compile(re.escape(url("periodicals:setup_edit", periodical.pk))))
    # A paper copy for the provincial office; the two leaders read it in the reading room.
    page.select_option("#id_new-group", "report")
    page.fill("#id_new-label", "省委办公厅信息处")
    page.fill("#id_new-copies", "2")
    page.locator("#add-recipient button[type=submit]").click()
    expect(page.locator("#distribution")).to_contain_text("省委办公厅信息处")
    for username in ("zhouzy", "lifg"):
        user = User.objects.get(username=username)
        page.select_option("#id_new-group", "send")
        page.select_option("#id_new-user", str(user.pk))
        page.fill("#id_new-copies", "1")
        page.locator("#add-recipient button[type=submit]").click()
        expect(page.locator("#readers ul")).to_contain_text(user.full_name)
    shot(page, "admin-periodical", manual=True)
    assert set(periodical.readers.values_list("username", flat=True)) == {"zhouzy", "lifg"}
    assert periodical.distribution_entries.count() == 3

    # The sign-off routing table the migrations seeded: routine items go to the leader in charge.
    page.locator(f"main a[href='{url('periodicals:setup_list')}']").first.click()
    page.locator(f"main a[href='{url('periodicals:routes')}']").click()
    expect(page.locator("#routes-form")).to_be_visible()
    page.locator("#routes-form button[type=submit]").click()
    success(page)
    assert SignRoute.objects.get(urgency="routine").signer_role == "leader_in_charge"

    # Nothing is missing any more: the home page no longer lists steps.
    page.locator(f"#xb-nav a[href='{url('home')}']").first.click()
    expect(page.locator("#calendar-warnings")).to_be_visible()
    expect(page.locator("#setup-steps")).to_have_count(0)


def set_up_network(page: Page, tmp: Path, shot: Shots) -> None:
    """Units and people: a file for most, by hand for the rest (the system administrator)."""
    from xinbao.org.models import Person, RosterEntry, Unit

    units = tmp / "单位.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    import_file(page, "units", units)
    people = tmp / "人员.csv"
    people.write_text(PEOPLE_CSV, encoding="utf-8")
    import_file(page, "people", people)
    shot(page, "admin-import", manual=True)
    assert set(Unit.objects.values_list("code", flat=True)) == {"C01", "C02", "D01"}
    assert Person.objects.count() == 3

    # A direct reporting point by hand, credited to 东城县.
    open_menu_entry(page, url("org:unit_list"), "units")
    page.locator(f"main a[href='{url('org:unit_create')}']").click()
    page.fill("#id_code", "P01")
    page.fill("#id_name", "东城县第一中学")
    page.fill("#id_short_name", "东城一中")
    page.select_option("#id_kind", "direct_point")
    page.select_option("#id_direct_point_type", "school")
    page.select_option("#id_unit_class", label=CLASS)
    page.select_option("#id_county", label="东城县委办公室")
    shot(page, "admin-unit-form")
    page.locator("main form button[type=submit]").click()
    success(page)
    point = Unit.objects.get(code="P01")
    assert point.county is not None and point.county.code == "C01"

    # The head of 西城县 by hand, then put in the roster.
    open_menu_entry(page, url("org:person_list"), "people")
    page.locator(f"main a[href='{url('org:person_create')}']").click()
    page.select_option("#id_unit", label="西城县委办公室")
    page.fill("#id_name", "刘洋")
    page.fill("#id_title", "县委办主任")
    page.fill("#id_phone", "13900000031")
    page.fill("#id_email", "liuy@xicheng.gov.cn")
    page.locator("main form button[type=submit]").click()
    success(page)
    west = Unit.objects.get(code="C02")
    expect(page).to_have_url(re.compile(rf"/org/units/{west.pk}/$"))
    page.locator(f"main a[href='{url('org:roster_assign', west.pk)}']").first.click()
    page.select_option("#id_person", label="刘洋")
    page.select_option("#id_position", "head")
    page.locator("main form button[type=submit]").click()
    success(page)
    assert RosterEntry.objects.filter(unit=west, person__name="刘洋", position="head").exists()


def create_users(page: Page, shot: Shots) -> None:
    """The office's accounts, each with a first password to be changed at first login."""
    from xinbao.accounts.models import User

    for username, (full_name, role, unit_code) in STAFF.items():
        open_menu_entry(page, url("accounts:user_list"), "users")
        page.locator(f"main a[href='{url('accounts:user_create')}']").click()
        page.fill("#id_username", username)
        page.fill("#id_full_name", full_name)
        page.select_option("#id_role", role)
        if unit_code:
            from xinbao.org.models import Unit

            page.select_option("#id_unit", str(Unit.objects.get(code=unit_code).pk))
        page.fill("#id_password", FIRST_PASSWORD)
        if username == "zhaoxh":
            shot(page, "admin-user-form", manual=True)
        page.locator("main form button[type=submit]").click()
        success(page)
    made = User.objects.filter(username__in=STAFF)
    assert {u.username: u.role for u in made} == {k: v[1] for k, v in STAFF.items()}


# --- the day ----------------------------------------------------------------------------


def submit_item(office: Office) -> int:
    """The reporter of 东城县 writes an item on a phone and submits it."""
    from xinbao.items.models import Item, ItemStatus

    context, page = office.session("zhaoxh", phone=True)
    open_menu_entry(page, url("items:create"), "new item")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    page.select_option("#id_kind", "dynamic")
    page.select_option("#id_urgency", "routine")
    page.fill("#id_writer_phone", "13800000001")
    office.shot(page, "reporter-item-form", manual=True)
    page.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(re.compile(r"/items/\d+/$"))
    success(page)
    # The manual is one click away in the help menu, with a page for the reporter.
    open_menu_entry(page, url("help:index"), "user manual")
    page.locator(f"#manual a[href='{url('help:page', 'reporter')}']").first.click()
    expect(page.locator("#manual h1")).to_have_text("信息员")
    context.close()
    item = Item.objects.get(title=TITLE)
    assert item.status == ItemStatus.SUBMITTED and item.unit.code == "C01"
    return item.pk


def adopt_item(office: Office, item_pk: int) -> None:
    """The editor receives the item from the inbox and adopts it into the periodical."""
    from xinbao.desk.models import Adoption
    from xinbao.items.models import Item, ItemStatus

    context, page = office.session("qianbj")
    open_menu_entry(page, url("items:list"), "inbox")
    page.locator("main a", has_text=TITLE).first.click()
    expect(page).to_have_url(re.compile(rf"/items/{item_pk}/$"))
    page.locator(f"form[action='{url('items:receive', item_pk)}'] button").click()
    success(page)
    assert Item.objects.get(pk=item_pk).status == ItemStatus.RECEIVED

    open_menu_entry(page, url("desk:inbox"), "desk")
    page.locator(f"main a[href='{url('desk:item', item_pk)}']").first.click()
    page.locator("#decide-adopt summary").click()
    page.select_option("#id_adopt_periodicals", label=PERIODICAL)
    office.shot(page, "editor-adopt", manual=True)
    page.locator("#decide-adopt button[type=submit]").click()
    success(page)
    context.close()
    adoption = Adoption.objects.get(item_id=item_pk)
    assert adoption.periodical is not None and adoption.periodical.name == PERIODICAL


def compile_issue(office: Office, item_pk: int) -> int:
    """The editor makes a new issue of the periodical, adds the item and sends it on."""
    from xinbao.periodicals.models import Issue, IssueState

    context, page = office.session("qianbj")
    open_menu_entry(page, url("periodicals:list"), "periodicals")
    page.locator("main a", has_text=PERIODICAL).first.click()
    page.fill("#id_title", "森林防火专刊")
    page.locator("#new-issue").click()
    expect(page).to_have_url(re.compile(r"/periodicals/issues/\d+/$"))
    page.locator("#add-items").click()
    page.locator(f"input[name=items][value='{item_pk}']").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/periodicals/issues/\d+/$"))
    expect(page.locator("main")).to_contain_text(TITLE)
    office.shot(page, "editor-issue", manual=True)
    page.locator("#submit-issue").click()
    success(page)
    context.close()
    issue = Issue.objects.get(periodical__name=PERIODICAL)
    assert issue.state == IssueState.SECTION_CHECK
    assert list(issue.entries.values_list("item_id", flat=True)) == [item_pk]
    return issue.pk


def check_issue(office: Office, issue_pk: int) -> None:
    """The section chief finds the issue on the home page and sends it for signature."""
    from xinbao.periodicals.models import Issue, IssueState

    context, page = office.session("sunkz")
    page.locator(f"#to-check a[href='{url('periodicals:issue', issue_pk)}']").click()
    office.shot(page, "chief-check", manual=True)
    page.locator("#check-issue").click()
    success(page)
    context.close()
    issue = Issue.objects.get(pk=issue_pk)
    assert issue.state == IssueState.AWAITING_SIGNATURE
    assert issue.signer_role == "leader_in_charge"


def sign_issue(office: Office, issue_pk: int) -> None:
    """The leader in charge signs on a phone, from the home page."""
    from xinbao.periodicals.models import Issue, IssueState

    context, page = office.session("lifg", phone=True)
    page.locator(f"#to-sign a[href='{url('periodicals:sign_issue', issue_pk)}']").click()
    expect(page.locator("main")).to_contain_text("巡山护林队伍32支")
    office.shot(page, "leader-sign-phone", manual=True)
    page.locator("#sign-button").click()
    expect(page.locator("#issue-state")).to_have_attribute("data-state", IssueState.SIGNED)
    context.close()
    issue = Issue.objects.get(pk=issue_pk)
    assert issue.state == IssueState.SIGNED and issue.signed_by is not None
    assert issue.signed_by.username == "lifg"


def distribute_issue(office: Office, issue_pk: int) -> None:
    from xinbao.periodicals.models import Issue, IssueState

    context, page = office.session("qianbj")
    open_menu_entry(page, url("periodicals:list"), "periodicals")
    page.locator(f"main a[href='{url('periodicals:issue', issue_pk)}']").first.click()
    page.locator("#distribute-issue").click()
    success(page)
    context.close()
    assert Issue.objects.get(pk=issue_pk).state == IssueState.DISTRIBUTED


def read_issue(office: Office, issue_pk: int, reader: str) -> None:
    """A reader of the periodical opens the issue in the reading room; the receipt is kept."""
    from xinbao.periodicals.models import ReadReceipt

    context, page = office.session(reader)
    open_menu_entry(page, url("periodicals:reading"), "reading room")
    page.locator(f"main a[href='{url('periodicals:reading_issue', issue_pk)}']").click()
    expect(page.locator("main")).to_contain_text("巡山护林队伍32支")
    expect(page.locator("#receipt")).to_be_visible()
    office.shot(page, "reader-reading-room", manual=True)
    context.close()
    assert ReadReceipt.objects.filter(issue_id=issue_pk, user__username=reader).exists()


def demand_report(office: Office) -> int:
    """The duty officer records a call, opens an incident and demands a report of 东城县."""
    from xinbao.incidents.models import Incident, ReportRequest

    context, page = office.session("wuzb")
    open_menu_entry(page, url("incidents:list"), "incidents")
    page.locator(f"main a[href='{url('incidents:intake')}']").first.click()
    page.fill("#id_what", "东城县青山林场发生森林火灾，过火面积约5公顷，暂无人员伤亡")
    page.fill("#id_source", "东城县应急局")
    page.fill("#id_place", "东城县青山林场")
    page.fill("#id_caller_name", "陈值守")
    page.fill("#id_caller_phone", "0571-88001299")
    page.fill("#id_title", "东城县青山林场森林火灾")
    page.select_option("#id_category", "natural_disaster")
    page.select_option("#id_units", label="东城县委办公室")
    office.shot(page, "duty-intake", manual=True)
    page.locator("button[name=action][value=save]").click()
    expect(page).to_have_url(re.compile(r"/incidents/\d+/$"))
    incident = Incident.objects.get(title="东城县青山林场森林火灾")
    page.locator("#actions details summary").first.click()
    page.locator(f"form[action='{url('incidents:demand', incident.pk)}'] button").click()
    success(page)
    expect(page.locator("#demands")).to_contain_text("东城县委办公室")
    office.shot(page, "duty-incident")
    context.close()
    request = ReportRequest.objects.get(incident=incident)
    assert request.unit.code == "C01"
    assert request.written_due_at is not None or request.phone_due_at is not None
    return request.pk


def deadline(request_pk: int) -> dt.datetime:
    """The demand's earliest deadline (a level IV incident: the written report only)."""
    from xinbao.incidents.models import ReportRequest

    request = ReportRequest.objects.get(pk=request_pk)
    dues = [d for d in (request.phone_due_at, request.written_due_at) if d is not None]
    return min(dues)


def pdf_text(content: bytes) -> str:
    """The text of a PDF as an office reads it (poppler's pdftotext), spaces removed."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def deliver() -> None:
    """What the scanner and the worker do: send every message that is due."""
    call_command("notify_send", stdout=io.StringIO())


def chase_demand(office: Office, request_pk: int, sms: GenericSmsPeer, smtp: SmtpPeer) -> None:
    """Past the deadline the scanner issues a chase notice: fax and SMS to the unit's head."""
    from xinbao.incidents.models import ChaseNotice, ReportRequest

    call_command("scan", "--once", stdout=io.StringIO())
    deliver()
    request = ReportRequest.objects.get(pk=request_pk)
    notice = ChaseNotice.objects.get(request=request)
    texts = [r.json()["text"] for r in sms.received if r.json()["phone"] == HEAD_PHONE]
    assert any(notice.number in t or "催报" in t for t in texts), texts
    faxes = [m for m in smtp.received if any("88001234" in r for r in m.rcpt_tos)]
    assert faxes, [m.rcpt_tos for m in smtp.received]
    assert any(
        part.get_content_type() == "application/pdf"
        for part in faxes[0].parsed().iter_attachments()
    )
    # The duty officer sees the notice on the incident's page, the demand marked overdue.
    context, page = office.session("wuzb")
    open_menu_entry(page, url("incidents:list"), "incidents")
    page.locator(f"main a[href='{url('incidents:detail', request.incident_id)}']").first.click()
    row = page.locator(f"#demand-{request.pk}")
    expect(row).to_contain_text(notice.number)
    expect(row).to_have_class(re.compile(r"list-group-item-danger"))
    office.shot(page, "duty-chase")
    context.close()


def send_score_report(office: Office, sms: GenericSmsPeer, smtp: SmtpPeer) -> None:
    """The quarter has ended: the scanner makes the report, the section chief sends it, and
    the head of 东城县, who has no login, receives it by SMS and by email."""
    from xinbao.scoring.models import ReportState, ScoreReport

    call_command("scan", "--once", stdout=io.StringIO())
    report = ScoreReport.objects.get(quarter_start=dt.date(2026, 7, 1))
    assert report.state == ReportState.DRAFT
    sms_before, mail_before = len(sms.received), len(smtp.received)

    context, page = office.session("sunkz")
    open_menu_entry(page, url("scoring:reports"), "score reports")
    page.locator(f"main a[href='{url('scoring:report', report.pk)}']").first.click()
    office.shot(page, "chief-score-report", manual=True)
    page.locator(f"form[action='{url('scoring:report_send', report.pk)}'] button").click()
    success(page)
    context.close()
    report.refresh_from_db()
    assert report.state == ReportState.SENT
    deliver()

    # The SMS carries a signed link; the head opens it on a phone without logging in.
    texts = [r.json()["text"] for r in sms.received[sms_before:] if r.json()["phone"] == HEAD_PHONE]
    links = [m for t in texts for m in re.findall(r"https?://\S+", t)]
    assert links, texts
    phone = new_context(office.browser, **PHONE)
    opened = phone.request.get(links[0])
    assert opened.ok and opened.headers["content-type"] == "application/pdf"
    assert "东城县委办公室" in pdf_text(opened.body())
    phone.close()

    # The email brings the same report as a PDF attachment.
    mails = [m for m in smtp.received[mail_before:] if HEAD_EMAIL in m.rcpt_tos]
    assert mails, [m.rcpt_tos for m in smtp.received[mail_before:]]
    [pdf] = [
        a for a in mails[0].parsed().iter_attachments() if a.get_content_type() == "application/pdf"
    ]
    text = pdf_text(pdf.get_content())
    assert "2026年第三季度" in text and "东城县委办公室" in text


# --- the test ---------------------------------------------------------------------------


@pytest.fixture
def peers(fresh_install: LiveServer) -> Iterator[tuple[GenericSmsPeer, SmtpPeer]]:
    """The office's SMS gateway and mail server, on loopback; links lead to the live server."""
    sms = GenericSmsPeer(token="qc-sms-token").start()
    smtp = SmtpPeer()
    with smtp.running():
        notify = {
            "site_url": fresh_install.url,
            "http_timeout": 2,
            "sms": {"provider": "generic", "url": f"{sms.url}/send", "token": "qc-sms-token"},
            "fax": {"address_pattern": "{number}@fax.qc.gov.cn"},
            "email": {
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "from": "青川信报 <xinbao@qc.gov.cn>",
                "timeout": 2,
            },
        }
        try:
            with override_settings(XINBAO_NOTIFY=notify):
                yield sms, smtp
        finally:
            sms.stop()


def replay_data_migrations() -> None:
    """Write again what ``migrate`` wrote into the empty database, in migration order.

    The live server's test database is flushed after every test that uses it, and the flush
    takes the migrations' own rows with it (the seeded unit classes, the routing table, the
    deadline table, the default rules). A fresh install has them, so they are put back the
    way the migrations wrote them: each RunPython with the models as they were at that
    migration. (serialized_rollback cannot do this after another live-server test: the
    content types that test's flush re-created collide with the serialized ones.)
    """
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    for migration, _backwards in plan:
        # Only the project's own: a library's data migration converts rows of its older
        # schema, which an empty database does not have.
        if not apps.get_app_config(migration.app_label).name.startswith("xinbao."):
            continue
        # The audit log's migrations number old events and install its triggers: no seed
        # rows, and the flush put the triggers back already.
        if migration.app_label == "audit":
            continue
        steps = [op for op in migration.operations if isinstance(op, RunPython)]
        if not steps:
            continue
        state = executor.loader.project_state((migration.app_label, migration.name))
        with connection.schema_editor() as editor:
            for step in steps:
                step.code(state.apps, editor)


@pytest.fixture
def fresh_install(live_server: LiveServer) -> LiveServer:
    """The live server over a database holding only what the migrations wrote."""
    from xinbao.org.models import UnitClass
    from xinbao.periodicals.models import SignRoute

    if not UnitClass.objects.exists() and not SignRoute.objects.exists():
        replay_data_migrations()
    return live_server


@pytest.fixture
def shot(screenshots: Path) -> Shots:
    if os.environ.get("XINBAO_MANUAL_SCREENS") == "1":
        return Shots(Path(__file__).resolve().parents[2] / "docs" / "manual" / "img", True)
    return Shots(screenshots / "fresh-office", False)


def test_it_sets_up_an_office_from_an_empty_database_and_runs_a_day(
    fresh_install: LiveServer,
    browser: Browser,
    peers: tuple[GenericSmsPeer, SmtpPeer],
    shot: Shots,
    tmp_path: Path,
) -> None:
    from xinbao.accounts.models import User

    base = fresh_install.url
    sms, smtp = peers
    assert not User.objects.exists()
    CHANGED.clear()
    ONE_TIME.clear()
    AUTHENTICATORS.clear()
    with time_machine.travel(DAY, tick=True):
        make_admin()
        office = Office(browser, base, shot)
        desk, page = office.session("admin")
        shot(page, "admin-home")
        first_run(page, shot)
        set_up_network(page, tmp_path, shot)
        create_users(page, shot)
        set_up_periodical(page, shot)
        desk.close()

        item_pk = submit_item(office)
        adopt_item(office, item_pk)
        issue_pk = compile_issue(office, item_pk)
        check_issue(office, issue_pk)
        sign_issue(office, issue_pk)
        distribute_issue(office, issue_pk)
        read_issue(office, issue_pk, "zhouzy")

        request_pk = demand_report(office)
    # Nothing reported: the scanner runs a little after the deadline the demand was given.
    due = deadline(request_pk)
    assert DAY < due < QUARTER_END
    with time_machine.travel(due + dt.timedelta(minutes=5), tick=True):
        chase_demand(office, request_pk, sms, smtp)
    with time_machine.travel(QUARTER_END, tick=True):
        send_score_report(office, sms, smtp)
    # Every office member and administrator who logged in enrolled an authenticator on the way
    # (the browser typed its codes); the reporter, whose role is not asked, did not.
    enrolled = set(
        apps.get_model("otp_totp", "TOTPDevice")
        .objects.filter(confirmed=True)
        .values_list("user__username", flat=True)
    )
    assert enrolled == set(AUTHENTICATORS)
    assert "admin" in enrolled and "zhaoxh" not in enrolled
