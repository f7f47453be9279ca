"""Import holidays and make-up workdays from a CSV file: ``xinbao calendar_import FILE.csv``.

Columns ``date,is_workday,name`` and an optional ``note``; a header row is optional. Dates as
``2027-02-06``; ``is_workday`` as 1/0, true/false, yes/no, 是/否, 班/休. UTF-8, with or without
the byte-order mark Excel writes. All rows or none: one bad line refuses the whole file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xinbao.calendar.services import CalendarDayData, import_calendar_days

TRUE = {"1", "true", "yes", "y", "是", "班", "上班", "workday"}
FALSE = {"0", "false", "no", "n", "否", "休", "休息", "holiday"}


def parse_calendar_csv(text: str) -> list[CalendarDayData]:
    """The rows of the file, or ``ValueError`` naming every bad line."""
    days: list[CalendarDayData] = []
    problems: list[str] = []
    seen: set[dt.date] = set()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == "date":
            continue
        if len(cells) < 3:
            problems.append(f"line {number}: expected date,is_workday,name")
            continue
        try:
            date = dt.date.fromisoformat(cells[0])
        except ValueError:
            problems.append(f"line {number}: {cells[0]!r} is not a date like 2027-02-06")
            continue
        flag = cells[1].lower()
        if flag not in TRUE | FALSE:
            problems.append(f"line {number}: is_workday {cells[1]!r} is neither 1 nor 0")
            continue
        if date in seen:
            problems.append(f"line {number}: {date} appears twice")
            continue
        seen.add(date)
        note = cells[3] if len(cells) > 3 else ""
        days.append(CalendarDayData(date=date, is_workday=flag in TRUE, name=cells[2], note=note))
    if problems:
        raise ValueError("\n".join(problems))
    return days


class Command(BaseCommand):
    help = "Import holidays and make-up workdays (CSV: date,is_workday,name[,note])."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--complete",
            action="store_true",
            help="Then mark every year in the file complete.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            days = parse_calendar_csv(text)
            saved = import_calendar_days(
                actor=None,
                days=days,
                complete_years=options["complete"],
                actor_name="calendar_import",
            )
        except ValueError as exc:
            raise CommandError(f"{path}: nothing imported:\n{exc}") from exc
        except ValidationError as exc:
            raise CommandError(f"{path}: nothing imported: {'; '.join(exc.messages)}") from exc
        years = sorted({d.date.year for d in saved})
        done = " and marked complete" if options["complete"] else ""
        self.stdout.write(f"{len(saved)} days imported for {years}{done}.")
