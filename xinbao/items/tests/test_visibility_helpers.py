"""One visibility rule: the parts of a reporter's list and the EXISTS filter of rows that point
at an item give exactly the items ``visible_items`` gives, for every role."""

from __future__ import annotations

from collections.abc import Iterable

from django.test import TestCase

from xinbao.accounts.models import User
from xinbao.items.access import visible_item_exists, visible_item_parts, visible_items
from xinbao.items.models import Attachment, AttachmentKind, Item, ItemStatus
from xinbao.lib.labels import Sensitivity
from xinbao.test import Personas


class VisibilityHelpersTests(Personas, TestCase):
    own: Item
    own_draft: Item
    joint: Item
    joint_draft: Item
    other: Item
    labelled: Item

    @classmethod
    def setUpTestData(cls) -> None:
        cls.create_personas()
        cls.own = cls.make_item(cls.alice, title="东城自报")
        cls.own_draft = cls.make_item(cls.alice, title="东城草稿", status=ItemStatus.DRAFT)
        cls.joint = cls.make_item(cls.bob, title="西山联合")
        cls.joint.joint_units.add(cls.county_a)
        cls.joint_draft = cls.make_item(cls.bob, title="西山联合草稿", status=ItemStatus.DRAFT)
        cls.joint_draft.joint_units.add(cls.county_a)
        cls.other = cls.make_item(cls.bob, title="西山自报")
        cls.labelled = cls.make_item(cls.alice, title="东城敏感", sensitivity=Sensitivity.SENSITIVE)
        for item in Item.objects.all():
            Attachment.objects.create(
                item=item,
                kind=AttachmentKind.choices[0][0],
                file=f"attachments/{item.pk}.pdf",
                original_name=f"{item.pk}.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                uploaded_by=item.created_by,
            )

    def users(self) -> list[User]:
        return [self.alice, self.bob, self.carol, self.ed, self.leader, self.duty, self.liaison]

    def titles(self, items: Iterable[Item]) -> set[str]:
        return {item.title for item in items}

    def test_it_splits_a_reporters_list_into_parts_that_make_up_exactly_what_they_see(
        self,
    ) -> None:
        parts = visible_item_parts(self.alice)
        assert len(parts) == 2
        union = {item.pk for part in parts for item in part}
        assert union == set(visible_items(self.alice).values_list("pk", flat=True))
        expected = {"东城自报", "东城草稿", "西山联合"}
        if self.alice.clearance_level >= Sensitivity.SENSITIVE:
            expected.add("东城敏感")
        assert {Item.objects.get(pk=pk).title for pk in union} == expected

    def test_it_gives_every_role_parts_whose_union_is_its_list(self) -> None:
        for user in self.users():
            union = {item.pk for part in visible_item_parts(user) for item in part}
            assert union == set(visible_items(user).values_list("pk", flat=True)), user

    def test_it_filters_rows_by_their_items_visibility(self) -> None:
        for user in self.users():
            seen = Attachment.objects.filter(visible_item_exists(user))
            assert {a.item_id for a in seen} == set(
                visible_items(user).values_list("pk", flat=True)
            ), user
        alice_sees = {a.item_id for a in Attachment.objects.filter(visible_item_exists(self.alice))}
        assert self.joint.pk in alice_sees
        assert self.joint_draft.pk not in alice_sees
        assert self.other.pk not in alice_sees

    def test_it_reads_the_item_from_the_column_it_is_told(self) -> None:
        rows = Item.objects.filter(visible_item_exists(self.bob, ref="pk"))
        assert self.titles(rows) == self.titles(visible_items(self.bob))
        assert "西山联合草稿" in self.titles(rows)
        assert "东城自报" not in self.titles(rows)
