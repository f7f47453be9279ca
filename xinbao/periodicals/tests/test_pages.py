"""The pages: compiling an issue on the PC, leaders' phone pages, the reading room, menus and
the home page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinbao.desk.models import ItemVersion
from xinbao.desk.services import acquire_lock
from xinbao.items.models import Urgency
from xinbao.periodicals import services
from xinbao.periodicals.models import Instruction, IssueState, ReadReceipt
from xinbao.periodicals.services import IssueError
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


class LeaderPagesTest(PeriodicalCase):
    def test_it_revises_and_the_editor_sees_the_diff(self) -> None:
        item = self.adopted("东城县防汛工作情况", body="全县转移群众300人。")
        issue = self.awaiting(item)
        entry = issue.entries.get()
        self.client.force_login(self.leader)
        queue = self.client.get(reverse("periodicals:sign_queue")).content.decode()
        assert f'data-issue="{issue.pk}"' in queue
        url = reverse("periodicals:sign_revise", args=[issue.pk, entry.pk])
        assert "全县转移群众300人。" in self.client.get(url).content.decode()
        response = self.client.post(
            url, {"title": "东城县防汛工作情况", "body": "全县转移群众320人。"}
        )
        assert response.status_code == 302
        latest = ItemVersion.objects.filter(item=item).order_by("-number").first()
        assert latest is not None
        assert (latest.author, latest.role, latest.number) == (self.leader, "leader_in_charge", 2)
        assert ItemVersion.objects.get(item=item, number=1).body == "全县转移群众300人。"
        item.refresh_from_db()
        assert item.body == "全县转移群众320人。"
        self.client.force_login(self.ed)
        page = self.client.get(reverse("periodicals:issue", args=[issue.pk])).content.decode()
        assert 'id="revisions"' in page
        assert "<del>300</del><ins>320</ins>" in page

    def test_it_waits_for_an_editor_holding_the_desk_lock(self) -> None:
        item = self.adopted("东城县防汛工作情况", body="全县转移群众300人。")
        issue = self.awaiting(item)
        acquire_lock(user=self.ed, item=item)
        with pytest.raises(IssueError, match="editing this item"):
            services.revise_item(
                user=self.leader,
                issue=issue,
                entry=issue.entries.get(),
                title=item.title,
                body="全县转移群众320人。",
            )
        assert not ItemVersion.objects.filter(item=item).exists()

    def test_it_signs_and_returns_from_the_phone(self) -> None:
        issue = self.awaiting()
        self.client.force_login(self.leader)
        page = self.client.get(reverse("periodicals:sign_issue", args=[issue.pk])).content.decode()
        assert 'id="sign-button"' in page and 'class="xb-bottom"' in page
        response = self.client.post(reverse("periodicals:sign_sign", args=[issue.pk]))
        assert response["Location"] == reverse("periodicals:sign_issue", args=[issue.pk])
        issue.refresh_from_db()
        assert issue.state == IssueState.SIGNED
        other = self.awaiting(self.adopted("乙"))
        url = reverse("periodicals:sign_return", args=[other.pk])
        self.client.post(url, {"comment": "请补充伤亡数据"})
        other.refresh_from_db()
        assert other.state == IssueState.COMPILING
        assert other.signoffs.last().comment == "请补充伤亡数据"  # type: ignore[union-attr]

    def test_it_writes_an_instruction_on_an_item_with_defaults(self) -> None:
        item = self.adopted("东城县防汛工作情况", urgency=Urgency.GENERAL_URGENT)
        issue = self.awaiting(item)
        entry = issue.entries.get()
        self.client.force_login(self.leader)
        url = reverse("periodicals:sign_instruct", args=[issue.pk]) + f"?entry={entry.pk}"
        page = self.client.get(url).content.decode()
        assert "东城县防汛工作情况" in page
        self.client.post(url, {"text": "请做好转移安置。", "entry": entry.pk})
        instruction = Instruction.objects.get()
        assert instruction.item == item and instruction.issue is None
        assert list(instruction.units.all()) == [self.county_a]
        assert instruction.forwarded_at is not None

    def test_it_shows_leaders_and_chiefs_their_work_at_home(self) -> None:
        issue = self.awaiting()
        self.client.force_login(self.leader)
        home = self.client.get(reverse("home")).content.decode()
        assert 'id="to-sign"' in home and reverse("periodicals:sign_issue", args=[issue.pk]) in home
        assert 'id="my-instructions"' in home
        checking = services.submit(user=self.ed, issue=self.compiled(self.adopted("乙")))
        self.client.force_login(self.chief)
        home = self.client.get(reverse("home")).content.decode()
        assert 'id="to-check"' in home and reverse("periodicals:issue", args=[checking.pk]) in home


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
