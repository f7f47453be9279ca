"""Setting up periodicals on screen: settings, distribution list with copies, readers, starting
numbers, retire and delete, and the sign-off routing table."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import time_machine
from django.urls import reverse

from xinbao.accounts.models import Role
from xinbao.audit.models import AuditEvent
from xinbao.desk.models import Adoption
from xinbao.items.models import Item, ItemStatus, Urgency
from xinbao.org.models import Person
from xinbao.periodicals import outputs, services
from xinbao.periodicals.models import DistributionEntry, Issue, IssueState, Periodical, SignRoute
from xinbao.test import BaseTestCase, make_user

T0 = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai

FORM = {
    "name": "澜江要情",
    "masthead": "澜江信息要情",
    "frequency": "daily",
    "issuing_office": "中共澜江市委办公室",
    "signer_rule": "by_urgency",
    "section_check": "on",
    "copies": "40",
    "start_year": "",
    "start_number": "1",
    "start_total_number": "1",
}


def entry(prefix: str = "new", **values: Any) -> dict[str, Any]:
    data = {"group": "report", "label": "", "person": "", "user": "", "copies": "1", **values}
    return {f"{prefix}-{k}": v for k, v in data.items()}


class SetupScreensTest(BaseTestCase):
    def create(self, **changes: Any) -> Periodical:
        self.client.force_login(self.chief)
        response = self.client.post(reverse("periodicals:setup_create"), {**FORM, **changes})
        assert response.status_code == 302, response.content.decode()
        periodical = Periodical.objects.get(name=changes.get("name", FORM["name"]))
        assert response["Location"] == reverse("periodicals:setup_edit", args=[periodical.pk])
        return periodical

    def test_it_creates_a_periodical_on_screen_that_the_desk_adopts_into(self) -> None:
        assert not Periodical.objects.exists()
        self.client.force_login(self.chief)
        empty = self.client.get(reverse("periodicals:setup_list")).content.decode()
        assert "No periodicals yet." in empty
        periodical = self.create(readers=[str(self.principal.pk)])
        assert periodical.masthead_text == "澜江信息要情"
        assert periodical.copies == 40 and periodical.section_check
        assert not periodical.duty_officer_may_issue
        assert list(periodical.readers.all()) == [self.principal]
        event = AuditEvent.objects.get(action="periodical.create")
        assert event.actor == self.chief and event.summary["name"] == "澜江要情"
        page = self.client.get(reverse("periodicals:setup_edit", args=[periodical.pk]))
        assert "澜江要情 created. Now add its distribution list." in page.content.decode()

        item = self.make_item(self.alice, title="东城县防汛会议")
        self.client.force_login(self.ed)
        desk = self.client.get(reverse("desk:item", args=[item.pk])).content.decode()
        assert f'<option value="{periodical.pk}">澜江要情</option>' in desk
        response = self.client.post(
            reverse("desk:adopt", args=[item.pk]), {"periodicals": [periodical.pk]}
        )
        assert response.status_code == 302
        assert Adoption.objects.get(item=item).periodical == periodical
        assert services.adoptable_items(periodical).get() == item

    def test_it_names_the_masthead_after_the_periodical_when_left_empty(self) -> None:
        periodical = self.create(masthead="")
        assert periodical.masthead == "澜江要情"

    def test_it_edits_the_settings_and_audits_each_change(self) -> None:
        periodical = self.create()
        changed = {**FORM, "countersign": "on", "duty_officer_may_issue": "on", "copies": "55"}
        del changed["section_check"]
        response = self.client.post(
            reverse("periodicals:setup_edit", args=[periodical.pk]), changed
        )
        assert response.status_code == 302
        periodical.refresh_from_db()
        assert periodical.countersign and periodical.duty_officer_may_issue
        assert not periodical.section_check and periodical.copies == 55
        event = AuditEvent.objects.get(action="periodical.update")
        assert event.summary["changes"]["copies"] == [40, 55]
        assert event.summary["changes"]["section_check"] == [True, False]

    def test_it_keeps_typed_values_on_error(self) -> None:
        self.create()
        self.client.force_login(self.chief)
        response = self.client.post(
            reverse("periodicals:setup_create"),
            {
                **FORM,
                "masthead": "另一个报头",
                "start_year": "2026",
                "start_number": "12",
                "start_total_number": "300",
            },
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Another periodical is already called 澜江要情." in html
        assert Periodical.objects.count() == 1
        assert 'value="另一个报头"' in html and 'value="12"' in html
        # The form's own validation first, then the service's: both keep what was typed.
        response = self.client.post(
            reverse("periodicals:setup_create"),
            {**FORM, "name": "信息专报", "masthead": "专报报头", "start_number": "12"},
        )
        html = response.content.decode()
        assert "Say which year the first number applies to." in html
        response = self.client.post(
            reverse("periodicals:setup_create"),
            {**FORM, "name": "信息专报", "masthead": "专报报头", "issuing_office": ""},
        )
        html = response.content.decode()
        assert "This field is required." in html
        assert 'value="专报报头"' in html and 'value="信息专报"' in html
        assert not Periodical.objects.filter(name="信息专报").exists()

    # --- distribution list, readers, the footer ---------------------------------------------

    def test_it_prints_the_distribution_with_copies_and_its_readers_read(self) -> None:
        periodical = self.create()
        wang = make_user("wang", Role.REPORTER, self.county_a)
        person = Person.objects.get(name="王建国")
        person.user = wang
        person.save(update_fields=["user"])
        add = reverse("periodicals:setup_distribution_add", args=[periodical.pk])
        rows: list[dict[str, Any]] = [
            entry(label="省委办公厅", copies="2"),
            entry(group="send", label="市委常委", user=str(self.leader.pk), copies="11"),
            entry(group="copy", person=str(person.pk)),
        ]
        for row in rows:
            response = self.client.post(add, row, HTTP_HX_REQUEST="true")
            assert response.status_code == 200
            assert "<nav class" not in response.content.decode()  # the rows, not the page
        html = response.content.decode()
        assert "王建国" in html and "14 of the 40 copies printed go to this list." in html
        assert set(periodical.readers.all()) == {self.leader, wang}
        assert AuditEvent.objects.filter(action="periodical.distribution_add").count() == 3

        issue = _adopted_issue(self, periodical)
        word = docx.Document(io.BytesIO(outputs.docx_bytes(issue)))
        footer = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
        assert "报：省委办公厅（2份）。" in footer
        assert "送：市委常委（11份）。" in footer
        assert "抄送：王建国。" in footer
        assert any(t.startswith("中共澜江市委办公室") and "（共印40份）" in t for t in footer)
        assert any(p.text == "澜江信息要情" for p in word.paragraphs)  # the masthead
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:issue_preview", args=[issue.pk]))
        preview = page.content.decode()
        assert "澜江信息要情" in preview and "报：省委办公厅（2份）。" in preview

        for reader in (self.leader, wang):
            self.client.force_login(reader)
            page = self.client.get(reverse("periodicals:reading_issue", args=[issue.pk]))
            assert page.status_code == 200
            assert "澜江信息要情" in page.content.decode()
        self.client.force_login(self.principal)
        assert (
            self.client.get(reverse("periodicals:reading_issue", args=[issue.pk])).status_code
            == 404
        )

    def test_it_edits_and_removes_rows_and_readers_follow(self) -> None:
        periodical = self.create()
        add = reverse("periodicals:setup_distribution_add", args=[periodical.pk])
        self.client.post(
            add, entry(label="市委常委", user=str(self.leader.pk)), HTTP_HX_REQUEST="true"
        )
        row = DistributionEntry.objects.get()
        edit = reverse("periodicals:setup_distribution_edit", args=[periodical.pk, row.pk])
        form = self.client.get(edit, HTTP_HX_REQUEST="true").content.decode()
        assert f'name="e{row.pk}-label"' in form and 'value="市委常委"' in form
        # A rejected row stays a form with what was typed.
        response = self.client.post(
            edit, entry(f"e{row.pk}", label="市委常委同志", copies="0"), HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert 'value="市委常委同志"' in html
        assert "Ensure this value is greater than or equal to 1." in html
        response = self.client.post(
            edit,
            entry(f"e{row.pk}", group="send", label="市委常委", user=str(self.principal.pk)),
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert set(periodical.readers.all()) == {self.principal}
        # A reader added by hand stays when the list changes; removing the row removes its login.
        readers = reverse("periodicals:setup_reader_add", args=[periodical.pk])
        self.client.post(readers, {"reader": self.duty.pk}, HTTP_HX_REQUEST="true")
        remove = reverse("periodicals:setup_distribution_remove", args=[periodical.pk, row.pk])
        self.client.post(remove, HTTP_HX_REQUEST="true")
        assert set(periodical.readers.all()) == {self.duty}
        self.client.post(
            reverse("periodicals:setup_reader_remove", args=[periodical.pk, self.duty.pk]),
            HTTP_HX_REQUEST="true",
        )
        assert not periodical.readers.exists()
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {
            "periodical.distribution_update",
            "periodical.distribution_remove",
            "periodical.reader_add",
            "periodical.reader_remove",
        } <= actions

    def test_it_refuses_a_row_without_a_recipient_keeping_the_rest(self) -> None:
        periodical = self.create()
        add = reverse("periodicals:setup_distribution_add", args=[periodical.pk])
        response = self.client.post(add, entry(group="copy", copies="7"), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "Name the recipient, or choose a person or a login." in html
        assert 'value="7"' in html and '<option value="copy" selected>' in html
        assert not DistributionEntry.objects.exists()
        # Without htmx the whole page comes back, the typed row still in it.
        response = self.client.post(add, entry(group="copy", copies="7"))
        assert (
            "<nav class" in response.content.decode() and 'value="7"' in response.content.decode()
        )

    # --- numbering ---------------------------------------------------------------------------

    def test_it_goes_on_from_the_starting_numbers(self) -> None:
        with time_machine.travel(T0, tick=False):
            periodical = self.create()
            response = self.client.post(
                reverse("periodicals:setup_edit", args=[periodical.pk]),
                {**FORM, "start_year": "2026", "start_number": "37", "start_total_number": "512"},
            )
            assert response.status_code == 302
            page = self.client.get(response["Location"]).content.decode()
            assert "The next issue will be 2026年第37期（总第512期）." in page
            periodical.refresh_from_db()
            first = services.create_issue(user=self.ed, periodical=periodical)
            second = services.create_issue(user=self.ed, periodical=periodical)
        assert (first.number, first.total_number) == (37, 512)
        assert (second.number, second.total_number) == (38, 513)
        with time_machine.travel(T0 + dt.timedelta(days=200), tick=False):
            next_year = services.create_issue(user=self.ed, periodical=periodical)
        assert (next_year.year, next_year.number, next_year.total_number) == (2027, 1, 514)

    def test_it_refuses_an_overall_number_below_the_year_number(self) -> None:
        periodical = self.create()
        response = self.client.post(
            reverse("periodicals:setup_edit", args=[periodical.pk]),
            {**FORM, "start_year": "2026", "start_number": "37", "start_total_number": "5"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "The overall number cannot be lower than the number in the year." in html
        assert 'value="37"' in html
        periodical.refresh_from_db()
        assert periodical.start_number == 1

    # --- retire and delete -------------------------------------------------------------------

    def test_it_refuses_to_delete_a_periodical_with_issues_and_retires_it(self) -> None:
        periodical = self.create()
        services.create_issue(user=self.ed, periodical=periodical)
        services.create_issue(user=self.ed, periodical=periodical)
        delete = reverse("periodicals:setup_delete", args=[periodical.pk])
        page = self.client.get(delete).content.decode()
        refusal = "澜江要情 has 2 issues and cannot be deleted; retire it instead."
        assert refusal in page and reverse("periodicals:setup_retire", args=[periodical.pk]) in page
        response = self.client.post(delete)
        assert response.status_code == 409 and refusal in response.content.decode()
        assert Periodical.objects.filter(pk=periodical.pk).exists()

        response = self.client.post(reverse("periodicals:setup_retire", args=[periodical.pk]))
        assert response.status_code == 302
        periodical.refresh_from_db()
        assert not periodical.is_active
        assert AuditEvent.objects.filter(action="periodical.retire").exists()
        item = self.make_item(self.alice)
        self.client.force_login(self.ed)
        desk = self.client.get(reverse("desk:item", args=[item.pk])).content.decode()
        assert f'<option value="{periodical.pk}"' not in desk
        self.client.post(reverse("desk:adopt", args=[item.pk]), {"periodicals": [periodical.pk]})
        assert not Adoption.objects.exists()
        assert periodical.pk not in [
            p.pk for p in self.client.get(reverse("periodicals:list")).context["rows"]
        ]

    def test_it_deletes_a_periodical_never_used(self) -> None:
        periodical = self.create()
        self.client.post(
            reverse("periodicals:setup_distribution_add", args=[periodical.pk]),
            entry(label="省委办公厅"),
        )
        response = self.client.post(reverse("periodicals:setup_delete", args=[periodical.pk]))
        assert response.status_code == 302
        assert not Periodical.objects.exists() and not DistributionEntry.objects.exists()
        assert AuditEvent.objects.filter(action="periodical.delete").exists()

    # --- the routing table --------------------------------------------------------------------

    def test_it_changes_who_signs_from_the_routing_screen(self) -> None:
        periodical = self.create()
        self.client.force_login(self.sysadmin)
        page = self.client.get(reverse("periodicals:routes")).content.decode()
        assert '<option value="leader_in_charge" selected>' in page
        table = {u.value: "leader_in_charge" for u in Urgency}
        table["routine"] = "principal_leader"
        response = self.client.post(reverse("periodicals:routes"), table)
        assert response.status_code == 302
        assert SignRoute.objects.get(urgency="routine").signer_role == "principal_leader"
        event = AuditEvent.objects.get(action="periodical.routes")
        assert event.summary["changes"]["routine"] == ["leader_in_charge", "principal_leader"]
        assert event.summary["changes"]["important"] == ["principal_leader", "leader_in_charge"]

        issue = _adopted_issue(self, periodical, distribute=False)
        issue = services.check(user=self.chief, issue=services.submit(user=self.ed, issue=issue))
        assert issue.signer_role == "principal_leader"
        self.client.force_login(self.leader)
        self.client.post(reverse("periodicals:sign_sign", args=[issue.pk]))
        issue.refresh_from_db()
        assert issue.state == IssueState.AWAITING_SIGNATURE
        self.client.force_login(self.principal)
        self.client.post(reverse("periodicals:sign_sign", args=[issue.pk]))
        issue.refresh_from_db()
        assert issue.state == IssueState.SIGNED and issue.signed_by == self.principal

    def test_it_refuses_a_signer_that_is_not_a_leader(self) -> None:
        self.client.force_login(self.chief)
        table = {u.value: "leader_in_charge" for u in Urgency}
        table["routine"] = "editor"
        response = self.client.post(reverse("periodicals:routes"), table)
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
        assert SignRoute.objects.get(urgency="routine").signer_role == "leader_in_charge"

    # --- roles --------------------------------------------------------------------------------

    def test_it_refuses_every_role_but_the_section_chief_and_the_system_administrator(
        self,
    ) -> None:
        periodical = self.create()
        pk = periodical.pk
        gets = [
            reverse("periodicals:setup_list"),
            reverse("periodicals:setup_create"),
            reverse("periodicals:setup_edit", args=[pk]),
            reverse("periodicals:setup_delete", args=[pk]),
            reverse("periodicals:routes"),
        ]
        posts = [
            reverse("periodicals:setup_create"),
            reverse("periodicals:setup_retire", args=[pk]),
            reverse("periodicals:setup_delete", args=[pk]),
            reverse("periodicals:setup_distribution_add", args=[pk]),
            reverse("periodicals:setup_reader_add", args=[pk]),
            reverse("periodicals:routes"),
        ]
        for user in (self.alice, self.ed, self.leader, self.principal, self.duty, self.auditor):
            self.client.force_login(user)
            for url in gets:
                assert self.client.get(url).status_code == 403, (user, url)
            for url in posts:
                assert self.client.post(url, {**FORM, "name": "不该有"}).status_code == 403
        assert Periodical.objects.filter(is_active=True).count() == 1
        assert not DistributionEntry.objects.exists()
        self.client.force_login(self.sysadmin)
        for url in gets:
            assert self.client.get(url).status_code == 200, url


def _adopted_issue(case: BaseTestCase, periodical: Periodical, *, distribute: bool = True) -> Issue:
    """An issue of ``periodical`` holding one adopted item: distributed, or just compiled."""
    item = case.make_item(case.alice, status=ItemStatus.ADOPTED, title="东城县防汛会议")
    Adoption.objects.create(
        item=item, level="office", periodical=periodical, adopted_on=dt.date(2026, 7, 3), by=case.ed
    )
    issue = services.create_issue(user=case.ed, periodical=periodical)
    services.add_items(user=case.ed, issue=issue, items=[Item.objects.get(pk=item.pk)])
    if not distribute:
        return issue
    issue = services.check(user=case.chief, issue=services.submit(user=case.ed, issue=issue))
    issue = services.sign(user=case.leader, issue=issue)
    return services.distribute(user=case.ed, issue=issue)
