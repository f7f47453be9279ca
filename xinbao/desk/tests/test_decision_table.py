"""The desk's decisions go through the item's state table and share one skeleton."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from xinbao.audit.models import AuditEvent
from xinbao.desk import services
from xinbao.desk.models import Decision, DecisionKind
from xinbao.items.models import Item, ItemStatus
from xinbao.items.workflow import TABLE, Move, Who
from xinbao.notify.models import Message
from xinbao.periodicals.models import Frequency, Periodical
from xinbao.test import BaseTestCase


class DecisionTableTest(BaseTestCase):
    def test_it_names_a_real_service_for_every_move_in_the_table(self) -> None:
        for step in TABLE:
            with self.subTest(step=step):
                assert callable(import_string(step.service))
        desk_moves = {s.move for s in TABLE if s.who is Who.DESK}
        assert {Move(kind) for kind in DecisionKind} <= desk_moves
        assert {s.service.rsplit(".", 1)[0] for s in TABLE if s.who is Who.DESK} == {
            "xinbao.desk.services"
        }

    def _trail(self, pk: int) -> list[str]:
        return list(
            AuditEvent.objects.filter(object_id=str(pk))
            .order_by("id")
            .values_list("action", flat=True)
        )

    def test_it_moves_each_decision_through_the_table_and_records_it_once(self) -> None:
        daily = Periodical.objects.create(
            name="每日要情", frequency=Frequency.DAILY, issuing_office="中共某市委办公室"
        )
        decisions: dict[str, Callable[[Item], object]] = {
            "adopt": lambda i: services.adopt(user=self.ed, item=i, periodicals=[daily]),
            "return": lambda i: services.return_for_revision(user=self.ed, item=i, comment="补充"),
            "reject": lambda i: services.reject(user=self.ed, item=i, reason="重复"),
            "forward": lambda i: services.forward(user=self.ed, item=i, to_office="省委办公厅"),
            "archive": lambda i: services.archive(user=self.ed, item=i),
        }
        # What each decision leaves: the status, the audit trail, the unit's message.
        expected = {
            "adopt": (ItemStatus.ADOPTED, ["item.received", "item.adopted"], "desk_adopted"),
            "return": (ItemStatus.RETURNED, ["item.returned"], "desk_returned"),
            "reject": (
                ItemStatus.NOT_ADOPTED,
                ["item.received", "item.not_adopted"],
                "desk_rejected",
            ),
            "forward": (ItemStatus.RECEIVED, ["item.received"], "desk_forwarded"),
            "archive": (ItemStatus.ARCHIVED, ["item.received", "item.archived"], "desk_archived"),
        }
        for kind, decide in decisions.items():
            with self.subTest(kind=kind):
                item = self.make_item(self.alice, title=kind, submitted_at=timezone.now())
                decide(item)
                item.refresh_from_db()
                status, trail, event = expected[kind]
                assert item.status == status
                assert self._trail(item.pk) == [*trail, f"desk.{kind}"]
                decision = Decision.objects.get(item=item)
                assert decision.kind == kind and decision.by == self.ed
                [message] = Message.objects.filter(event=event, user=self.alice)
                assert kind in message.body  # the item's title, here its kind

    def test_it_ends_the_editing_when_the_table_takes_the_item_off_the_desk(self) -> None:
        kept = self.make_item(self.alice, title="留在编辑台")
        services.acquire_lock(user=self.ed, item=kept)
        services.forward(user=self.ed, item=kept, to_office="省委办公厅")
        assert services.live_lock(kept) is not None  # still received: still on the desk
        gone = self.make_item(self.alice, title="归档")
        services.acquire_lock(user=self.ed, item=gone)
        services.archive(user=self.ed, item=gone)
        assert services.live_lock(gone) is None

    def test_it_offers_for_merging_only_what_the_table_lets_be_merged(self) -> None:
        open_item = self.make_item(self.alice, title="可合并", submitted_at=timezone.now())
        adopted = self.make_item(
            self.bob, title="已采用", status=ItemStatus.ADOPTED, submitted_at=timezone.now()
        )
        self.client.force_login(self.ed)
        page = self.client.get(reverse("desk:inbox")).content.decode()
        boxes = dict(re.findall(r'name="items" value="(\d+)"[^>]*?( disabled)?>', page))
        assert boxes == {str(open_item.pk): "", str(adopted.pk): " disabled"}
