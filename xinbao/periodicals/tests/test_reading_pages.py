"""The reading room in keyset pages, newest first, with the reader's receipts of the issues on
the page only."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinbao.periodicals import services
from xinbao.periodicals.models import Issue, IssueState, ReadReceipt
from xinbao.periodicals.tests.factories import PeriodicalCase
from xinbao.test import next_link


class ReadingPagesTest(PeriodicalCase):
    def shown(self, body: str) -> list[int]:
        found = re.findall(r'href="/periodicals/reading/(\d+)/"', body)
        return [int(pk) for pk in found]

    def test_it_walks_the_reading_room_to_the_oldest_issue_marking_the_unread(self) -> None:
        start = timezone.now() - dt.timedelta(days=60)
        made = []
        for n in range(53):
            issue = services.create_issue(user=self.ed, periodical=self.periodical)
            Issue.objects.filter(pk=issue.pk).update(
                state=IssueState.DISTRIBUTED,
                distributed_at=start + dt.timedelta(hours=n),
                content_hash="0" * 64,
            )
            made.append(issue.pk)
        oldest, newest = made[0], made[-1]
        # The principal opens the oldest and the newest.
        self.client.force_login(self.principal)
        for pk in (oldest, newest):
            assert (
                self.client.get(reverse("periodicals:reading_issue", args=[pk])).status_code == 200
            )
        assert ReadReceipt.objects.filter(user=self.principal).count() == 2
        listing = reverse("periodicals:reading")
        sample = reverse("periodicals:reading_issue", args=[newest])
        assert re.match(r"^/periodicals/reading/\d+/$", sample), sample
        with CaptureQueriesContext(connection) as captured:
            first = self.client.get(listing)
        receipts = [
            q["sql"] for q in captured.captured_queries if "periodicals_readreceipt" in q["sql"]
        ]
        assert receipts and all('"issue_id" IN' in sql for sql in receipts), receipts
        following = next_link(first.content.decode(), listing)
        assert following is not None
        second = self.client.get(following)
        assert next_link(second.content.decode()) is None
        seen = self.shown(first.content.decode()) + self.shown(second.content.decode())
        assert seen == made[::-1]
        # "new" on every issue but the two read, on either page.
        news = first.content.decode().count(">new<") + second.content.decode().count(">new<")
        assert news == 51
