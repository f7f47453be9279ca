"""The commission pages cost a frozen number of queries, however many commissions, units and
answers they list."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinbao.org.models import Unit, UnitKind
from xinbao.research.models import Commission, CommissionForm, CommissionSource
from xinbao.research.services import create_commission, link_answer
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3), the
#: menu's reading-room check (1); then what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen("research:plan", "chief", 7, "the commissions with their counts per state"),
    Frozen("research:mine", "alice", 8, "the menu's unit, the unit's assignments"),
    Frozen(
        "research:detail",
        "chief",
        9,
        "the commission, its assignments with units, their answers with items",
        args=("commission",),
    ),
)


class ResearchQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN
    commission: Commission

    def add_rows(self, n: int) -> None:
        """Per row: a commission to county A and a new unit, answered by county A; the first
        commission also gets the new unit and an answer of A per row."""
        due = timezone.localdate() + dt.timedelta(days=10)
        start = Unit.objects.count()
        for i in range(n):
            unit = Unit.objects.create(
                code=f"Q{start + i:03d}",
                name=f"测试县{start + i}委办公室",
                kind=UnitKind.COUNTY,
                unit_class=self.class_one,
            )
            made = create_commission(
                subject=f"调研题目{start + i}",
                requirements="情况、分析、对策",
                source=CommissionSource.CENTRAL_WORK,
                form=CommissionForm.COMMISSIONED,
                units=[self.county_a, unit],
                due_on=due,
                user=self.chief,
            )
            if not hasattr(self, "commission"):
                self.commission = made
            item = self.make_item(self.alice, title=f"东城县调研报告{start + i}")
            link_answer(
                assignment=self.commission.assignments.get(unit=self.county_a),
                item=item,
                user=self.alice,
            )
            if made != self.commission:
                self.commission.assignments.create(unit=unit)
