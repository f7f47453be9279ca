"""On a phone (390 px) in Chromium: the duty officer takes a call and demands a report; the
unit's reporter confirms receipt."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from xinbao.browser import BROWSER_MARKS, PHONE, first_county, log_in, new_context
from xinbao.incidents.models import (
    Incident,
    ReportRequest,
    RequestStatus,
)
from xinbao.lib.levels import Category, Level


def _fits_the_phone(page: Page) -> None:
    """Nothing wider than the 390 px screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_it_takes_a_call_and_a_receipt_on_a_phone(
    live_server: LiveServer, browser: Browser, screenshots: Any
) -> None:
    from xinbao.accounts.models import Role
    from xinbao.test import make_user

    county = first_county()
    make_user("duty", Role.DUTY_OFFICER, full_name="孙值班")
    make_user("alice", Role.REPORTER, county, full_name="赵小红")
    base = live_server.url

    phone = new_context(browser, **PHONE)
    page = phone.new_page()
    log_in(page, base, "duty")
    page.goto(base + reverse("incidents:intake"))
    page.fill("#id_what", "东城县化工园区一企业发生爆炸，造成5人死亡")
    expect(page.locator("#suggestion-reasons li").first).to_contain_text("5")
    page.fill("#id_source", "东城县应急局")
    page.fill("#id_place", "东城县化工园区")
    page.fill("#id_caller_name", "赵小红")
    page.fill("#id_caller_phone", "13900000001")
    page.fill("#id_title", "东城县化工园区爆炸事故")
    page.select_option("#id_category", Category.ACCIDENT.value)
    page.select_option("#id_units", str(county.pk))
    _fits_the_phone(page)
    page.screenshot(path=screenshots / "incident-1-phone-intake.png", full_page=True)
    page.locator("button[name=action][value=save]").tap()
    expect(page).to_have_url(re.compile(r"/incidents/\d+/$"))
    incident = Incident.objects.get()
    assert incident.level == Level.III
    page.locator("#actions details summary").first.tap()
    page.locator(f"form[action='/incidents/{incident.pk}/demand/'] button").tap()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#demands")).to_contain_text("东城县委办公室")
    _fits_the_phone(page)
    page.screenshot(path=screenshots / "incident-2-phone-detail.png", full_page=True)
    phone.close()

    phone = new_context(browser, **PHONE)
    page = phone.new_page()
    log_in(page, base, "alice")
    request = ReportRequest.objects.get()
    page.locator(f"#our-demands a[href='/incidents/requests/{request.pk}/']").tap()
    expect(page).to_have_url(f"{base}/incidents/requests/{request.pk}/")
    _fits_the_phone(page)
    page.locator(f"form[action='/incidents/requests/{request.pk}/confirm/'] button").tap()
    expect(page.locator("#receipt")).to_contain_text("赵小红")
    page.screenshot(path=screenshots / "incident-3-phone-receipt.png", full_page=True)
    phone.close()
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
