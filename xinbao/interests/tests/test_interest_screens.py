"""A leader keeps their interests on a screen reached from the menu, from an empty office."""

from __future__ import annotations

from xinbao.audit.models import AuditEvent
from xinbao.interests.models import Interest
from xinbao.test import BaseTestCase


class InterestScreenTest(BaseTestCase):
    def test_it_lets_a_leader_add_change_and_remove_an_interest_from_the_menu(self) -> None:
        self.client.force_login(self.principal)
        menu = dict(self.client.get("/").context["nav_all"])
        assert menu["My interests"] == "/interests/"
        page = self.client.get(menu["My interests"])
        self.assertContains(page, "You have no interests yet")
        self.assertContains(page, 'href="/interests/new/"')

        # A form without keywords keeps what was typed and says what is missing.
        response = self.client.post("/interests/new/", {"name": "河长制", "keywords": " 、 ,"})
        self.assertContains(response, "Give at least one keyword.", status_code=400)
        self.assertContains(response, 'value="河长制"', status_code=400)
        assert not Interest.objects.exists()

        response = self.client.post(
            "/interests/new/",
            {
                "name": "河长制",
                "keywords": "河长制、水污染\n河湖 治理",
                "exclude": "招聘",
                "active": "on",
                "digest": "on",
            },
            follow=True,
        )
        self.assertContains(response, "Interest saved.")
        interest = Interest.objects.get()
        assert interest.leader == self.principal
        assert interest.keywords == ["河长制", "水污染", "河湖 治理"]
        assert interest.exclude == ["招聘"]
        assert (interest.active, interest.urgent_channel, interest.digest) == (True, False, True)
        self.assertContains(response, "河长制、水污染、河湖 治理")

        response = self.client.get(f"/interests/{interest.pk}/")
        self.assertContains(response, "河长制\n水污染\n河湖 治理")
        self.client.post(
            f"/interests/{interest.pk}/",
            {"name": "河长制", "keywords": "河长制", "urgent_channel": "on"},
        )
        interest.refresh_from_db()
        assert (interest.keywords, interest.active, interest.urgent_channel) == (
            ["河长制"],
            False,
            True,
        )
        self.assertContains(self.client.get("/interests/"), "Paused")

        self.client.post(f"/interests/{interest.pk}/delete/")
        assert not Interest.objects.exists()
        actions = list(
            AuditEvent.objects.filter(action__startswith="interest.")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert actions == ["interest.create", "interest.change", "interest.delete"]

    def test_it_keeps_another_leaders_interest_out_of_reach(self) -> None:
        self.client.force_login(self.principal)
        self.client.post("/interests/new/", {"name": "教育", "keywords": "教育"})
        interest = Interest.objects.get()
        self.client.force_login(self.leader)
        assert self.client.get(f"/interests/{interest.pk}/").status_code == 404
        assert self.client.post(f"/interests/{interest.pk}/delete/").status_code == 404
        self.assertNotContains(self.client.get("/interests/"), "教育")
        assert Interest.objects.filter(pk=interest.pk).exists()

    def test_it_refuses_everyone_but_leaders(self) -> None:
        for user in (self.alice, self.ed, self.chief, self.duty, self.liaison, self.sysadmin):
            self.client.force_login(user)
            assert self.client.get("/interests/").status_code == 403, user.role
            assert self.client.get("/interests/new/").status_code == 403, user.role
            labels = dict(self.client.get("/").context["nav_all"])
            assert "My interests" not in labels
