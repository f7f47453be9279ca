"""Proposals followed: an adopted proposal is listed pending; an editor records that it was
taken up, with a leader's instruction as evidence; the unit is told once and reads the outcome
on its item; counts per unit and per month; input without evidence is kept and refused."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from xinbao.analysis.models import ProposalFollowUp, Uptake
from xinbao.audit.models import AuditEvent
from xinbao.desk import services as desk
from xinbao.items.models import Item, ItemKind
from xinbao.notify.models import Notification
from xinbao.notify.services import deliver_due
from xinbao.periodicals.models import Frequency, Instruction, Periodical
from xinbao.test import BaseTestCase, menu_link

NOW = dt.datetime(2026, 7, 10, 2, 0, tzinfo=dt.UTC)
EVENT = "analysis_proposal_taken_up"
TITLE = "关于建立城区内涝点动态监测机制的建议"


class ProposalTest(BaseTestCase):
    proposal: Item

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(NOW, tick=False))
        daily = Periodical.objects.create(
            name="每日要情", frequency=Frequency.DAILY, issuing_office="中共某市委办公室"
        )
        self.proposal = self.make_item(
            self.alice,
            title=TITLE,
            kind=ItemKind.PROPOSAL,
            body="建议在城区易涝点布设水位监测设备，汛期实时预警。",
            submitted_at=timezone.now(),
        )
        desk.adopt(user=self.ed, item=self.proposal, periodicals=[daily])
        self.not_adopted = self.make_item(
            self.bob, title="关于增设公交线路的建议", kind=ItemKind.PROPOSAL
        )

    def test_it_follows_an_adopted_proposal_to_its_uptake_and_tells_the_unit(self) -> None:
        instruction = Instruction.objects.create(
            item=self.proposal, leader=self.principal, text="建议很好，请市应急局牵头研究落实。"
        )
        self.client.force_login(self.ed)
        url = menu_link(self.client.get("/").content.decode(), "Proposals followed")
        listing = self.client.get(url)
        self.assertContains(listing, TITLE)
        self.assertContains(listing, "Pending")
        self.assertNotContains(listing, "关于增设公交线路的建议")  # not adopted

        page = self.client.get(f"/analysis/proposals/{self.proposal.pk}/")
        self.assertContains(page, "请市应急局牵头研究落实")
        # Taken up without any evidence: refused, and what was typed stays.
        refused = self.client.post(
            f"/analysis/proposals/{self.proposal.pk}/",
            {"uptake": Uptake.TAKEN_UP, "decided_on": "2026-07-09"},
        )
        assert refused.status_code == 400
        self.assertContains(
            refused, "Give the evidence: a note or a leader&#x27;s instruction.", status_code=400
        )
        self.assertContains(refused, 'value="2026-07-09"', status_code=400)

        done = self.client.post(
            f"/analysis/proposals/{self.proposal.pk}/",
            {
                "uptake": Uptake.TAKEN_UP,
                "note": "市政府已印发内涝点监测实施方案。",
                "decided_on": "2026-07-09",
                "instruction": instruction.pk,
            },
            follow=True,
        )
        self.assertContains(done, "Uptake recorded.")
        self.assertContains(done, "Taken up")
        follow = ProposalFollowUp.objects.get(item=self.proposal)
        assert (follow.uptake, follow.instruction, follow.decided_on) == (
            Uptake.TAKEN_UP,
            instruction,
            dt.date(2026, 7, 9),
        )
        assert AuditEvent.objects.filter(action="analysis.proposal.uptake").count() == 1
        by_unit = done.context["tables"][0][1]
        assert [(row.label, row.counts) for row in by_unit] == [
            (self.county_a.name, {Uptake.TAKEN_UP: 1})
        ]

        # The unit's reporter is told once, and reads the outcome on the item's page.
        deliver_due()
        subjects = list(
            Notification.objects.filter(user=self.alice, message__event=EVENT).values_list(
                "message__subject", flat=True
            )
        )
        assert len(subjects) == 1 and TITLE in subjects[0]
        self.client.post(
            f"/analysis/proposals/{self.proposal.pk}/",
            {"uptake": Uptake.PARTLY, "note": "部分采纳。"},
        )
        deliver_due()
        assert Notification.objects.filter(user=self.alice, message__event=EVENT).count() == 1
        self.client.force_login(self.alice)
        item_page = self.client.get(f"/items/{self.proposal.pk}/")
        self.assertContains(item_page, "Partly taken up")
        self.assertContains(item_page, "部分采纳。")

    def test_it_filters_by_uptake_and_refuses_reporters_and_leaders_writes(self) -> None:
        self.client.force_login(self.leader)
        self.assertContains(self.client.get("/analysis/proposals/?uptake=pending"), TITLE)
        self.assertNotContains(self.client.get("/analysis/proposals/?uptake=taken_up"), TITLE)
        response = self.client.post(
            f"/analysis/proposals/{self.proposal.pk}/", {"uptake": Uptake.TAKEN_UP, "note": "x"}
        )
        assert response.status_code == 403
        self.client.force_login(self.alice)
        assert self.client.get("/analysis/proposals/").status_code == 403
        assert self.client.get(f"/analysis/proposals/{self.proposal.pk}/").status_code == 403
        self.client.force_login(self.ed)
        assert self.client.get(f"/analysis/proposals/{self.not_adopted.pk}/").status_code == 404
        assert not ProposalFollowUp.objects.exists()
