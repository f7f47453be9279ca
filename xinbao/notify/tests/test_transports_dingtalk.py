"""DingTalk custom robots, with and without "加签", against a loopback DingTalk."""

from __future__ import annotations

from xinbao.notify.models import Channel, Endpoint, MessageState
from xinbao.notify.tests.peers import DingTalkPeer, Reply, TransportTestCase

SECRET = "SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7f3a9dc"


class DingTalkTests(TransportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dingtalk = self.serve(DingTalkPeer(access_token="T0K", secret=SECRET))
        self.configure()

    def robot(self, *, secret: str = SECRET, token: str = "T0K") -> Endpoint:  # noqa: S107  (a fixture)
        return Endpoint.objects.create(
            name="西山县值班群",
            channel=Channel.DINGTALK,
            url=f"{self.dingtalk.url}/robot/send?access_token={token}",
            secret=secret,
            unit=self.county_b,
        )

    def test_it_signs_and_sends_a_text_message(self) -> None:
        message = self.deliver(self.queue(Channel.DINGTALK, endpoint=self.robot()))

        assert message.state == MessageState.SENT, message.last_error
        [request] = self.dingtalk.received
        assert request.query["access_token"] == "T0K"
        assert {"timestamp", "sign"} <= request.query.keys()
        assert request.json()["msgtype"] == "text"
        assert "西山县值班群" in request.json()["text"]["content"]
        assert SECRET not in message.address and "T0K" not in message.address

    def test_it_fails_permanently_when_the_signature_is_refused(self) -> None:
        message = self.deliver(self.queue(Channel.DINGTALK, endpoint=self.robot(secret="SECwrong")))

        assert message.state == MessageState.FAILED
        [attempt] = self.attempts(message)
        assert attempt.permanent and "310000" in attempt.error
        assert message.sent_at is None

    def test_it_retries_when_sending_too_fast(self) -> None:
        self.dingtalk.script = [Reply(200, {"errcode": 130101, "errmsg": "send too fast"})]
        message = self.deliver(self.queue(Channel.DINGTALK, endpoint=self.robot()))

        assert message.state == MessageState.QUEUED
        assert not self.attempts(message)[0].permanent

    def test_it_sends_without_a_signature_when_the_robot_has_no_secret(self) -> None:
        self.dingtalk.secret = ""
        message = self.deliver(self.queue(Channel.DINGTALK, endpoint=self.robot(secret="")))

        assert message.state == MessageState.SENT
        [request] = self.dingtalk.received
        assert "sign" not in request.query and "timestamp" not in request.query

    def test_it_fails_permanently_on_an_unknown_access_token(self) -> None:
        message = self.deliver(self.queue(Channel.DINGTALK, endpoint=self.robot(token="old")))

        assert message.state == MessageState.FAILED
        assert "300001" in message.last_error

    def test_it_retries_when_the_answer_is_not_the_api(self) -> None:
        self.dingtalk.script = [Reply(200, b"<html>portal</html>")]
        message = self.deliver(self.queue(Channel.DINGTALK, endpoint=self.robot()))

        assert message.state == MessageState.QUEUED
        assert "not JSON" in message.last_error
