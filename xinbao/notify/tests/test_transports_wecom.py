"""WeCom group robots and application messages against a loopback WeCom."""

from __future__ import annotations

from django.core.cache import cache

from xinbao.notify.models import Channel, Endpoint, MessageState
from xinbao.notify.tests.peers import Reply, TransportTestCase, WeComPeer


class WeComTestCase(TransportTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()  # the access token is cached between sends
        self.wecom = self.serve(
            WeComPeer(corp_id="ww0001", secret="app-secret", users={"ZhouMin"}, robot_keys={"K1"})
        )
        self.configure(
            wecom_app={
                "api_base": self.wecom.url,
                "corp_id": "ww0001",
                "corp_secret": "app-secret",
                "agent_id": "1000002",
            }
        )

    def robot(self, key: str = "K1") -> Endpoint:
        return Endpoint.objects.create(
            name="东城县信息工作群",
            channel=Channel.WECOM_ROBOT,
            url=f"{self.wecom.url}/cgi-bin/webhook/send?key={key}",
            unit=self.county_a,
        )


class RobotTests(WeComTestCase):
    def test_it_posts_a_text_message_to_the_webhook(self) -> None:
        message = self.deliver(self.queue(Channel.WECOM_ROBOT, endpoint=self.robot()))

        assert message.state == MessageState.SENT
        [request] = self.wecom.received
        payload = request.json()
        assert payload["msgtype"] == "text"
        assert "东城县信息工作群" in payload["text"]["content"]
        # The webhook key is a secret: the recorded address names the robot instead.
        assert "K1" not in message.address and "东城县信息工作群" in message.address

    def test_it_fails_permanently_on_an_invalid_webhook_key(self) -> None:
        message = self.deliver(self.queue(Channel.WECOM_ROBOT, endpoint=self.robot(key="gone")))

        assert message.state == MessageState.FAILED
        [attempt] = self.attempts(message)
        assert attempt.permanent and "93000" in attempt.error

    def test_it_retries_when_the_robot_is_rate_limited(self) -> None:
        self.wecom.script = [Reply(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
        message = self.deliver(self.queue(Channel.WECOM_ROBOT, endpoint=self.robot()))

        assert message.state == MessageState.QUEUED
        assert not self.attempts(message)[0].permanent

    def test_it_fails_permanently_for_a_disabled_robot(self) -> None:
        robot = self.robot()
        message = self.queue(Channel.WECOM_ROBOT, endpoint=robot)
        robot.is_active = False
        robot.save()
        message = self.deliver(message)

        assert message.state == MessageState.FAILED
        assert self.wecom.received == []


class AppTests(WeComTestCase):
    def sends(self) -> list[dict[str, object]]:
        return [r.json() for r in self.wecom.received if r.path == "/cgi-bin/message/send"]

    def test_it_fetches_a_token_once_and_sends_to_the_persons_userid(self) -> None:
        first = self.deliver(self.queue(Channel.WECOM_APP))
        second = self.deliver(self.queue(Channel.WECOM_APP))

        assert first.state == second.state == MessageState.SENT
        assert first.address == "ZhouMin"
        assert self.wecom.tokens_issued == 1
        payload = self.sends()[0]
        assert payload["touser"] == "ZhouMin"
        assert payload["agentid"] == 1000002
        assert payload["msgtype"] == "text"

    def test_it_fetches_a_new_token_once_when_the_old_one_expired(self) -> None:
        self.deliver(self.queue(Channel.WECOM_APP))
        self.wecom.expire_tokens()
        message = self.deliver(self.queue(Channel.WECOM_APP))

        assert message.state == MessageState.SENT
        assert self.wecom.tokens_issued == 2
        assert len(self.sends()) == 3  # the refused try with the old token, then the new one
        [attempt] = self.attempts(message)
        assert attempt.ok

    def test_it_fails_permanently_for_a_user_wecom_does_not_know(self) -> None:
        self.zhou.wecom_userid = "NoSuchUser"
        self.zhou.save()
        message = self.deliver(self.queue(Channel.WECOM_APP))

        assert message.state == MessageState.FAILED
        assert message.sent_at is None
        assert "invaliduser" in message.last_error

    def test_it_fails_permanently_on_a_wrong_secret(self) -> None:
        self.configure(
            wecom_app={
                "api_base": self.wecom.url,
                "corp_id": "ww0001",
                "corp_secret": "wrong",
                "agent_id": "1000002",
            }
        )
        message = self.deliver(self.queue(Channel.WECOM_APP))

        assert message.state == MessageState.FAILED
        assert "40001" in message.last_error
        assert self.sends() == []

    def test_it_counts_an_error_code_under_200_as_a_failure(self) -> None:
        self.wecom.script = [Reply(200, {"errcode": -1, "errmsg": "system busy"})]
        message = self.deliver(self.queue(Channel.WECOM_APP))

        assert message.state == MessageState.QUEUED
        assert message.sent_at is None
        assert not self.attempts(message)[0].ok
