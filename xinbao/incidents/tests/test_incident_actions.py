"""Actions on an incident's page: demands, phone reports, filed items, verifications, the
follow-up clock, chase notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.incidents import services
from xinbao.incidents.chase import issue_notice
from xinbao.incidents.models import (
    AccountabilityRecord,
    Incident,
    RecordKind,
    Report,
    ReportRequest,
    Verification,
    VerificationOutcome,
)
from xinbao.incidents.tests.cases import WHAT, IncidentCase
from xinbao.items.models import ItemStatus


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
