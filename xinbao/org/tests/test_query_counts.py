"""The organisation's list pages cost a frozen number of queries, however many units and people."""

from __future__ import annotations

import datetime as dt

from xinbao.org.models import Person, Position, RosterEntry, Unit, UnitClass, UnitKind
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); for
#: roles that may read a periodical, the menu's reading-room check (1); then what the table says.
#: Raise a number only with a reason.
FROZEN = (
    Frozen(
        "org:unit_list",
        "ed",
        10,
        "the units with class and county, their roster with people, their direct points, "
        "the class filter",
    ),
    Frozen(
        "org:unit_list",
        "ed",
        9,
        "the htmx partial, searched: the same without the class filter",
        query="q=新增",
        htmx=True,
    ),
    Frozen(
        "org:person_list",
        "ed",
        10,
        "the paginator's count, the unit filter's units, the page's people, their roster",
    ),
    Frozen(
        "org:person_list",
        "ed",
        9,
        "the htmx partial, searched: the same without the unit filter",
        query="q=新",
        htmx=True,
    ),
    Frozen("org:class_list", "ed", 7, "the classes"),
)


class OrgQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: a unit class, a municipal department of it with its head on the roster."""
        start = Unit.objects.count()
        for i in range(start, start + n):
            unit_class = UnitClass.objects.create(name=f"{i}类", rank=10 + i, quota_per_month=3)
            unit = Unit.objects.create(
                code=f"D9{i:02d}", name=f"新增单位{i}", kind=UnitKind.MUNICIPAL_DEPARTMENT,
                unit_class=unit_class,
            )  # fmt: skip
            person = Person.objects.create(name=f"新人{i}", unit=unit, phone=f"1390000{i:04d}")
            RosterEntry.objects.create(
                unit=unit, person=person, position=Position.HEAD, started_on=dt.date(2026, 1, 1)
            )
