"""A pack of 30 entries as DOCX and PDF: opened with python-docx and read back with pdftotext,
every item's title, every instruction, every figure and the office's own text are in them."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from urllib.parse import unquote

import docx
import pytest
from django.urls import reverse

from xinbao.items.models import Item
from xinbao.packs import outputs, services
from xinbao.packs.models import Pack
from xinbao.periodicals.services import give_instruction
from xinbao.test import BaseTestCase

TOWNS = ["青石镇", "白沙镇", "柳河乡", "石门镇", "龙潭乡"]
FIGURES = [
    ("死亡人数", "3", "人"),
    ("转移群众", "1200", "人"),
    ("倒塌房屋", "46", "间"),
    ("直接经济损失", "2300", "万元"),
]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


class OutputsTest(BaseTestCase):
    pack: Pack
    items: list[Item]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.pack = services.create_pack(
            user=cls.ed,
            title="全市防汛救灾工作参阅",
            occasion="meeting",
            occasion_at=dt.datetime(2026, 7, 4, 1, 0, tzinfo=dt.UTC),
            subject="防汛",
            recipients=[cls.leader, cls.principal],
            foreword="本期汇集近期各地防汛信息，供常委会研究参阅。",
        )
        cls.items = []
        for n in range(20):
            town = TOWNS[n % len(TOWNS)]
            author = cls.alice if n % 2 else cls.bob
            item = cls.make_item(
                author,
                title=f"第{n + 1}号{town}防汛动态",
                body=f"{town}组织力量巡查堤防第{n + 1}次。\n当地干部群众连夜加固险段。",
            )
            cls.items.append(item)
            services.add_item(user=cls.ed, pack=cls.pack, item=item)
        services.annotate(
            user=cls.ed,
            entry=cls.pack.entries.get(item=cls.items[0]),
            note="首条信息反映险情最重。",
        )
        for n in range(3):
            instruction = give_instruction(
                user=cls.principal, item=cls.items[n], text=f"第{n + 1}条批示：请压实防汛责任。"
            )
            services.add_instruction(user=cls.ed, pack=cls.pack, instruction=instruction)
        for label, value, unit in FIGURES:
            services.add_figure(
                user=cls.ed, pack=cls.pack, label=label, value=value, unit=unit, source="据各地报送"
            )
        for n in range(3):
            services.add_text(
                user=cls.ed,
                pack=cls.pack,
                title=f"附{n + 1}：背景材料",
                text=f"背景材料正文第{n + 1}段。",
            )
        cls.pack = services.deliver(user=cls.ed, pack=cls.pack)

    def expected(self) -> list[str]:
        return [
            "决策参考",
            "全市防汛救灾工作参阅",
            "第1期",
            "本期汇集近期各地防汛信息",
            "首条信息反映险情最重。",
            *[item.title for item in self.items],
            *[f"第{n + 1}条批示：请压实防汛责任。" for n in range(3)],
            "Principal同志批示",
            *[label for label, _v, _u in FIGURES],
            "1200人",
            "2300万元",
            *[f"附{n + 1}：背景材料" for n in range(3)],
            "背景材料正文第3段。",
        ]

    def test_it_writes_thirty_entries_to_a_docx(self) -> None:
        assert self.pack.entries.count() == 30
        self.client.force_login(self.leader)
        response = self.client.get(reverse("packs:docx", args=[self.pack.pk]))
        assert response.status_code == 200
        assert "决策参考2026年第1期.docx" in unquote(response["Content-Disposition"])
        text = docx_text(response.content)
        missing = [e for e in self.expected() if e not in text]
        assert not missing, missing
        assert "送：Leader，Principal。" in text

    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
    def test_it_writes_thirty_entries_to_a_pdf(self) -> None:
        pdf = outputs.pdf_bytes(self.pack)
        assert pdf.startswith(b"%PDF")
        done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        text = "".join(done.stdout.decode().split())  # lines wrap anywhere in Chinese
        missing = [e for e in self.expected() if e.replace(" ", "") not in text]
        assert not missing, missing
