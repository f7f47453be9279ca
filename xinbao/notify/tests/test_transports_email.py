"""Email and fax-by-email against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from xinbao.notify import services
from xinbao.notify.models import Channel, Message, MessageState
from xinbao.notify.tests.peers import SmtpPeer, TransportTestCase, free_port
from xinbao.notify.transports.email import message_id
from xinbao.org.models import Person

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class SmtpTestCase(TransportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.smtp = SmtpPeer()
        self.enterContext(self.smtp.running())
        self.configure(
            email={
                "host": "127.0.0.1",
                "port": self.smtp.port,
                "security": "none",
                "from": "信报 <xinbao@office.gov.cn>",
                "timeout": 1,
            },
            fax={"address_pattern": "{number}@fax.example.gov.cn"},
        )

    def store(self, name: str, content: bytes) -> str:
        return default_storage.save(name, ContentFile(content))


class EmailTests(SmtpTestCase):
    def test_it_sends_chinese_mail_with_the_document_and_a_stable_message_id(self) -> None:
        path = self.store("notify/催报通知单.pdf", PDF)
        message = self.deliver(self.queue(Channel.EMAIL, document=path))

        assert message.state == MessageState.SENT
        assert message.address == "zhoumin@dongcheng.gov.cn"
        [mail] = self.smtp.received
        assert mail.mail_from == "xinbao@office.gov.cn"
        assert mail.rcpt_tos == ["zhoumin@dongcheng.gov.cn"]
        mail.content.decode("ascii")  # every header and part encoded for the wire
        parsed = mail.parsed()
        assert parsed["Subject"] == message.subject
        assert parsed["To"].addresses[0].display_name == "周敏"
        assert parsed["From"].addresses[0].display_name == "信报"
        assert parsed["Message-ID"] == message_id(message, "office.gov.cn")
        assert message.provider_id == parsed["Message-ID"]
        body = parsed.get_body(("plain",))
        assert isinstance(body, EmailMessage)
        assert "周敏" in body.get_content()
        [attachment] = list(parsed.iter_attachments())
        assert attachment.get_filename() == "催报通知单.pdf"
        assert attachment.get_content() == PDF

    def test_it_retries_after_421_and_sends_once(self) -> None:
        self.smtp.script = ["421 4.3.2 Service shutting down, try later"]
        start = dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=True) as traveller:
            message = self.deliver(self.queue(Channel.EMAIL))
            assert message.state == MessageState.QUEUED
            assert self.smtp.received == []

            services.deliver_due()  # the backoff has not passed: nothing is tried
            assert message.attempts.count() == 1

            traveller.shift(dt.timedelta(seconds=31))
            message = self.deliver(message)

        assert message.state == MessageState.SENT
        first, second = self.attempts(message)
        assert (first.ok, first.permanent, second.ok) == (False, False, True)
        assert "421" in first.error
        assert len(self.smtp.received) == 1
        # The resend is recognisable as the same mail.
        offered_ids = {m.parsed()["Message-ID"] for m in self.smtp.offered}
        assert len(self.smtp.offered) == 2 and len(offered_ids) == 1

    def test_it_fails_permanently_on_550(self) -> None:
        self.smtp.script = ["550 5.1.1 <zhoumin@dongcheng.gov.cn>: user unknown"]
        message = self.deliver(self.queue(Channel.EMAIL))

        assert message.state == MessageState.FAILED
        [attempt] = self.attempts(message)
        assert attempt.permanent and not attempt.ok
        assert "550" in message.last_error
        assert message.sent_at is None

    def test_it_retries_when_the_server_cannot_be_reached(self) -> None:
        self.configure(email={"host": "127.0.0.1", "port": free_port(), "timeout": 1})
        message = self.deliver(self.queue(Channel.EMAIL))

        assert message.state == MessageState.QUEUED
        [attempt] = self.attempts(message)
        assert not attempt.ok and not attempt.permanent

    def test_it_fails_permanently_without_an_address(self) -> None:
        self.zhou.email = ""
        self.zhou.save()
        message = self.deliver(self.queue(Channel.EMAIL))

        assert message.state == MessageState.FAILED
        assert self.smtp.offered == []


class FaxTests(SmtpTestCase):
    def test_it_mails_the_pdf_to_the_gateway_address_of_the_units_fax(self) -> None:
        path = self.store("notify/chase-notice.pdf", PDF)
        message = self.deliver(self.queue(Channel.FAX, document=path))

        assert message.state == MessageState.SENT
        assert message.address == "057188001234@fax.example.gov.cn"
        [mail] = self.smtp.received
        assert mail.rcpt_tos == ["057188001234@fax.example.gov.cn"]
        [attachment] = list(mail.parsed().iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content() == PDF

    def test_it_uses_the_office_phone_when_the_unit_has_no_fax(self) -> None:
        self.county_a.fax = ""
        self.county_a.save()
        path = self.store("notify/chase-notice.pdf", PDF)
        message = self.deliver(self.queue(Channel.FAX, document=path))

        assert message.address == "057188001235@fax.example.gov.cn"
        assert message.state == MessageState.SENT

    def test_it_refuses_a_fax_without_a_pdf(self) -> None:
        message = self.deliver(self.queue(Channel.FAX))
        not_pdf = self.deliver(
            self.queue(Channel.FAX, document=self.store("notify/notice.docx", b"PK\x03\x04"))
        )

        for failed in (message, not_pdf):
            assert failed.state == MessageState.FAILED
            assert self.attempts(failed)[0].permanent
        assert "PDF" in message.last_error and "PDF" in not_pdf.last_error
        assert self.smtp.offered == []


class ConnectionReuseTests(SmtpTestCase):
    def test_it_sends_a_batchs_mail_over_one_connection(self) -> None:
        people = [
            Person.objects.create(name=f"收件人{n}", unit=self.county_a, email=f"r{n}@x.gov.cn")
            for n in range(4)
        ]
        # The server refuses the second mail: the connection still serves the rest.
        self.smtp.script = ["250 2.0.0 OK", "550 5.1.1 mailbox unavailable"]
        messages = [self.queue(Channel.EMAIL, person=p) for p in people]
        services.deliver_due()
        states = [Message.objects.get(pk=m.pk).state for m in messages]
        sent, failed = MessageState.SENT, MessageState.FAILED
        assert states == [sent, failed, sent, sent]
        assert len(self.smtp.offered) == 4
        assert len({mail.peer for mail in self.smtp.offered}) == 1

    def test_it_opens_a_new_connection_when_the_server_dropped_the_kept_one(self) -> None:
        people = [
            Person.objects.create(name=f"收件人{n}", unit=self.county_a, email=f"r{n}@x.gov.cn")
            for n in range(2)
        ]
        # 421: the server closes the connection after refusing the first mail for now.
        self.smtp.script = ["421 4.3.2 shutting down"]
        first, second = (self.queue(Channel.EMAIL, person=p) for p in people)
        services.deliver_due()
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.state == MessageState.QUEUED and "421" in first.last_error
        assert second.state == MessageState.SENT
        assert [m.rcpt_tos for m in self.smtp.received] == [["r1@x.gov.cn"]]
        # smtplib closes a connection answered 421; the second mail came over a new one.
        assert len({mail.peer for mail in self.smtp.offered}) == 2
