"""Sensitivity labels in packs: nothing goes to a leader above their clearance. An item labelled
above a recipient's clearance is refused when added, a leader cleared below an entry is refused
when chosen, delivery checks the items' labels as they are then, and a builder never finds an
item, nor opens a pack, above their own clearance."""

from __future__ import annotations

from django.urls import reverse

from xinbao.items.models import Item
from xinbao.items.services import change_label
from xinbao.lib.labels import Sensitivity
from xinbao.notify.models import Notification
from xinbao.packs import services
from xinbao.packs.models import Pack, PackState
from xinbao.test import BaseTestCase


class ClearanceTest(BaseTestCase):
    sensitive: Item
    ordinary: Item
    pack: Pack

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # The security administrator cleared the leader in charge for internal material only.
        cls.leader.clearance = Sensitivity.INTERNAL
        cls.leader.save(update_fields=["clearance"])
        cls.sensitive = cls.make_item(
            cls.alice, title="东城县水库险情内部通报", sensitivity=Sensitivity.SENSITIVE
        )
        cls.ordinary = cls.make_item(cls.bob, title="西山县水库除险加固进展")
        cls.pack = services.create_pack(
            user=cls.ed,
            title="水库安全参阅",
            occasion="decision",
            occasion_at=cls.ordinary.created_at,
            subject="水库",
            recipients=[cls.leader],
        )

    def test_it_refuses_adding_an_item_above_a_recipients_clearance(self) -> None:
        self.client.force_login(self.ed)
        # Found, but not offered.
        page = self.client.get(reverse("packs:build", args=[self.pack.pk]), {"q": "水库"})
        hits = page.content.decode().split('id="hits"')[1].split("</ul>")[0]
        assert hits.count("Above a leader’s clearance") == 1
        assert hits.count('name="item"') == 1
        response = self.client.post(
            reverse("packs:add_item", args=[self.pack.pk]),
            {"item": self.sensitive.pk},
            follow=True,
        )
        self.assertContains(
            response,
            "“东城县水库险情内部通报” is labelled Sensitive, above the clearance of Leader: "
            "it cannot go to them in this pack.",
        )
        assert not self.pack.entries.exists()
        # The same through htmx: the refusal is said on the builder swapped in.
        response = self.client.post(
            reverse("packs:add_item", args=[self.pack.pk]),
            {"item": self.sensitive.pk},
            headers={"HX-Request": "true"},
        )
        self.assertContains(response, "is labelled Sensitive, above the clearance of Leader")
        assert not self.pack.entries.exists()

    def test_it_refuses_delivering_an_item_whose_label_was_raised_since(self) -> None:
        services.add_item(user=self.ed, pack=self.pack, item=self.ordinary)
        change_label(user=self.chief, item=self.ordinary, sensitivity=Sensitivity.SENSITIVE)
        self.client.force_login(self.ed)
        response = self.client.post(reverse("packs:deliver", args=[self.pack.pk]), follow=True)
        self.assertContains(
            response,
            "“西山县水库除险加固进展” is labelled Sensitive, above the clearance of Leader",
        )
        self.pack.refresh_from_db()
        assert self.pack.state == PackState.DRAFT
        assert not Notification.objects.filter(user=self.leader).exists()

    def test_it_refuses_a_leader_cleared_below_an_entry(self) -> None:
        # For the principal leader (cleared for everything) the sensitive item may go in.
        self.pack.recipients.set([self.principal])
        services.add_item(user=self.ed, pack=self.pack, item=self.sensitive)
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("packs:edit", args=[self.pack.pk]),
            {
                "title": "水库安全参阅",
                "occasion": "decision",
                "occasion_at": "2026-07-04T09:00",
                "subject": "水库",
                "recipients": [self.principal.pk, self.leader.pk],
            },
        )
        self.assertContains(
            response, "above the clearance of Leader: it cannot go to them", status_code=400
        )
        assert list(self.pack.recipients.all()) == [self.principal]

    def test_it_keeps_a_builder_within_their_own_clearance(self) -> None:
        self.pack.recipients.set([self.principal])
        services.add_item(user=self.ed, pack=self.pack, item=self.sensitive)
        self.chief.clearance = Sensitivity.INTERNAL
        self.chief.save(update_fields=["clearance"])
        self.client.force_login(self.chief)
        assert self.client.get(reverse("packs:build", args=[self.pack.pk])).status_code == 404
        self.assertNotContains(self.client.get(reverse("packs:list")), "水库安全参阅")
        other = services.create_pack(
            user=self.chief,
            title="水库参阅",
            occasion="other",
            occasion_at=self.ordinary.created_at,
            subject="水库",
            recipients=[self.principal],
        )
        page = self.client.get(reverse("packs:build", args=[other.pk]), {"q": "水库"})
        self.assertContains(page, "西山县<mark>水库</mark>除险加固进展")
        self.assertNotContains(page, "险情内部通报")
