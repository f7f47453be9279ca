"""The reading room: distributed issues for their readers, the first read recorded; its menu
entry for readers only."""

from __future__ import annotations

from django.urls import reverse

from xinbao.periodicals import services
from xinbao.periodicals.models import ReadReceipt
from xinbao.periodicals.tests.factories import PeriodicalCase


class ReadingRoomTest(PeriodicalCase):
    def test_it_shows_distributed_issues_to_readers_and_records_the_first_read(self) -> None:
        draft = self.compiled(self.adopted("未签发的信息"))
        issue = services.sign(user=self.leader, issue=self.awaiting(self.adopted("已分发的信息")))
        self.client.force_login(self.principal)
        url = reverse("periodicals:reading_issue", args=[issue.pk])
        assert self.client.get(url).status_code == 404  # signed, not yet distributed
        services.distribute(user=self.ed, issue=issue)
        listing = self.client.get(reverse("periodicals:reading")).content.decode()
        assert "已分发的信息" not in listing  # the list names issues, not items
        assert reverse("periodicals:reading_issue", args=[issue.pk]) in listing
        assert reverse("periodicals:reading_issue", args=[draft.pk]) not in listing
        page = self.client.get(url).content.decode()
        assert "已分发的信息" in page and 'id="receipt"' in page
        assert ReadReceipt.objects.filter(issue=issue, user=self.principal).count() == 1
        # Not a reader: nothing to see.
        self.client.force_login(self.alice)
        assert self.client.get(url).status_code == 404

    def test_it_puts_the_reading_room_in_the_menu_of_readers_only(self) -> None:
        self.client.force_login(self.principal)
        home = self.client.get(reverse("home")).content.decode()
        assert f'href="{reverse("periodicals:reading")}"' in home
        assert f'href="{reverse("periodicals:sign_queue")}"' in home
        self.client.force_login(self.ed)
        home = self.client.get(reverse("home")).content.decode()
        assert f'href="{reverse("periodicals:reading")}"' not in home
        assert f'href="{reverse("periodicals:list")}"' in home
        self.client.force_login(self.alice)
        home = self.client.get(reverse("home")).content.decode()
        assert f'href="{reverse("periodicals:instructions_to_answer")}"' in home
        assert f'href="{reverse("periodicals:list")}"' not in home
