"""The office profile: its screen, its defaults, and the documents that carry it."""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from xinbao.audit.models import AuditEvent
from xinbao.incidents import chase
from xinbao.incidents.models import Incident, ReportRequest
from xinbao.lib.levels import Category, Level
from xinbao.lib.officedoc import render_docx
from xinbao.org.models import OfficeProfile
from xinbao.org.selectors import current_office
from xinbao.org.services import OfficeData, save_office
from xinbao.scoring.reports import build_report
from xinbao.test import BaseTestCase

OFFICE = OfficeData(
    name="中共北岭市委办公室",
    city="北岭市",
    contact="市委办公室信息科 值班电话 0571-88886666",
    fax="0571-88886667",
)


def docx_text(data: bytes) -> str:
    """Every paragraph of the body, its tables, headers and footers."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            texts += [p.text for p in part.paragraphs]
    return "\n".join(texts)


class OfficeProfileTest(BaseTestCase):
    def test_it_has_blank_defaults_and_no_demo_city_before_a_profile_is_saved(self) -> None:
        office = current_office()
        assert (office.name, office.city, office.contact, office.configured) == ("", "", "", False)

    @override_settings(XINBAO_OFFICE={"name": "中共南湖市委办公室", "city": "南湖市"})
    def test_it_takes_the_settings_until_a_profile_is_saved(self) -> None:
        assert current_office().name == "中共南湖市委办公室"
        save_office(user=self.sysadmin, data=OFFICE)
        office = current_office()
        assert (office.name, office.fax, office.configured) == (
            "中共北岭市委办公室",
            "0571-88886667",
            True,
        )

    def test_it_lets_the_system_admin_edit_the_profile_on_a_screen(self) -> None:
        self.client.force_login(self.sysadmin)
        url = reverse("org:office")
        assert self.client.get(url).status_code == 200
        r = self.client.post(
            url, {"name": "中共北岭市委办公室", "city": "", "contact": "值班室", "fax": "x"}
        )
        page = r.content.decode()
        assert r.status_code == 200
        assert "This field is required." in page
        assert 'value="中共北岭市委办公室"' in page and 'value="值班室"' in page
        r = self.client.post(
            url, {"name": "中共北岭市委办公室", "city": "北岭市", "contact": "", "fax": "传真"}
        )
        page = r.content.decode()
        assert "Enter a phone number: digits, with an optional + and dashes." in page
        assert 'value="北岭市"' in page and 'value="传真"' in page
        assert not OfficeProfile.objects.exists()
        r = self.client.post(
            url,
            {
                "name": OFFICE.name,
                "city": OFFICE.city,
                "contact": OFFICE.contact,
                "fax": OFFICE.fax,
            },
        )
        assert r.status_code == 302
        assert OfficeProfile.objects.get().city == "北岭市"
        assert AuditEvent.objects.get(action="office.create").actor == self.sysadmin
        r = self.client.post(url, {"name": OFFICE.name, "city": "北岭", "contact": "", "fax": ""})
        assert r.status_code == 302
        event = AuditEvent.objects.get(action="office.update")
        assert event.summary["changed"] == ["city", "contact", "fax"]
        assert OfficeProfile.objects.count() == 1

    def test_it_refuses_the_profile_to_other_roles(self) -> None:
        for user in (self.ed, self.chief, self.secadmin, self.alice):
            self.client.force_login(user)
            assert self.client.get(reverse("org:office")).status_code == 403
            r = self.client.post(reverse("org:office"), {"name": "X", "city": "Y"})
            assert r.status_code == 403
        assert not OfficeProfile.objects.exists()


class OfficeInDocumentsTest(BaseTestCase):
    def setUp(self) -> None:
        save_office(user=self.sysadmin, data=OFFICE)

    def test_it_prints_the_office_and_its_contact_on_a_chase_notice(self) -> None:
        incident = Incident.objects.create(
            title="北岭县化工厂爆炸",
            category=Category.ACCIDENT,
            level=Level.III,
            suggested_level=Level.III,
            summary="化工厂发生爆炸。",
            created_by=self.duty,
        )
        now = timezone.now()
        request = ReportRequest.objects.create(
            incident=incident,
            unit=self.county_a,
            matter="化工厂爆炸伤亡情况",
            sent_at=now - dt.timedelta(hours=2),
            written_due_at=now - dt.timedelta(hours=1),
            created_by=self.duty,
        )
        notice = chase.issue_notice(request, now + dt.timedelta(minutes=30))
        with notice.docx.open("rb") as fh:
            text = docx_text(fh.read())
        assert "中共北岭市委办公室" in text
        assert "市委办公室信息科 值班电话 0571-88886666" in text
        assert "澜江" not in text

    def test_it_prints_the_office_on_the_score_report(self) -> None:
        document = build_report(dt.date(2026, 7, 1), dt.date(2026, 10, 1), day=dt.date(2026, 10, 9))
        text = docx_text(render_docx(document))
        assert "中共北岭市委办公室" in text
        assert "澜江" not in text
