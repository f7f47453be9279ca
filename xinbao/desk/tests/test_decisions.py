"""Decisions on items: adopt, merge, return, reject, forward and higher adoption, archive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.desk import services
from xinbao.desk.models import Adoption, AdoptionLevel, Decision, DecisionKind, ItemVersion
from xinbao.desk.services import DeskError
from xinbao.items.models import Item, ItemKind, ItemStatus, Topic, Urgency
from xinbao.items.services import submit_item
from xinbao.notify.models import Message
from xinbao.periodicals.models import Frequency, Periodical
from xinbao.test import BaseTestCase


def make_periodicals() -> tuple[Periodical, Periodical]:
    daily = Periodical.objects.create(
        name="每日要情", frequency=Frequency.DAILY, issuing_office="中共某市委办公室"
    )
    special = Periodical.objects.create(
        name="信息专报", frequency=Frequency.IRREGULAR, issuing_office="中共某市委办公室"
    )
    return daily, special


class DecisionTest(BaseTestCase):
    item: Item
    daily: Periodical
    special: Periodical

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.daily, cls.special = make_periodicals()
        cls.item = cls.make_item(cls.alice, submitted_at=timezone.now())

    def _messages(self, event: str) -> list[Message]:
        return list(Message.objects.filter(event=event, user=self.alice))

    # --- adopt -----------------------------------------------------------------------------

    def test_it_adopts_into_two_periodicals_and_the_unit_sees_it(self) -> None:
        made = services.adopt(
            user=self.ed, item=self.item, periodicals=[self.daily, self.special], comment="很好"
        )
        assert len(made) == 2
        adoptions = Adoption.objects.filter(item=self.item)
        assert {a.periodical for a in adoptions} == {self.daily, self.special}
        assert {a.level for a in adoptions} == {AdoptionLevel.OFFICE}
        assert {a.adopted_on for a in adoptions} == {timezone.localdate()}
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.ADOPTED
        assert self.item.received_by == self.ed  # received on the way
        decision = Decision.objects.get(item=self.item)
        assert decision.kind == DecisionKind.ADOPT and decision.comment == "很好"
        [message] = self._messages("desk_adopted")
        assert "每日要情、信息专报" in message.body
        assert AuditEvent.objects.filter(action="desk.adopt").exists()
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:detail", args=[self.item.pk])).content.decode()
        assert "每日要情" in page and "信息专报" in page and "很好" in page

    def test_it_adopts_several_items_at_once_and_adds_periodicals_later(self) -> None:
        other = self.make_item(self.bob, title="西山县信息", status=ItemStatus.RECEIVED)
        services.adopt(user=self.ed, items=[self.item, other], periodicals=[self.daily])
        assert Adoption.objects.filter(periodical=self.daily).count() == 2
        services.adopt(user=self.ed, item=self.item, periodicals=[self.daily, self.special])
        assert Adoption.objects.filter(item=self.item).count() == 2
        with pytest.raises(DeskError, match="already adopted"):
            services.adopt(user=self.ed, item=self.item, periodicals=[self.special])

    def test_it_needs_an_active_periodical(self) -> None:
        with pytest.raises(DeskError):
            services.adopt(user=self.ed, item=self.item, periodicals=[])
        self.special.is_active = False
        self.special.save()
        with pytest.raises(DeskError, match="信息专报"):
            services.adopt(user=self.ed, item=self.item, periodicals=[self.special])

    # --- merge -----------------------------------------------------------------------------

    def test_it_merges_items_crediting_every_source_unit(self) -> None:
        flood = Topic.objects.create(name="防汛")
        self.item.topics.add(flood)
        b = self.make_item(
            self.bob, title="西山县防汛", urgency=Urgency.IMPORTANT, status=ItemStatus.RECEIVED
        )
        b.joint_units.add(self.dept)
        c = self.make_item(self.carol, title="一中防汛", submitted_at=timezone.now())
        merged = services.merge(
            user=self.ed,
            items=[self.item, b, c],
            title="全市防汛工作情况综述",
            body="各地认真部署防汛工作。",
            periodicals=[self.daily],
        )
        assert merged.kind == ItemKind.COMPREHENSIVE
        assert merged.unit == self.county_a
        assert set(merged.joint_units.all()) == {self.county_b, self.point, self.dept}
        assert merged.created_by == self.ed
        assert merged.status == ItemStatus.ADOPTED  # adopted at once into 每日要情
        assert merged.urgency == Urgency.IMPORTANT
        assert list(merged.topics.all()) == [flood]
        for source in (self.item, b, c):
            source.refresh_from_db()
            assert source.status == ItemStatus.MERGED
            assert source.merged_into == merged
            assert Decision.objects.get(item=source).kind == DecisionKind.MERGE
        assert Adoption.objects.get(item=merged).periodical == self.daily
        [message] = self._messages("desk_merged")
        assert "全市防汛工作情况综述" in message.body
        assert Message.objects.filter(event="desk_merged", user=self.bob).exists()
        # Every source unit sees the comprehensive item and the outcome of its own.
        self.client.force_login(self.bob)
        assert self.client.get(reverse("items:detail", args=[merged.pk])).status_code == 200
        page = self.client.get(reverse("items:detail", args=[b.pk])).content.decode()
        assert "全市防汛工作情况综述" in page

    def test_it_refuses_to_merge_fewer_than_two_or_a_decided_item(self) -> None:
        with pytest.raises(DeskError):
            services.merge(user=self.ed, items=[self.item], title="综述", body="正文。")
        rejected = self.make_item(self.bob, status=ItemStatus.NOT_ADOPTED)
        with pytest.raises(DeskError, match="cannot be merged"):
            services.merge(user=self.ed, items=[self.item, rejected], title="综述", body="正文。")
        assert not Item.objects.filter(kind=ItemKind.COMPREHENSIVE).exists()
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.SUBMITTED

    # --- return, resubmit ------------------------------------------------------------------

    def test_it_returns_for_revision_and_the_resubmission_keeps_the_history(self) -> None:
        services.acquire_lock(user=self.ed, item=self.item)
        services.edit_item(user=self.ed, item=self.item, title="东城县防汛", body="改过的正文。")
        services.return_for_revision(user=self.ed, item=self.item, comment="请补充转移人数")
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.RETURNED
        assert self.item.is_editable
        assert services.live_lock(self.item) is None
        [message] = self._messages("desk_returned")
        assert "请补充转移人数" in message.body
        # The unit revises and resubmits through the ordinary item pages.
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:detail", args=[self.item.pk])).content.decode()
        assert "请补充转移人数" in page
        response = self.client.post(
            reverse("items:edit", args=[self.item.pk]),
            {
                "title": "东城县防汛",
                "body": "改过的正文。全县转移群众300人。",
                "kind": "dynamic",
                "urgency": "routine",
                "writer_name": "赵小红",
                "writer_phone": "13800000001",
            },
        )
        assert response.status_code == 302
        self.item.refresh_from_db()
        submit_item(user=self.alice, item=self.item)
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.SUBMITTED
        assert ItemVersion.objects.filter(item=self.item).count() == 2
        assert Decision.objects.filter(item=self.item, kind=DecisionKind.RETURN).count() == 1
        # The unit's revision shows as the next version, diffed against the desk's edit.
        self.client.force_login(self.ed)
        url = reverse("desk:item", args=[self.item.pk])
        page = self.client.get(url, {"a": 2, "b": 3}).content.decode()
        assert "改过的正文。<ins>全县转移群众300人。</ins>" in page
        assert "current text, not yet saved as a version" in page

    def test_it_needs_a_comment_to_return(self) -> None:
        with pytest.raises(DeskError):
            services.return_for_revision(user=self.ed, item=self.item, comment="  ")

    # --- reject ----------------------------------------------------------------------------

    def test_it_needs_a_reason_to_reject(self) -> None:
        with pytest.raises(DeskError, match="reason"):
            services.reject(user=self.ed, item=self.item, reason="")
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.SUBMITTED
        services.reject(user=self.ed, item=self.item, reason="内容与昨日重复")
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.NOT_ADOPTED
        [message] = self._messages("desk_rejected")
        assert "内容与昨日重复" in message.body

    # --- forward, higher adoption ----------------------------------------------------------

    def test_it_forwards_then_records_the_higher_adoption(self) -> None:
        Item.objects.filter(pk=self.item.pk).update(status=ItemStatus.RECEIVED)
        with pytest.raises(DeskError, match="forwarding first"):
            services.record_higher_adoption(
                user=self.ed,
                item=self.item,
                level=AdoptionLevel.PROVINCE,
                publication="《每日汇报》",
                adopted_on=timezone.localdate(),
            )
        decision = services.forward(user=self.ed, item=self.item, to_office="省委办公厅信息处")
        assert decision.kind == DecisionKind.FORWARD
        assert decision.data == {"to": "省委办公厅信息处"}
        adoption = services.record_higher_adoption(
            user=self.ed,
            item=self.item,
            level=AdoptionLevel.PROVINCE,
            publication="《每日汇报》",
            adopted_on=timezone.localdate() - dt.timedelta(days=1),
        )
        assert adoption.level == AdoptionLevel.PROVINCE
        assert adoption.periodical is None
        kinds = list(Decision.objects.filter(item=self.item).values_list("kind", flat=True))
        assert kinds == [DecisionKind.FORWARD, DecisionKind.HIGHER_ADOPTION]
        assert self._messages("desk_higher_adopted")
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:detail", args=[self.item.pk])).content.decode()
        assert "《每日汇报》" in page and "省委办公厅信息处" in page

    def test_it_refuses_the_offices_own_level_and_a_future_date_for_higher_adoption(
        self,
    ) -> None:
        services.forward(user=self.ed, item=self.item, to_office="省委办公厅")
        for level, day in (
            (AdoptionLevel.OFFICE, timezone.localdate()),
            (AdoptionLevel.CITY, timezone.localdate() + dt.timedelta(days=1)),
        ):
            with pytest.raises(DeskError):
                services.record_higher_adoption(
                    user=self.ed, item=self.item, level=level, publication="x", adopted_on=day
                )
        assert not Adoption.objects.exists()

    # --- archive, illegal moves, roles -----------------------------------------------------

    def test_it_archives(self) -> None:
        services.archive(user=self.chief, item=self.item)
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.ARCHIVED
        with pytest.raises(DeskError):
            services.archive(user=self.chief, item=self.item)

    def test_it_refuses_illegal_moves_with_a_clear_message(self) -> None:
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT, title="草稿")
        with pytest.raises(DeskError, match="cannot be adopted"):
            services.adopt(user=self.ed, item=draft, periodicals=[self.daily])
        services.adopt(user=self.ed, item=self.item, periodicals=[self.daily])
        with pytest.raises(DeskError, match="cannot be returned"):
            services.return_for_revision(user=self.ed, item=self.item, comment="再改改")
        with pytest.raises(DeskError, match="cannot be marked not adopted"):
            services.reject(user=self.ed, item=self.item, reason="重复")
        withdrawn = self.make_item(self.alice, status=ItemStatus.WITHDRAWN)
        with pytest.raises(DeskError):
            services.archive(user=self.ed, item=withdrawn)
        draft.refresh_from_db()
        assert draft.status == ItemStatus.DRAFT
        assert not Adoption.objects.filter(item=draft).exists()

    def test_it_refuses_a_decision_while_someone_else_edits(self) -> None:
        services.acquire_lock(user=self.chief, item=self.item)
        with pytest.raises(DeskError, match="Chief is editing"):
            services.reject(user=self.ed, item=self.item, reason="重复")

    def test_it_lets_only_editors_and_section_chiefs_decide(self) -> None:
        for user in (self.alice, self.leader, self.duty):
            with pytest.raises(PermissionDenied):
                services.adopt(user=user, item=self.item, periodicals=[self.daily])
        assert not Adoption.objects.exists()

    def test_it_rolls_back_the_message_with_a_failed_decision(self) -> None:
        other = self.make_item(self.bob, status=ItemStatus.DRAFT)
        with pytest.raises(DeskError):
            services.adopt(user=self.ed, items=[self.item, other], periodicals=[self.daily])
        assert not Message.objects.filter(event="desk_adopted").exists()
        assert not Adoption.objects.exists()
