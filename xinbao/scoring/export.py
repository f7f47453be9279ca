"""The period's statistics as an XLSX workbook.

The workbook is an office document handed on as it is (like the notices), so its headers
are the Chinese terms of the rules rather than interface strings.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xinbao.scoring.statistics import UnitStats, totals

HEADERS = [
    "名次",
    "单位",
    "类别",
    "报送条数",
    "采用条数",
    "采用率",
    "积分",
    "领导批示",
    "紧急信息应报",
    "按时报送",
    "紧急信息及时率",
    "分析研判建议类",
    "质量占比",
]
WIDTHS = [6, 28, 8, 10, 10, 10, 10, 10, 12, 10, 14, 14, 10]
PERCENT = "0.0%"


def workbook_bytes(rows: list[UnitStats], start: dt.date, end: dt.date, title: str) -> bytes:
    """One sheet: a title line, the headers, one line per unit, then the totals."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "统计"
    last = end - dt.timedelta(days=1)
    sheet.append([f"{title}（{start:%Y年%m月%d日}至{last:%Y年%m月%d日}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append(
            [
                r.rank or None,
                r.unit.name,
                r.unit.unit_class.name,
                r.submitted,
                r.adopted,
                r.adoption_rate,
                float(r.points),
                r.instructions,
                r.urgent_due,
                r.urgent_on_time,
                r.timeliness,
                r.quality,
                r.quality_share,
            ]
        )
    t = totals(rows)
    sheet.append(
        [
            None,
            "合计",
            None,
            t.submitted,
            t.adopted,
            t.adoption_rate,
            float(t.points),
            t.instructions,
            t.urgent_due,
            t.urgent_on_time,
            t.timeliness,
            t.quality,
            t.quality_share,
        ]
    )
    for column in (6, 11, 13):
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = PERCENT
    for i, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "C3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
