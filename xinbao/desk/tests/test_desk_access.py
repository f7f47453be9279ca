"""Who may open the desk: editors and section chiefs, with a menu entry; drafts stay hidden."""

from __future__ import annotations

from django.urls import reverse

from xinbao.desk.models import Decision
from xinbao.desk.tests.cases import DeskPageCase
from xinbao.items.models import ItemStatus


class DeskAccessTest(DeskPageCase):
    def _urls(self) -> list[tuple[str, str]]:
        pk = self.item.pk
        get = [reverse("desk:inbox"), reverse("desk:queue"), reverse("desk:merge")]
        get.append(reverse("desk:item", args=[pk]))
        post = [
            reverse(f"desk:{name}", args=[pk])
            for name in (
                "lock",
                "unlock",
                "edit",
                "adopt",
                "return",
                "reject",
                "forward",
                "higher_adoption",
                "archive",
            )
        ]
        return [("get", u) for u in get] + [("post", u) for u in [*post, get[2]]]

    def test_it_refuses_every_role_but_editors_and_section_chiefs(self) -> None:
        for user in (self.alice, self.bob, self.leader, self.principal, self.duty, self.sysadmin):
            self.client.force_login(user)
            for method, url in self._urls():
                response = getattr(self.client, method)(url)
                assert response.status_code == 403, (user, method, url)
                assert "东城县防汛会议" not in response.content.decode()
        self.item.refresh_from_db()
        assert self.item.status == ItemStatus.SUBMITTED
        assert not Decision.objects.exists()

    def test_it_opens_the_desk_for_editors_and_section_chiefs_with_a_nav_entry(self) -> None:
        for user in (self.ed, self.chief):
            self.client.force_login(user)
            response = self.client.get(reverse("desk:inbox"))
            assert response.status_code == 200
            assert ("Desk", reverse("desk:inbox")) in response.context["nav"]
            page = self.client.get(reverse("desk:item", args=[self.item.pk]))
            assert page.status_code == 200
            assert "东城县防汛会议" in page.content.decode()
        self.client.force_login(self.alice)
        response = self.client.get(reverse("home"))
        assert all(href != reverse("desk:inbox") for _, href in response.context["nav"])

    def test_it_hides_drafts_from_the_desk(self) -> None:
        draft = self.make_item(self.alice, status=ItemStatus.DRAFT, title="东城县草稿")
        self.client.force_login(self.ed)
        assert self.client.get(reverse("desk:item", args=[draft.pk])).status_code == 404
        assert "东城县草稿" not in self.client.get(reverse("desk:inbox")).content.decode()
