"""Email to the office mailbox becomes items: a real IMAP server (dovecot) on loopback."""

from __future__ import annotations

import base64
import itertools
import unittest
from email.message import EmailMessage
from typing import Any, ClassVar

from django.test import override_settings
from django.urls import reverse
from imapclient import IMAPClient  # type: ignore[import-untyped]  # (imapclient 4.1 ships no type hints)

from xinbao.accounts.models import User
from xinbao.inbound.imap import Mailbox, poll
from xinbao.inbound.models import InboundMessage, InboundState, MailboxState
from xinbao.inbound.tests.dovecot import PASSWORD, USER, Dovecot, dovecot_binary
from xinbao.items.models import Channel, Item, ItemStatus
from xinbao.items.tests.test_attachment_markings import word
from xinbao.lib.chores import chores
from xinbao.test import BaseTestCase

ALICE = "alice@dongcheng.gov.cn"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_folders = itertools.count(1)


def plain(
    *,
    sender: str = f"赵小红 <{ALICE}>",
    subject: str = "青石镇突发山洪",
    body: str = "7月8日凌晨，东城县青石镇突发山洪，已转移群众120人。",
    message_id: str = "<m1@dongcheng.gov.cn>",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "xinbao@office.gov.cn"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = "Wed, 08 Jul 2026 06:30:00 +0800"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return bytes(msg)


def gb_word(text: str) -> str:
    """An RFC 2047 word that declares GB2312 but holds GB18030 bytes, as Chinese clients send."""
    return "=?gb2312?B?" + base64.b64encode(text.encode("gb18030")).decode() + "?="


class MailboxTestCase(BaseTestCase):
    server: ClassVar[Dovecot]

    @classmethod
    def setUpClass(cls) -> None:
        if dovecot_binary() is None:
            raise unittest.SkipTest(
                "dovecot is not installed (apt-get install dovecot-imapd): the IMAP tests need a "
                "real IMAP server on loopback",
            )
        cls.server = Dovecot()
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        super().setUpClass()

    def setUp(self) -> None:
        super().setUp()
        User.objects.filter(pk=self.alice.pk).update(email=ALICE)
        self.mailbox = Mailbox(
            host="127.0.0.1",
            port=self.server.port,
            user=USER,
            password=PASSWORD,
            folder=f"T{next(_folders)}",
            ssl=False,
        )
        with self.client_imap() as client:
            client.create_folder(self.mailbox.folder)

    def client_imap(self) -> Any:
        client = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def put(self, *messages: bytes) -> None:
        with self.client_imap() as client:
            for raw in messages:
                client.append(self.mailbox.folder, raw)

    def poll(self) -> str:
        return poll(self.mailbox)


class EmailTests(MailboxTestCase):
    def test_it_makes_a_draft_of_a_known_reporters_unit(self) -> None:
        self.put(plain())
        summary = self.poll()
        self.assertIn("1 new", summary)
        message = InboundMessage.objects.get()
        self.assertEqual(message.state, InboundState.DRAFTED)
        item = message.item
        assert item is not None
        self.assertEqual(
            (item.unit, item.status, item.channel, item.created_by),
            (self.county_a, ItemStatus.DRAFT, Channel.EMAIL, self.alice),
        )
        self.assertEqual(item.title, "青石镇突发山洪")
        self.assertIn("已转移群众120人", item.body)
        self.assertEqual(item.source_id, "<m1@dongcheng.gov.cn>")
        # The reporter finds it among their drafts, marked as an email.
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:list"), {"status": "draft"})
        self.assertContains(page, "青石镇突发山洪")
        self.assertContains(page, "Email")
        # The original message is kept as a file.
        with message.raw.open("rb") as f:
            self.assertIn(b"Message-ID: <m1@dongcheng.gov.cn>", f.read())

    def test_it_reads_gbk_text_a_gb2312_subject_and_keeps_the_attachments(self) -> None:
        body = "喆镕同志报告：东城县青石镇灾情稳定。".encode("gb18030")
        docx = word("青石镇灾情统计表")
        secret = word("灾情通报", header="机密★")
        boundary = "=_xinbao_boundary"
        raw = (
            (
                f"From: {gb_word('赵小红')} <{ALICE}>\r\n"
                "To: xinbao@office.gov.cn\r\n"
                f"Subject: {gb_word('关于喆镕同志报告的情况')}\r\n"
                "Message-ID: <gbk-1@dongcheng.gov.cn>\r\n"
                "MIME-Version: 1.0\r\n"
                f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
                f"--{boundary}\r\n"
                "Content-Type: text/plain; charset=gb2312\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n"
            ).encode()
            + body
            + (
                f"\r\n--{boundary}\r\n"
                f"Content-Type: {DOCX}\r\n"
                "Content-Transfer-Encoding: base64\r\n"
                f'Content-Disposition: attachment; filename="{gb_word("统计表.docx")}"\r\n\r\n'
            ).encode()
            + base64.encodebytes(docx)
            + (
                f"\r\n--{boundary}\r\n"
                f"Content-Type: {DOCX}\r\n"
                "Content-Transfer-Encoding: base64\r\n"
                'Content-Disposition: attachment; filename="notice.docx"\r\n\r\n'
            ).encode()
            + base64.encodebytes(secret)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        self.put(raw)
        self.poll()
        message = InboundMessage.objects.get()
        item = message.item
        assert item is not None
        self.assertEqual(item.title, "关于喆镕同志报告的情况")
        self.assertEqual(item.body, "喆镕同志报告：东城县青石镇灾情稳定。")
        self.assertEqual(message.sender_name, "赵小红")
        attachment = item.attachments.get()
        self.assertEqual(attachment.original_name, "统计表.docx")
        with attachment.file.open("rb") as f:
            self.assertEqual(f.read(), docx)
        # The marked one is refused by the items' checks and recorded, not lost.
        self.assertEqual([r["name"] for r in message.refused_attachments], ["notice.docx"])
        self.assertIn("机密★", message.refused_attachments[0]["reason"])
        self.client.force_login(self.alice)
        page = self.client.get(reverse("items:detail", args=[item.pk]))
        self.assertContains(page, "统计表.docx")
        self.assertContains(page, "notice.docx")

    def test_it_takes_the_text_of_an_html_only_message(self) -> None:
        msg = EmailMessage()
        msg["From"] = ALICE
        msg["Subject"] = "防汛值班"
        msg["Message-ID"] = "<html-1@dongcheng.gov.cn>"
        msg.set_content(
            "<html><head><style>p{color:red}</style></head><body><p>今晚县委值班。</p>"
            "<p>电话&nbsp;12345</p></body></html>",
            subtype="html",
        )
        self.put(bytes(msg))
        self.poll()
        item = InboundMessage.objects.get().item
        assert item is not None
        self.assertEqual(item.body, "今晚县委值班。\n电话\xa012345")

    def test_it_threads_a_reply_to_the_earlier_message_and_its_item(self) -> None:
        self.put(plain())
        self.poll()
        first = InboundMessage.objects.get()
        self.put(
            plain(
                subject="Re: 青石镇突发山洪",
                body="补充：伤亡人数为零。",
                message_id="<m2@dongcheng.gov.cn>",
                In_Reply_To="<m1@dongcheng.gov.cn>",
                References="<m1@dongcheng.gov.cn>",
            )
        )
        self.poll()
        reply = InboundMessage.objects.get(message_id="<m2@dongcheng.gov.cn>")
        self.assertEqual(reply.state, InboundState.THREADED)
        self.assertEqual((reply.reply_to, reply.item), (first, first.item))
        self.assertEqual(Item.objects.count(), 1)
        self.client.force_login(self.alice)
        assert first.item is not None
        page = self.client.get(reverse("items:detail", args=[first.item.pk]))
        self.assertContains(page, "补充：伤亡人数为零。")

    def test_it_quarantines_an_unknown_sender_until_an_editor_releases_it(self) -> None:
        self.put(plain(sender="路人 <someone@example.com>", message_id="<x1@example.com>"))
        self.poll()
        message = InboundMessage.objects.get()
        self.assertEqual((message.state, message.item), (InboundState.QUARANTINED, None))
        self.assertEqual(Item.objects.count(), 0)
        self.client.force_login(self.ed)
        page = self.client.get(reverse("inbound:quarantine"))
        self.assertContains(page, "someone@example.com")
        answer = self.client.post(
            reverse("inbound:release", args=[message.pk]),
            {
                f"r{message.pk}-unit": self.county_b.pk,
                f"r{message.pk}-writer_name": "路人",
                f"r{message.pk}-writer_phone": "13912345678",
            },
        )
        self.assertRedirects(answer, reverse("inbound:quarantine"))
        message.refresh_from_db()
        item = message.item
        assert item is not None
        self.assertEqual(message.state, InboundState.RELEASED)
        self.assertEqual(
            (item.unit, item.status, item.created_by), (self.county_b, ItemStatus.DRAFT, self.ed)
        )
        self.assertEqual(item.title, "青石镇突发山洪")

    def test_it_makes_one_item_of_a_message_fetched_twice(self) -> None:
        self.put(plain())
        self.poll()
        # The folder read again from the start (as after a changed UIDVALIDITY), and the same
        # message delivered a second time under a new UID.
        MailboxState.objects.update(last_uid=0, uidvalidity=None)
        self.put(plain())
        summary = self.poll()
        self.assertIn("2 messages read, 0 new", summary)
        self.assertEqual(InboundMessage.objects.count(), 1)
        self.assertEqual(Item.objects.count(), 1)

    def test_it_records_a_broken_message_and_reads_the_next_ones(self) -> None:
        broken = (
            b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64\r\n"
        )
        self.put(broken, plain(message_id="<after@dongcheng.gov.cn>"))
        summary = self.poll()
        self.assertIn("2 messages read, 2 new, 1 unreadable", summary)
        failed = InboundMessage.objects.get(state=InboundState.FAILED)
        self.assertIn("no sender", failed.problem)
        self.assertTrue(failed.source_id.startswith("sha256:"))
        good = InboundMessage.objects.get(message_id="<after@dongcheng.gov.cn>")
        self.assertEqual(good.state, InboundState.DRAFTED)
        self.client.force_login(self.chief)
        page = self.client.get(reverse("inbound:list"), {"state": "failed"})
        self.assertContains(page, "no sender")

    def test_it_polls_the_configured_mailbox_from_the_scanner(self) -> None:
        self.put(plain())
        with override_settings(
            XINBAO_INBOUND_IMAP_HOST="127.0.0.1",
            XINBAO_INBOUND_IMAP_PORT=self.server.port,
            XINBAO_INBOUND_IMAP_USER=USER,
            XINBAO_INBOUND_IMAP_PASSWORD=PASSWORD,
            XINBAO_INBOUND_IMAP_FOLDER=self.mailbox.folder,
            XINBAO_INBOUND_IMAP_SSL=False,
        ):
            run = chores()["inbound.poll_mailbox"].run
            assert run is not None
            self.assertIn("1 new", run())
            # The next poll reads from the last UID on: nothing new.
            self.assertIn("0 messages read", run())
        state = MailboxState.objects.get()
        self.assertEqual(state.last_uid, 1)
        self.assertIsNotNone(state.uidvalidity)
        self.assertEqual(Item.objects.get().unit, self.county_a)

    def test_it_records_a_refused_login_and_reads_nothing(self) -> None:
        self.put(plain())
        wrong = Mailbox(**{**self.mailbox.__dict__, "password": "not-the-password"})
        with self.assertRaises(IMAPClient.Error):
            poll(wrong)
        state = MailboxState.objects.get()
        self.assertIn("AUTHENTICATIONFAILED", state.last_error)
        self.assertEqual((state.last_uid, InboundMessage.objects.count()), (0, 0))
        # Once the password is right again, the message is read.
        self.assertIn("1 new", self.poll())
        self.assertEqual(MailboxState.objects.get().last_error, "")
