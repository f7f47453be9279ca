"""The incident pages: duty-phone intake, list and detail, actions, the units' demands, home."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.incidents import services
from xinbao.incidents.chase import issue_notice
from xinbao.incidents.models import (
    AccountabilityRecord,
    Incident,
    Lead,
    RecordKind,
    Report,
    ReportRequest,
    RequestStatus,
    Verification,
    VerificationOutcome,
)
from xinbao.items.models import Item, ItemStatus
from xinbao.lib.levels import Category, Level
from xinbao.test import BaseTestCase

#: A Saturday morning in Shanghai, inside the working calendar chinese-calendar knows.
T0 = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)

WHAT = "11月28日8时40分，东城县化工园区一企业发生爆炸，造成5人死亡、12人受伤，县应急局已组织救援。"


def intake_data(**changes: Any) -> dict[str, Any]:
    data = {
        "received_at": "2026-11-28T09:05",
        "source": "东城县应急局",
        "occurred_at": "2026-11-28T08:40",
        "place": "东城县化工园区",
        "what": WHAT,
        "casualties": "5人死亡、12人受伤",
        "measures": "县应急局已组织救援，疏散周边群众。",
        "caller_name": "赵小红",
        "caller_phone": "13900000001",
        "title": "东城县化工园区爆炸事故",
        "category": Category.ACCIDENT,
        "crowd": "",
        "level": "",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class IncidentCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open_incident(
        self, *, level: int | None = None, title: str = "东城县化工园区爆炸事故"
    ) -> Incident:
        return services.record_lead(
            user=self.duty,
            lead=services.LeadData(
                received_at=timezone.now(),
                source="东城县应急局",
                place="东城县化工园区",
                what=WHAT,
                caller_name="赵小红",
                caller_phone="13900000001",
                casualties="5人死亡",
            ),
            title=title,
            category=Category.ACCIDENT,
            level=level,
            units=[self.county_a],
        )

    def demand(self, incident: Incident, *units: Any) -> list[ReportRequest]:
        return services.demand_reports(
            user=self.duty, incident=incident, units=units or [self.county_a]
        )

    def page(self, user: User, url: str) -> str:
        self.client.force_login(user)
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode()


class IntakeTest(IncidentCase):
    def test_it_suggests_level_iii_with_reasons_for_five_deaths(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(
            reverse("incidents:suggest"),
            {"what": "东城县一化工厂发生爆炸，造成5人死亡", "category": Category.ACCIDENT},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "<nav" not in body  # the partial only
        assert str(Level.III.label) in body
        assert "5 deaths: 3 or more reach Level III" in body
        assert "Thresholds of State Council decree 493 applied to: Accident" in body

    def test_it_raises_the_suggestion_for_a_sensitive_crowd(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("incidents:suggest"),
            {"what": "群众聚集", "category": Category.SOCIAL_SECURITY, "crowd": "200"},
        )
        body = response.content.decode()
        assert str(Level.III.label) in body
        assert "Crowd of 200 people" in body

    def test_it_shows_a_hint_before_any_text(self) -> None:
        self.client.force_login(self.duty)
        response = self.client.post(reverse("incidents:suggest"), {"what": ""})
        assert "suggested level and its reasons appear here" in response.content.decode()

    def test_it_offers_the_form_with_the_time_received_now(self) -> None:
        with time_machine.travel(T0, tick=False):
            body = self.page(self.duty, reverse("incidents:intake"))
        assert 'value="2026-11-28T09:00"' in body  # Asia/Shanghai, not UTC
        assert 'hx-post="/incidents/new/suggest/"' in body
        assert "Duty" in body  # the recorder is the user

    def test_it_opens_an_incident_from_the_call(self) -> None:
        self.client.force_login(self.duty)
        data = intake_data(units=[self.county_a.pk, self.dept.pk], sensitive="on")
        response = self.client.post(reverse("incidents:intake"), data)
        incident = Incident.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
        # 5 deaths reach III; the sensitive place raises it to II, which takes the direct route.
        assert incident.level == Level.II
        assert incident.suggested_level == Level.II
        assert incident.direct_route
        assert incident.deaths == 5
        assert set(incident.units.all()) == {self.county_a, self.dept}
        lead = Lead.objects.get(incident=incident)
        assert lead.recorded_by == self.duty
        assert lead.caller_phone == "13900000001"
        assert lead.received_at == dt.datetime(2026, 11, 28, 1, 5, tzinfo=dt.UTC)

    def test_it_takes_the_officers_level_over_the_suggestion(self) -> None:
        self.client.force_login(self.duty)
        self.client.post(reverse("incidents:intake"), intake_data(level=str(Level.I.value)))
        incident = Incident.objects.get()
        assert (incident.level, incident.suggested_level) == (Level.I, Level.III)
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert "the officer chose otherwise" in body

    def test_it_keeps_what_was_typed_on_error(self) -> None:
        self.client.force_login(self.duty)
        data = intake_data(caller_phone="", units=[self.dept.pk])
        response = self.client.post(reverse("incidents:intake"), data)
        body = response.content.decode()
        assert response.status_code == 200
        assert not Incident.objects.exists()
        assert "is-invalid" in body
        assert WHAT in body
        assert 'value="东城县化工园区爆炸事故"' in body
        assert 'value="2026-11-28T09:05"' in body
        assert f'value="{self.dept.pk}" selected' in body
        # The suggestion is shown from the typed text, even before the form is complete.
        assert "5 deaths: 3 or more reach Level III" in body

    def test_it_refuses_the_intake_to_other_roles(self) -> None:
        for user in (self.alice, self.leader, self.sysadmin):
            self.client.force_login(user)
            assert self.client.get(reverse("incidents:intake")).status_code == 403
            assert self.client.post(reverse("incidents:intake"), intake_data()).status_code == 403
            assert self.client.post(reverse("incidents:suggest"), {"what": WHAT}).status_code == 403
        assert not Incident.objects.exists()


class ListAndDetailTest(IncidentCase):
    def test_it_filters_the_list(self) -> None:
        self.open_incident(title="较大事故甲")
        closed = self.open_incident(level=Level.IV, title="一般事故乙")
        services.close_incident(user=self.duty, incident=closed)
        body = self.page(self.leader, reverse("incidents:list"))
        assert "较大事故甲" in body and "一般事故乙" in body
        body = self.page(self.leader, reverse("incidents:list") + "?status=open")
        assert "较大事故甲" in body and "一般事故乙" not in body
        body = self.page(self.leader, reverse("incidents:list") + f"?level={Level.IV.value}")
        assert "较大事故甲" not in body and "一般事故乙" in body
        body = self.page(self.leader, reverse("incidents:list") + "?category=public_health")
        assert "较大事故甲" not in body and "一般事故乙" not in body

    def test_it_keeps_the_list_query_count_flat(self) -> None:
        self.open_incident()
        self.client.force_login(self.ed)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert self.client.get(reverse("incidents:list")).status_code == 200
            return len(ctx.captured_queries)

        small = count()
        for i in range(8):
            incident = self.open_incident(title=f"事故{i}")
            self.demand(incident, self.county_a, self.county_b)
        assert count() == small

    def test_it_refuses_the_incident_pages_to_reporters(self) -> None:
        incident = self.open_incident()
        self.client.force_login(self.alice)
        assert self.client.get(reverse("incidents:list")).status_code == 403
        assert self.client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 403

    def test_it_renders_the_detail_with_the_timeline(self) -> None:
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            self.demand(incident)
        with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
            body = self.page(self.principal, reverse("incidents:detail", args=[incident.pk]))
        assert incident.title in body
        assert "5 deaths: 3 or more reach Level III" in body
        lead_at = body.index("Duty phone: 东城县应急局 reported it")
        demand_at = body.index(f"Reports demanded from {self.county_a.name}.")
        assert lead_at < demand_at  # newest last
        assert 'id="demand-' in body
        assert "11-28 09:30" in body  # the phone deadline, 30 minutes for level III
        assert "11-28 10:00" in body  # the written one, 60 minutes
        assert "Not confirmed" in body
        assert "Demand reports" not in body  # a leader reads; the duty officer acts

    def test_it_shows_the_direct_route(self) -> None:
        incident = self.open_incident(level=Level.I)
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert 'id="direct-route"' in body

    def test_it_marks_overdue_and_late_demands(self) -> None:
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            late, _ = self.demand(incident, self.county_a, self.county_b)
        with time_machine.travel(T0 + dt.timedelta(minutes=45), tick=False):
            services.record_phone_report(user=self.duty, request=late, note="已核实5人死亡")
            body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
            home = self.page(self.duty, reverse("home"))
        assert body.count(">Late<") == 1  # the phone report 15 minutes after 09:30
        assert body.count(">Overdue<") == 1  # county B's phone report
        assert AccountabilityRecord.objects.filter(unit=self.county_a, kind="late").exists()
        assert self.county_b.name in home.split('id="overdue-demands"')[1]


class ActionTest(IncidentCase):
    def post(self, name: str, pk: int, data: dict[str, Any], user: User | None = None) -> Any:
        self.client.force_login(user or self.duty)
        return self.client.post(reverse(f"incidents:{name}", args=[pk]), data)

    def test_it_demands_reports_from_units(self) -> None:
        incident = self.open_incident()
        response = self.post(
            "demand", incident.pk, {"units": [self.county_a.pk, self.county_b.pk], "matter": ""}
        )
        assert response.status_code == 302
        requests = ReportRequest.objects.filter(incident=incident)
        assert {r.unit for r in requests} == {self.county_a, self.county_b}
        assert all(r.matter == incident.title and r.written_due_at for r in requests)

    def test_it_shows_demand_form_errors_on_the_page(self) -> None:
        incident = self.open_incident()
        response = self.post("demand", incident.pk, {"units": []})
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode()

    def test_it_refuses_actions_to_readers(self) -> None:
        incident = self.open_incident()
        for name, data in (("demand", {"units": [self.county_a.pk]}), ("close", {})):
            assert self.post(name, incident.pk, data, user=self.leader).status_code == 403
        assert not ReportRequest.objects.exists()
        assert Incident.objects.get().status == "open"

    def test_it_records_a_phone_report(self) -> None:
        incident = self.open_incident()
        [request] = self.demand(incident)
        response = self.post("phone", incident.pk, {"request": request.pk, "note": "已核实5人死亡"})
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.phoned_at is not None
        assert incident.timeline.filter(
            kind="phone_report", text__contains="已核实5人死亡"
        ).exists()

    def test_it_attaches_a_units_item_as_its_report(self) -> None:
        incident = self.open_incident()
        self.demand(incident)
        item = self.make_item(self.alice, title="东城县化工园区爆炸事故首报", body=WHAT)
        other = self.make_item(self.bob, title="西山县别的信息")
        draft = self.make_item(self.alice, title="东城县草稿", status=ItemStatus.DRAFT)
        page = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert "东城县化工园区爆炸事故首报" in page
        assert other.title not in page and draft.title not in page  # not concerned, not sent
        response = self.post("file", incident.pk, {"item": item.pk, "stage": ""})
        assert response.status_code == 302
        report = Report.objects.get(item=item)
        assert report.stage == "first"
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert "首报" in body
        # Offered no more once it is a report; a second first report is refused with a reason.
        again = self.post("file", incident.pk, {"item": item.pk})
        assert again.status_code == 400
        second = self.make_item(self.alice, title="第二份", body=WHAT)
        refused = self.post("file", incident.pk, {"item": second.pk, "stage": "first"})
        assert refused.status_code == 400
        assert "already sent its first report" in refused.content.decode()

    def test_it_shows_reports_with_missing_elements(self) -> None:
        incident = self.open_incident()
        item = self.make_item(self.alice, title="东城县发生爆炸", body="东城县发生爆炸。")
        services.file_report(user=self.duty, incident=incident, item=item)
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert "伤亡情况" in body and "处置措施" in body

    def test_it_closes_a_verification(self) -> None:
        incident = self.open_incident()
        a = self.make_item(self.alice, title="东城县报告", body=WHAT)
        b = self.make_item(
            self.bob, title="西山县报告", body="东城县化工园区爆炸，造成9人死亡，已组织救援。"
        )
        services.file_report(user=self.duty, incident=incident, item=a)
        services.file_report(user=self.duty, incident=incident, item=b)
        verification = Verification.objects.get(incident=incident)
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert "死亡" in body.split('id="verifications"')[1]
        url = reverse("incidents:verification_close", args=[verification.pk])
        self.client.force_login(self.duty)
        empty = self.client.post(url, {f"v{verification.pk}-outcome": "concealed"})
        assert empty.status_code == 400
        response = self.client.post(
            url,
            {
                f"v{verification.pk}-outcome": VerificationOutcome.CONCEALED,
                f"v{verification.pk}-findings": "现场核实死亡9人，西山县报告属实。",
            },
        )
        assert response.status_code == 302
        verification.refresh_from_db()
        assert verification.outcome == VerificationOutcome.CONCEALED
        assert AccountabilityRecord.objects.filter(kind=RecordKind.CONCEALED).exists()

    def test_it_sets_the_follow_up_clock_and_closes(self) -> None:
        incident = self.open_incident()
        assert self.post("follow_up", incident.pk, {"follow_up_hours": "2"}).status_code == 302
        incident.refresh_from_db()
        assert incident.follow_up_hours == 2
        assert self.post("follow_up", incident.pk, {"follow_up_hours": "0"}).status_code == 400
        assert self.post("close", incident.pk, {}).status_code == 302
        incident.refresh_from_db()
        assert incident.status == "closed"
        body = self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        assert "Demand reports" not in body  # a closed incident takes no more actions
        refused = self.post("demand", incident.pk, {"units": [self.county_b.pk]})
        assert refused.status_code == 302
        assert not ReportRequest.objects.exists()

    def test_it_serves_chase_notices_as_attachments(self) -> None:
        incident = self.open_incident()
        [request] = self.demand(incident)
        notice = issue_notice(request, timezone.now() + dt.timedelta(minutes=30))
        docx = reverse("incidents:chase_docx", args=[notice.pk])
        pdf = reverse("incidents:chase_pdf", args=[notice.pk])
        assert docx in self.page(self.duty, reverse("incidents:detail", args=[incident.pk]))
        for user in (self.duty, self.alice):
            self.client.force_login(user)
            response = self.client.get(pdf)
            assert response.status_code == 200
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]  # a FileResponse
            assert self.client.get(docx)["Content-Type"].endswith("document")
        self.client.force_login(self.bob)
        assert self.client.get(docx).status_code == 404


class ReporterTest(IncidentCase):
    def test_it_lists_only_our_units_demands(self) -> None:
        incident = self.open_incident()
        ours, theirs = self.demand(incident, self.county_a, self.county_b)
        body = self.page(self.alice, reverse("incidents:request_list"))
        assert reverse("incidents:request_detail", args=[ours.pk]) in body
        assert reverse("incidents:request_detail", args=[theirs.pk]) not in body
        assert "Our demands" in body  # the menu entry
        self.client.force_login(self.bob)
        assert (
            self.client.get(reverse("incidents:request_detail", args=[ours.pk])).status_code == 404
        )
        office = self.page(self.ed, reverse("incidents:request_list"))
        assert self.county_a.name in office and self.county_b.name in office

    def test_it_keeps_the_demand_list_query_count_flat(self) -> None:
        def count(user: User) -> int:
            self.client.force_login(user)
            with CaptureQueriesContext(connection) as ctx:
                assert self.client.get(reverse("incidents:request_list")).status_code == 200
            return len(ctx.captured_queries)

        [first] = self.demand(self.open_incident())
        issue_notice(first, timezone.now())
        small = {user.username: count(user) for user in (self.alice, self.ed)}
        for i in range(3):
            [request] = self.demand(self.open_incident(title=f"事故{i}"))
            issue_notice(request, timezone.now())
        assert {user.username: count(user) for user in (self.alice, self.ed)} == small

    def test_it_confirms_receipt_from_the_reporter_page(self) -> None:
        incident = self.open_incident()
        [request] = self.demand(incident)
        url = reverse("incidents:request_detail", args=[request.pk])
        body = self.page(self.alice, url)
        assert "Confirm receipt" in body
        assert reverse("items:create") + "?title=" in body
        response = self.client.post(reverse("incidents:request_confirm", args=[request.pk]))
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == RequestStatus.RECEIVED
        assert request.received_by == self.alice.full_name
        assert "Confirm receipt" not in self.page(self.alice, url)

    def test_it_does_not_let_others_confirm_for_the_unit(self) -> None:
        incident = self.open_incident()
        [request] = self.demand(incident)
        url = reverse("incidents:request_confirm", args=[request.pk])
        self.client.force_login(self.ed)
        assert self.client.post(url).status_code == 403
        self.client.force_login(self.bob)
        assert self.client.post(url).status_code == 404
        request.refresh_from_db()
        assert request.received_at is None

    def test_it_prefills_the_title_of_the_report_to_write(self) -> None:
        body = self.page(self.alice, reverse("items:create") + "?title=东城县化工园区爆炸事故")
        assert 'value="东城县化工园区爆炸事故"' in body

    def test_it_files_our_item_as_our_report(self) -> None:
        incident = self.open_incident()
        [request] = self.demand(incident)
        url = reverse("incidents:request_detail", args=[request.pk])
        assert "Write and submit the report first" in self.page(self.alice, url)
        item = self.make_item(self.alice, title="关于东城县化工园区爆炸事故的首报", body=WHAT)
        theirs = self.make_item(self.bob, title="西山县的信息")
        body = self.page(self.alice, url)
        assert item.title in body and theirs.title not in body
        self.client.force_login(self.alice)
        stolen = self.client.post(
            reverse("incidents:request_file", args=[request.pk]), {"item": theirs.pk}
        )
        assert stolen.status_code == 400
        response = self.client.post(
            reverse("incidents:request_file", args=[request.pk]), {"item": item.pk, "stage": ""}
        )
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == RequestStatus.REPORTED
        assert Report.objects.get(item=item).unit == self.county_a
        assert "首报" in self.page(self.alice, url)
        follow = self.make_item(self.alice, title="续报", body=WHAT)
        self.client.post(
            reverse("incidents:request_file", args=[request.pk]),
            {"item": follow.pk, "stage": "follow_up"},
        )
        assert "续报一" in self.page(self.alice, url)
        assert Item.objects.get(pk=follow.pk).report.number == 1

    def test_it_shows_our_demands_on_the_home_page(self) -> None:
        with time_machine.travel(T0, tick=False):
            incident = self.open_incident()
            self.demand(incident, self.county_a, self.county_b)
            body = self.page(self.alice, reverse("home"))
        section = body.split('id="our-demands"')[1].split("</section>")[0]
        assert incident.title in section
        assert "11-28 10:00" in section
        assert "Receipt not confirmed" in section
        assert 'id="our-demands"' not in self.page(self.ed, reverse("home"))


class HomeTest(IncidentCase):
    def test_it_warns_the_system_administrator_of_a_missing_calendar(self) -> None:
        with time_machine.travel(T0, tick=False):
            body = self.page(self.sysadmin, reverse("home"))
        section = body.split('id="calendar-warnings"')[1].split("</section>")[0]
        assert "2027" in section
        assert reverse("calendar:calendar_year", args=[2027]) in section

    def test_it_lists_open_verifications_for_the_office(self) -> None:
        incident = self.open_incident()
        a = self.make_item(self.alice, title="东城县报告", body=WHAT)
        b = self.make_item(self.bob, title="西山县报告", body="爆炸造成9人死亡，已组织救援。")
        services.file_report(user=self.duty, incident=incident, item=a)
        services.file_report(user=self.duty, incident=incident, item=b)
        body = self.page(self.ed, reverse("home"))
        assert incident.title in body.split('id="open-verifications"')[1]


# --- on a phone ---------------------------------------------------------------------------

from playwright.sync_api import Browser, Page, expect  # noqa: E402  (browser tests below)
from pytest_django.live_server_helper import LiveServer  # noqa: E402

from xinbao.browser import BROWSER_MARKS, PHONE, log_in, new_context  # noqa: E402


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
    from xinbao.org.models import Unit, UnitClass, UnitKind
    from xinbao.test import make_user

    unit_class = UnitClass.objects.create(name="一类", rank=1, quota_per_month=6)
    county = Unit.objects.create(
        code="C01",
        name="东城县委办公室",
        short_name="东城县",
        kind=UnitKind.COUNTY,
        unit_class=unit_class,
    )
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
