"""Sign-off routing as data, a periodical's fixed signer, and the direct route (首接直报)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from xinbao.accounts.models import Role
from xinbao.items.models import Urgency
from xinbao.notify.models import Dispatch
from xinbao.periodicals import routing, services
from xinbao.periodicals.models import IssueState, SignerRule, SignOffAction, SignRoute
from xinbao.periodicals.selectors import sign_queue
from xinbao.periodicals.services import IssueError
from xinbao.periodicals.tests.factories import PeriodicalCase, make_periodical


class RoutingTest(PeriodicalCase):
    def test_it_has_the_default_routes_as_data(self) -> None:
        routes = dict(SignRoute.objects.values_list("urgency", "signer_role"))
        assert routes == {
            "routine": "leader_in_charge",
            "general_urgent": "leader_in_charge",
            "important": "principal_leader",
            "major_emergency": "principal_leader",
        }

    def test_it_routes_by_the_most_urgent_item(self) -> None:
        assert routing.most_urgent([]) == Urgency.ROUTINE
        assert routing.most_urgent(["routine", "important", "general_urgent"]) == "important"
        general = self.awaiting(self.adopted("一般紧急", urgency=Urgency.GENERAL_URGENT))
        assert general.signer_role == Role.LEADER_IN_CHARGE
        mixed = self.awaiting(self.adopted("常规"), self.adopted("重要", urgency=Urgency.IMPORTANT))
        assert mixed.signer_role == Role.PRINCIPAL_LEADER

    def test_it_requires_the_principal_for_important_information(self) -> None:
        issue = self.awaiting(self.adopted("重要信息", urgency=Urgency.IMPORTANT))
        assert not routing.may_sign(self.leader, issue)
        with pytest.raises(PermissionDenied, match="signs this issue"):
            services.sign(user=self.leader, issue=issue)
        issue.refresh_from_db()
        assert issue.state == IssueState.AWAITING_SIGNATURE
        # The leader in charge does not even see a sign button on the phone page.
        self.client.force_login(self.leader)
        page = self.client.get(reverse("periodicals:sign_issue", args=[issue.pk])).content
        assert b'id="sign-button"' not in page
        assert issue not in sign_queue(self.leader)
        assert issue in sign_queue(self.principal)
        issue = services.sign(user=self.principal, issue=issue)
        assert issue.state == IssueState.SIGNED and issue.signed_by == self.principal

    def test_it_follows_a_changed_table(self) -> None:
        SignRoute.objects.filter(urgency="important").update(signer_role="leader_in_charge")
        issue = self.awaiting(self.adopted("重要信息", urgency=Urgency.IMPORTANT))
        assert issue.signer_role == Role.LEADER_IN_CHARGE

    def test_it_sends_an_unknown_urgency_to_the_top_signer(self) -> None:
        SignRoute.objects.filter(urgency="routine").delete()
        assert self.awaiting().signer_role == Role.PRINCIPAL_LEADER

    def test_it_takes_the_periodicals_fixed_signer(self) -> None:
        special = make_periodical("信息专报", signer_rule=SignerRule.PRINCIPAL_LEADER)
        issue = services.submit(
            user=self.ed, issue=self.compiled(self.adopted(periodical=special), periodical=special)
        )
        issue = services.check(user=self.chief, issue=issue)
        assert issue.signer_role == Role.PRINCIPAL_LEADER
        with pytest.raises(PermissionDenied):
            services.sign(user=self.leader, issue=issue)


class DirectRouteTest(PeriodicalCase):
    def test_it_goes_straight_to_the_principal_and_is_countersigned(self) -> None:
        express = make_periodical("紧急信息快报", countersign=True)
        express.readers.add(self.chief)
        flood = self.adopted(
            "东城县发生山洪灾害", urgency=Urgency.MAJOR_EMERGENCY, periodical=express
        )
        issue = self.compiled(flood, periodical=express)
        # The duty officer, not a compiler, may take the direct route.
        issue = services.send_direct(user=self.duty, issue=issue, comment="夜间接报")
        assert issue.state == IssueState.AWAITING_SIGNATURE
        assert issue.direct_route and issue.signer_role == Role.PRINCIPAL_LEADER
        submitted = issue.signoffs.get(action=SignOffAction.SUBMIT)
        assert submitted.user == self.duty and "首接直报" in submitted.comment
        assert "夜间接报" in submitted.comment
        # No section check was made; the principal is told on the urgent ladder.
        assert not issue.signoffs.filter(action=SignOffAction.CHECK).exists()
        told = Dispatch.objects.get(event="issue_to_sign", user=self.principal)
        assert told.ladder == "urgent"
        assert services.countersign_state(issue) == "pending"
        issue = services.sign(user=self.principal, issue=issue)
        # The issue page shows the countersignature as pending, then done.
        self.client.force_login(self.chief)
        url = reverse("periodicals:issue", args=[issue.pk])
        assert 'data-state="pending"' in self.client.get(url).content.decode()
        with pytest.raises(PermissionDenied):
            services.countersign(user=self.ed, issue=issue)
        response = self.client.post(reverse("periodicals:issue_countersign", args=[issue.pk]))
        assert response.status_code == 302
        issue.refresh_from_db()
        assert issue.countersigned_by == self.chief and issue.countersigned_at is not None
        assert services.countersign_state(issue) == "done"
        assert 'data-state="done"' in self.client.get(url).content.decode()
        with pytest.raises(IssueError):
            services.countersign(user=self.chief, issue=issue)
        # Distribution does not wait for the countersignature, nor is it blocked by it.
        assert services.distribute(user=self.ed, issue=issue).state == IssueState.DISTRIBUTED

    def test_it_asks_no_countersignature_where_the_periodical_does_not(self) -> None:
        flood = self.adopted("山洪", urgency=Urgency.MAJOR_EMERGENCY)
        issue = services.send_direct(user=self.ed, issue=self.compiled(flood))
        assert services.countersign_state(issue) == ""
        with pytest.raises(IssueError):
            services.countersign(
                user=self.chief, issue=services.sign(user=self.principal, issue=issue)
            )

    def test_it_refuses_the_direct_route_without_major_emergency_information(self) -> None:
        issue = self.compiled(self.adopted("重要但非重大", urgency=Urgency.IMPORTANT))
        with pytest.raises(IssueError, match="major emergency"):
            services.send_direct(user=self.ed, issue=issue)
        issue.refresh_from_db()
        assert issue.state == IssueState.COMPILING and not issue.direct_route

    def test_it_refuses_the_direct_route_to_others_and_from_later_states(self) -> None:
        flood = self.adopted("山洪", urgency=Urgency.MAJOR_EMERGENCY)
        issue = self.compiled(flood)
        for user in (self.alice, self.leader, self.liaison):
            with pytest.raises(PermissionDenied):
                services.send_direct(user=user, issue=issue)
        issue = services.submit(user=self.ed, issue=issue)
        with pytest.raises(IssueError, match="starts from an issue being compiled"):
            services.send_direct(user=self.ed, issue=issue)

    def test_it_offers_the_direct_route_button_only_when_open(self) -> None:
        self.client.force_login(self.duty)
        plain = self.compiled()
        url = reverse("periodicals:issue", args=[plain.pk])
        assert 'id="direct-issue"' not in self.client.get(url).content.decode()
        flood = self.compiled(self.adopted("山洪", urgency=Urgency.MAJOR_EMERGENCY))
        url = reverse("periodicals:issue", args=[flood.pk])
        assert 'id="direct-issue"' in self.client.get(url).content.decode()
        response = self.client.post(reverse("periodicals:issue_direct", args=[flood.pk]))
        assert response.status_code == 302
        flood.refresh_from_db()
        assert flood.state == IssueState.AWAITING_SIGNATURE and flood.direct_route
