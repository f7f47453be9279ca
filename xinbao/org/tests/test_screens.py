"""The org pages: office managers only, forms keep what was typed, htmx partials."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.org.models import DirectPointType, Person, Position, RosterEntry, Unit, UnitKind
from xinbao.test import BaseTestCase


class ScreensTest(BaseTestCase):
    def pages(self) -> list[str]:
        entry = RosterEntry.objects.filter(unit=self.county_a).first()
        person = Person.objects.filter(unit=self.county_a).first()
        assert entry is not None and person is not None
        return [
            reverse("org:unit_list"),
            reverse("org:unit_create"),
            reverse("org:unit_detail", args=[self.county_a.pk]),
            reverse("org:unit_edit", args=[self.point.pk]),
            reverse("org:roster_assign", args=[self.county_a.pk]),
            reverse("org:roster_end", args=[entry.pk]),
            reverse("org:person_list"),
            reverse("org:person_create"),
            reverse("org:person_edit", args=[person.pk]),
            reverse("org:import"),
        ]

    def test_it_renders_every_page_for_the_editor_and_the_system_admin(self) -> None:
        for user in (self.ed, self.sysadmin, self.chief):
            self.client.force_login(user)
            for url in self.pages():
                r = self.client.get(url)
                assert r.status_code == 200, (user, url)

    def test_it_refuses_reporters_and_other_roles(self) -> None:
        for user in (self.alice, self.leader, self.auditor):
            self.client.force_login(user)
            for url in self.pages():
                assert self.client.get(url).status_code == 403, (user, url)
        self.client.force_login(self.alice)
        r = self.client.post(reverse("org:unit_create"), {"code": "X"})
        assert r.status_code == 403
        assert not Unit.objects.filter(code="X").exists()

    def test_it_shows_the_tree_grouped_by_kind(self) -> None:
        self.client.force_login(self.ed)
        body = self.client.get(reverse("org:unit_list")).content.decode()
        counties, departments, points = (
            body.index(f'id="{section}"')
            for section in ("counties", "departments", "direct-points")
        )
        assert counties < body.index("东城县委办公室") < departments
        assert departments < body.index("市应急管理局") < points
        # The direct point shows under its county and again among the points.
        assert counties < body.index("东城县第一中学") < departments
        assert points < body.rindex("东城县第一中学")
        assert "王建国" in body  # the head is shown in the tree

    def test_it_lists_a_direct_point_linked_to_no_county(self) -> None:
        Unit.objects.create(
            code="P09",
            name="市农业科学研究院",
            kind=UnitKind.DIRECT_POINT,
            direct_point_type=DirectPointType.RESEARCH_INSTITUTE,
            unit_class=self.class_one,
        )
        self.client.force_login(self.ed)
        response = self.client.get(reverse("org:unit_list"))
        assert response.status_code == 200
        assert "市农业科学研究院" in response.content.decode()

    def test_it_filters_with_an_htmx_partial(self) -> None:
        self.client.force_login(self.ed)
        r = self.client.get(
            reverse("org:unit_list"), {"kind": "direct_point"}, HTTP_HX_REQUEST="true"
        )
        body = r.content.decode()
        assert "<html" not in body
        assert "东城县第一中学" in body and "市应急管理局" not in body
        r = self.client.get(reverse("org:unit_list"), {"q": "应急"})
        assert "<html" in r.content.decode()
        r = self.client.get(reverse("org:person_list"), {"q": "王建"}, HTTP_HX_REQUEST="true")
        body = r.content.decode()
        assert "<html" not in body and "王建国" in body and "赵小红" not in body

    def test_it_keeps_what_was_typed_when_the_unit_form_has_errors(self) -> None:
        self.client.force_login(self.ed)
        r = self.client.post(
            reverse("org:unit_create"),
            {
                "code": "P77",
                "name": "东城县实验小学",
                "short_name": "实验小学",
                "kind": "direct_point",
                "direct_point_type": "",
                "unit_class": self.class_one.pk,
                "address": "学府路8号",
                "is_active": "on",
            },
        )
        assert r.status_code == 200
        body = r.content.decode()
        assert 'value="东城县实验小学"' in body and 'value="学府路8号"' in body
        assert "is-invalid" in body  # the type is required for a direct point
        assert not Unit.objects.filter(code="P77").exists()

    def test_it_creates_and_edits_a_unit(self) -> None:
        self.client.force_login(self.sysadmin)
        r = self.client.post(
            reverse("org:unit_create"),
            {
                "code": "P78",
                "name": "东城县实验小学",
                "kind": "direct_point",
                "direct_point_type": "school",
                "unit_class": self.class_one.pk,
                "county": self.county_a.pk,
                "is_active": "on",
            },
        )
        assert r.status_code == 302
        unit = Unit.objects.get(code="P78")
        assert unit.county == self.county_a
        r = self.client.post(
            reverse("org:unit_edit", args=[unit.pk]),
            {
                "code": "P78",
                "name": "东城县实验小学",
                "short_name": "实小",
                "kind": "direct_point",
                "direct_point_type": "school",
                "unit_class": self.class_one.pk,
                "county": self.county_a.pk,
                "is_active": "on",
            },
        )
        assert r.status_code == 302
        unit.refresh_from_db()
        assert unit.short_name == "实小"
        assert AuditEvent.objects.filter(action="unit.update", object_id=str(unit.pk)).exists()

    def test_it_keeps_what_was_typed_when_the_person_form_has_errors(self) -> None:
        self.client.force_login(self.ed)
        r = self.client.post(
            reverse("org:person_create"),
            {
                "unit": self.county_a.pk,
                "name": "冯新",
                "title": "副主任",
                "phone": "电话不详",
                "email": "feng@example.cn",
            },
        )
        assert r.status_code == 200
        body = r.content.decode()
        assert 'value="冯新"' in body and 'value="feng@example.cn"' in body
        assert 'value="电话不详"' in body
        assert not Person.objects.filter(name="冯新").exists()

    def test_it_assigns_and_ends_a_position_through_the_forms(self) -> None:
        self.client.force_login(self.ed)
        r = self.client.post(
            reverse("org:person_create"),
            {
                "unit": self.county_a.pk,
                "name": "冯新",
                "phone": "13900000201",
            },
        )
        assert r.status_code == 302
        person = Person.objects.get(name="冯新")
        r = self.client.post(
            reverse("org:roster_assign", args=[self.county_a.pk]),
            {
                "person": person.pk,
                "position": Position.HEAD,
                "started_on": "2026-04-01",
            },
        )
        assert r.status_code == 302
        assert self.county_a.holders(Position.HEAD, dt.date(2026, 4, 1)) == [person]
        entry = RosterEntry.objects.get(person=person)
        r = self.client.post(reverse("org:roster_end", args=[entry.pk]), {"ended_on": "2026-09-01"})
        assert r.status_code == 302
        body = self.client.get(reverse("org:unit_detail", args=[self.county_a.pk])).content
        text = body.decode()
        assert "冯新" in text and "2026-09-01" in text and "王建国" in text

    def test_it_shows_the_reason_when_an_assignment_is_refused(self) -> None:
        self.client.force_login(self.ed)
        person = Person.objects.get(name="赵小红")
        r = self.client.post(
            reverse("org:roster_assign", args=[self.county_a.pk]),
            {
                "person": person.pk,
                "position": Position.HEAD,
                "started_on": "2025-05-01",
            },
        )
        assert r.status_code == 200
        assert "王建国" in r.content.decode()
        assert not RosterEntry.objects.filter(person=person, position=Position.HEAD).exists()

    def test_it_returns_404_for_a_missing_unit(self) -> None:
        self.client.force_login(self.ed)
        assert self.client.get(reverse("org:unit_detail", args=[99999])).status_code == 404


class ImportPageTest(BaseTestCase):
    CSV = "单位编码,单位名称,类型,分类\nD60,市审计局,市直,一类\nD61,市民政局,市直,一类\n"

    def upload(self, content: bytes, action: str, name: str = "units.csv") -> str:
        r = self.client.post(
            reverse("org:import"),
            {
                "kind": "units",
                "action": action,
                "file": SimpleUploadedFile(name, content, content_type="text/csv"),
            },
        )
        return r.content.decode() if r.status_code == 200 else r["Location"]

    def test_it_checks_then_imports_on_confirmation(self) -> None:
        self.client.force_login(self.ed)
        body = self.upload(self.CSV.encode("gb18030"), "check")
        assert "import-preview" in body and "市审计局" in body
        assert not Unit.objects.filter(code="D60").exists()
        token = body.split('name="token" value="')[1].split('"')[0]
        r = self.client.post(reverse("org:import_confirm"), {"token": token, "action": "confirm"})
        assert r.status_code == 302
        assert Unit.objects.filter(code__in=["D60", "D61"]).count() == 2
        # The stash is gone: confirming twice imports nothing more and says so.
        r = self.client.post(reverse("org:import_confirm"), {"token": token, "action": "confirm"})
        assert r.status_code == 302 and r["Location"] == reverse("org:import")

    def test_it_lists_every_bad_row_by_line(self) -> None:
        self.client.force_login(self.ed)
        content = (self.CSV + "D62,,市直,一类\nD63,市林业局,林场,一类\n").encode()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        body = self.upload(content, "import")
        assert "line 4:" in body and "line 5:" in body
        assert not Unit.objects.filter(code="D60").exists()

    def test_it_imports_at_once_when_asked(self) -> None:
        self.client.force_login(self.sysadmin)
        location = self.upload(self.CSV.encode(), "import")
        assert location == reverse("org:unit_list")
        assert Unit.objects.filter(code="D61").exists()

    def test_it_refuses_the_page_to_reporters(self) -> None:
        self.client.force_login(self.carol)
        r = self.client.post(
            reverse("org:import"),
            {
                "kind": "units",
                "action": "import",
                "file": SimpleUploadedFile("u.csv", self.CSV.encode()),
            },
        )
        assert r.status_code == 403
        assert not Unit.objects.filter(code="D60").exists()
