"""The demo city's breadth, own mix and proposals: every sent item placed, two corrections by
the editor, the chief's targets on the mix page, a proposal taken up and its unit told; a second
run places nothing new and skips."""

from __future__ import annotations

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.analysis.models import MixTarget, Placement, ProposalFollowUp, Uptake
from xinbao.analysis.selectors import placeable_items
from xinbao.demo.analysis import TAKEN_UP_NOTE, TARGETS, analysis
from xinbao.demo.tests.cases import DemoCase, book
from xinbao.notify.models import Notification


class AnalysisDemoTest(DemoCase):
    def test_it_places_every_sent_item_and_shows_the_matrix(self) -> None:
        sent = placeable_items().count()
        assert sent > 100
        assert Placement.objects.count() == sent
        assert Placement.objects.filter(corrected_at__isnull=False).exists()
        self.client.force_login(User.objects.get(username="editor"))
        page = self.client.get(reverse("analysis:matrix"), {"start": "2000-01-01"})
        matrix = page.context["matrix"]
        assert matrix.unplaced == 0 and matrix.total > 100
        assert matrix.thin  # the demo's information is thin somewhere, and the page says where
        self.assertContains(page, "Thin")

    def test_it_shows_the_chiefs_targets_on_the_mix(self) -> None:
        assert MixTarget.objects.count() == len(TARGETS)
        self.client.force_login(User.objects.get(username="leader"))
        page = self.client.get(reverse("analysis:mix"))
        targets = {target for _m, _t, cells in page.context["months"] for *_x, target, _b in cells}
        assert set(TARGETS.values()) <= targets

    def test_it_follows_a_proposal_taken_up_and_tells_its_unit(self) -> None:
        follow = ProposalFollowUp.objects.get(uptake=Uptake.TAKEN_UP)
        assert follow.note == TAKEN_UP_NOTE and follow.unit_told_at is not None
        # Delivered to the unit's reporters' inboxes (the demo runs the worker's round).
        assert Notification.objects.filter(
            message__event="analysis_proposal_taken_up",
            user__unit=follow.item.unit,
            body__contains=follow.item.title,
        ).exists()
        self.client.force_login(User.objects.get(username="chief"))
        page = self.client.get(reverse("analysis:proposals"))
        self.assertContains(page, follow.item.title)
        self.assertContains(page, "Taken up")

    def test_it_skips_a_second_run(self) -> None:
        again = book()
        analysis(again)
        assert again.skipped == ["analysis: a mix target exists"]
        assert again.created == {"placements": 0}
