"""Importing units and people from CSV or XLSX: all rows or none.

The flow is plan → apply. ``plan_units`` / ``plan_people`` read every row, check it against
the database and the rest of the file, and either raise ``ImportRefused`` with every bad
row, or return a plan saying what each row will do. ``apply_plan`` writes the plan in one
transaction and records one audit event with the counts. ``import_file`` does both, planning
again inside the transaction so that what it checked is what it writes.

Line numbers are those the user sees in the file: the header is line 1, and a CSV record
that spans several lines (a quoted line break) is numbered by its first line.

A column that is absent from the file leaves that field of an existing record alone; a
column that is present but empty in a row clears the field. Re-importing a file therefore
changes nothing, and a file with only some columns updates only those.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinbao.accounts.models import User
from xinbao.audit.services import record
from xinbao.org.models import (
    DirectPointType,
    Person,
    Position,
    RosterEntry,
    Unit,
    UnitClass,
    UnitKind,
)
from xinbao.org.services import (
    PHONE_RE,
    SINGLE_HOLDER_POSITIONS,
    assignment_problem,
    normalize_phone,
    put_in_position,
)

#: Far above an office's few hundred units or a few thousand people; stops a wrong file early.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class ImportKind(models.TextChoices):
    UNITS = "units", gettext_lazy("Units")
    PEOPLE = "people", gettext_lazy("People")


@dataclass(frozen=True)
class RowError:
    """One reason a file cannot be imported; ``line`` is None for the file as a whole."""

    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return self.reason
        return _("line %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}


class ImportRefused(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = sorted(errors, key=lambda e: e.line or 0)


@dataclass(frozen=True)
class Column:
    name: str
    headers: tuple[str, ...]  # first is the Chinese header shown in the documentation
    required: bool = False
    help: str = ""


UNIT_COLUMNS = (
    Column("code", ("单位编码", "编码", "code"), True),
    Column("name", ("单位名称", "名称", "name"), True),
    Column("short_name", ("简称", "short_name", "short name")),
    Column("kind", ("类型", "单位类型", "kind"), True, "县区 / 市直 / 直报点"),
    Column(
        "direct_point_type",
        ("直报点类别", "直报点类型", "direct_point_type"),
        False,
        "学校 / 科研院所 / 国有企业 / 乡镇街道 / 垂直管理部门 / 人民团体 / 基层组织",
    ),
    Column("unit_class", ("分类", "单位分类", "class", "unit_class"), True),
    Column("parent", ("上级单位编码", "parent", "parent_code")),
    Column("county", ("所属县区编码", "county", "county_code")),
    Column("address", ("地址", "address")),
    Column("fax", ("传真", "fax")),
)

PEOPLE_COLUMNS = (
    Column("unit", ("单位编码", "unit", "unit_code", "code"), True),
    Column("name", ("姓名", "name"), True),
    Column("title", ("职务", "title")),
    Column("position", ("岗位", "position"), False, "主要领导 / 分管领导 / 信息员"),
    Column("phone", ("手机", "手机号", "手机号码", "phone", "mobile")),
    Column("office_phone", ("办公电话", "office_phone", "office phone")),
    Column("email", ("邮箱", "电子邮箱", "email")),
    Column("wecom_userid", ("企业微信", "企业微信账号", "wecom", "wecom_userid")),
    Column("dingtalk_userid", ("钉钉", "钉钉账号", "dingtalk", "dingtalk_userid")),
    Column("started_on", ("起始日期", "任职日期", "start", "start_date", "started_on")),
)

COLUMNS = {ImportKind.UNITS: UNIT_COLUMNS, ImportKind.PEOPLE: PEOPLE_COLUMNS}


def _norm(text: str) -> str:
    """Case, spaces, full-width brackets and a leading/trailing * (required mark) ignored."""
    text = text.replace("（", "(").replace("）", ")").replace("\u3000", " ")
    return re.sub(r"\s+", "", text).strip("*").lower()


def _aliases(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    return {_norm(alias): value for value, aliases in pairs for alias in (value, *aliases)}


KIND_ALIASES = _aliases(
    [
        (
            UnitKind.COUNTY,
            ("县区", "县市区", "县(市、区)", "县(市区)", "区县", "county/district committee"),
        ),
        (UnitKind.MUNICIPAL_DEPARTMENT, ("市直", "市直单位", "市直部门", "municipal department")),
        (UnitKind.DIRECT_POINT, ("直报点", "信息直报点", "direct reporting point")),
    ]
)
POINT_TYPE_ALIASES = _aliases(
    [
        (DirectPointType.SCHOOL, ("学校", "高校", "school")),
        (DirectPointType.RESEARCH_INSTITUTE, ("科研院所", "科研机构", "research institute")),
        (DirectPointType.STATE_ENTERPRISE, ("国有企业", "国企", "state-owned enterprise")),
        (DirectPointType.TOWNSHIP, ("乡镇街道", "乡镇(街道)", "乡镇", "街道", "township")),
        (
            DirectPointType.VERTICAL_DEPARTMENT,
            ("垂直管理部门", "垂管部门", "垂直管理单位", "vertically managed department"),
        ),
        (DirectPointType.PEOPLES_ORGANISATION, ("人民团体", "群团组织", "people's organisation")),
        (DirectPointType.GRASSROOTS, ("基层组织", "基层单位", "grassroots body", "grassroots")),
    ]
)
POSITION_ALIASES = _aliases(
    [
        (Position.HEAD, ("主要领导", "单位主要领导", "负责人")),
        (Position.DEPUTY_IN_CHARGE, ("分管领导", "分管信息领导", "deputy")),
        (Position.REPORTER, ("信息员",)),
    ]
)


# Reading files ----------------------------------------------------------------------------


@dataclass
class Table:
    """The rows of a file as text, each with the line number the user sees."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel stores a phone number typed as a number as a float.
        return str(int(value))
    return str(value).strip()


def _decode(content: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM, else GB18030 (Excel's CSV in China)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportRefused(
            [
                RowError(
                    None, _("The file is neither UTF-8 nor GB18030 text: save it as CSV or XLSX.")
                )
            ]
        ) from None


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, [c.strip() for c in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused(
            [RowError(start, _("The CSV cannot be read: %(error)s") % {"error": exc})]
        ) from None
    return rows


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefused([RowError(None, _("The XLSX file cannot be read."))]) from None
    try:
        sheet = book.worksheets[0]
        return [
            (line, [_cell_text(v) for v in values])
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()


def read_table(content: bytes, filename: str) -> Table:
    """The header and non-empty rows of a CSV or XLSX file (chosen by content, then name)."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRefused(
            [
                RowError(
                    None,
                    _("The file is larger than %(mb)d MB.")
                    % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
                )
            ]
        )
    lower = filename.lower()
    if lower.endswith(".xls") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            [
                RowError(
                    None, _("Old Excel files (.xls) are not read: save the sheet as .xlsx or CSV.")
                )
            ]
        )
    if content.startswith(b"PK\x03\x04") or lower.endswith(".xlsx"):
        raw = _read_xlsx(content)
    else:
        raw = _read_csv(content)
    raw = [(line, cells) for line, cells in raw if any(cells)]
    if not raw:
        raise ImportRefused([RowError(None, _("The file is empty."))])
    if len(raw) > MAX_ROWS + 1:
        raise ImportRefused(
            [RowError(None, _("The file has more than %(n)d rows.") % {"n": MAX_ROWS})]
        )
    # Blank lines above the header are skipped but still counted, as the user sees them.
    (_header_line, header), *rows = raw
    return Table(header=header, rows=rows)


@dataclass
class Mapped:
    """Rows as ``{column name: text}``, holding only the columns present in the file."""

    present: frozenset[str]
    rows: list[tuple[int, dict[str, str]]]
    ignored: list[str]


def map_columns(table: Table, columns: Sequence[Column]) -> Mapped:
    by_alias = {_norm(h): c.name for c in columns for h in (*c.headers, c.name)}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for index, header in enumerate(table.header):
        name = by_alias.get(_norm(header))
        if name is None:
            if header:
                ignored.append(header)
        elif name in positions:
            errors.append(
                RowError(1, _("The column “%(header)s” appears twice.") % {"header": header})
            )
        else:
            positions[name] = index
    for column in columns:
        if column.required and column.name not in positions:
            errors.append(
                RowError(
                    1, _("The column “%(header)s” is missing.") % {"header": column.headers[0]}
                )
            )
    if errors:
        raise ImportRefused(errors)
    rows = []
    for line, cells in table.rows:
        padded = cells + [""] * (len(table.header) - len(cells))
        rows.append((line, {name: padded[i].strip() for name, i in positions.items()}))
    return Mapped(present=frozenset(positions), rows=rows, ignored=ignored)


def parse_date(text: str) -> dt.date | None:
    """2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105; None when unreadable."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?", text)
    if match is None:
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# Plans ----------------------------------------------------------------------------------


class Action(models.TextChoices):
    CREATE = "create", gettext_lazy("New")
    UPDATE = "update", gettext_lazy("Update")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")


@dataclass
class RowPlan:
    """What one row will do, for the preview."""

    line: int
    label: str
    action: str
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: False for a further row of a person already counted on an earlier row.
    counted: bool = True

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label)


@dataclass
class UnitRow:
    line: int
    values: dict[str, Any]  # final model field values, except the links
    parent_code: str | None
    county_code: str | None
    existing: Unit | None


@dataclass
class PersonRow:
    line: int
    unit: Unit
    key: tuple[int, str, str]
    values: dict[str, str]
    existing: Person | None


@dataclass
class Assignment:
    line: int
    key: tuple[int, str, str]
    position: str
    started_on: dt.date


@dataclass
class ImportPlan:
    kind: str
    rows: list[RowPlan]
    ignored_columns: list[str]
    units: list[UnitRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.counted and r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        result = {a.value: self.count(a.value) for a in Action}
        if self.kind == ImportKind.PEOPLE:
            result["positions"] = len(self.assignments)
        return result


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _label(model: type[models.Model], name: str) -> str:
    return str(_field(model, name).verbose_name)


def _too_long(model: type[models.Model], name: str, value: str) -> str | None:
    limit = _field(model, name).max_length
    if limit is not None and len(value) > limit:
        return _("%(field)s is longer than %(n)d characters.") % {
            "field": _label(model, name),
            "n": limit,
        }
    return None


def plan_units(mapped: Mapped) -> ImportPlan:
    errors: list[RowError] = []
    classes = {_norm(c.name): c for c in UnitClass.objects.all()}
    known = {u.code: u for u in Unit.objects.select_related("parent", "county", "unit_class")}
    names_in_db = {u.name: u.code for u in known.values()}
    first_line_of_code: dict[str, int] = {}
    first_line_of_name: dict[str, int] = {}
    rows: list[UnitRow] = []
    present = mapped.present

    for line, cells in mapped.rows:
        bad: list[str] = []
        code, name = cells["code"], cells["name"]
        existing = known.get(code)
        if not code:
            bad.append(_("the code is empty."))
        elif code in first_line_of_code:
            bad.append(
                _("the code %(code)s is also on line %(other)d.")
                % {"code": code, "other": first_line_of_code[code]}
            )
        else:
            first_line_of_code[code] = line
        if not name:
            bad.append(_("the name is empty."))
        elif name in first_line_of_name:
            bad.append(
                _("the name %(name)s is also on line %(other)d.")
                % {"name": name, "other": first_line_of_name[name]}
            )
        else:
            first_line_of_name[name] = line
            holder = names_in_db.get(name)
            if holder is not None and holder != code:
                bad.append(
                    _("the name %(name)s belongs to unit %(code)s.")
                    % {"name": name, "code": holder}
                )
        kind = KIND_ALIASES.get(_norm(cells["kind"]))
        if kind is None:
            bad.append(_("unknown kind “%(value)s”.") % {"value": cells["kind"]})
        unit_class = classes.get(_norm(cells["unit_class"]))
        if unit_class is None:
            bad.append(_("no unit class is called “%(value)s”.") % {"value": cells["unit_class"]})

        raw_type = cells.get("direct_point_type", "")
        point_type = _kept(cells, present, existing, "direct_point_type")
        if raw_type:
            point_type = POINT_TYPE_ALIASES.get(_norm(raw_type), "")
            if not point_type:
                bad.append(_("unknown direct point type “%(value)s”.") % {"value": raw_type})
        if kind == UnitKind.DIRECT_POINT:
            if not point_type and not raw_type:
                bad.append(_("a direct reporting point needs its type (column 直报点类别)."))
        elif kind is not None:
            if raw_type:
                bad.append(_("only a direct reporting point has a type."))
            point_type = ""
        parent_code = _link(cells, present, existing, "parent")
        county_code = _link(cells, present, existing, "county")
        if kind is not None and kind != UnitKind.DIRECT_POINT and county_code:
            if "county" in present:
                bad.append(_("only a direct reporting point is linked to a county."))
            else:
                county_code = None
        values: dict[str, Any] = {
            "code": code,
            "name": name,
            "kind": kind,
            "unit_class": unit_class,
            "direct_point_type": point_type,
            **{c: _kept(cells, present, existing, c) for c in ("short_name", "address", "fax")},
        }
        for column in ("code", "name", "short_name", "address", "fax"):
            problem = _too_long(Unit, column, values[column])
            if problem:
                bad.append(problem)
        errors += [RowError(line, reason) for reason in bad]
        rows.append(UnitRow(line, values, parent_code, county_code, existing))

    # Links are checked against the units as they will be after the import.
    final_kind = {code: u.kind for code, u in known.items()}
    final_parent = {code: (u.parent.code if u.parent else None) for code, u in known.items()}
    for row in rows:
        final_kind[row.values["code"]] = row.values["kind"]
        final_parent[row.values["code"]] = row.parent_code
    for row in rows:
        code = row.values["code"]
        if row.parent_code is not None:
            if row.parent_code not in final_kind:
                errors.append(
                    RowError(
                        row.line,
                        _("no unit has the parent code %(code)s.") % {"code": row.parent_code},
                    )
                )
            elif _loops(code, final_parent):
                errors.append(
                    RowError(
                        row.line, _("the parent codes make a loop: a unit cannot be under itself.")
                    )
                )
        if row.county_code is not None:
            if row.county_code not in final_kind:
                errors.append(
                    RowError(
                        row.line,
                        _("no unit has the county code %(code)s.") % {"code": row.county_code},
                    )
                )
            elif final_kind[row.county_code] != UnitKind.COUNTY:
                errors.append(
                    RowError(
                        row.line, _("unit %(code)s is not a county.") % {"code": row.county_code}
                    )
                )
    # A county that stops being one must not keep points linked to it from outside the file
    # (points in the file that still name it are reported on their own lines above).
    in_file = {row.values["code"] for row in rows}
    linked_from_outside: dict[str, list[str]] = {}
    for code, u in known.items():
        if u.county is not None and code not in in_file:
            linked_from_outside.setdefault(u.county.code, []).append(code)
    for row in rows:
        outside = linked_from_outside.get(row.values["code"])
        if outside and row.values["kind"] not in (None, UnitKind.COUNTY):
            errors.append(
                RowError(
                    row.line,
                    _("direct points %(codes)s are linked to this county: unlink them first.")
                    % {"codes": ", ".join(sorted(outside))},
                )
            )
    if errors:
        raise ImportRefused(errors)

    plans = []
    for row in rows:
        label = f"{row.values['code']} {row.values['name']}"
        if row.existing is None:
            plans.append(RowPlan(row.line, label, Action.CREATE))
            continue
        changes = [
            name for name, value in row.values.items() if getattr(row.existing, name) != value
        ]
        for name, linked in (("parent", row.parent_code), ("county", row.county_code)):
            target = getattr(row.existing, name)
            if (target.code if target else None) != linked:
                changes.append(name)
        labels = [_label(Unit, c) for c in changes]
        plans.append(
            RowPlan(row.line, label, Action.UPDATE if changes else Action.UNCHANGED, changes=labels)
        )
    return ImportPlan(ImportKind.UNITS, plans, mapped.ignored, units=rows)


def _kept(
    cells: Mapping[str, str], present: frozenset[str], existing: Unit | None, column: str
) -> str:
    """The file's value when the column is there, else the unit's own (or empty)."""
    if column in present:
        return cells[column]
    return str(getattr(existing, column)) if existing is not None else ""


def _link(
    cells: Mapping[str, str], present: frozenset[str], existing: Unit | None, column: str
) -> str | None:
    """The code of the parent or county the unit will have."""
    if column in present:
        return cells[column] or None
    target = getattr(existing, column) if existing is not None else None
    return target.code if target is not None else None


def _loops(code: str, parent_of: Mapping[str, str | None]) -> bool:
    seen = {code}
    walker = parent_of.get(code)
    while walker is not None:
        if walker in seen:
            return True
        seen.add(walker)
        walker = parent_of.get(walker)
    return False


PERSON_TEXT_FIELDS = ("title", "phone", "office_phone", "email", "wecom_userid", "dingtalk_userid")


def plan_people(mapped: Mapped) -> ImportPlan:
    errors: list[RowError] = []
    present = mapped.present
    units = {u.code: u for u in Unit.objects.all()}
    today = timezone.localdate()
    people: dict[tuple[int, str, str], PersonRow] = {}
    assignments: list[Assignment] = []
    seen_position: dict[tuple[tuple[int, str, str], str], int] = {}
    single_holder: dict[tuple[int, str], tuple[int, tuple[int, str, str]]] = {}
    row_plans: dict[tuple[int, str, str], RowPlan] = {}
    plans: list[RowPlan] = []

    for line, cells in mapped.rows:
        bad: list[str] = []
        unit = units.get(cells["unit"])
        if not cells["unit"]:
            bad.append(_("the unit code is empty."))
        elif unit is None:
            bad.append(_("no unit has the code %(code)s.") % {"code": cells["unit"]})
        name = cells["name"]
        if not name:
            bad.append(_("the name is empty."))
        phone = normalize_phone(cells.get("phone", ""))
        for value in (phone, cells.get("office_phone", "")):
            if value and not PHONE_RE.match(value):
                bad.append(_("“%(value)s” is not a phone number.") % {"value": value})
        if cells.get("email"):
            try:
                validate_email(cells["email"])
            except ValidationError:
                bad.append(_("“%(value)s” is not an email address.") % {"value": cells["email"]})
        for column in ("name", *PERSON_TEXT_FIELDS):
            if column in cells:
                problem = _too_long(Person, column, cells[column])
                if problem:
                    bad.append(problem)
        position = None
        if cells.get("position"):
            position = POSITION_ALIASES.get(_norm(cells["position"]))
            if position is None:
                bad.append(_("unknown position “%(value)s”.") % {"value": cells["position"]})
        started_on = today
        if cells.get("started_on"):
            parsed = parse_date(cells["started_on"])
            if parsed is None:
                bad.append(
                    _("“%(value)s” is not a date (write 2026-01-31).")
                    % {"value": cells["started_on"]}
                )
            else:
                started_on = parsed
            if not cells.get("position"):
                bad.append(_("a start date needs a position."))
        if bad or unit is None:
            errors += [RowError(line, reason) for reason in bad]
            continue

        key = (unit.pk, name, phone)
        values = {
            c: (phone if c == "phone" else cells[c]) for c in PERSON_TEXT_FIELDS if c in present
        }
        earlier = people.get(key)
        if earlier is not None and earlier.values != values:
            errors.append(
                RowError(
                    line,
                    _("%(name)s is also on line %(other)d with other details.")
                    % {"name": name, "other": earlier.line},
                )
            )
            continue
        if earlier is None:
            existing = Person.objects.filter(unit=unit, name=name, phone=phone).first()
            people[key] = PersonRow(line, unit, key, values, existing)
            if existing is None:
                plan = RowPlan(line, f"{unit.code} {name}", Action.CREATE)
            else:
                changes = [
                    _label(Person, c) for c, v in values.items() if getattr(existing, c) != v
                ]
                plan = RowPlan(
                    line,
                    f"{unit.code} {name}",
                    Action.UPDATE if changes else Action.UNCHANGED,
                    changes,
                )
            row_plans[key] = plan
        else:
            plan = RowPlan(
                line,
                f"{unit.code} {name}",
                row_plans[key].action,
                counted=False,
                notes=[_("same person as line %(other)d") % {"other": earlier.line}],
            )
        plans.append(plan)
        if position is None:
            continue
        if (key, position) in seen_position:
            errors.append(
                RowError(
                    line,
                    _("the same person and position are on line %(other)d.")
                    % {"other": seen_position[key, position]},
                )
            )
            continue
        seen_position[key, position] = line
        if position in SINGLE_HOLDER_POSITIONS:
            other = single_holder.get((unit.pk, position))
            if other is not None and other[1] != key:
                errors.append(
                    RowError(
                        line,
                        _("line %(other)d already names the %(position)s of this unit.")
                        % {"other": other[0], "position": Position(position).label},
                    )
                )
                continue
            single_holder[unit.pk, position] = (line, key)
        person = people[key].existing
        if (
            person is not None
            and person.roster.filter(position=position, unit=unit)
            .filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=today))
            .exists()
        ):
            plan.notes.append(_("already %(position)s") % {"position": Position(position).label})
            continue
        problem = assignment_problem(
            unit=unit, person=person, position=position, started_on=started_on
        )
        if problem:
            errors.append(RowError(line, problem))
            continue
        assignments.append(Assignment(line, key, position, started_on))
        note = _("%(position)s from %(day)s") % {
            "position": Position(position).label,
            "day": started_on.isoformat(),
        }
        replaced = _replaced_names(unit, position, started_on)
        if replaced:
            note += _(", replacing %(names)s") % {"names": "、".join(replaced)}
        plan.notes.append(note)
        if plan.action == Action.UNCHANGED:
            plan.action = Action.UPDATE
            row_plans[key].action = Action.UPDATE
    if errors:
        raise ImportRefused(errors)
    return ImportPlan(
        ImportKind.PEOPLE,
        plans,
        mapped.ignored,
        people=list(people.values()),
        assignments=assignments,
    )


def _replaced_names(unit: Unit, position: str, started_on: dt.date) -> list[str]:
    if position not in SINGLE_HOLDER_POSITIONS:
        return []
    return list(
        RosterEntry.objects.filter(unit=unit, position=position)
        .filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=started_on))
        .values_list("person__name", flat=True)
    )


def plan_file(kind: str, content: bytes, filename: str) -> ImportPlan:
    """Read and check every row; raise ``ImportRefused`` listing every bad one."""
    table = read_table(content, filename)
    try:
        mapped = map_columns(table, COLUMNS[ImportKind(kind)])
    except ImportRefused as refused:
        other = ImportKind.PEOPLE if kind == ImportKind.UNITS else ImportKind.UNITS
        try:
            map_columns(table, COLUMNS[other])
        except ImportRefused:
            raise refused from None
        hint = _("The columns are those of a file of %(kind)s: choose “%(kind)s” above.") % {
            "kind": other.label
        }
        raise ImportRefused([RowError(None, hint), *refused.errors]) from None
    if not mapped.rows:
        raise ImportRefused([RowError(None, _("The file has a header but no rows."))])
    if kind == ImportKind.UNITS:
        return plan_units(mapped)
    return plan_people(mapped)


# Writing --------------------------------------------------------------------------------


def _apply_units(plan: ImportPlan) -> None:
    by_code: dict[str, Unit] = {}
    # First the units themselves, then the links, so that a row may name a parent or a
    # county defined further down the file.
    for row in plan.units:
        unit = row.existing or Unit()
        for name, value in row.values.items():
            setattr(unit, name, value)
        if row.existing is None:
            unit.parent = None
            unit.county = None
        elif unit.kind != UnitKind.DIRECT_POINT:
            unit.county = None
        unit.save()
        by_code[unit.code] = unit
    missing = {
        c
        for row in plan.units
        for c in (row.parent_code, row.county_code)
        if c and c not in by_code
    }
    by_code.update({u.code: u for u in Unit.objects.filter(code__in=missing)})
    for row in plan.units:
        unit = by_code[row.values["code"]]
        parent = by_code[row.parent_code] if row.parent_code else None
        county = by_code[row.county_code] if row.county_code else None
        if unit.parent_id != (parent.pk if parent else None) or unit.county_id != (
            county.pk if county else None
        ):
            unit.parent, unit.county = parent, county
            unit.save(update_fields=["parent", "county"])


def _apply_people(plan: ImportPlan) -> None:
    saved: dict[tuple[int, str, str], Person] = {}
    for row in plan.people:
        person = row.existing or Person(unit=row.unit, name=row.key[1], phone=row.key[2])
        changed = row.existing is None
        for name, value in row.values.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        if changed:
            person.save()
        saved[row.key] = person
    for assignment in plan.assignments:
        person = saved[assignment.key]
        put_in_position(
            unit=person.unit,
            person=person,
            position=assignment.position,
            started_on=assignment.started_on,
        )


def import_file(
    *,
    user: User | None,
    kind: str,
    content: bytes,
    filename: str,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> ImportPlan:
    """Import every row of the file or none; one audit event with the counts.

    Raises ``ImportRefused`` with every bad row when any row is bad.
    """
    try:
        with transaction.atomic():
            plan = plan_file(kind, content, filename)
            if kind == ImportKind.UNITS:
                _apply_units(plan)
            else:
                _apply_people(plan)
            record(
                actor=user,
                action=f"org.import_{kind}",
                request=request,
                actor_name=actor_name,
                summary={"file": filename, "rows": len(plan.rows), **plan.counts},
            )
    except IntegrityError as exc:
        # Another user changed the same units between the check and the write.
        raise ImportRefused(
            [
                RowError(
                    None,
                    _(
                        "The database refused the import (%(error)s); nothing was imported. "
                        "Try again."
                    )
                    % {"error": exc},
                )
            ]
        ) from None
    return plan
