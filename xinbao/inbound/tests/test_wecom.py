"""WeCom application callbacks: the published example of the algorithm, and a full POST."""

from __future__ import annotations

from typing import Any

from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from xinbao.inbound.models import InboundMessage, InboundState
from xinbao.inbound.wecom import CallbackError, WeComCrypt, parse_xml
from xinbao.items.models import Channel, Item, ItemStatus
from xinbao.org.models import Person
from xinbao.test import BaseTestCase

# WeCom's published example (developer.work.weixin.qq.com/document/path/90968, "加解密方案说明",
# and the Sample files of its WXBizMsgCrypt libraries).
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"
VERIFY = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": (
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    ),
}
VERIFY_ECHO = "1616140317555161061"
POST_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
POST_TIMESTAMP = "1409659813"
POST_NONCE = "1372623149"
POST_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczcd"
    "CUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4X"
    "gpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+Kq"
    "CKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZ"
    "S9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZ"
    "Is2pDBS8R07+qN+E7Q=="
)
POST_PLAINTEXT = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n"
    "<AgentID>218</AgentID>\n"
    "</xml>"
)

CALLBACK = override_settings(
    XINBAO_WECOM_CALLBACK_TOKEN=TOKEN,
    XINBAO_WECOM_CALLBACK_AES_KEY=AES_KEY,
    XINBAO_WECOM_CORP_ID=CORP_ID,
)


class PublishedExampleTests(SimpleTestCase):
    crypt = WeComCrypt(token=TOKEN, encoding_aes_key=AES_KEY, corp_id=CORP_ID)

    def test_it_verifies_and_decrypts_the_published_url_check(self) -> None:
        self.assertEqual(self.crypt.verify_url(**VERIFY), VERIFY_ECHO)

    def test_it_verifies_and_decrypts_the_published_message(self) -> None:
        self.assertEqual(
            self.crypt.signature(POST_TIMESTAMP, POST_NONCE, POST_ENCRYPT), POST_SIGNATURE
        )
        self.assertEqual(self.crypt.decrypt(POST_ENCRYPT), POST_PLAINTEXT)

    def test_it_round_trips_its_own_encryption(self) -> None:
        text = "<xml><Content><![CDATA[东城县青石镇山洪，已转移群众。]]></Content></xml>"
        for random in (b"0123456789abcdef", None):
            self.assertEqual(self.crypt.decrypt(self.crypt.encrypt(text, random=random)), text)

    def test_it_refuses_another_corp_a_bad_signature_and_a_doctype(self) -> None:
        other = WeComCrypt(token=TOKEN, encoding_aes_key=AES_KEY, corp_id="wwanothercorp")
        with self.assertRaisesMessage(CallbackError, "another CorpID"):
            other.decrypt(POST_ENCRYPT)
        with self.assertRaisesMessage(CallbackError, "bad signature"):
            self.crypt.verify_url(**{**VERIFY, "nonce": "1"})
        with self.assertRaisesMessage(CallbackError, "DOCTYPE"):
            parse_xml('<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>')


@CALLBACK
class CallbackTests(BaseTestCase):
    crypt = WeComCrypt(token=TOKEN, encoding_aes_key=AES_KEY, corp_id=CORP_ID)

    def setUp(self) -> None:
        super().setUp()
        Person.objects.create(
            name="赵小红", unit=self.county_a, wecom_userid="zhaoxiaohong", user=self.alice
        )

    def post(self, plaintext: str, *, timestamp: str = "1783476000", nonce: str = "5566") -> Any:
        encrypted = self.crypt.encrypt(plaintext)
        query = {
            "msg_signature": self.crypt.signature(timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        body = (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
        )
        url = reverse("inbound:wecom") + "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return self.client.post(url, body, content_type="text/xml")

    def text(self, content: str, *, sender: str = "zhaoxiaohong", msg_id: str = "7001") -> str:
        return (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
            "<CreateTime>1783476000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId>"
            "<AgentID>1000002</AgentID></xml>"
        )

    def test_it_answers_the_published_url_check(self) -> None:
        answer = self.client.get(reverse("inbound:wecom"), VERIFY)
        self.assertEqual((answer.status_code, answer.content.decode()), (200, VERIFY_ECHO))
        forged = self.client.get(reverse("inbound:wecom"), {**VERIFY, "timestamp": "1"})
        self.assertEqual(forged.status_code, 401)

    def test_it_makes_a_draft_of_a_members_text_message(self) -> None:
        answer = self.post(self.text("西山路口积水严重，已安排抽排。"))
        self.assertEqual(answer.status_code, 200)
        item = Item.objects.get()
        self.assertEqual(
            (item.unit, item.status, item.channel, item.source_id, item.created_by),
            (self.county_a, ItemStatus.DRAFT, Channel.WECOM, "7001", self.alice),
        )
        self.assertEqual(item.body, "西山路口积水严重，已安排抽排。")
        # WeCom resends a message it got no answer to in time: still one item.
        self.post(self.text("西山路口积水严重，已安排抽排。"), nonce="7788")
        self.assertEqual(Item.objects.count(), 1)

    def test_it_quarantines_an_unknown_member_and_refuses_a_forged_post(self) -> None:
        self.post(self.text("你好", sender="stranger", msg_id="7002"))
        self.assertEqual(InboundMessage.objects.get().state, InboundState.QUARANTINED)
        encrypted = self.crypt.encrypt(self.text("伪造", msg_id="7003"))
        url = reverse("inbound:wecom") + "?msg_signature=00&timestamp=1&nonce=2"
        forged = self.client.post(
            url, f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>", content_type="text/xml"
        )
        self.assertEqual(forged.status_code, 401)
        self.assertEqual(InboundMessage.objects.count(), 1)
