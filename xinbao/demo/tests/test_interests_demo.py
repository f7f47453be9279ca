"""The demo city's leaders' interests: items served first with why, the morning digest, marks
the desk and the office see, a request commissioned and one waiting; a second run skips."""

from __future__ import annotations

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.demo.interests import HAZARD, INTERESTS, USEFUL_NOTE, WATER, interests
from xinbao.demo.tests.cases import DemoCase, book
from xinbao.interests.models import Digest, Hit, InfoRequest, Interest, Mark, RequestState
from xinbao.items.access import visible_items
from xinbao.notify.models import Notification
from xinbao.research.models import CommissionSource


class InterestsDemoTest(DemoCase):
    @property
    def leader(self) -> User:
        return User.objects.get(username="leader")

    @property
    def principal(self) -> User:
        return User.objects.get(username="principal")

    def test_it_serves_the_leaders_first_with_why(self) -> None:
        assert Interest.objects.count() == len(INTERESTS)
        hits = Hit.objects.filter(interest__leader=self.leader).select_related("item", "interest")
        assert hits.exists()
        # Only items reported once the interest was set, and that the leader may read.
        for hit in hits:
            assert hit.item.submitted_at is not None
            assert hit.item.submitted_at >= hit.interest.created_at
        readable = visible_items(self.leader).filter(pk__in=[h.item_id for h in hits]).count()
        assert readable == len({h.item_id for h in hits})
        first = hits.order_by("-at", "-pk").first()
        assert first is not None
        assert Notification.objects.filter(
            user=self.leader, title__contains=first.item.title[:20]
        ).exists()
        self.client.force_login(self.leader)
        page = self.client.get("/")
        self.assertContains(page, "For your interests")
        self.assertContains(page, "Why:")
        self.assertContains(self.client.get(reverse("interests:mine")), "防汛抗洪")

    def test_it_sent_the_morning_digest(self) -> None:
        digests = Digest.objects.filter(leader__in=[self.leader, self.principal], hits__gt=0)
        assert digests.exists()

    def test_it_shows_the_leaders_marks_to_the_office(self) -> None:
        useful = Mark.objects.get(leader=self.leader, note=USEFUL_NOTE)
        assert useful.useful and useful.item is not None
        self.client.force_login(User.objects.get(username="editor"))
        self.assertContains(
            self.client.get(reverse("desk:item", args=[useful.item.pk])), USEFUL_NOTE
        )
        page = self.client.get(reverse("interests:marks"))
        self.assertContains(page, USEFUL_NOTE)
        assert page.context["stats"].units

    def test_it_commissions_one_request_and_keeps_one_waiting(self) -> None:
        water = InfoRequest.objects.get(subject=WATER)
        assert water.state == RequestState.ISSUED and water.commission is not None
        assert water.commission.source == CommissionSource.LEADER_REQUEST
        assert water.commission.assignments.count() == 3
        hazard = InfoRequest.objects.get(subject=HAZARD)
        assert hazard.state == RequestState.OPEN
        self.client.force_login(User.objects.get(username="chief"))
        page = self.client.get(reverse("interests:requests"))
        self.assertContains(page, HAZARD)
        self.client.force_login(self.principal)
        self.assertContains(
            self.client.get(reverse("interests:request", args=[water.pk])), "Commissioned to units"
        )

    def test_it_skips_a_second_run(self) -> None:
        marks = Mark.objects.count()
        again = book()
        interests(again)
        assert again.skipped == ["interests: an interest exists"]
        assert Mark.objects.count() == marks and Interest.objects.count() == len(INTERESTS)
