"""The inbound pages' lists cost a frozen number of queries, however many rows they list."""

from __future__ import annotations

from xinbao.inbound import services
from xinbao.items.models import Channel
from xinbao.test import BaseTestCase, Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3), the
#: menu's reading-room check (1); then what the table says. Raise a number only with a reason.
FROZEN = (
    Frozen(
        "inbound:list",
        "ed",
        10,
        "the paginator's count, the page's messages with their items, people and threads, the "
        "quarantine's count, the policies",
    ),
    Frozen("inbound:list", "duty", 9, "as for the editor, without the policies"),
    Frozen(
        "inbound:quarantine",
        "chief",
        11,
        "the units and reporters the release forms offer (once for all forms), the policies, "
        "the paginator's count, the page's messages",
    ),
)


class InboundQueryCountTest(FrozenQueryCounts, BaseTestCase):
    frozen = FROZEN

    def setUp(self) -> None:
        super().setUp()
        self.alice.email = "alice@dongcheng.gov.cn"
        self.alice.save()
        self.made = 0

    def add_rows(self, n: int) -> None:
        """Per row: an SMS from a stranger (quarantined), and an email from a known reporter
        with a reply threaded to it."""
        for i in range(self.made, self.made + n):
            services.receive(
                channel=Channel.SMS, source_id=f"gw-{i}", sender="13999999999", text=f"来信{i}"
            )
            first = f"<m{i}@dongcheng.gov.cn>"
            for source_id, refs in ((first, []), (f"<r{i}@dongcheng.gov.cn>", [first])):
                services.receive(
                    channel=Channel.EMAIL,
                    source_id=source_id,
                    message_id=source_id,
                    sender="alice@dongcheng.gov.cn",
                    subject=f"来函{i}",
                    text="情况",
                    references=refs,
                )
        self.made += n
