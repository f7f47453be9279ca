"""The demo city's research commissions: one per planning source, a county that answered in
time, two that missed (one answering late after), the deductions in the ledger; a second run
skips."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.demo.research import ECONOMY, ELDERLY, INCOMES, RENOVATION, research
from xinbao.demo.tests.cases import DemoCase, book
from xinbao.research.models import Assignment, AssignmentState, Commission, CommissionState
from xinbao.scoring.models import Cause, ScoreEntry


class ResearchDemoTest(DemoCase):
    def test_it_plans_from_every_source_and_scores_the_misses(self) -> None:
        ours = Commission.objects.filter(subject__in=[ECONOMY, INCOMES, ELDERLY, RENOVATION])
        states = dict(ours.values_list("subject", "state"))
        assert states == {
            ECONOMY: CommissionState.SENT,
            INCOMES: CommissionState.SENT,
            ELDERLY: CommissionState.SENT,
            RENOVATION: CommissionState.DRAFT,
        }
        economy = Commission.objects.get(subject=ECONOMY)
        got = sorted(economy.assignments.values_list("state", flat=True))
        assert got == sorted(
            [AssignmentState.ANSWERED, AssignmentState.LATE, AssignmentState.MISSED]
        )
        missed = Assignment.objects.filter(commission=economy, missed_posted=True)
        entries = ScoreEntry.objects.filter(
            cause=Cause.COMMISSION, cause_id__in=[a.pk for a in missed], via__isnull=True
        )
        assert sorted((e.unit_id, e.points) for e in entries) == sorted(
            (a.unit_id, Decimal("-10")) for a in missed
        )
        assert missed.count() == 2

        self.client.force_login(User.objects.get(username="leader"))
        page = self.client.get(reverse("research:plan"))
        assert page.status_code == 200
        for text in (ECONOMY, INCOMES, ELDERLY):
            self.assertContains(page, text)
        self.assertNotContains(page, RENOVATION)  # the section's draft
        detail = self.client.get(reverse("research:detail", args=[economy.pk]))
        self.assertContains(detail, "Answered late")
        self.assertContains(detail, "Missed")

        late = economy.assignments.get(state=AssignmentState.LATE)
        reporter = User.objects.filter(unit=late.unit, role="reporter").earliest("pk")
        self.client.force_login(reporter)
        mine = self.client.get(reverse("research:mine"))
        self.assertContains(mine, ECONOMY)

    def test_it_skips_a_second_run(self) -> None:
        again = book()
        research(again)
        assert again.skipped == ["research: the demo's commissions exist"]
        assert Commission.objects.filter(subject=ECONOMY).count() == 1
