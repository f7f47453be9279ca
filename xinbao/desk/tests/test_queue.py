"""The needs-my-action queue: undecided items, most urgent first."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from xinbao.desk import services
from xinbao.desk.tests.cases import T0, DeskPageCase
from xinbao.items.models import Item, ItemStatus, Urgency


class QueueTest(DeskPageCase):
    def test_it_queues_undecided_items_most_urgent_first(self) -> None:
        routine_old = self.item
        major = self.make_item(
            self.bob,
            title="西山县重大险情",
            urgency=Urgency.MAJOR_EMERGENCY,
            submitted_at=T0 + dt.timedelta(hours=2),
        )
        important = self.make_item(
            self.bob,
            title="西山县重要情况",
            urgency=Urgency.IMPORTANT,
            status=ItemStatus.RECEIVED,
            submitted_at=T0 + dt.timedelta(hours=1),
        )
        decided = self.make_item(self.bob, title="西山县已转报", submitted_at=T0)
        services.forward(user=self.ed, item=decided, to_office="省委办公厅")
        returned = self.make_item(self.bob, title="西山县退回", submitted_at=T0)
        services.return_for_revision(user=self.ed, item=returned, comment="补充")
        self.client.force_login(self.ed)
        response = self.client.get(reverse("desk:queue"))
        assert [i.pk for i in response.context["page"]] == [
            major.pk,
            important.pk,
            routine_old.pk,
        ]
        # Resubmitted, it needs action again: its earlier decision predates the resubmission.
        Item.objects.filter(pk=returned.pk).update(
            status=ItemStatus.SUBMITTED, submitted_at=timezone.now() + dt.timedelta(seconds=1)
        )
        response = self.client.get(reverse("desk:queue"))
        assert returned.pk in [i.pk for i in response.context["page"]]
        assert 'id="queue-count">4<' in response.content.decode()
