from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xinbao.items.models import Channel, Item, ItemStatus
from xinbao.items.services import (
    ItemData,
    TransitionError,
    create_item,
    receive_item,
    submit_item,
    update_item,
    withdraw_item,
)
from xinbao.test import BaseTestCase


def data(**extra: str) -> ItemData:
    fields = {
        "title": "东城县推进高标准农田建设",
        "body": "今年以来，东城县新建高标准农田2.3万亩。\r\n\r\n  下一步将加快灌溉设施配套。  ",
        "kind": "dynamic",
        "urgency": "routine",
        "writer_name": "赵小红",
        "writer_phone": "13800000001",
    }
    fields.update(extra)
    return ItemData(**fields)  # type: ignore[arg-type]


class IntakeTest(BaseTestCase):
    def test_it_keeps_plain_paragraphs_only(self) -> None:
        item = create_item(user=self.alice, data=data())
        assert item.body == "今年以来，东城县新建高标准农田2.3万亩。\n下一步将加快灌溉设施配套。"
        assert item.unit == self.county_a
        assert item.status == ItemStatus.DRAFT

    def test_it_refuses_classified_markings_and_says_why(self) -> None:
        for text in ("机密★1年", "秘密★", "绝密 ★ 长期", "★机密"):
            with pytest.raises(ValidationError) as caught:
                create_item(user=self.alice, data=data(body=f"{text}\n关于某项工作的情况报告"))
            assert "classified" in caught.value.messages[0] or "涉密" in caught.value.messages[0]
        assert Item.objects.count() == 0
        # The word alone in prose is not a marking.
        create_item(user=self.alice, data=data(body="会议强调要严守工作秘密，做好保密工作。"))

    def test_it_refuses_classified_text_in_the_form_and_keeps_it(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("items:create"),
            {
                "title": "机密★ 关于某事的报告",
                "body": "这是正文。",
                "kind": "dynamic",
                "urgency": "routine",
                "writer_name": "赵小红",
                "writer_phone": "13800000001",
                "action": "submit",
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "这是正文。" in page
        assert "机密★" in page
        assert Item.objects.count() == 0

    def test_it_keeps_what_was_typed_when_a_field_is_wrong(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("items:create"),
            {
                "title": "",
                "body": "正文内容一字不丢。",
                "kind": "analysis",
                "urgency": "routine",
                "writer_name": "赵小红",
                "writer_phone": "not-a-phone",
                "place": "东城县",
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "正文内容一字不丢。" in page
        assert 'value="not-a-phone"' in page
        assert 'value="analysis" selected' in page
        assert Item.objects.count() == 0

    def test_it_refuses_an_overlong_body_in_the_form_and_the_service(self) -> None:
        self.client.force_login(self.alice)
        long_body = "汛" * 20_001
        response = self.client.post(
            reverse("items:create"),
            {
                "title": "东城县推进高标准农田建设",
                "body": long_body,
                "kind": "dynamic",
                "urgency": "routine",
                "writer_name": "赵小红",
                "writer_phone": "13800000001",
            },
        )
        assert response.status_code == 200
        assert "at most 20000 characters" in response.text
        assert long_body in response.text
        assert Item.objects.count() == 0
        item = create_item(user=self.alice, data=data())
        with pytest.raises(ValidationError) as caught:
            update_item(user=self.alice, item=item, data=data(body=long_body))
        assert caught.value.error_dict["body"][0].code == "too_long"

    def test_it_makes_one_item_per_channel_source_id(self) -> None:
        first = create_item(
            user=self.duty,
            unit=self.county_b,
            data=data(),
            channel=Channel.SMS,
            source_id="sms-20260701-0001",
        )
        again = create_item(
            user=self.duty,
            unit=self.county_b,
            data=data(),
            channel=Channel.SMS,
            source_id="sms-20260701-0001",
        )
        assert again.pk == first.pk
        other = create_item(
            user=self.duty,
            unit=self.county_b,
            data=data(),
            channel=Channel.EMAIL,
            source_id="sms-20260701-0001",
        )
        assert other.pk != first.pk

    def test_it_never_hands_back_another_units_item_for_a_reused_source_id(self) -> None:
        create_item(
            user=self.duty,
            unit=self.county_b,
            data=data(title="乙县内部情况"),
            channel=Channel.SMS,
            source_id="sms-20260701-0002",
        )
        with pytest.raises(PermissionDenied):
            create_item(
                user=self.alice,
                data=data(),
                channel=Channel.SMS,
                source_id="sms-20260701-0002",
            )
        assert Item.objects.count() == 1

    def test_it_lets_a_reporter_write_only_for_their_unit(self) -> None:
        with pytest.raises(PermissionDenied):
            create_item(user=self.alice, unit=self.county_b, data=data())
        with pytest.raises(PermissionDenied):
            create_item(user=self.leader, unit=self.county_b, data=data())
        with pytest.raises(ValidationError):
            create_item(user=self.duty, data=data())

    def test_it_moves_through_the_states_and_refuses_illegal_moves(self) -> None:
        item = create_item(user=self.alice, data=data())
        with pytest.raises(TransitionError):
            withdraw_item(user=self.alice, item=item)
        with pytest.raises(TransitionError):
            receive_item(user=self.ed, item=item)
        item = submit_item(user=self.alice, item=item)
        assert item.submitted_at is not None
        with pytest.raises(PermissionDenied):
            withdraw_item(user=self.bob, item=item)
        with pytest.raises(PermissionDenied):
            receive_item(user=self.alice, item=item)
        item = withdraw_item(user=self.alice, item=item)
        assert item.status == ItemStatus.WITHDRAWN
        item = submit_item(user=self.alice, item=item)
        item = receive_item(user=self.ed, item=item)
        assert item.status == ItemStatus.RECEIVED
        assert item.received_by == self.ed
        with pytest.raises(TransitionError):
            withdraw_item(user=self.alice, item=item)

    def test_it_credits_joint_units(self) -> None:
        item = create_item(
            user=self.alice,
            data=data(),
        )
        item.delete()
        joint = data()
        joint.joint_unit_ids = [self.county_b.pk, self.county_a.pk]
        item = create_item(user=self.alice, data=joint)
        assert list(item.joint_units.all()) == [self.county_b]
        # The joint unit's reporter sees it too, once it is submitted.
        self.client.force_login(self.bob)
        submit_item(user=self.alice, item=item)
        assert self.client.get(reverse("items:detail", args=[item.pk])).status_code == 200

    def test_it_keeps_a_draft_from_its_joint_units(self) -> None:
        joint = data(title="两县联合开展防汛演练")
        joint.joint_unit_ids = [self.county_b.pk]
        item = create_item(user=self.alice, data=joint)
        self.client.force_login(self.bob)
        detail = reverse("items:detail", args=[item.pk])
        assert self.client.get(detail).status_code == 404
        assert self.client.get(reverse("items:edit", args=[item.pk])).status_code == 404
        assert "两县联合开展防汛演练" not in self.client.get(reverse("items:list")).text
        submit_item(user=self.alice, item=item)
        assert self.client.get(detail).status_code == 200
        assert "两县联合开展防汛演练" in self.client.get(reverse("items:list")).text
