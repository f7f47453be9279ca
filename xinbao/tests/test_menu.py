"""The menu: every role reaches its pages from it, and every entry it shows opens."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.lib.menu import MAIN, MenuEntry, entries_for, register
from xinbao.test import BaseTestCase, Personas


def cast(p: Personas) -> list[User]:
    """One user of every role."""
    return [
        p.alice,
        p.ed,
        p.chief,
        p.leader,
        p.principal,
        p.duty,
        p.liaison,
        p.sysadmin,
        p.secadmin,
        p.auditor,
    ]


class MenuTest(BaseTestCase):
    def test_it_opens_every_entry_of_every_role(self) -> None:
        for user in cast(self):
            self.client.force_login(user)
            menu = self.client.get("/").context["nav_all"]
            assert menu, user
            for label, href in menu:
                response = self.client.get(href)
                assert response.status_code == 200, (user.role, label, href, response.status_code)

    def test_it_groups_settings_in_a_dropdown_and_keeps_daily_work_on_the_bar(self) -> None:
        self.client.force_login(self.sysadmin)
        response = self.client.get("/")
        bar = dict(response.context["nav"])
        menus = {menu["key"]: dict(menu["entries"]) for menu in response.context["nav_menus"]}
        assert "Units" in menus["settings"] and "Working calendar" in menus["settings"]
        assert "Units" not in bar and "Home" in bar
        assert 'class="dropdown-item" href="/org/units/"' in response.content.decode()

    def test_it_shows_a_reporter_only_their_own_work(self) -> None:
        self.client.force_login(self.alice)
        labels = {label for label, _ in self.client.get("/").context["nav_all"]}
        assert {"New item", "Our items", "Our demands", "Our scores"} <= labels
        assert not labels & {"Desk", "Units", "Users", "Incidents", "Audit log"}

    def test_it_gives_clearances_to_the_security_administrator_only(self) -> None:
        for user, shown in ((self.secadmin, True), (self.sysadmin, False), (self.chief, False)):
            self.client.force_login(user)
            labels = {label for label, _ in self.client.get("/").context["nav_all"]}
            assert ("Clearances" in labels) is shown, user.role

    def test_it_refuses_an_entry_in_an_unknown_group(self) -> None:
        def broken(user: object) -> list[MenuEntry]:
            return [MenuEntry("Broken", "/broken/", group="sidebar")]

        register(broken)
        try:
            with self.assertRaisesMessage(ValueError, "unknown menu group 'sidebar'"):
                entries_for(self.alice)
        finally:
            from xinbao.lib import menu

            menu._providers.remove(broken)
        assert all(entry.group for entry in entries_for(self.alice))
        assert MAIN in {entry.group for entry in entries_for(self.alice)}
