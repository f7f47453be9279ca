"""WeCom (企业微信): a group robot's webhook, and application messages to one person.

Both answer ``{"errcode": 0, "errmsg": "ok"}`` on success, under HTTP 200 either way; any
other errcode is a failure, transient only for rate limits and "system busy".
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache

from xinbao.notify.conf import conf
from xinbao.notify.models import Channel, Message
from xinbao.notify.transports import http
from xinbao.notify.transports.base import Sent, Transport, TransportError
from xinbao.notify.transports.common import person_of, plain_text, robot_address, robot_of

#: -1 system busy; 45009 API call frequency exceeded; 45033 too many concurrent calls.
TRANSIENT = {-1, 45009, 45033}
#: The access token expired (42001) or is not (any longer) valid (40014).
TOKEN_EXPIRED = {40014, 42001}
#: Refresh a cached token this long before WeCom says it expires (seconds).
TOKEN_MARGIN = 300


class WeComRobotTransport(Transport):
    """A group chat's robot: ``POST {webhook}`` with a text message.

    93000 (invalid webhook key) and other codes are permanent; 45009 is the robot's rate
    limit (20 a minute), which ``Endpoint.per_minute`` keeps us under in the first place.
    """

    channel = Channel.WECOM_ROBOT

    def address_of(self, message: Message) -> str:
        return robot_address(message)

    def send(self, message: Message) -> Sent:
        endpoint = robot_of(message)
        payload = {"msgtype": "text", "text": {"content": plain_text(message)}}
        data, response = http.post_json(endpoint.url, payload)
        http.check_errcode(data, response, transient=TRANSIENT)
        return Sent(response=response.text)


def _token_key(settings: dict[str, Any]) -> str:
    fingerprint = hashlib.sha256(
        f"{settings['api_base']}|{settings['corp_id']}|{settings['corp_secret']}".encode()
    ).hexdigest()[:24]
    return f"notify:wecom-token:{fingerprint}"


def access_token(settings: dict[str, Any], *, refresh: bool = False) -> str:
    """The application's access token, from the cache unless ``refresh`` or expired.

    Kept in Django's cache so that every sender of a shared cache uses one token: WeCom
    limits how often ``gettoken`` may be called.
    """
    key = _token_key(settings)
    if not refresh:
        cached = cache.get(key)
        if isinstance(cached, str) and cached:
            return cached
    url = f"{settings['api_base'].rstrip('/')}/cgi-bin/gettoken"
    data, response = http.get_json(
        url, params={"corpid": settings["corp_id"], "corpsecret": settings["corp_secret"]}
    )
    try:
        http.check_errcode(data, response, transient=TRANSIENT)
    except TransportError as exc:
        raise TransportError(f"gettoken: {exc}", permanent=exc.permanent) from None
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise TransportError("gettoken answered without an access_token")
    expires_in = data.get("expires_in")
    lifetime = int(expires_in) if isinstance(expires_in, int) else 7200
    cache.set(key, token, timeout=max(lifetime - TOKEN_MARGIN, 60))
    return token


class WeComAppTransport(Transport):
    """An application message (应用消息) to the person's WeCom user id.

    The access token is fetched with corp id and secret, cached, and fetched again once
    when WeCom says it has expired. A user WeCom does not know is a permanent failure.
    """

    channel = Channel.WECOM_APP

    def address_of(self, message: Message) -> str:
        person = person_of(message)
        return person.wecom_userid if person is not None else ""

    def send(self, message: Message) -> Sent:
        settings = conf()["wecom_app"]
        for key in ("corp_id", "corp_secret", "agent_id"):
            if not settings[key]:
                raise TransportError(
                    f"the WeCom application needs {key} (see docs)", permanent=True
                )
        try:
            agent_id = int(settings["agent_id"])
        except ValueError:
            raise TransportError("the WeCom agent id is not a number", permanent=True) from None
        payload = {
            "touser": message.address,
            "msgtype": "text",
            "agentid": agent_id,
            "text": {"content": plain_text(message)},
        }
        url = f"{settings['api_base'].rstrip('/')}/cgi-bin/message/send"
        token = access_token(settings)
        data, response = http.post_json(url, payload, params={"access_token": token})
        if http.errcode_of(data) in TOKEN_EXPIRED:
            token = access_token(settings, refresh=True)
            data, response = http.post_json(url, payload, params={"access_token": token})
        # Still "expired" with a fresh token: WeCom's trouble, worth a later try.
        http.check_errcode(data, response, transient=TRANSIENT | TOKEN_EXPIRED)
        for field in ("invaliduser", "unlicenseduser"):
            if isinstance(data, dict) and data.get(field):
                raise TransportError(
                    f"WeCom refused the user ({field}: {data[field]})",
                    permanent=True,
                    response=response.text,
                )
        msgid = data.get("msgid", "") if isinstance(data, dict) else ""
        return Sent(provider_id=str(msgid), response=response.text)
