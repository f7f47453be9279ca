"""Compiling an issue on the PC: creating it, adding adopted items, reordering with htmx,
notes, the section check, refusals as messages."""

from __future__ import annotations

from django.urls import reverse

from xinbao.periodicals import services
from xinbao.periodicals.models import IssueState
from xinbao.periodicals.tests.factories import PeriodicalCase


class CompilePagesTest(PeriodicalCase):
    def test_it_creates_an_issue_and_adds_adopted_items(self) -> None:
        waiting = self.adopted("待编入的信息")
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:periodical", args=[self.periodical.pk]))
        assert 'id="new-issue"' in page.content.decode()
        response = self.client.post(
            reverse("periodicals:issue_create", args=[self.periodical.pk]), {"title": "本期要目"}
        )
        issue = self.periodical.issues.get()
        assert response.status_code == 302 and response["Location"].endswith(f"/{issue.pk}/")
        add_url = reverse("periodicals:issue_add_items", args=[issue.pk])
        assert "待编入的信息" in self.client.get(add_url).content.decode()
        self.client.post(add_url, {"items": [waiting.pk]})
        assert list(issue.entries.values_list("item", flat=True)) == [waiting.pk]
        assert "待编入的信息" not in self.client.get(add_url).content.decode()

    def test_it_reorders_with_htmx_and_returns_the_partial(self) -> None:
        issue = self.compiled(self.adopted("甲"), self.adopted("乙"))
        second = issue.entries.get(item__title="乙")
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("periodicals:entry_move", args=[issue.pk, second.pk]),
            {"direction": "up"},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert response.status_code == 200 and "<nav" not in body and 'id="entries"' in body
        assert body.index("乙") < body.index("甲")

    def test_it_saves_a_note_and_sends_for_check(self) -> None:
        issue = self.compiled()
        entry = issue.entries.get()
        self.client.force_login(self.ed)
        self.client.post(
            reverse("periodicals:entry_note", args=[issue.pk, entry.pk]), {"note": "请阅研。"}
        )
        entry.refresh_from_db()
        assert entry.editor_note == "请阅研。"
        self.client.post(reverse("periodicals:issue_submit", args=[issue.pk]))
        issue.refresh_from_db()
        assert issue.state == IssueState.SECTION_CHECK

    def test_it_shows_a_refusal_as_a_message(self) -> None:
        issue = self.compiled()
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("periodicals:issue_distribute", args=[issue.pk]), follow=True
        )
        assert "it cannot go to Distributed" in response.content.decode()

    def test_it_lets_the_chief_check_and_return_with_a_comment(self) -> None:
        issue = services.submit(user=self.ed, issue=self.compiled())
        self.client.force_login(self.chief)
        url = reverse("periodicals:issue", args=[issue.pk])
        assert 'id="check-issue"' in self.client.get(url).content.decode()
        self.client.post(reverse("periodicals:issue_return", args=[issue.pk]), {"comment": ""})
        issue.refresh_from_db()
        assert issue.state == IssueState.SECTION_CHECK
        self.client.post(reverse("periodicals:issue_return", args=[issue.pk]), {"comment": "重排"})
        issue.refresh_from_db()
        assert issue.state == IssueState.COMPILING

    def test_it_keeps_the_section_pages_from_others(self) -> None:
        issue = self.compiled()
        for user in (self.alice, self.leader, self.sysadmin):
            self.client.force_login(user)
            assert self.client.get(reverse("periodicals:issue", args=[issue.pk])).status_code == 404
        self.client.force_login(self.leader)
        assert self.client.get(reverse("periodicals:list")).status_code == 403
