"""The demo city's collection, early signals, inbound messages and partner leads, seen through
the pages the demo's people open (issue 13's "done when")."""

from __future__ import annotations

import io
import re
import shutil
import tempfile

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from xinbao.accounts.models import User
from xinbao.demo.mailbag import EMAIL_SUBJECT, STRANGER_SUBJECT
from xinbao.demo.watch import BURST_PLACE, REQUEST_TITLE, SHARED_TITLE
from xinbao.inbound.models import InboundMessage, InboundState
from xinbao.items.models import Channel, ItemStatus
from xinbao.liaison.models import Lead, LeadState
from xinbao.monitor.models import Post, Source, SourceState
from xinbao.signals.models import EarlySignal, SignalKind, SignalState
from xinbao.test import EnglishClient

_MEDIA = tempfile.mkdtemp(prefix="xinbao-demo-collection-")
_STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _MEDIA},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(STORAGES=_STORAGES, MEDIA_ROOT=_MEDIA)
class CollectionStoryTest(TestCase):
    client_class = EnglishClient  # assertions read the English source strings

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", "--force", stdout=io.StringIO())

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(_MEDIA, ignore_errors=True)

    def login(self, username: str) -> User:
        user = User.objects.get(username=username)
        self.client.force_login(user)
        return user

    def test_it_shows_the_editor_collected_posts_with_hits(self) -> None:
        assert Post.objects.count() >= 90
        assert set(Source.objects.values_list("state", flat=True)) == {SourceState.PAUSED}
        self.login("editor")
        page = self.client.get(reverse("monitor:posts"), {"hits": "yes"})
        assert page.status_code == 200
        text = page.content.decode()
        # Newest first: the evening's posts about 望江镇, each with its badge of hits.
        assert "望江镇老街积水快到膝盖了" in text
        assert re.search(r"\d+ hits?</span>", text)
        post = Post.objects.filter(title="听说望江镇的江堤溃口了？？").get()
        detail = self.client.get(reverse("monitor:post", args=[post.pk]))
        assert "<mark>望江镇</mark>" in detail.content.decode()
        # The rumour was reposted word for word: two more addresses, one post.
        assert post.aliases.count() == 2

    def test_it_raises_an_early_signal_with_its_evidence(self) -> None:
        signal = EarlySignal.objects.get(kind=SignalKind.PLACE, key=BURST_PLACE)
        assert signal.state == SignalState.RAISED
        assert signal.observed >= 8
        assert signal.baseline < 1
        assert signal.counts[-1] == signal.observed
        self.login("duty")
        listing = self.client.get(reverse("signals:list")).content.decode()
        assert BURST_PLACE in listing
        detail = self.client.get(reverse("signals:detail", args=[signal.pk])).content.decode()
        assert "听说望江镇的江堤溃口了？？" in detail
        assert "望江镇码头路现在过不去了，大家绕行" in detail

    def test_it_turns_the_reporters_email_and_sms_into_drafts(self) -> None:
        reporter = self.login("reporter_jiangwan")
        drafts = {
            m.channel: m.item
            for m in InboundMessage.objects.filter(person=reporter).select_related("item")
        }
        assert set(drafts) == {Channel.EMAIL, Channel.SMS}
        for item in drafts.values():
            assert item is not None
            assert item.status == ItemStatus.DRAFT
            assert item.unit_id == reporter.unit_id
        page = self.client.get(reverse("items:list")).content.decode()
        assert EMAIL_SUBJECT in page
        sms_item = drafts[Channel.SMS]
        assert sms_item is not None
        assert sms_item.title[:20] in page
        opened = self.client.get(reverse("items:detail", args=[sms_item.pk])).content.decode()
        assert "院墙因雨水浸泡倒塌" in opened

    def test_it_keeps_the_strangers_message_in_quarantine(self) -> None:
        message = InboundMessage.objects.get(subject=STRANGER_SUBJECT)
        assert message.state == InboundState.QUARANTINED
        self.login("editor")
        page = self.client.get(reverse("inbound:quarantine")).content.decode()
        assert STRANGER_SUBJECT in page

    def test_it_exchanges_leads_with_the_partner_department(self) -> None:
        shared = Lead.objects.get(title=SHARED_TITLE)
        assert shared.state == LeadState.TAKEN
        sent = Lead.objects.get(title=REQUEST_TITLE)
        assert sent.state == LeadState.ANSWERED
        assert sent.signal is not None and sent.signal.key == BURST_PLACE
        self.login("liaison")
        mine = self.client.get(reverse("liaison:mine")).content.decode()
        assert REQUEST_TITLE in mine and SHARED_TITLE in mine
        detail = self.client.get(reverse("liaison:detail", args=[sent.pk])).content.decode()
        assert "已协调平台处置不实帖文3条" in detail
        self.login("editor")
        inbox = self.client.get(reverse("liaison:inbox")).content.decode()
        assert SHARED_TITLE in inbox
