"""A delivered pack's document partial, loaded and polled by the leader's page, is no reading:
the receipt is written when the leader opens the file (or the pack's page), not per poll."""

from __future__ import annotations

import datetime as dt

from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.packs import services as packs
from xinbao.packs.models import Receipt
from xinbao.test import Personas

HTMX = {"HX-Request": "true"}


class PackReadPollsTest(Personas, TransactionTestCase):
    def setUp(self) -> None:
        self.create_personas()

    def test_it_records_the_read_on_the_download_not_on_the_polls(self) -> None:
        pack = packs.create_pack(
            user=self.ed,
            title="调研参阅",
            occasion="visit",
            occasion_at=timezone.now() + dt.timedelta(days=1),
            subject="调研",
            recipients=[self.leader],
        )
        packs.add_text(user=self.ed, pack=pack, title="背景", text="东城县基本情况。")
        packs.deliver(user=self.ed, pack=pack)
        pdf_url = reverse("packs:pdf", args=[pack.pk])
        self.client.force_login(self.leader)
        for _ in range(3):
            poll = self.client.get(pdf_url, headers=HTMX)
            assert poll.status_code == 200 and "is being prepared" in poll.content.decode()
        assert not Receipt.objects.filter(pack=pack).exists()
        assert not AuditEvent.objects.filter(action="pack.read").exists()
        # The file itself, followed from the link: that is the leader reading it.
        response = self.client.get(pdf_url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert Receipt.objects.get(pack=pack).user == self.leader
        assert AuditEvent.objects.filter(action="pack.read").count() == 1
