"""Notices (通报) of commendation and criticism: the document, the service and the pages."""

from __future__ import annotations

import datetime as dt
import io

import docx
import time_machine
from django.urls import reverse
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.incidents.models import (
    AccountabilityRecord,
    Incident,
    Notice,
    NoticeKind,
    RecordKind,
)
from xinbao.incidents.notices import NoticeError, make_notice
from xinbao.lib.levels import Category, Level
from xinbao.org.models import Unit
from xinbao.test import BaseTestCase

T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def docx_text(data: bytes) -> str:
    """Every paragraph of the body, its tables, headers and footers."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer, section.even_page_footer):
            texts += [p.text for p in part.paragraphs]
    return "\n".join(texts)


class NoticeCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def incident(self, title: str) -> Incident:
        return Incident.objects.create(
            title=title,
            category=Category.ACCIDENT,
            level=Level.III,
            suggested_level=Level.III,
            summary=title,
            created_by=self.duty,
        )

    def entry(self, unit: Unit, incident: Incident, kind: str, reason: str) -> AccountabilityRecord:
        return AccountabilityRecord.objects.create(
            unit=unit, incident=incident, kind=kind, reason=reason, at=timezone.now()
        )


class NoticeServiceTest(NoticeCase):
    def test_it_makes_a_criticism_notice_as_docx(self) -> None:
        blast = self.incident("东城县化工园区爆炸事故")
        flood = self.incident("西山县山洪灾害")
        late = self.entry(self.county_a, blast, RecordKind.LATE, "书面报告超过时限42分钟。")
        missed = self.entry(self.county_b, flood, RecordKind.MISSED, "截至时限未报送。")
        with time_machine.travel(T0, tick=False):
            notice = make_notice(user=self.ed, kind=NoticeKind.CRITICISE, records=[late, missed])
        assert notice.number == "2026-001"
        with notice.docx.open("rb") as f:
            text = docx_text(f.read())
        assert "紧急信息报送情况通报" in text
        assert "通报〔2026〕1号" in text
        assert "2026年11月" in text  # two incidents: the subject is the period
        for words in (
            "东城县委办公室",
            "西山县委办公室",
            "东城县化工园区爆炸事故",
            "迟报",
            "书面报告超过时限42分钟。",
            "漏报",
            "截至时限未报送。",
            "东城县委办公室主要领导",
            "西山县委办公室主要领导",
        ):
            assert words in text, words
        assert (
            notice.title
            == "关于对东城县委办公室、西山县委办公室紧急信息迟报、漏报问题予以通报批评的通报"
        )
        assert set(notice.records.all()) == {late, missed}
        assert AuditEvent.objects.filter(action="incident.notice").exists()
        assert blast.timeline.filter(kind="notice", text__contains="通报〔2026〕1号").exists()

    def test_it_makes_a_commendation_for_one_case(self) -> None:
        blast = self.incident("东城县化工园区爆炸事故")
        good = self.entry(self.county_a, blast, RecordKind.COMMENDED, "首报及时，数据准确。")
        notice = make_notice(user=self.ed, kind=NoticeKind.COMMEND, records=[good])
        with notice.docx.open("rb") as f:
            text = docx_text(f.read())
        assert "“东城县化工园区爆炸事故”处置过程中" in text
        assert "报送及时准确" in text and "首报及时，数据准确。" in text
        assert "通报表扬" in notice.title

    def test_it_numbers_notices_in_order(self) -> None:
        blast = self.incident("事故")
        first = self.entry(self.county_a, blast, RecordKind.LATE, "迟报")
        second = self.entry(self.county_b, blast, RecordKind.LATE, "迟报")
        make_notice(user=self.ed, kind=NoticeKind.CRITICISE, records=[first])
        notice = make_notice(user=self.ed, kind=NoticeKind.CRITICISE, records=[second])
        assert notice.number.endswith("-002")

    def test_it_refuses_wrong_or_used_records(self) -> None:
        blast = self.incident("事故")
        late = self.entry(self.county_a, blast, RecordKind.LATE, "迟报")
        good = self.entry(self.county_b, blast, RecordKind.COMMENDED, "及时")
        for kind, records in (
            (NoticeKind.COMMEND, [late]),
            (NoticeKind.CRITICISE, [good]),
            (NoticeKind.CRITICISE, []),
        ):
            try:
                make_notice(user=self.ed, kind=kind, records=records)
            except NoticeError:
                continue
            raise AssertionError((kind, records))
        make_notice(user=self.ed, kind=NoticeKind.CRITICISE, records=[late])
        late.refresh_from_db()
        try:
            make_notice(user=self.ed, kind=NoticeKind.CRITICISE, records=[late])
        except NoticeError as exc:
            assert "Already in a notice" in str(exc)
        else:
            raise AssertionError("a record was put in two notices")
        assert Notice.objects.count() == 1


class NoticePagesTest(NoticeCase):
    def test_it_filters_records_by_kind_unit_and_period(self) -> None:
        blast = self.incident("东城县化工园区爆炸事故")
        with time_machine.travel(T0 - dt.timedelta(days=40), tick=False):
            self.entry(self.county_b, blast, RecordKind.MISSED, "上月漏报")
        self.entry(self.county_a, blast, RecordKind.LATE, "本月迟报")
        url = reverse("incidents:record_list")
        self.client.force_login(self.leader)
        body = self.client.get(url).content.decode()
        assert "上月漏报" in body and "本月迟报" in body
        assert 'name="records"' not in body  # a leader reads; editors make notices
        body = self.client.get(url, {"kind": "missed"}).content.decode()
        assert "上月漏报" in body and "本月迟报" not in body
        body = self.client.get(url, {"unit": self.county_a.pk}).content.decode()
        assert "上月漏报" not in body and "本月迟报" in body
        since = timezone.localdate() - dt.timedelta(days=5)
        body = self.client.get(url, {"date_from": since.isoformat()}).content.decode()
        assert "上月漏报" not in body and "本月迟报" in body

    def test_it_makes_a_notice_from_ticked_records_and_serves_it(self) -> None:
        blast = self.incident("东城县化工园区爆炸事故")
        late = self.entry(self.county_a, blast, RecordKind.LATE, "书面报告超过时限42分钟。")
        other = self.entry(self.county_b, blast, RecordKind.MISSED, "未报送。")
        self.client.force_login(self.ed)
        page = self.client.get(reverse("incidents:record_list")).content.decode()
        assert f'name="records" value="{late.pk}"' in page
        response = self.client.post(
            reverse("incidents:notice_create"),
            {"records": [late.pk], "kind": NoticeKind.CRITICISE, "subject": "2026年11月"},
        )
        assert response.status_code == 302
        notice = Notice.objects.get()
        late.refresh_from_db()
        other.refresh_from_db()
        assert late.notice == notice and other.notice is None
        listing = self.client.get(reverse("incidents:notice_list")).content.decode()
        assert notice.title in listing and "通报〔2026〕1号" in listing
        download = self.client.get(reverse("incidents:notice_docx", args=[notice.pk]))
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        text = docx_text(b"".join(download.streaming_content))  # type: ignore[attr-defined]  # a FileResponse
        assert "2026年11月" in text and "书面报告超过时限42分钟。" in text
        assert "未报送。" not in text

    def test_it_says_why_a_notice_was_not_made(self) -> None:
        blast = self.incident("事故")
        good = self.entry(self.county_a, blast, RecordKind.COMMENDED, "及时准确")
        self.client.force_login(self.ed)
        response = self.client.post(
            reverse("incidents:notice_create"),
            {"records": [good.pk], "kind": NoticeKind.CRITICISE},
            follow=True,
        )
        assert "do not belong in this kind of notice" in response.content.decode()
        response = self.client.post(
            reverse("incidents:notice_create"), {"kind": NoticeKind.COMMEND}, follow=True
        )
        assert "This field is required" in response.content.decode()
        assert not Notice.objects.exists()

    def test_it_keeps_notices_to_the_office(self) -> None:
        blast = self.incident("事故")
        late = self.entry(self.county_a, blast, RecordKind.LATE, "迟报")
        notice = make_notice(user=self.ed, kind=NoticeKind.CRITICISE, records=[late])
        self.client.force_login(self.alice)
        for url in (
            reverse("incidents:record_list"),
            reverse("incidents:notice_list"),
            reverse("incidents:notice_docx", args=[notice.pk]),
        ):
            assert self.client.get(url).status_code == 403
        self.client.force_login(self.leader)
        made = self.client.post(
            reverse("incidents:notice_create"), {"records": [late.pk], "kind": "criticise"}
        )
        assert made.status_code == 403
