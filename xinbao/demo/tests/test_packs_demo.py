"""The demo city's reference packs: one delivered to two leaders for tomorrow's meeting, opened
by one of them, its DOCX readable; one still a draft; a second run skips."""

from __future__ import annotations

import io

import docx
from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.demo.packs import SAFETY_TITLE, VISIT_TITLE, packs
from xinbao.demo.tests.cases import DemoCase, book
from xinbao.notify.models import Notification
from xinbao.packs.models import EntryKind, Pack, PackState, Receipt


class PacksDemoTest(DemoCase):
    def test_it_delivers_a_pack_one_leader_opened(self) -> None:
        pack = Pack.objects.get(title=SAFETY_TITLE)
        assert pack.state == PackState.DELIVERED and pack.number == 1
        kinds = set(pack.entries.values_list("kind", flat=True))
        assert {EntryKind.ITEM, EntryKind.TEXT} <= kinds
        assert pack.entries.filter(kind=EntryKind.ITEM).count() >= 3
        leader = User.objects.get(username="leader")
        principal = User.objects.get(username="principal")
        assert list(Receipt.objects.filter(pack=pack).values_list("user", flat=True)) == [leader.pk]
        assert Notification.objects.filter(user=principal, title__contains=SAFETY_TITLE).exists()

        self.client.force_login(User.objects.get(username="chief"))
        page = self.client.get(reverse("packs:build", args=[pack.pk]))
        self.assertContains(page, "not opened yet")
        self.assertContains(page, "opened ")
        self.client.force_login(principal)
        self.assertContains(self.client.get(reverse("packs:mine")), SAFETY_TITLE)
        response = self.client.get(reverse("packs:docx", args=[pack.pk]))
        document = docx.Document(io.BytesIO(response.content))
        text = "\n".join(p.text for p in document.paragraphs)
        assert SAFETY_TITLE in text and "下一步工作建议" in text

    def test_it_leaves_the_visit_pack_a_draft(self) -> None:
        pack = Pack.objects.get(title=VISIT_TITLE)
        assert pack.state == PackState.DRAFT
        assert pack.entries.exists()
        self.client.force_login(User.objects.get(username="principal"))
        assert self.client.get(reverse("packs:read", args=[pack.pk])).status_code == 404

    def test_it_skips_a_second_run(self) -> None:
        entries = sum(p.entries.count() for p in Pack.objects.all())
        again = book()
        packs(again)
        assert again.skipped == ["packs: a pack exists"]
        assert sum(p.entries.count() for p in Pack.objects.all()) == entries
