"""The demo city's priorities: matched to the demo's items by the scanner's pass, corrected by
hand, a decision nobody follows flagged and made a commission; a second run skips."""

from __future__ import annotations

from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.agenda.models import MatchHow, Priority, PriorityMatch, StaleFlag
from xinbao.demo.agenda import BUSINESS, FLOOD, RURAL, SAFETY, ZERO_WASTE, agenda
from xinbao.demo.tests.cases import DemoCase, book
from xinbao.research.models import CommissionSource


class AgendaDemoTest(DemoCase):
    def test_it_matches_the_demo_items_and_shows_coverage(self) -> None:
        titles = set(Priority.objects.values_list("title", flat=True))
        assert titles == {FLOOD, SAFETY, BUSINESS, RURAL, ZERO_WASTE}
        for title in (FLOOD, SAFETY, BUSINESS, RURAL):
            assert PriorityMatch.objects.filter(priority__title=title, removed_at=None).exists()
        flood = Priority.objects.get(title=FLOOD)
        assert flood.matches.filter(how=MatchHow.MANUAL, item__title__contains="山体滑坡").exists()
        removed = flood.matches.filter(removed_at__isnull=False)
        assert [m.item.title for m in removed if "演练" in m.item.title] == [
            m.item.title for m in removed
        ]

        self.client.force_login(User.objects.get(username="principal"))
        listing = self.client.get(reverse("agenda:list"))
        self.assertContains(listing, FLOOD)
        page = self.client.get(reverse("agenda:detail", args=[flood.pk]))
        self.assertContains(page, "山体滑坡")
        self.assertContains(page, "Late")  # the repairs' milestone is past due

    def test_it_flagged_the_decision_nobody_follows_and_made_a_commission(self) -> None:
        flag = StaleFlag.objects.get(priority__title=ZERO_WASTE)
        assert flag.resolved_at is None
        assert flag.commission is not None
        assert flag.commission.source == CommissionSource.STALE_PRIORITY
        self.client.force_login(User.objects.get(username="chief"))
        page = self.client.get(reverse("agenda:list"))
        rows = page.content.decode()
        assert rows.index(ZERO_WASTE) < rows.index(FLOOD)  # the stale one first
        self.assertContains(self.client.get("/"), ZERO_WASTE)

    def test_it_skips_a_second_run(self) -> None:
        again = book()
        agenda(again)
        assert again.skipped == ["agenda: the demo's priorities exist"]
        assert Priority.objects.count() == 5
