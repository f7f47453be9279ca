"""The duty officer at night: a 紧急信息快报 compiled and sent on the direct route to the
principal leader without an editor; the editors and the section chief find it in the morning."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from xinbao.audit.models import AuditEvent
from xinbao.items.models import Item, ItemStatus, Urgency
from xinbao.notify.models import Dispatch, Notification
from xinbao.notify.services import deliver_due
from xinbao.periodicals.models import Issue, IssueState, Periodical
from xinbao.periodicals.tests.factories import PeriodicalCase, make_periodical

#: 23:40 in Shanghai on a Monday; the morning after is 08:30 on Tuesday.
NIGHT = dt.datetime(2026, 7, 6, 15, 40, tzinfo=dt.UTC)
MORNING = dt.datetime(2026, 7, 7, 0, 30, tzinfo=dt.UTC)


class NightDutyTest(PeriodicalCase):
    flash: Periodical

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.flash = make_periodical("紧急信息快报", duty_officer_may_issue=True, section_check=True)

    def submitted(self, title: str, urgency: str = Urgency.MAJOR_EMERGENCY) -> Item:
        """An item the unit submitted tonight, not yet seen at the desk."""
        return self.make_item(
            self.alice,
            title=title,
            urgency=urgency,
            submitted_at=NIGHT - dt.timedelta(minutes=20),
        )

    def night_issue(self) -> Issue:
        """The duty officer's whole flow through the pages; returns the issue sent."""
        blast = self.submitted("东城县化工厂发生爆炸")
        self.client.force_login(self.duty)
        page = self.client.get(reverse("periodicals:periodical", args=[self.flash.pk]))
        assert 'id="new-issue"' in page.content.decode()
        created = self.client.post(
            reverse("periodicals:issue_create", args=[self.flash.pk]), {"title": "东城县爆炸"}
        )
        issue = self.flash.issues.get()
        assert created["Location"].endswith(f"/{issue.pk}/")
        add_url = reverse("periodicals:issue_add_items", args=[issue.pk])
        assert "东城县化工厂发生爆炸" in self.client.get(add_url).content.decode()
        self.client.post(add_url, {"items": [blast.pk]})
        detail = self.client.get(reverse("periodicals:issue", args=[issue.pk])).content.decode()
        assert 'id="direct-issue"' in detail
        sent = self.client.post(reverse("periodicals:issue_direct", args=[issue.pk]), follow=True)
        assert "Sent by the direct route to the principal leader." in sent.content.decode()
        issue.refresh_from_db()
        return issue

    def test_it_lets_the_duty_officer_compile_and_send_on_the_direct_route(self) -> None:
        with time_machine.travel(NIGHT, tick=False):
            issue = self.night_issue()
        assert issue.state == IssueState.AWAITING_SIGNATURE
        assert issue.direct_route and issue.night_duty
        assert issue.signer_role == "principal_leader"
        assert issue.created_by == self.duty
        to_sign = Dispatch.objects.get(event="issue_to_sign")
        assert to_sign.recipient_name == str(self.principal) and to_sign.ladder == "urgent"
        actions = set(AuditEvent.objects.filter(actor=self.duty).values_list("action", flat=True))
        assert {"issue.create", "issue.add_items", "issue.submit", "issue.night_duty"} <= actions
        # The principal leader signs it at night from the phone page.
        self.client.force_login(self.principal)
        with time_machine.travel(NIGHT + dt.timedelta(minutes=15), tick=False):
            self.client.post(reverse("periodicals:sign_sign", args=[issue.pk]))
        issue.refresh_from_db()
        assert issue.state == IssueState.SIGNED

    def test_it_tells_the_editors_and_shows_the_issue_marked_in_the_morning(self) -> None:
        with time_machine.travel(NIGHT, tick=False):
            issue = self.night_issue()
            deliver_due()
        told = Notification.objects.filter(message__event="issue_night_duty")
        assert set(told.values_list("user__username", flat=True)) == {"ed", "chief"}
        # Messages go out in the office's language, whatever the reader's page is in.
        with translation.override(settings.LANGUAGE_CODE):
            subject = gettext("Issued at night by the duty officer: %(issue)s") % {"issue": issue}
        assert subject.startswith("值班员") or "夜间" in subject, subject
        with time_machine.travel(MORNING, tick=False):
            for user in (self.ed, self.chief):
                self.client.force_login(user)
                centre = self.client.get(reverse("notify:centre")).content.decode()
                assert subject in centre
                listing = self.client.get(reverse("periodicals:list")).content.decode()
                assert 'id="night-issues"' in listing
                assert str(issue) in listing and 'id="night-duty"' in listing
                detail = self.client.get(reverse("periodicals:issue", args=[issue.pk]))
                assert "Issued at night by the duty officer" in detail.content.decode()
                home = self.client.get(reverse("home")).content.decode()
                assert 'id="night-issues"' in home and f"年第{issue.number}期" in home
        # Leaders sign it; their home page has no such section.
        self.client.force_login(self.principal)
        with time_machine.travel(MORNING, tick=False):
            assert 'id="night-issues"' not in self.client.get(reverse("home")).content.decode()

    def test_it_refuses_the_duty_officer_a_periodical_not_flagged(self) -> None:
        self.client.force_login(self.duty)
        page = self.client.get(reverse("periodicals:periodical", args=[self.periodical.pk]))
        assert 'id="new-issue"' not in page.content.decode()
        refused = self.client.post(
            reverse("periodicals:issue_create", args=[self.periodical.pk]),
            {"title": "夜间"},
            follow=True,
        )
        assert "Only editors and section chiefs compile issues." in refused.content.decode()
        assert not self.periodical.issues.exists()

    def test_it_keeps_the_duty_officer_to_the_direct_route_and_to_emergencies(self) -> None:
        routine = self.submitted("东城县召开例会", urgency=Urgency.ROUTINE)
        with time_machine.travel(NIGHT, tick=False):
            issue = self.night_issue()
        # Back to compiling (the principal leader returns it), the duty officer may not take
        # the ordinary route through the section check, nor place a routine item.
        self.client.force_login(self.principal)
        self.client.post(reverse("periodicals:sign_return", args=[issue.pk]), {"comment": "补充"})
        issue.refresh_from_db()
        assert issue.state == IssueState.COMPILING
        self.client.force_login(self.duty)
        add_url = reverse("periodicals:issue_add_items", args=[issue.pk])
        assert "东城县召开例会" not in self.client.get(add_url).content.decode()
        self.client.post(add_url, {"items": [routine.pk]})
        assert not issue.entries.filter(item=routine).exists()
        refused = self.client.post(
            reverse("periodicals:issue_submit", args=[issue.pk]), follow=True
        )
        assert "Only editors and section chiefs compile issues." in refused.content.decode()
        issue.refresh_from_db()
        assert issue.state == IssueState.COMPILING
        routine.refresh_from_db()
        assert routine.status == ItemStatus.SUBMITTED

    def test_it_refuses_roles_outside_the_office(self) -> None:
        for user in (self.alice, self.leader):
            self.client.force_login(user)
            assert self.client.get(reverse("periodicals:list")).status_code == 403
            response = self.client.post(
                reverse("periodicals:issue_create", args=[self.flash.pk]), {"title": "x"}
            )
            assert response.status_code == 404
        assert not self.flash.issues.exists()

    def test_it_leaves_an_editors_issue_unmarked(self) -> None:
        blast = self.submitted("西山县山体滑坡")
        self.client.force_login(self.ed)
        self.client.post(reverse("periodicals:issue_create", args=[self.flash.pk]), {"title": ""})
        issue = self.flash.issues.get()
        assert not issue.night_duty
        # The editor places adopted items only: the desk decides on a submitted one first.
        self.client.post(
            reverse("periodicals:issue_add_items", args=[issue.pk]), {"items": [blast.pk]}
        )
        assert not issue.entries.exists()
