"""A commission notice once sent, a reference pack once delivered and a topic list once
published: rendered by the real worker, then offered from their pages and downloaded from the
cache by the people who could download them before."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
from django.core.management import call_command
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.documents.models import RenderedDocument, RenderState
from xinbao.packs import services as packs
from xinbao.packs.models import Pack, Receipt
from xinbao.research import services as research
from xinbao.test import Personas
from xinbao.topiclists import services as topiclists

HTMX = {"HX-Request": "true"}


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


class FrozenDocumentsTest(Personas, TransactionTestCase):
    def setUp(self) -> None:
        self.create_personas()

    def cached_after_the_worker(self, kind: str, page: str, pdf_url: str) -> bytes:
        """Being prepared on the page's partial, ready once the worker ran, then the file."""
        assert f'hx-get="{pdf_url}" hx-trigger="load"' in self.client.get(page).content.decode()
        assert "is being prepared" in self.client.get(pdf_url, headers=HTMX).content.decode()
        call_command("db_worker", "--batch", verbosity=0)
        rows = RenderedDocument.objects.filter(kind=kind)
        assert sorted(rows.values_list("format", "state")) == [
            ("docx", RenderState.READY),
            ("pdf", RenderState.READY),
        ]
        assert "Download " in self.client.get(pdf_url, headers=HTMX).content.decode()
        response = self.client.get(pdf_url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        return response.content

    def test_it_renders_a_sent_commission_notice(self) -> None:
        due = timezone.localdate() + dt.timedelta(days=20)
        commission = research.create_commission(
            subject="农村集体经济发展情况",
            requirements="一、情况\n二、分析\n三、对策",
            source="central_work",
            form="commissioned",
            units=[self.county_a, self.county_b],
            due_on=due,
            user=self.chief,
        )
        self.client.force_login(self.alice)
        pdf = self.cached_after_the_worker(
            research.NOTICE_DOCUMENT,
            reverse("research:detail", args=[commission.pk]),
            reverse("research:notice_pdf", args=[commission.pk]),
        )
        assert "农村集体经济发展情况" in pdf_text(pdf)

    def delivered_pack(self) -> Pack:
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
        return pack

    def test_it_renders_a_delivered_pack_for_its_leader_only(self) -> None:
        pack = self.delivered_pack()
        pdf_url = reverse("packs:pdf", args=[pack.pk])
        self.client.force_login(self.leader)
        pdf = self.cached_after_the_worker(
            packs.PACK_DOCUMENT, reverse("packs:read", args=[pack.pk]), pdf_url
        )
        assert "调研参阅" in pdf_text(pdf) and "东城县基本情况" in pdf_text(pdf)
        # Another leader's pack, cached or not: as if it did not exist.
        self.client.force_login(self.principal)
        assert self.client.get(pdf_url).status_code == 404
        assert self.client.get(pdf_url, headers=HTMX).status_code == 404

    def test_it_renders_a_published_topic_list(self) -> None:
        topic_list = topiclists.create_list(
            user=self.chief, month=timezone.localdate(), title="本月报送要点"
        )
        topiclists.add_topic(
            user=self.chief, topic_list=topic_list, title="冬季安全生产", wanted="隐患排查"
        )
        topiclists.publish(user=self.chief, topic_list=topic_list)
        self.client.force_login(self.alice)
        pdf = self.cached_after_the_worker(
            topiclists.LIST_DOCUMENT,
            reverse("topiclists:detail", args=[topic_list.pk]),
            reverse("topiclists:document", args=[topic_list.pk, "pdf"]),
        )
        assert "冬季安全生产" in pdf_text(pdf)

    def test_it_records_the_read_on_the_download_not_on_the_polls(self) -> None:
        pack = self.delivered_pack()
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
