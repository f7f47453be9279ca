"""DingTalk (钉钉) custom robot: ``POST {webhook}&timestamp=…&sign=…`` with a text message.

With the robot's "加签" secret set, every request carries ``timestamp`` (milliseconds) and
``sign`` = Base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded;
DingTalk refuses a timestamp more than an hour off. ``errcode`` 0 is sent; 310000 (signature,
keyword or IP refused) and other codes are permanent; 130101 / 410100 (more than 20 a
minute) and -1 (busy) are transient.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from xinbao.notify.models import Channel, Message
from xinbao.notify.transports import http
from xinbao.notify.transports.base import Sent, Transport
from xinbao.notify.transports.common import plain_text, robot_address, robot_of

TRANSIENT = {-1, 130101, 410100}


def sign(secret: str, timestamp_ms: int) -> str:
    """The robot signature, before URL encoding (the HTTP helper encodes query values)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkTransport(Transport):
    channel = Channel.DINGTALK

    def address_of(self, message: Message) -> str:
        return robot_address(message)

    def send(self, message: Message) -> Sent:
        endpoint = robot_of(message)
        params: dict[str, str] = {}
        if endpoint.secret:
            timestamp = int(time.time() * 1000)
            params = {"timestamp": str(timestamp), "sign": sign(endpoint.secret, timestamp)}
        payload = {"msgtype": "text", "text": {"content": plain_text(message)}}
        data, response = http.post_json(endpoint.url, payload, params=params)
        http.check_errcode(data, response, transient=TRANSIENT)
        return Sent(response=response.text)
