"""The periodical's page counts the adopted items waiting for an issue from the adoptions not
yet placed (``Adoption.in_issue``, index ``adoption_waiting``), never the whole history."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinbao.desk.models import Adoption, AdoptionLevel
from xinbao.items.models import Item
from xinbao.lib import plans
from xinbao.periodicals import services
from xinbao.periodicals.models import IssueItem
from xinbao.periodicals.tests.factories import PeriodicalCase


class WaitingItemsTest(PeriodicalCase):
    def page(self) -> str:
        self.client.force_login(self.ed)
        response = self.client.get(reverse("periodicals:periodical", args=[self.periodical.pk]))
        assert response.status_code == 200
        return response.content.decode()

    def test_it_counts_down_as_items_go_into_an_issue_and_back_when_one_is_taken_out(
        self,
    ) -> None:
        first, second = self.adopted("澜城区防汛会议"), self.adopted("江湾区招商引资")
        assert "2 adopted items wait for an issue." in self.page()
        issue = self.compiled(first)
        assert Adoption.objects.get(item=first, periodical=self.periodical).in_issue
        assert "1 adopted item waits for an issue." in self.page()
        # Through the compiler's screens: the second placed, then the first taken out again.
        self.client.post(
            reverse("periodicals:issue_add_items", args=[issue.pk]), {"items": [second.pk]}
        )
        assert IssueItem.objects.filter(issue=issue).count() == 2
        assert "0 adopted items wait for an issue." in self.page()
        entry = IssueItem.objects.get(issue=issue, item=first)
        self.client.post(reverse("periodicals:entry_remove", args=[issue.pk, entry.pk]))
        assert not Adoption.objects.get(item=first, periodical=self.periodical).in_issue
        assert "1 adopted item waits for an issue." in self.page()
        assert list(services.adoptable_items(self.periodical)) == [first]

    def test_it_does_not_count_an_item_placed_whose_adoption_was_not_marked(self) -> None:
        item = self.adopted("临溪区春耕")
        self.compiled(item)
        # Rows written in bulk (the scale demo) leave the mark unset: the entry still rules.
        Adoption.objects.filter(item=item).update(in_issue=False)
        assert "0 adopted items wait for an issue." in self.page()
        assert not services.adoptable_items(self.periodical).exists()

    def test_it_shows_500_plus_past_the_cap(self) -> None:
        template = self.adopted("模板")
        copies = []
        for n in range(501):
            copy = Item.objects.get(pk=template.pk)
            copy.pk = None
            copy.title = f"采用{n}"
            copies.append(copy)
        items = Item.objects.bulk_create(copies)
        Adoption.objects.bulk_create(
            Adoption(
                item=i,
                level=AdoptionLevel.OFFICE,
                periodical=self.periodical,
                adopted_on=timezone.localdate(),
                by=self.ed,
            )
            for i in items
        )
        assert "500+ adopted items wait for an issue." in self.page()

    def test_it_reads_only_the_waiting_adoptions_through_an_index(self) -> None:
        self.compiled(self.adopted("澜城区防汛会议"))
        self.adopted("江湾区招商引资")
        for persona in (self.ed, self.duty):
            self.client.force_login(persona)
            with CaptureQueriesContext(connection) as captured:
                self.client.get(reverse("periodicals:periodical", args=[self.periodical.pk]))
            counts = [q["sql"] for q in captured.captured_queries if "desk_adoption" in q["sql"]]
            assert counts and all('"in_issue"' in sql for sql in counts), counts
            found = plans.explain_all(
                captured.captured_queries,
                tables=(*plans.BIG_TABLES, "desk_adoption", "periodicals_issueitem"),
            )
            assert not plans.problems(found), plans.problems(found)
