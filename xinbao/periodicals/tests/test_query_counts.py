"""The periodicals' list pages cost a frozen number of queries, however many rows they list."""

from __future__ import annotations

from xinbao.periodicals import services
from xinbao.periodicals.tests.factories import PeriodicalCase
from xinbao.test import Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); for
#: roles that may read a periodical, the menu's reading-room check (1); then what the table says.
#: Raise a number only with a reason.
FROZEN = (
    Frozen(
        "periodicals:list",
        "ed",
        11,
        "the periodicals, each one's five latest issues (one query per periodical: it grows with "
        "periodicals, not issues), the issues sent overnight, the section's check queue, the "
        "countersign queue",
    ),
    Frozen(
        "periodicals:periodical",
        "ed",
        9,
        "the periodical, its items waiting to be compiled (a count), its latest 50 issues",
        args=("periodical",),
    ),
    Frozen(
        "periodicals:sign_queue",
        "leader",
        8,
        "the issues waiting for this leader, their open instructions",
    ),
    Frozen("periodicals:instructions", "ed", 7, "the ledger's rows"),
    Frozen("periodicals:instructions", "leader", 7, "as for the editor"),
    Frozen(
        "periodicals:instructions_to_answer",
        "alice",
        8,
        "the reporter's unit, the instructions it is to answer",
    ),
    Frozen(
        "periodicals:reading",
        "principal",
        8,
        "the issues this reader has opened, the distributed issues with their periodicals",
    ),
)


class PeriodicalsQueryCountTest(FrozenQueryCounts, PeriodicalCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Per row: an issue waiting for its signer, a distributed issue, and an instruction
        to county A on an adopted item."""
        for i in range(n):
            self.awaiting(self.adopted(f"待签{i}"))
            signed = services.sign(user=self.leader, issue=self.awaiting(self.adopted(f"已签{i}")))
            services.distribute(user=self.ed, issue=signed)
            services.give_instruction(
                user=self.leader,
                text="请抓紧做好转移安置工作，及时报告进展。",
                item=self.adopted(f"批示{i}"),
                units=[self.county_a],
                feedback_due=None,
            )
