"""The units' side of demands: their list, receipts, their items filed as reports, their home."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from xinbao.incidents.models import (
    Report,
    RequestStatus,
)
from xinbao.incidents.tests.cases import T0, WHAT, IncidentCase
from xinbao.items.models import Item


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
