"""Leaders' phone pages: the sign queue, revising an item (the editor sees the diff), signing,
returning, instructions; their work and the chief's at home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinbao.desk.models import ItemVersion
from xinbao.desk.services import acquire_lock
from xinbao.items.models import ItemSignature, Urgency
from xinbao.items.search import matching_ids
from xinbao.items.similarity import pack, shingles, signature
from xinbao.periodicals import services
from xinbao.periodicals.models import Instruction, IssueState
from xinbao.periodicals.services import IssueError
from xinbao.periodicals.tests.factories import PeriodicalCase


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

    def test_a_revision_moves_the_items_search_entry_and_signature_with_its_text(self) -> None:
        item = self.adopted("东城县防汛工作情况", body="全县转移群众300人，加固堤坝12处。")
        issue = self.awaiting(item)
        entry = issue.entries.get()
        self.client.force_login(self.leader)
        self.client.post(
            reverse("periodicals:sign_revise", args=[issue.pk, entry.pk]),
            {"title": "东城县防汛工作情况", "body": "西山县白沙镇山体滑坡，道路中断三处。"},
        )
        item.refresh_from_db()
        expected = signature(shingles(item.title, item.body))
        assert expected is not None
        assert bytes(ItemSignature.objects.get(item=item).minhash) == pack(expected)
        assert set(matching_ids(self.ed, "滑坡")) == {item.pk}

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
