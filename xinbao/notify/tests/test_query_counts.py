"""Notify's list pages cost a frozen number of queries, however many messages they list."""

from __future__ import annotations

from xinbao.notify.models import Channel, Message, MessageState
from xinbao.notify.services import Recipient, deliver_due, queue
from xinbao.notify.tests.cases import PagesCase
from xinbao.test import Frozen, FrozenQueryCounts

#: Every page: session and user (2), the session's save (savepoint, update, release: 3); for
#: roles that may read a periodical, the menu's reading-room check (1); then what the table says.
#: Raise a number only with a reason.
FROZEN = (
    Frozen("notify:deliveries", "sysadmin", 8, "the paginator's count, the failed count, the rows"),
    Frozen("notify:deliveries", "secadmin", 8, "as for the system administrator"),
    Frozen(
        "notify:deliveries",
        "sysadmin",
        8,
        "the htmx partial, filtered: the same three",
        query="state=failed",
        htmx=True,
    ),
    Frozen("notify:calls", "duty", 8, "the open calls with their messages, the recently recorded"),
    Frozen(
        "notify:centre",
        "alice",
        9,
        "the unread count, the reporter's unit, the page's rows (a keyset page)",
    ),
)


class NotifyQueryCountTest(FrozenQueryCounts, PagesCase):
    frozen = FROZEN

    def add_rows(self, n: int) -> None:
        """Phone calls to make and in-app notifications for Alice, delivered; then failed and
        sent messages on the deliveries list."""
        for i in range(n):
            self.message(channel=Channel.PHONE_CALL, event="urgent_demand", title=f"约稿{i}")
            queue(
                channel=Channel.IN_APP,
                to=Recipient.of_user(self.alice),
                event="item_received",
                context={"title": f"信息{i}", "unit": "东城县委办公室"},
            )
        deliver_due()
        for i in range(n):
            failed = self.message(title=f"消息{i}", state=MessageState.FAILED, error="号码无效")
            self.message(title=f"更多{i}", state=MessageState.SENT)
            assert Message.objects.filter(pk=failed.pk, state=MessageState.FAILED).exists()
