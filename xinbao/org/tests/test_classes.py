"""Unit classes: the seeded three, the screens, refusals that name the units, retirement."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.org.models import Unit, UnitClass, UnitKind
from xinbao.test import BaseTestCase


def class_select(page: str) -> str:
    """The unit form's class drop-down."""
    return page.split('name="unit_class"')[1].split("</select>")[0]


class SeededClassesTest(TestCase):
    def test_it_finds_the_usual_classes_on_a_fresh_database(self) -> None:
        seeded = {
            c.name: (c.quota_per_month, c.adoptions_per_month, c.is_active)
            for c in UnitClass.objects.all()
        }
        assert seeded == {
            "县区": (6, 2, True),
            "市直部门": (4, 1, True),
            "直报点": (2, 0, True),
        }
        assert list(UnitClass.objects.values_list("name", flat=True)) == [
            "县区",
            "市直部门",
            "直报点",
        ]


class ClassScreensTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.ed)

    def test_it_lists_classes_with_their_quotas_and_units(self) -> None:
        r = self.client.get(reverse("org:class_list"))
        assert r.status_code == 200
        row = r.content.decode().split(f'id="class-{self.class_one.pk}"')[1].split("</tr>")[0]
        assert "一类" in row and ">6<" in row and ">4</a>" in row

    def test_it_creates_a_class_and_audits_it(self) -> None:
        r = self.client.post(
            reverse("org:class_create"),
            {"name": "四类", "rank": "4", "quota_per_month": "3", "adoptions_per_month": "1"},
        )
        assert r.status_code == 302
        made = UnitClass.objects.get(name="四类")
        assert (made.rank, made.quota_per_month, made.adoptions_per_month) == (4, 3, 1)
        event = AuditEvent.objects.get(action="unit_class.create")
        assert event.actor == self.ed and event.summary["name"] == "四类"

    def test_it_keeps_what_was_typed_when_an_edit_is_refused(self) -> None:
        url = reverse("org:class_edit", args=[self.class_one.pk])
        r = self.client.post(
            url, {"name": "县区", "rank": "7", "quota_per_month": "2", "adoptions_per_month": "5"}
        )
        assert r.status_code == 200
        page = r.content.decode()
        assert "Another class already has this name." in page
        assert "A unit cannot be expected to have more items adopted than it submits." in page
        assert 'value="7"' in page and 'value="5"' in page and 'value="县区"' in page
        self.class_one.refresh_from_db()
        assert (self.class_one.name, self.class_one.rank) == ("一类", 1)
        r = self.client.post(
            url, {"name": "一类", "rank": "1", "quota_per_month": "8", "adoptions_per_month": "3"}
        )
        assert r.status_code == 302
        self.class_one.refresh_from_db()
        assert (self.class_one.quota_per_month, self.class_one.adoptions_per_month) == (8, 3)
        event = AuditEvent.objects.get(action="unit_class.update")
        assert event.summary["changed"] == {
            "quota_per_month": [6, 8],
            "adoptions_per_month": [0, 3],
        }

    def test_it_refuses_to_delete_a_class_in_use_and_says_where(self) -> None:
        r = self.client.post(reverse("org:class_delete", args=[self.class_one.pk]))
        assert r.status_code == 200
        page = r.content.decode()
        assert "The class 一类 is used by 4 units" in page
        for unit in (self.county_a, self.county_b, self.dept, self.point):
            assert unit.name in page
        assert reverse("org:class_retire", args=[self.class_one.pk]) in page
        assert UnitClass.objects.filter(pk=self.class_one.pk).exists()
        assert not AuditEvent.objects.filter(action="unit_class.delete").exists()

    def test_it_deletes_a_class_nobody_uses(self) -> None:
        spare = UnitClass.objects.get(name="直报点")
        r = self.client.post(reverse("org:class_delete", args=[spare.pk]))
        assert r.status_code == 302
        assert not UnitClass.objects.filter(name="直报点").exists()
        assert AuditEvent.objects.get(action="unit_class.delete").summary == {"name": "直报点"}

    def test_it_retires_a_class_which_is_then_not_offered_for_new_units(self) -> None:
        r = self.client.post(reverse("org:class_retire", args=[self.class_one.pk]))
        assert r.status_code == 302
        self.class_one.refresh_from_db()
        assert not self.class_one.is_active
        assert AuditEvent.objects.filter(action="unit_class.retire").count() == 1
        form = class_select(self.client.get(reverse("org:unit_create")).content.decode())
        assert f'<option value="{self.class_one.pk}"' not in form
        assert "县区" in form
        r = self.client.post(
            reverse("org:unit_create"),
            {
                "code": "C09",
                "name": "北岭县委办公室",
                "kind": UnitKind.COUNTY,
                "unit_class": self.class_one.pk,
                "is_active": "on",
            },
        )
        assert r.status_code == 200
        assert "Select a valid choice." in r.content.decode()
        assert not Unit.objects.filter(code="C09").exists()
        # The units already in it keep it, and can still be edited.
        edit = class_select(
            self.client.get(reverse("org:unit_edit", args=[self.county_a.pk])).content.decode()
        )
        assert f'<option value="{self.class_one.pk}" selected' in edit
        r = self.client.post(reverse("org:class_retire", args=[self.class_one.pk]), {"active": "1"})
        self.class_one.refresh_from_db()
        assert self.class_one.is_active

    def test_it_refuses_a_retired_class_in_the_service(self) -> None:
        from django.core.exceptions import ValidationError

        from xinbao.org.services import UnitData, create_unit, set_unit_class_active

        set_unit_class_active(user=self.ed, unit_class=self.class_one, active=False)
        data = UnitData(
            code="C09", name="北岭县委办公室", kind=UnitKind.COUNTY, unit_class=self.class_one
        )
        try:
            create_unit(user=self.ed, data=data)
        except ValidationError as exc:
            assert exc.message_dict == {"unit_class": ["This class is retired: choose another."]}
        else:
            raise AssertionError("a retired class was accepted")

    def test_it_refuses_the_class_screens_to_other_roles(self) -> None:
        for user in (self.alice, self.leader, self.auditor):
            self.client.force_login(user)
            assert self.client.get(reverse("org:class_list")).status_code == 403
            r = self.client.post(reverse("org:class_delete", args=[self.class_one.pk]))
            assert r.status_code == 403
        assert UnitClass.objects.filter(pk=self.class_one.pk).exists()
