"""Every desk edit is a new version; the diff between versions is by Chinese words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.desk import selectors, services
from xinbao.desk.models import ItemVersion
from xinbao.desk.services import DeskError
from xinbao.items.models import Item, ItemStatus
from xinbao.test import BaseTestCase

ORIGINAL = "7月3日，县委召开防汛工作会议，部署全县防汛工作。"
EDITED = "7月3日，县委召开抗旱工作会议，部署全县抗旱工作。"


class VersionTest(BaseTestCase):
    item: Item

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.item = cls.make_item(cls.alice, body=ORIGINAL)

    def _edit(self, body: str = EDITED, base_version: int | None = None) -> ItemVersion:
        services.acquire_lock(user=self.ed, item=self.item)
        return services.edit_item(
            user=self.ed,
            item=self.item,
            title="东城县召开抗旱工作会议",
            body=body,
            note="改为抗旱",
            base_version=base_version,
        )

    def test_it_makes_version_1_from_the_unit_and_version_2_from_the_edit(self) -> None:
        version = self._edit()
        assert version.number == 2
        first, second = ItemVersion.objects.filter(item=self.item).order_by("number")
        assert (first.number, first.body, first.author) == (1, ORIGINAL, self.alice)
        assert (second.body, second.author, second.role, second.note) == (
            EDITED,
            self.ed,
            "editor",
            "改为抗旱",
        )
        self.item.refresh_from_db()
        assert self.item.body == EDITED
        assert self.item.title == "东城县召开抗旱工作会议"
        # Editing a submitted item receives it: the unit can no longer withdraw it mid-edit.
        assert self.item.status == ItemStatus.RECEIVED
        assert AuditEvent.objects.filter(action="desk.edit").count() == 1

    def test_it_diffs_whole_words_not_characters(self) -> None:
        self._edit()
        self.item.refresh_from_db()
        diff = selectors.diff(selectors.versions(self.item))
        assert diff is not None
        assert (diff.old.number, diff.new.number) == (1, 2)
        assert "<del>防汛</del><ins>抗旱</ins>" in diff.body
        assert "<del>防</del>" not in diff.body
        assert "<del>防汛</del><ins>抗旱</ins>" in diff.title

    def test_it_requires_the_lock_to_edit(self) -> None:
        with pytest.raises(DeskError):
            services.edit_item(user=self.ed, item=self.item, title="标题", body=EDITED)
        services.acquire_lock(user=self.chief, item=self.item)
        with pytest.raises(DeskError, match="Chief"):
            services.edit_item(user=self.ed, item=self.item, title="标题", body=EDITED)
        assert not ItemVersion.objects.filter(item=self.item).exists()

    def test_it_refuses_an_edit_based_on_an_old_version(self) -> None:
        self._edit()
        with pytest.raises(DeskError, match="version 2"):
            self._edit(body="全新的文字。", base_version=1)

    def test_it_refuses_an_edit_that_changes_nothing(self) -> None:
        services.acquire_lock(user=self.ed, item=self.item)
        with pytest.raises(DeskError):
            services.edit_item(user=self.ed, item=self.item, title=self.item.title, body=ORIGINAL)

    def test_it_shows_versions_and_a_chosen_diff_on_the_desk_page(self) -> None:
        self._edit()
        self._edit(body="7月3日，县委召开抗旱工作会议，部署全县抗旱救灾工作。")
        self.client.force_login(self.ed)
        url = reverse("desk:item", args=[self.item.pk])
        page = self.client.get(url).content.decode()
        assert "Changes from version 1 to version 3" in page
        partial = self.client.get(
            url, {"a": "2", "b": "3", "partial": "diff"}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert "Changes from version 2 to version 3" in partial
        assert "<ins>救灾</ins>" in partial
        assert "<nav" not in partial

    def test_it_saves_an_edit_through_the_page_taking_the_lock(self) -> None:
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("desk:edit", args=[self.item.pk]),
            {"title": "东城县召开抗旱工作会议", "body": EDITED, "note": "", "base_version": ""},
        )
        assert response.status_code == 302
        assert ItemVersion.objects.filter(item=self.item).count() == 2
        assert services.live_lock(self.item) is not None

    def test_it_refuses_desk_edits_once_the_items_issue_left_compiling(self) -> None:
        from xinbao.periodicals.models import Issue, IssueItem, IssueState
        from xinbao.periodicals.tests.factories import make_periodical

        periodical = make_periodical()
        issue = Issue.objects.create(
            periodical=periodical,
            year=2026,
            number=1,
            total_number=1,
            created_by=self.ed,
            state=IssueState.AWAITING_SIGNATURE,
        )
        IssueItem.objects.create(issue=issue, item=self.item, position=1)
        with pytest.raises(DeskError, match="compiling"):
            self._edit()
        issue.state = IssueState.COMPILING
        issue.save()
        assert self._edit().number == 2
