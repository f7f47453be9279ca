"""The 积分通报 and the 提醒信 reach unit heads without a login: SMS with a signed link to
the PDF, email with the PDF attached, the letter by fax; run through the outbox against a
loopback SMS gateway and SMTP server."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import tempfile
from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import docx
import time_machine
from django.http import FileResponse, HttpResponseBase
from django.test import Client, override_settings
from django.urls import reverse

from xinbao.accounts.models import Role
from xinbao.audit.models import AuditEvent
from xinbao.notify.models import Channel, Message, MessageState, Notification
from xinbao.notify.services import deliver_due
from xinbao.notify.tests.peers import GenericSmsPeer, Mail, SmtpPeer
from xinbao.org.models import Person
from xinbao.scoring.chores import scan_reminders, scan_report
from xinbao.scoring.letters import build_letter
from xinbao.scoring.models import Reminder, ReminderKind, ScoreReport
from xinbao.scoring.tests.factories import ScoringCase, noon
from xinbao.test import make_user

TOKEN = "gw-secret"
LINK = re.compile(r"http://testserver(/scoring/d/[^/\s]+/)")


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(content)
        done = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
        )
    return done.stdout.decode()


def served(response: HttpResponseBase) -> bytes:
    """The body of a file response."""
    assert isinstance(response, FileResponse)
    return b"".join(response.streaming_content)  # type: ignore[arg-type]  # sync iterator here


def pdf_attachment(mail: Mail) -> tuple[str, bytes]:
    parsed = mail.parsed()
    [attachment] = list(parsed.iter_attachments())
    content = attachment.get_content()
    assert isinstance(content, bytes)
    return attachment.get_filename() or "", content


class DeliveryCase(ScoringCase):
    def setUp(self) -> None:
        super().setUp()
        self.sms = GenericSmsPeer(TOKEN)
        self.sms.start()
        self.addCleanup(self.sms.stop)
        self.smtp = SmtpPeer()
        self.enterContext(self.smtp.running())
        self.enterContext(
            override_settings(
                XINBAO_NOTIFY={
                    "site_url": "http://testserver",
                    "http_timeout": 2,
                    "sms": {"provider": "generic", "url": self.sms.url, "token": TOKEN},
                    "email": {
                        "host": "127.0.0.1",
                        "port": self.smtp.port,
                        "security": "none",
                        "from": "信报 <xinbao@office.gov.cn>",
                        "timeout": 2,
                    },
                    "fax": {"address_pattern": "{number}@fax.example.gov.cn"},
                }
            )
        )
        self.wang = Person.objects.get(name="王建国")  # head of county A
        # The personas' head and deputy share a number; the heads get their own here.
        self.wang.email, self.wang.phone = "wangjianguo@dongcheng.gov.cn", "13900000101"
        self.wang.save(update_fields=["email", "phone"])
        self.chen = Person.objects.get(name="陈志强")  # head of county B
        self.chen.email, self.chen.phone = "chenzhiqiang@xishan.gov.cn", "13900000201"
        self.chen.save(update_fields=["email", "phone"])
        self.county_b.fax = "0571-8800 2222"
        self.county_b.save(update_fields=["fax"])
        self.anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")

    def sms_to(self, person: Person) -> list[str]:
        return [r.json()["text"] for r in self.sms.received if r.json()["phone"] == person.phone]

    def per_channel(self, event: str) -> Counter[str]:
        return Counter(Message.objects.filter(event=event).values_list("channel", flat=True))


class ReportDeliveryTests(DeliveryCase):
    def test_it_tells_the_chief_of_the_draft_and_its_due_date(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=True):
            scan_report()
            deliver_due()
        report = ScoreReport.objects.get(quarter_start=dt.date(2026, 1, 1))
        [notification] = Notification.objects.filter(user=self.chief)
        # 5 working days after 31 March 2026: 1-3 April, Qingming (4-6 April) off, 7-8 April.
        self.assertIn("2026-04-08", notification.body)
        self.assertEqual(notification.link, reverse("scoring:report", args=[report.pk]))
        self.client.force_login(self.chief)
        page = self.client.get(reverse("scoring:report", args=[report.pk]))
        self.assertContains(page, "Due on 2026-04-08.")
        # Nothing went to the units before the check.
        self.assertEqual(self.per_channel("scoring_report"), Counter())
        self.assertEqual(self.sms.received, [])

    def test_it_reaches_heads_without_a_login_by_sms_link_and_email(self) -> None:
        # County B's head also has a login (as a reporter, who cannot see the office's
        # score pages): told in-app as well, with the same signed link.
        self.chen.user = make_user("chenzhiqiang", Role.REPORTER, self.county_b)
        self.chen.save(update_fields=["user"])
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=True):
            scan_report()
        report = ScoreReport.objects.get(quarter_start=dt.date(2026, 1, 1))
        with report.pdf.open("rb") as f:
            report_pdf = f.read()
        self.client.force_login(self.chief)
        with time_machine.travel(noon(dt.date(2026, 4, 2)), tick=True) as traveller:
            self.client.post(reverse("scoring:report_send", args=[report.pk]))
            deliver_due()

            # Two heads and two deputies in charge, all with phones; the heads have email.
            self.assertEqual(
                self.per_channel("scoring_report"),
                Counter({Channel.SMS: 4, Channel.EMAIL: 2, Channel.IN_APP: 1}),
            )
            [bell] = Notification.objects.filter(user=self.chen.user)
            self.assertRegex(bell.link, r"^/scoring/d/[^/]+/$")
            self.client.force_login(self.chen.user)
            self.assertEqual(served(self.client.get(bell.link)), report_pdf)
            states = set(Message.objects.filter(event="scoring_report").values_list("state"))
            self.assertEqual(states, {(MessageState.SENT,)})
            self.assertEqual(len(self.sms.received), 4)
            [text] = self.sms_to(self.wang)
            self.assertIn("2026年第一季度", text)
            match = LINK.search(text)
            assert match is not None
            path = match.group(1)

            opened = self.anonymous.get(path)
            self.assertEqual(opened.status_code, 200)
            self.assertEqual(opened["Content-Type"], "application/pdf")
            self.assertEqual(served(opened), report_pdf)
            event = AuditEvent.objects.filter(action="scoring.document_opened").latest("pk")
            self.assertEqual(event.actor_name, "王建国")

            # Another address is not a way in.
            self.assertEqual(self.anonymous.get(path[:-3] + "xx/").status_code, 404)

            self.assertEqual(len(self.smtp.received), 2)
            [mail] = [
                m for m in self.smtp.received if m.rcpt_tos == ["wangjianguo@dongcheng.gov.cn"]
            ]
            parsed = mail.parsed()
            body = parsed.get_body(("plain",))
            assert isinstance(body, EmailMessage)
            self.assertIn("2026年第一季度", body.get_content())
            filename, content = pdf_attachment(mail)
            self.assertTrue(filename.endswith(".pdf"))
            self.assertEqual(content, report_pdf)
            self.assertIn("信息工作积分通报", pdf_text(content))

            traveller.shift(dt.timedelta(days=31))
            expired = self.anonymous.get(path)
            self.assertEqual(expired.status_code, 410)
            self.assertContains(
                expired, "This link to the document is no longer valid", status_code=410
            )

    def test_it_sends_nothing_twice_when_the_outbox_runs_again(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 1)), tick=True):
            scan_report()
        report = ScoreReport.objects.get(quarter_start=dt.date(2026, 1, 1))
        self.client.force_login(self.chief)
        with time_machine.travel(noon(dt.date(2026, 4, 2)), tick=True):
            self.client.post(reverse("scoring:report_send", args=[report.pk]))
            self.client.post(reverse("scoring:report_send", args=[report.pk]))
            deliver_due()
            deliver_due()
        self.assertEqual(len(self.sms.received), 4)
        self.assertEqual(len(self.smtp.received), 2)


class LetterDeliveryTests(DeliveryCase):
    def setUp(self) -> None:
        super().setUp()
        # County A meets its quota of 6 in April; county B submits 2, one adopted.
        for n in range(6):
            self.item(self.alice, title=f"东城县信息{n}", submitted_at=noon(dt.date(2026, 4, 2)))
        for n in range(2):
            item = self.item(
                self.bob, title=f"西山县信息{n}", submitted_at=noon(dt.date(2026, 4, 2))
            )
        self.adopt(item, dt.date(2026, 4, 3))

    def test_it_builds_the_letter_to_the_head_with_the_units_figures(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 20)), tick=False):
            document = build_letter(self.county_b, dt.date(2026, 4, 1))
        text = "\n".join(document.texts())
        self.assertIn("陈志强同志：", text)
        self.assertIn("西山县委办公室2026年4月已报送信息2条，被采用1条，尚差4条", text)
        self.assertIn("西山县委办公室刘海燕同志", text)  # 抄送 the deputy in charge
        self.assertEqual(document.date, dt.date(2026, 4, 20))

    def test_it_faxes_mails_and_texts_the_letter_to_the_unit_behind(self) -> None:
        with time_machine.travel(noon(dt.date(2026, 4, 20)), tick=True):
            scan_reminders()
            deliver_due()
            reminder = Reminder.objects.get(unit=self.county_b, kind=ReminderKind.LETTER)

            # Head and deputy by SMS; the head by email; one fax to the unit's machine.
            self.assertEqual(
                self.per_channel("scoring_reminder"),
                Counter({Channel.SMS: 2, Channel.EMAIL: 1, Channel.FAX: 1}),
            )
            self.assertFalse(
                Reminder.objects.filter(unit=self.county_a, kind=ReminderKind.LETTER).exists()
            )

            with reminder.docx.open("rb") as f:
                word = docx.Document(io.BytesIO(f.read()))
            paragraphs = "\n".join(p.text for p in word.paragraphs)
            self.assertIn("信息工作提醒信", paragraphs)
            self.assertIn("陈志强同志：", paragraphs)
            self.assertIn("尚差4条", paragraphs)
            rows = [[c.text for c in row.cells] for row in word.tables[0].rows]
            self.assertEqual(rows[1], ["西山县委办公室", "6", "2", "1", "4"])

            [fax] = [m for m in self.smtp.received if m.rcpt_tos[0].endswith("@fax.example.gov.cn")]
            self.assertEqual(fax.rcpt_tos, ["057188002222@fax.example.gov.cn"])
            _, faxed = pdf_attachment(fax)
            with reminder.pdf.open("rb") as f:
                self.assertEqual(faxed, f.read())
            printed = pdf_text(faxed)
            self.assertIn("陈志强同志", printed)
            self.assertIn("西山县委办公室", printed)

            [mail] = [m for m in self.smtp.received if m.rcpt_tos == ["chenzhiqiang@xishan.gov.cn"]]
            filename, mailed = pdf_attachment(mail)
            self.assertEqual(mailed, faxed)
            self.assertTrue(filename.endswith(".pdf"))

            # Beside the silence SMS (nothing submitted in February and March), the letter's.
            [text] = [t for t in self.sms_to(self.chen) if LINK.search(t)]
            self.assertIn("2026年4月", text)
            match = LINK.search(text)
            assert match is not None
            opened = self.anonymous.get(match.group(1))
            self.assertEqual(opened.status_code, 200)
            self.assertEqual(served(opened), faxed)
            self.assertEqual(urlsplit(match.group(0)).netloc, "testserver")
