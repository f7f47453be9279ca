"""Query counts of list pages are frozen: they must not grow with the number of rows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.items.models import Urgency
from xinbao.test import BaseTestCase

#: page name → (user attribute, frozen count). Raise a number only with a reason.
#: Every page: +1 for the menu's reading-room entry (is the user a reader of a periodical?).
FROZEN = {
    "items:list": [("alice", 9), ("ed", 9)],
    # Home: +1 for a reporter (their unit's demands), +2 for an editor (overdue demands, open
    # verifications), from the urgent-information section; +4 for a reporter (their unit's
    # month: quota and class, items this month, points and rank, instructions to answer); +1
    # for an editor (issues the duty officer sent overnight).
    "home": [("alice", 14), ("ed", 10)],
}


class QueryCountTest(BaseTestCase):
    def _count(self, user: User, url: str) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def _add_items(self, n: int) -> None:
        for i in range(n):
            for user in (self.alice, self.bob):
                self.make_item(user, title=f"信息{i}", urgency=list(Urgency)[i % 4])

    def test_it_keeps_list_pages_at_their_frozen_counts(self) -> None:
        self._add_items(3)
        small = {
            (name, who): self._count(getattr(self, who), reverse(name))
            for name, users in FROZEN.items()
            for who, _ in users
        }
        self._add_items(20)
        for name, users in FROZEN.items():
            for who, frozen in users:
                large = self._count(getattr(self, who), reverse(name))
                assert large == small[(name, who)], (name, who, small[(name, who)], large)
                assert large == frozen, (name, who, large)

    def test_it_keeps_the_htmx_partial_cheap(self) -> None:
        self._add_items(10)
        self.client.force_login(self.ed)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(
                reverse("items:list") + "?urgency=important", HTTP_HX_REQUEST="true"
            )
        assert response.status_code == 200
        assert "<nav class" not in response.content.decode()  # the partial, not the page
        assert len(ctx.captured_queries) <= 8
