"""`xinbao demo --scale N`: the demo grown through the bulk paths, as the benchmarks use it."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils.html import escape

from xinbao.accounts.models import Role, User
from xinbao.audit.models import AuditEvent
from xinbao.audit.services import verify
from xinbao.demo.tests.cases import DemoCase
from xinbao.desk.models import Adoption, Decision
from xinbao.desk.selectors import needs_action, queue_count
from xinbao.items.models import Item, ItemBand, ItemSignature, ItemStatus, SearchEntry
from xinbao.lib.labels import Sensitivity
from xinbao.periodicals.models import Issue, IssueItem, IssueState
from xinbao.periodicals.services import frozen_intact, issue_content, signed_content
from xinbao.scoring.models import ScoreEntry
from xinbao.test import next_link

ADDED = 400
TABLES = {
    "items": Item,
    "decisions": Decision,
    "adoptions": Adoption,
    "issues": Issue,
    "issue_entries": IssueItem,
    "score_entries": ScoreEntry,
    "audit_events": AuditEvent,
    "search_entries": SearchEntry,
    "signatures": ItemSignature,
}


def counts() -> dict[str, int]:
    return {name: model._default_manager.count() for name, model in TABLES.items()}


class ScaleTest(DemoCase):
    before: dict[str, int]
    first_new: int
    queue_before: int
    out: io.StringIO

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.before = counts()
        cls.queue_before = queue_count(User.objects.get(username="editor"))
        cls.first_new = (Item.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        cls.out = io.StringIO()
        target = cls.before["items"] + ADDED
        call_command("demo", "--force", "--scale", str(target), "--chunk", "150", stdout=cls.out)

    def new_items(self) -> list[Item]:
        return list(Item.objects.filter(pk__gte=self.first_new).order_by("pk"))

    def test_it_grows_the_demo_to_the_number_asked_with_every_table_in_proportion(self) -> None:
        after = counts()
        grown = {name: after[name] - self.before[name] for name in TABLES}
        assert grown["items"] == ADDED
        # Every item is in the search index and has a same-event signature with its bands.
        assert grown["search_entries"] == ADDED and grown["signatures"] == ADDED
        assert ItemBand.objects.filter(item_id__gte=self.first_new).count() == ADDED * 32
        statuses = dict(
            Item.objects.filter(pk__gte=self.first_new)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        adopted = statuses.get(ItemStatus.ADOPTED, 0)
        decided = sum(
            statuses.get(s, 0)
            for s in (
                ItemStatus.ADOPTED,
                ItemStatus.NOT_ADOPTED,
                ItemStatus.RETURNED,
                ItemStatus.ARCHIVED,
            )
        )
        # Most items were sent and decided; about a quarter adopted.
        assert 0.8 * ADDED < decided and 0.15 * ADDED < adopted < 0.4 * ADDED
        assert grown["decisions"] == decided
        assert adopted <= grown["adoptions"] <= 1.2 * adopted
        assert 0 < grown["issues"] and grown["issue_entries"] == adopted
        assert grown["score_entries"] >= adopted
        # Creation, submission, reception and decision at least, for most items.
        assert grown["audit_events"] > 3 * ADDED
        labels = set(
            Item.objects.filter(pk__gte=self.first_new).values_list("sensitivity", flat=True)
        )
        assert Sensitivity.ORDINARY in labels and len(labels) > 1
        assert "Added 400 items" in self.out.getvalue() and "items/s" in self.out.getvalue()

    def test_it_keeps_the_audit_chain_intact(self) -> None:
        assert verify() == []

    def test_it_signs_issues_with_their_content_frozen(self) -> None:
        new = Issue.objects.filter(entries__item_id__gte=self.first_new).distinct()
        signed = [i for i in new if i.state in (IssueState.DISTRIBUTED, IssueState.ARCHIVED)]
        assert signed, "no scaled issue was signed"
        assert all(frozen_intact(issue) for issue in signed)
        one = signed[0]
        # Frozen as the periodicals' own signature freezes the issue's entries.
        assert one.signed_by is not None and one.signed_at is not None
        made = signed_content(issue_content(one), one.signed_by, one.signed_at)
        assert one.frozen == made
        self.client.force_login(User.objects.get(username="editor"))
        page = self.client.get(reverse("periodicals:issue", args=[one.pk]))
        assert page.status_code == 200
        entry = one.entries.first()
        assert entry is not None and entry.item.title in page.content.decode()
        # Its adoption is marked placed, as the periodicals' services mark one.
        assert Adoption.objects.get(item=entry.item, periodical=one.periodical).in_issue

    def test_it_makes_scaled_items_found_by_search_for_the_desk_but_not_another_unit(
        self,
    ) -> None:
        item = next(
            i
            for i in self.new_items()
            if i.status == ItemStatus.ADOPTED and i.sensitivity == Sensitivity.ORDINARY
        )
        editor = User.objects.get(username="editor")
        self.client.force_login(editor)
        html = self.client.get(
            reverse("items:search"), {"q": item.title, "unit": str(item.unit_id)}
        ).content.decode()
        assert f'href="{reverse("desk:item", args=[item.pk])}"' in html
        desk = self.client.get(reverse("desk:item", args=[item.pk]))
        assert desk.status_code == 200 and item.title in desk.content.decode()
        other = User.objects.filter(role=Role.REPORTER).exclude(unit=item.unit).first()
        assert other is not None
        self.client.force_login(other)
        html = self.client.get(reverse("items:search"), {"q": item.title}).content.decode()
        assert reverse("items:detail", args=[item.pk]) not in html
        assert reverse("desk:item", args=[item.pk]) not in html
        # Its own unit's reporter finds it.
        own = User.objects.get(pk=item.created_by_id)
        self.client.force_login(own)
        html = self.client.get(reverse("items:search"), {"q": item.title}).content.decode()
        assert f'href="{reverse("items:detail", args=[item.pk])}"' in html

    def test_it_opens_the_desk_and_home_pages_over_the_grown_city(self) -> None:
        editor = User.objects.get(username="editor")
        self.client.force_login(editor)
        for name in ("home", "desk:inbox", "desk:queue"):
            response = self.client.get(reverse(name))
            assert response.status_code == 200, name
        # The inbox finds a scaled item sent lately by its words and unit.
        sent = Item.objects.filter(pk__gte=self.first_new, status=ItemStatus.SUBMITTED).last()
        assert sent is not None
        inbox = self.client.get(reverse("desk:inbox"), {"q": sent.title, "unit": str(sent.unit_id)})
        assert f'href="{reverse("desk:item", args=[sent.pk])}"' in inbox.content.decode()
        # The scaled items still waiting for a decision are in the desk's queue: the first of
        # them in the queue's order is on a page the editor reaches through Next.
        assert queue_count(editor) > self.queue_before
        waiting = needs_action(editor).filter(pk__gte=self.first_new).first()
        assert waiting is not None
        link = f'href="{reverse("desk:item", args=[waiting.pk])}">{escape(waiting.title)}</a>'
        url: str | None = reverse("desk:queue")
        found = False
        while url and not found:
            html = self.client.get(url).content.decode()
            found = link in html
            url = next_link(html, url)
        assert found, waiting.title

    def test_it_adds_only_the_difference_when_run_again(self) -> None:
        now = Item.objects.count()
        out = io.StringIO()
        call_command("demo", "--force", "--scale", str(now), stdout=out)
        assert Item.objects.count() == now
        assert "nothing to add" in out.getvalue()
        call_command("demo", "--force", "--scale", str(now + 30), stdout=out)
        assert Item.objects.count() == now + 30
        assert verify() == []
