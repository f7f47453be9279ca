"""SMS through a gateway: a generic HTTP one, or Alibaba Cloud SMS (阿里云短信服务).

``generic`` — the contract an office's own gateway implements (docs/integrations.md)::

    POST {url}   Authorization: Bearer {token}
    {"phone": "13800000000", "text": "...", "id": "<dedupe key>"}
    → 2xx {"ok": true, "id": "<gateway's id>"}
    → 2xx {"ok": false, "error": "...", "permanent": true|false}

``aliyun`` — the SendSms operation of the RPC API (version 2017-05-25), signed with
SignatureMethod HMAC-SHA1 / SignatureVersion 1.0; ``Code == "OK"`` is sent, ``BizId`` is the
provider's id, ``OutId`` carries the dedupe key back in delivery reports.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from xinbao.notify.conf import conf
from xinbao.notify.models import Channel, Message
from xinbao.notify.transports import http
from xinbao.notify.transports.base import Sent, Transport, TransportError
from xinbao.notify.transports.common import mobile_of, plain_text

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
ALIYUN_VERSION = "2017-05-25"
#: Alibaba Cloud codes that mean "later": flow control, a busy system, an empty balance.
ALIYUN_TRANSIENT = {
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "isp.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",
    "ServiceUnavailable",
    "InternalError",
}


def percent_encode(value: str) -> str:
    """Alibaba Cloud's percent-encoding: RFC 3986 unreserved characters kept, space as %20."""
    # quote() keeps A-Z a-z 0-9 - _ . ~ and encodes everything else as UTF-8 %XX: the rule.
    return quote(value, safe="")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str) -> str:
    """Signature = Base64(HMAC-SHA1(secret + "&", StringToSign)), per the published spec."""
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_code_error(
    code: str, data: Mapping[str, Any], response: http.Response
) -> TransportError:
    transient = code in ALIYUN_TRANSIENT or code.startswith("Throttling")
    return TransportError(
        f"{code}: {data.get('Message', '')}", permanent=not transient, response=response.text
    )


class SmsTransport(Transport):
    channel = Channel.SMS

    def address_of(self, message: Message) -> str:
        return mobile_of(message)

    def send(self, message: Message) -> Sent:
        settings = conf()["sms"]
        provider = settings["provider"]
        if provider == "generic":
            return self.send_generic(message, settings)
        if provider == "aliyun":
            return self.send_aliyun(message, settings)
        raise TransportError(
            f"no SMS provider is configured (XINBAO_SMS_PROVIDER={provider!r})", permanent=True
        )

    def send_generic(self, message: Message, settings: dict[str, Any]) -> Sent:
        if not settings["url"]:
            raise TransportError("no SMS gateway address (XINBAO_SMS_URL)", permanent=True)
        payload = {"phone": message.address, "text": plain_text(message), "id": message.dedupe_key}
        headers = {"Authorization": f"Bearer {settings['token']}"}
        data, response = http.post_json(settings["url"], payload, headers=headers)
        if not isinstance(data, dict) or data.get("ok") is not True:
            error = data.get("error", "") if isinstance(data, dict) else ""
            permanent = isinstance(data, dict) and data.get("permanent") is True
            raise TransportError(
                f"the gateway refused: {error or 'no reason given'}",
                permanent=permanent,
                response=response.text,
            )
        return Sent(provider_id=str(data.get("id") or ""), response=response.text)

    def send_aliyun(self, message: Message, settings: dict[str, Any]) -> Sent:
        for key in ("access_key_id", "access_key_secret", "sign_name", "template_code"):
            if not settings[key]:
                raise TransportError(f"Alibaba Cloud SMS needs {key} (see docs)", permanent=True)
        text = plain_text(message)
        params = {
            "AccessKeyId": settings["access_key_id"],
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": ALIYUN_VERSION,
            "PhoneNumbers": message.address,
            "SignName": settings["sign_name"],
            "TemplateCode": settings["template_code"],
            "TemplateParam": json.dumps(
                {settings.get("template_param") or "content": text}, ensure_ascii=False
            ),
            "OutId": message.dedupe_key,
        }
        # POST with a form body: the same signature as GET (but the method), and the text
        # stays out of proxies' access logs.
        params["Signature"] = aliyun_signature(params, settings["access_key_secret"], "POST")
        response = http.request("POST", settings["url"] or ALIYUN_ENDPOINT, form=params)
        # Alibaba Cloud answers errors under 4xx as well, with a Code: classify by it first.
        try:
            data = json.loads(response.body)
        except ValueError:
            data = None
        code = data.get("Code") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(code, str):
            http.check_status(response)
            raise TransportError("the answer has no Code", response=response.text)
        if code != "OK":
            raise aliyun_code_error(code, data, response)
        return Sent(provider_id=str(data.get("BizId") or ""), response=response.text)
