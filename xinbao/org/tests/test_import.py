"""Importing units and people: every row or none, bad rows by line, re-import idempotent."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from xinbao.audit.models import AuditEvent
from xinbao.org.importing import ImportKind, ImportRefused, import_file, plan_file, read_table
from xinbao.org.models import DirectPointType, Person, Position, RosterEntry, Unit, UnitKind
from xinbao.test import BaseTestCase

UNITS_CSV = """单位编码,单位名称,简称,类型,直报点类别,分类,上级单位编码,所属县区编码
C03,南湖区委办公室,南湖区,县区,,一类,,
P10,南湖区实验小学,,直报点,学校,一类,C03,C03
P11,南湖街道办事处,南湖街道,直报点,乡镇街道,一类,C03,C03
D10,市统计局,统计局,市直,,一类,,
"""

#: The first unit names a parent and a county defined further down the file.
FORWARD_CSV = """code,name,kind,direct_point_type,class,parent,county
P20,北山镇政府,direct_point,township,一类,C20,C20
C20,北山区委办公室,county,,一类,,
"""

PEOPLE_CSV = """单位编码,姓名,职务,岗位,手机,邮箱,企业微信,起始日期
C01,周国平,县委办主任,主要领导,13900000011,zhou@example.cn,zhougp,2026-03-01
C01,吴敏,信息科科长,信息员,139 0000 0012,,wumin,2026/3/1
C02,郑洁,,信息员,13900000013,,,
"""


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class UnitImportTest(BaseTestCase):
    def test_it_imports_a_utf8_csv_with_bom(self) -> None:
        content = codecs.BOM_UTF8 + UNITS_CSV.encode()
        plan = import_file(
            user=self.ed, kind=ImportKind.UNITS, content=content, filename="units.csv"
        )
        assert plan.counts["create"] == 4
        school = Unit.objects.get(code="P10")
        assert school.kind == UnitKind.DIRECT_POINT
        assert school.direct_point_type == DirectPointType.SCHOOL
        assert school.parent is not None and school.parent.code == "C03"
        assert school.county is not None and school.county.code == "C03"
        assert Unit.objects.get(code="P11").direct_point_type == DirectPointType.TOWNSHIP
        assert Unit.objects.get(code="D10").kind == UnitKind.MUNICIPAL_DEPARTMENT

    def test_it_imports_a_gb18030_csv(self) -> None:
        import_file(
            user=self.ed,
            kind=ImportKind.UNITS,
            content=UNITS_CSV.encode("gb18030"),
            filename="units.csv",
        )
        assert Unit.objects.get(code="C03").name == "南湖区委办公室"

    def test_it_imports_an_xlsx(self) -> None:
        content = xlsx_bytes(
            [
                ["单位编码", "单位名称", "类型", "直报点类别", "分类", "所属县区编码"],
                ["P30", "东城县人民医院", "直报点", "基层组织", "一类", "C01"],
                [None, None, None, None, None, None],
                ["D30", "市教育局", "市直单位", None, "一类", None],
            ]
        )
        plan = import_file(
            user=self.sysadmin, kind=ImportKind.UNITS, content=content, filename="单位.xlsx"
        )
        assert [r.line for r in plan.rows] == [2, 4]
        hospital = Unit.objects.get(code="P30")
        assert hospital.county == self.county_a
        assert hospital.direct_point_type == DirectPointType.GRASSROOTS

    def test_it_accepts_a_parent_defined_later_in_the_file(self) -> None:
        import_file(
            user=self.ed, kind=ImportKind.UNITS, content=FORWARD_CSV.encode(), filename="f.csv"
        )
        town = Unit.objects.get(code="P20")
        assert town.parent is not None and town.parent.code == "C20"
        assert town.county is not None and town.county.code == "C20"

    def test_it_reports_every_bad_row_and_imports_nothing(self) -> None:
        content = (
            "单位编码,单位名称,类型,直报点类别,分类,上级单位编码,所属县区编码\n"
            "C40,甲县委办公室,县区,,一类,,\n"
            "P40,乙学校,直报点,,一类,,\n"  # line 3: no type
            "D40,丙局,市直,,五类,,\n"  # line 4: no such class
            "D41,丁局,市直,,一类,X99,\n"  # line 5: unknown parent
            "P41,戊学校,直报点,学校,一类,,D01\n"  # line 6: the county is not a county
            "C40,己县委办公室,县区,,一类,,\n"  # line 7: code twice
            "D42,东城县委办公室,市直,,一类,,\n"  # line 8: name of another unit
        ).encode()
        before = Unit.objects.count()
        with pytest.raises(ImportRefused) as refused:
            import_file(user=self.ed, kind=ImportKind.UNITS, content=content, filename="u.csv")
        lines = [e.line for e in refused.value.errors]
        assert lines == [3, 4, 5, 6, 7, 8]
        with translation.override("en"):
            assert str(refused.value.errors[0]).startswith("line 3: ")
        assert "C01" in str(refused.value.errors[-1])
        assert Unit.objects.count() == before
        assert not AuditEvent.objects.filter(action="org.import_units").exists()

    def test_it_numbers_lines_as_the_user_sees_them_across_quoted_line_breaks(self) -> None:
        content = (
            "code,name,kind,class,address\n"
            'C50,甲县委办公室,county,一类,"一号路\n二号楼"\n'
            "C51,,county,一类,\n"
        ).encode()
        with pytest.raises(ImportRefused) as refused:
            plan_file(ImportKind.UNITS, content, "u.csv")
        assert [e.line for e in refused.value.errors] == [4]

    def test_it_refuses_a_parent_loop(self) -> None:
        content = "code,name,kind,class,parent\nC60,甲,county,一类,C61\nC61,乙,county,一类,C60\n"
        with pytest.raises(ImportRefused) as refused:
            plan_file(ImportKind.UNITS, content.encode(), "u.csv")
        assert [e.line for e in refused.value.errors] == [2, 3]

    def test_it_reports_a_missing_column_on_line_one(self) -> None:
        with pytest.raises(ImportRefused) as refused:
            plan_file(ImportKind.UNITS, "单位编码,单位名称\nX,Y\n".encode(), "u.csv")
        assert {e.line for e in refused.value.errors} == {1}
        assert any("类型" in str(e) for e in refused.value.errors)

    def test_it_updates_on_reimport_and_never_duplicates(self) -> None:
        content = UNITS_CSV.encode()
        import_file(user=self.ed, kind=ImportKind.UNITS, content=content, filename="u.csv")
        count = Unit.objects.count()
        again = import_file(user=self.ed, kind=ImportKind.UNITS, content=content, filename="u.csv")
        assert Unit.objects.count() == count
        assert again.counts == {"create": 0, "update": 0, "unchanged": 4}
        changed = UNITS_CSV.replace("市统计局,统计局", "市统计局,市统计")
        plan = import_file(
            user=self.ed, kind=ImportKind.UNITS, content=changed.encode(), filename="u.csv"
        )
        assert plan.counts["update"] == 1
        assert Unit.objects.get(code="D10").short_name == "市统计"

    def test_it_audits_once_with_counts(self) -> None:
        import_file(
            user=self.ed, kind=ImportKind.UNITS, content=UNITS_CSV.encode(), filename="u.csv"
        )
        events = AuditEvent.objects.filter(action="org.import_units")
        assert events.count() == 1
        assert events.get().summary["create"] == 4

    def test_it_leaves_alone_a_column_the_file_does_not_have(self) -> None:
        Unit.objects.filter(pk=self.dept.pk).update(address="人民路1号")
        content = "code,name,kind,class\nD01,市应急管理局,市直,一类\n".encode()
        plan = import_file(user=self.ed, kind=ImportKind.UNITS, content=content, filename="u.csv")
        assert plan.counts["unchanged"] == 1
        assert Unit.objects.get(pk=self.dept.pk).address == "人民路1号"

    def test_it_says_when_the_file_holds_the_other_kind(self) -> None:
        with pytest.raises(ImportRefused) as refused:
            plan_file(ImportKind.UNITS, PEOPLE_CSV.encode(), "p.csv")
        assert refused.value.errors[0].line is None
        assert str(ImportKind.PEOPLE.label) in refused.value.errors[0].reason

    def test_it_refuses_an_old_excel_file(self) -> None:
        with pytest.raises(ImportRefused) as refused:
            read_table(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "units.xls")
        assert refused.value.errors[0].line is None


class PeopleImportTest(BaseTestCase):
    def test_it_imports_people_and_their_positions(self) -> None:
        plan = import_file(
            user=self.ed,
            kind=ImportKind.PEOPLE,
            content=codecs.BOM_UTF8 + PEOPLE_CSV.encode(),
            filename="p.csv",
        )
        assert plan.counts["create"] == 3
        assert plan.counts["positions"] == 3
        zhou = Person.objects.get(name="周国平")
        assert zhou.email == "zhou@example.cn" and zhou.wecom_userid == "zhougp"
        assert self.county_a.holders(Position.HEAD) == [zhou]
        assert Person.objects.get(name="吴敏").phone == "13900000012"
        # The head named in the file replaced the one before, whose entry was ended.
        old = RosterEntry.objects.get(unit=self.county_a, person__name="王建国")
        assert old.ended_on == dt.date(2026, 3, 1)
        assert self.county_a.holders(Position.HEAD, dt.date(2026, 2, 1))[0].name == "王建国"

    def test_it_imports_people_from_xlsx_with_numeric_phones_and_dates(self) -> None:
        content = xlsx_bytes(
            [
                ["unit", "name", "position", "phone", "start"],
                ["P01", "钱校长", "head", 13900000021, dt.date(2026, 2, 1)],
            ]
        )
        import_file(user=self.ed, kind=ImportKind.PEOPLE, content=content, filename="p.xlsx")
        person = Person.objects.get(name="钱校长")
        assert person.phone == "13900000021"
        assert person.roster.get().started_on == dt.date(2026, 2, 1)

    def test_it_is_idempotent_on_reimport(self) -> None:
        content = PEOPLE_CSV.encode()
        import_file(user=self.ed, kind=ImportKind.PEOPLE, content=content, filename="p.csv")
        people, entries = Person.objects.count(), RosterEntry.objects.count()
        again = import_file(user=self.ed, kind=ImportKind.PEOPLE, content=content, filename="p.csv")
        assert (Person.objects.count(), RosterEntry.objects.count()) == (people, entries)
        assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "positions": 0}

    def test_it_reports_bad_people_rows_by_line(self) -> None:
        content = (
            "单位编码,姓名,岗位,手机,邮箱,起始日期\n"
            "C01,甲,主要领导,13900000031,,2026-04-01\n"
            "X99,乙,信息员,13900000032,,\n"  # line 3: no such unit
            "C01,丙,主要领导,13900000033,,\n"  # line 4: second head of C01
            "C02,丁,信息员,abc,,\n"  # line 5: phone
            "C02,戊,信息员,13900000035,not-mail,\n"  # line 6: email
            "C02,己,组长,13900000036,,\n"  # line 7: position
            "C02,庚,信息员,13900000037,,明天\n"  # line 8: date
        ).encode()
        with pytest.raises(ImportRefused) as refused:
            import_file(user=self.ed, kind=ImportKind.PEOPLE, content=content, filename="p.csv")
        assert [e.line for e in refused.value.errors] == [3, 4, 5, 6, 7, 8]
        assert not Person.objects.filter(name="甲").exists()

    def test_it_refuses_a_head_who_would_start_before_the_current_one(self) -> None:
        content = "单位编码,姓名,岗位,起始日期\nC01,甲,主要领导,2025-06-01\n".encode()
        with pytest.raises(ImportRefused) as refused:
            import_file(user=self.ed, kind=ImportKind.PEOPLE, content=content, filename="p.csv")
        assert refused.value.errors[0].line == 2
        assert "王建国" in refused.value.errors[0].reason


class CommandTest(BaseTestCase):
    def test_it_imports_units_and_people_from_the_command_line(self) -> None:
        out = io.StringIO()
        units = self.write("units.csv", UNITS_CSV.encode("gb18030"))
        call_command("import_units", str(units), stdout=out)
        assert "4" in out.getvalue()
        people = self.write("people.csv", "单位编码,姓名,岗位\nC03,冯涛,信息员\n".encode())
        call_command("import_people", str(people), stdout=out)
        assert Unit.objects.get(code="C03").holders(Position.REPORTER)[0].name == "冯涛"
        event = AuditEvent.objects.get(action="org.import_people")
        assert event.actor is None and event.actor_name

    def test_it_fails_with_every_bad_line(self) -> None:
        bad = self.write("bad.csv", "code,name,kind,class\nC70,甲,乡镇,一类\n".encode())
        with translation.override("en"), pytest.raises(CommandError) as failed:
            call_command("import_units", str(bad), stdout=io.StringIO())
        assert "line 2" in str(failed.value)

    def test_it_checks_without_writing_on_dry_run(self) -> None:
        units = self.write("units.csv", UNITS_CSV.encode())
        call_command("import_units", str(units), "--dry-run", stdout=io.StringIO())
        assert not Unit.objects.filter(code="C03").exists()

    def write(self, name: str, content: bytes) -> Path:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / name
        path.write_bytes(content)
        return path
