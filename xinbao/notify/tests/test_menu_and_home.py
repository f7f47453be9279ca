"""The notify pages in the menu of their roles; failed deliveries told at home."""

from __future__ import annotations

from django.urls import reverse

from xinbao.notify.models import MessageState
from xinbao.notify.tests.cases import PagesCase


class NavigationAndHomeTest(PagesCase):
    def test_it_offers_each_page_in_the_menu_of_its_roles(self) -> None:
        expected = {
            self.sysadmin: {"notify:deliveries", "notify:template_preview"},
            self.secadmin: {"notify:deliveries"},
            self.duty: {"notify:calls"},
            self.ed: {"notify:calls"},
            self.alice: set(),
        }
        names = ("notify:deliveries", "notify:template_preview", "notify:calls")
        for user, wanted in expected.items():
            self.login(user)
            menu = {href for _, href in self.client.get(reverse("home")).context["nav_all"]}
            present = {n for n in names if reverse(n) in menu}
            assert present == wanted, user

    def test_it_tells_the_system_administrator_about_failed_deliveries_at_home(self) -> None:
        self.message(state=MessageState.FAILED)
        self.login(self.sysadmin)
        body = self.client.get(reverse("home")).content.decode()
        assert "1 failed delivery needs attention" in body
        self.login(self.ed)
        assert 'id="failed-deliveries"' not in self.client.get(reverse("home")).content.decode()
