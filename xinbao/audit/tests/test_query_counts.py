"""The audit log costs a frozen number of queries, however many events it lists."""

from __future__ import annotations

from xinbao.audit.services import record
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); then
#: what the table says. Raise a number only with a reason.
FROZEN = (Frozen("audit:list", "auditor", 6, "the page's events (a keyset page, no count)"),)


class AuditQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: an event by a different actor on a different unit."""
        for i in range(n):
            actor = (self.alice, self.ed, self.chief)[i % 3]
            record(actor=actor, action="unit.update", obj=self.county_a, summary={"n": i})
