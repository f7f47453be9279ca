"""SMS through a generic gateway and through Alibaba Cloud, both played by loopback peers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.urls import reverse

from xinbao.notify.models import Channel, MessageState
from xinbao.notify.tests.peers import (
    AliyunPeer,
    GenericSmsPeer,
    Reply,
    TransportTestCase,
    spec_signature,
)
from xinbao.notify.transports.sms import aliyun_signature


class GenericGatewayTests(TransportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.gateway = self.serve(GenericSmsPeer(token="t0ken"))
        self.configure(
            sms={"provider": "generic", "url": f"{self.gateway.url}/send", "token": "t0ken"}
        )

    def test_it_posts_phone_text_and_dedupe_key(self) -> None:
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.SENT
        assert message.provider_id == "gw-1"
        [request] = self.gateway.received
        payload = request.json()
        assert payload["phone"] == "13900000011"
        assert payload["id"] == message.dedupe_key
        assert "周敏" in payload["text"]

    def test_it_retries_on_a_server_error(self) -> None:
        self.gateway.script = [Reply(500, {"ok": False, "error": "db down"})]
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.QUEUED
        [attempt] = self.attempts(message)
        assert not attempt.ok and not attempt.permanent
        assert "HTTP 500" in attempt.error and "db down" in attempt.response

    def test_it_retries_when_the_gateway_does_not_answer_in_time(self) -> None:
        self.gateway.script = [Reply(200, {"ok": True, "id": "late"}, delay=1.0)]
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.QUEUED
        [attempt] = self.attempts(message)
        assert not attempt.ok and not attempt.permanent
        assert "no answer within" in attempt.error
        assert attempt.duration_ms < 1000

    def test_it_counts_ok_false_under_200_as_a_failure(self) -> None:
        self.gateway.script = [Reply(200, {"ok": False, "error": "quota"})]
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.QUEUED
        assert message.sent_at is None
        assert "quota" in message.last_error

    def test_it_fails_permanently_when_the_gateway_says_so(self) -> None:
        self.gateway.script = [Reply(200, {"ok": False, "error": "空号", "permanent": True})]
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.FAILED
        assert self.attempts(message)[0].permanent

    def test_it_fails_permanently_on_a_refused_token(self) -> None:
        self.configure(sms={"provider": "generic", "url": self.gateway.url, "token": "wrong"})
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.FAILED
        [attempt] = self.attempts(message)
        assert attempt.permanent and "HTTP 401" in attempt.error

    def test_it_fails_permanently_without_a_mobile_number(self) -> None:
        self.zhou.phone = ""
        self.zhou.save()
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.FAILED
        assert self.gateway.received == []


class AliyunTests(TransportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.aliyun = self.serve(AliyunPeer(access_key_id="LTAI5tTestKey", secret="s3cret/+="))
        self.settings_ = {
            "provider": "aliyun",
            "url": f"{self.aliyun.url}/",
            "access_key_id": "LTAI5tTestKey",
            "access_key_secret": "s3cret/+=",
            "sign_name": "澜江市委办公室",
            "template_code": "SMS_123456789",
        }
        self.configure(sms=self.settings_)

    def test_the_peer_verifies_the_published_example(self) -> None:
        # The example of Alibaba Cloud's "signature mechanism" page: the peer (and the
        # transport) must reproduce its signature.
        params = {
            "TimeStamp": "2016-02-23T12:46:24Z",
            "Format": "XML",
            "AccessKeyId": "testid",
            "Action": "DescribeRegions",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
            "Version": "2014-05-26",
            "SignatureVersion": "1.0",
        }
        expected = "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        assert spec_signature("GET", params, "testsecret") == expected
        assert aliyun_signature(params, "testsecret", "GET") == expected

    def test_it_sends_a_signed_request_and_keeps_the_biz_id(self) -> None:
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.SENT, message.last_error
        assert message.provider_id == "9006197469364984^1"
        [request] = self.aliyun.received
        form = request.form()
        assert request.method == "POST"
        assert form["Action"] == "SendSms"
        assert form["PhoneNumbers"] == "13900000011"
        assert form["SignName"] == "澜江市委办公室"
        assert form["OutId"] == message.dedupe_key
        assert "周敏" in json.loads(form["TemplateParam"])["content"]

    def test_it_fails_permanently_on_an_illegal_number_under_http_200(self) -> None:
        self.aliyun.script = [
            Reply(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
        ]
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.FAILED
        assert message.sent_at is None and message.provider_id == ""
        [attempt] = self.attempts(message)
        assert attempt.permanent and not attempt.ok
        assert "isv.MOBILE_NUMBER_ILLEGAL" in attempt.error

    def test_it_retries_when_throttled(self) -> None:
        self.aliyun.script = [Reply(200, {"Code": "Throttling.User", "Message": "流控"})]
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.QUEUED
        assert not self.attempts(message)[0].permanent

    def test_it_retries_on_a_server_error(self) -> None:
        self.aliyun.script = [Reply(503, b"<html>Service Unavailable</html>")]
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.QUEUED
        assert "HTTP 503" in message.last_error

    def test_it_fails_permanently_when_the_signature_does_not_match(self) -> None:
        self.configure(sms={**self.settings_, "access_key_secret": "wrong"})
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.FAILED
        assert "SignatureDoesNotMatch" in message.last_error

    def test_it_fails_permanently_on_an_unknown_access_key(self) -> None:
        self.configure(sms={**self.settings_, "access_key_id": "LTAI-none"})
        message = self.deliver(self.queue(Channel.SMS))

        assert message.state == MessageState.FAILED
        assert "InvalidAccessKeyId" in message.last_error


class ReceiptTests(TransportTestCase):
    SECRET = "receipt-secret"

    def setUp(self) -> None:
        super().setUp()
        self.gateway = self.serve(GenericSmsPeer(token="t0ken"))
        self.configure(
            sms={
                "provider": "generic",
                "url": self.gateway.url,
                "token": "t0ken",
                "callback_secret": self.SECRET,
            }
        )
        self.message = self.deliver(self.queue(Channel.SMS))
        self.url = reverse("notify:sms_receipt")

    def post(self, body: bytes, *, signature: str | None = None, query: str = "") -> Any:
        headers = {}
        if signature is not None:
            headers["X-Signature"] = signature
        return self.client.post(
            self.url + query, body, content_type="application/json", headers=headers
        )

    def sign(self, body: bytes) -> str:
        return hmac.new(self.SECRET.encode(), body, hashlib.sha256).hexdigest()

    def test_it_records_a_signed_delivery_report(self) -> None:
        body = json.dumps(
            {
                "id": self.message.dedupe_key,
                "status": "DELIVRD",
                "time": "2026-07-03T09:00:05+08:00",
            }
        ).encode()
        response = self.post(body, signature=self.sign(body))

        assert response.status_code == 200
        assert response.json()["matched"] == 1
        self.message.refresh_from_db()
        assert self.message.delivery_status == "DELIVRD"
        assert self.message.delivered_at == dt.datetime(2026, 7, 3, 1, 0, 5, tzinfo=dt.UTC)

    def test_it_refuses_a_bad_signature(self) -> None:
        body = json.dumps({"id": self.message.dedupe_key, "status": "DELIVRD"}).encode()
        response = self.post(body, signature=self.sign(b"something else"))
        unsigned = self.post(body)

        assert response.status_code == 403 and unsigned.status_code == 403
        self.message.refresh_from_db()
        assert self.message.delivered_at is None and self.message.delivery_status == ""

    def test_it_refuses_everything_without_a_configured_secret(self) -> None:
        self.configure(sms={"callback_secret": ""})
        body = json.dumps({"id": self.message.dedupe_key, "status": "DELIVRD"}).encode()

        assert (
            self.post(body, signature=hmac.new(b"", body, hashlib.sha256).hexdigest()).status_code
            == 403
        )

    def test_it_matches_the_gateways_id_and_is_idempotent(self) -> None:
        delivered = json.dumps({"id": "gw-1", "status": "DELIVRD", "time": "2026-07-03 09:00:05"})
        late_failure = json.dumps({"id": "gw-1", "status": "UNDELIV"})
        for body in (delivered.encode(), delivered.encode(), late_failure.encode()):
            assert self.post(body, signature=self.sign(body)).status_code == 200

        self.message.refresh_from_db()
        assert self.message.provider_id == "gw-1"
        assert self.message.delivery_status == "DELIVRD"
        assert self.message.delivered_at == dt.datetime(2026, 7, 3, 1, 0, 5, tzinfo=dt.UTC)

    def test_it_records_a_failure_report_without_a_delivery_time(self) -> None:
        body = json.dumps({"id": self.message.dedupe_key, "status": "UNDELIV"}).encode()
        assert self.post(body, signature=self.sign(body)).status_code == 200

        self.message.refresh_from_db()
        assert self.message.delivery_status == "UNDELIV"
        assert self.message.delivered_at is None

    def test_it_takes_aliyun_reports_with_the_token_in_the_address(self) -> None:
        reports = [
            {
                "phone_number": "13900000011",
                "send_time": "2026-07-03 09:00:00",
                "report_time": "2026-07-03 09:00:07",
                "success": True,
                "err_code": "DELIVERED",
                "err_msg": "用户接收成功",
                "sms_size": "1",
                "biz_id": "900619746936498440^0",
                "out_id": self.message.dedupe_key,
            },
            {
                "phone_number": "13900000099",
                "success": False,
                "err_code": "MK:0001",
                "biz_id": "unknown",
                "out_id": "not-ours",
            },
        ]
        body = json.dumps(reports, ensure_ascii=False).encode()
        refused = self.post(body, query="?token=wrong")
        response = self.post(body, query=f"?token={self.SECRET}")

        assert refused.status_code == 403
        assert response.status_code == 200
        assert response.json()["code"] == 0  # what Alibaba Cloud checks
        assert response.json()["matched"] == 1
        self.message.refresh_from_db()
        assert self.message.delivery_status == "DELIVERED"
        assert self.message.delivered_at == dt.datetime(2026, 7, 3, 1, 0, 7, tzinfo=dt.UTC)

    def test_it_only_takes_post(self) -> None:
        assert self.client.get(self.url).status_code == 405
