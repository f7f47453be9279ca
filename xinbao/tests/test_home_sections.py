"""The home page is made of the sections each app registers (``xinbao.lib.home``): every role
sees its own sections, in the page's order, and no other role's."""

from __future__ import annotations

import re

from django.urls import reverse

from xinbao.test import BaseTestCase

#: Each persona's section headings, top to bottom, on a fresh office with one item sent.
SECTIONS = {
    "alice": [
        "Urgent information demanded of our unit",
        "Our unit this month",
        "Instructions waiting for our feedback",
        "My drafts and withdrawn items",
        "Recently sent",
    ],
    "ed": ["Overdue demands", "Open verifications", "Submitted, waiting to be received"],
    "chief": [
        "Issues in section check",
        "Overdue demands",
        "Open verifications",
        "Submitted, waiting to be received",
    ],
    "duty": [
        "Overdue demands",
        "Open verifications",
        "My drafts and withdrawn items",
        "Recently sent",
        "Submitted, waiting to be received",
    ],
    "leader": ["Issues awaiting my signature", "My open instructions"],
    "principal": ["Issues awaiting my signature", "My open instructions"],
    "liaison": [],
    "sysadmin": [
        "Still missing before the office can work",
        "Locked accounts",
        "Working calendar",
        "Deliveries",
    ],
    "secadmin": ["Locked accounts"],
    "auditor": ["Recent failed logins"],
}


class HomeSectionsTest(BaseTestCase):
    def headings(self, name: str) -> list[str]:
        self.client.force_login(getattr(self, name))
        response = self.client.get(reverse("home"))
        assert response.status_code == 200
        found = re.findall(r'<h2 class="h6[^"]*">([^<]*)<', response.content.decode())
        return [heading.strip() for heading in found]

    def test_it_shows_each_role_its_sections_in_order(self) -> None:
        self.make_item(self.alice, title="已报送的信息")
        for name, expected in SECTIONS.items():
            with self.subTest(name):
                assert self.headings(name) == expected
