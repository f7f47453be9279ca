"""Smoke paths through the whole project: every role's home renders; a reporter's item reaches
the editor's list."""

from __future__ import annotations

from django.urls import reverse

from xinbao.test import BaseTestCase


class PagesTest(BaseTestCase):
    def test_it_renders_every_home(self) -> None:
        users = (self.alice, self.ed, self.sysadmin, self.secadmin, self.auditor, self.leader)
        for user in users:
            self.client.force_login(user)
            r = self.client.get(reverse("home"))
            assert r.status_code == 200, user

    def test_it_creates_and_submits_an_item(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post(
            reverse("items:create"),
            {
                "title": "东城县遭遇强降雨",
                "body": "6月1日夜间，东城县普降暴雨。\n\n全县转移群众300人。",
                "kind": "dynamic",
                "urgency": "important",
                "writer_name": "赵小红",
                "writer_phone": "13800000001",
                "action": "submit",
            },
        )
        assert r.status_code == 302, r.content.decode()[:3000]
        r = self.client.get(r["Location"])
        assert "东城县遭遇强降雨" in r.content.decode()
        self.client.force_login(self.ed)
        r = self.client.get(reverse("items:list"))
        assert "东城县遭遇强降雨" in r.content.decode()
