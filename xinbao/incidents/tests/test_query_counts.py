"""The incident pages' lists cost a frozen number of queries, however many rows they list."""

from __future__ import annotations

from django.utils import timezone

from xinbao.incidents.chase import issue_notice
from xinbao.incidents.models import AccountabilityRecord, NoticeKind, RecordKind
from xinbao.incidents.notices import make_notice
from xinbao.incidents.tests.cases import IncidentCase
from xinbao.test import Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); for
#: roles that may read a periodical, the menu's reading-room check (1); then what the table says.
#: Raise a number only with a reason.
FROZEN = (
    Frozen(
        "incidents:list",
        "duty",
        8,
        "the paginator's count, the page's incidents with their demands and reports counted",
    ),
    Frozen("incidents:list", "ed", 8, "as for the duty officer"),
    Frozen("incidents:list", "leader", 8, "as for the duty officer"),
    Frozen(
        "incidents:request_list",
        "alice",
        10,
        "the paginator's count, the page's demands, their chase notices (prefetched), the "
        "reporter's unit",
    ),
    Frozen("incidents:request_list", "ed", 9, "as for a reporter, without a unit"),
    Frozen(
        "incidents:record_list",
        "ed",
        9,
        "the paginator's count, the unit filter's units, the page's records",
    ),
    Frozen(
        "incidents:notice_list",
        "ed",
        8,
        "the paginator's count, the page's notices with their records counted",
    ),
)


class IncidentsQueryCountTest(FrozenQueryCounts, IncidentCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: an incident with reports demanded of both counties, a chase notice for
        county A, a late record for county A and a commendation for county B, and a notice."""
        start = AccountabilityRecord.objects.count()
        for i in range(start, start + n):
            incident = self.open_incident(title=f"事故{i}")
            first, _ = self.demand(incident, self.county_a, self.county_b)
            issue_notice(first, timezone.now())
            late = AccountabilityRecord.objects.create(
                unit=self.county_a, incident=incident, kind=RecordKind.LATE, reason="迟报",
                at=timezone.now(),
            )  # fmt: skip
            AccountabilityRecord.objects.create(
                unit=self.county_b, incident=incident, kind=RecordKind.COMMENDED, reason="及时",
                at=timezone.now(),
            )  # fmt: skip
            make_notice(user=self.ed, kind=NoticeKind.CRITICISE, records=[late])
