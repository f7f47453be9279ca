"""Real protocol peers on loopback for the transport tests, and a test case that uses them.

Each peer speaks its side of the protocol and checks what it is sent the way the provider
would (the Alibaba Cloud and DingTalk signatures are verified here from the published
specifications, not with the transports' own functions). ``script`` holds replies a peer
gives, in order, once a request has passed its checks: a failure to provoke.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
import logging
import socket
import string
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TypeVar
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test import override_settings

from xinbao.notify import services
from xinbao.notify.models import Attempt, Endpoint, Message
from xinbao.org.models import Person
from xinbao.test import BaseTestCase

# aiosmtpd logs every SMTP command at INFO: noise in a failing test's output.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- HTTP -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One HTTP request as the peer saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True, strict_parsing=True))


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    delay: float = 0.0
    """Seconds to wait before answering: longer than the client's timeout plays a hung server."""


class HttpPeer:
    """A ThreadingHTTPServer on 127.0.0.1; subclasses play a provider in ``answer``."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Reply] = []
        self._stopping = threading.Event()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                peer.received.append(request)
                reply = peer.answer(request)
                if reply.delay and peer._stopping.wait(reply.delay):
                    return
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body)
                data = body.encode() if isinstance(body, str) else body
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting: what a timeout test wants

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll keeps shutdown() quick: it waits for the serving loop's next turn.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def scripted(self, default: Reply) -> Reply:
        return self.script.pop(0) if self.script else default

    def answer(self, request: Received) -> Reply:
        return self.scripted(Reply(200, {}))


class GenericSmsPeer(HttpPeer):
    """An office's own SMS gateway, per the generic contract in docs/integrations.md."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def answer(self, request: Received) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"ok": False, "error": "bad token"})
        payload = request.json()
        if not {"phone", "text", "id"} <= payload.keys():
            return Reply(400, {"ok": False, "error": "missing fields"})
        return self.scripted(Reply(200, {"ok": True, "id": f"gw-{len(self.received)}"}))


UNRESERVED = frozenset(string.ascii_letters + string.digits + "-_.~")


def spec_percent_encode(value: str) -> str:
    """Alibaba Cloud's encoding as its documentation states it, character by character."""
    return "".join(
        char if char in UNRESERVED else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in value
    )


def spec_signature(method: str, params: dict[str, str], secret: str) -> str:
    """Alibaba Cloud RPC signature 1.0, written from the published steps."""
    pairs = sorted((spec_percent_encode(k), spec_percent_encode(v)) for k, v in params.items())
    canonical = "&".join(f"{k}={v}" for k, v in pairs)
    string_to_sign = method + "&" + spec_percent_encode("/") + "&" + spec_percent_encode(canonical)
    key = (secret + "&").encode("utf-8")
    return base64.b64encode(
        hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    ).decode()


class AliyunPeer(HttpPeer):
    """Alibaba Cloud SMS's SendSms: checks the key, the signature, the clock and the nonce."""

    def __init__(self, access_key_id: str, secret: str) -> None:
        super().__init__()
        self.access_key_id, self.secret = access_key_id, secret
        self.nonces: set[str] = set()

    def answer(self, request: Received) -> Reply:
        params = request.form() if request.method == "POST" else dict(request.query)
        given = params.pop("Signature", "")
        error = self.refuse(request.method, params, given)
        if error is not None:
            status, code = error
            return Reply(status, {"Code": code, "Message": code, "RequestId": "R-ERR"})
        self.nonces.add(params["SignatureNonce"])
        return self.scripted(
            Reply(
                200,
                {
                    "Code": "OK",
                    "Message": "OK",
                    "BizId": f"9006197469364984^{len(self.received)}",
                    "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
                },
            )
        )

    def refuse(self, method: str, params: dict[str, str], given: str) -> tuple[int, str] | None:
        if params.get("AccessKeyId") != self.access_key_id:
            return 404, "InvalidAccessKeyId.NotFound"
        if (params.get("SignatureMethod"), params.get("SignatureVersion")) != ("HMAC-SHA1", "1.0"):
            return 400, "InvalidSignatureMethod"
        if params.get("SignatureNonce", "") in self.nonces or not params.get("SignatureNonce"):
            return 400, "SignatureNonceUsed"
        try:
            stamp = dt.datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return 400, "InvalidTimeStamp.Format"
        if abs(stamp.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)) > dt.timedelta(minutes=15):
            return 400, "InvalidTimeStamp.Expired"
        if not hmac.compare_digest(given, spec_signature(method, params, self.secret)):
            return 400, "SignatureDoesNotMatch"
        for name in ("Action", "PhoneNumbers", "SignName", "TemplateCode", "Version"):
            if not params.get(name):
                return 400, f"MissingParameter.{name}"
        return None


class WeComPeer(HttpPeer):
    """WeCom's API: ``gettoken``, ``message/send`` for applications, robots' ``webhook/send``."""

    def __init__(
        self, corp_id: str, secret: str, users: set[str], robot_keys: set[str] | None = None
    ) -> None:
        super().__init__()
        self.corp_id, self.secret, self.users = corp_id, secret, users
        self.robot_keys = robot_keys or set()
        self.valid_tokens: set[str] = set()
        self.tokens_issued = 0

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def answer(self, request: Received) -> Reply:
        if request.path == "/cgi-bin/gettoken":
            query = request.query
            if (query.get("corpid"), query.get("corpsecret")) != (self.corp_id, self.secret):
                return Reply(200, {"errcode": 40001, "errmsg": "invalid credential"})
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
            self.valid_tokens.add(token)
            return Reply(
                200,
                {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200},
            )
        if request.path == "/cgi-bin/message/send":
            if request.query.get("access_token") not in self.valid_tokens:
                return Reply(200, {"errcode": 42001, "errmsg": "access_token expired"})
            touser = request.json().get("touser", "")
            if touser not in self.users:
                return Reply(200, {"errcode": 0, "errmsg": "ok", "invaliduser": touser})
            return self.scripted(
                Reply(200, {"errcode": 0, "errmsg": "ok", "msgid": f"msg-{len(self.received)}"})
            )
        if request.path == "/cgi-bin/webhook/send":
            if request.query.get("key") not in self.robot_keys:
                return Reply(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
            return self.scripted(Reply(200, {"errcode": 0, "errmsg": "ok"}))
        return Reply(404, {"errcode": 404, "errmsg": "not found"})


class DingTalkPeer(HttpPeer):
    """A DingTalk custom robot with "加签": checks the access token, timestamp and sign."""

    def __init__(self, access_token: str, secret: str = "") -> None:
        super().__init__()
        self.access_token, self.secret = access_token, secret

    def answer(self, request: Received) -> Reply:
        if request.query.get("access_token") != self.access_token:
            return Reply(200, {"errcode": 300001, "errmsg": "token is not exist"})
        if self.secret:
            timestamp = request.query.get("timestamp", "")
            if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
                return Reply(200, {"errcode": 310000, "errmsg": "timestamp is invalid"})
            string_to_sign = f"{timestamp}\n{self.secret}"
            expected = base64.b64encode(
                hmac.new(
                    self.secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256
                ).digest()
            ).decode()
            if request.query.get("sign") != expected:
                return Reply(200, {"errcode": 310000, "errmsg": "sign not match"})
        return self.scripted(Reply(200, {"errcode": 0, "errmsg": "ok"}))


# --- SMTP -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    #: The client's end of the connection it came over (host, port).
    peer: Any = None

    def parsed(self) -> EmailMessage:
        message = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class SmtpPeer:
    """An SMTP server (aiosmtpd) on 127.0.0.1 that answers DATA from ``script`` first.

    ``offered`` keeps every mail offered, accepted or not; ``received`` only the accepted.
    """

    script: list[str] = field(default_factory=list)
    offered: list[Mail] = field(default_factory=list)
    received: list[Mail] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        mail = Mail(
            str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], content, session.peer
        )
        self.offered.append(mail)
        reply = self.script.pop(0) if self.script else "250 2.0.0 OK: queued"
        if reply.startswith("250"):
            self.received.append(mail)
        return reply

    @contextmanager
    def running(self) -> Iterator[Self]:
        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        controller.start()
        try:
            yield self
        finally:
            controller.stop()


# --- the test case ----------------------------------------------------------------------

PeerT = TypeVar("PeerT", bound=HttpPeer)


class TransportTestCase(BaseTestCase):
    """Personas plus a person with every address, and helpers to queue and deliver."""

    #: Short timeouts keep the failure tests fast.
    TIMEOUT = 0.4

    def setUp(self) -> None:
        super().setUp()
        self.county_a.fax = "0571-8800 1234"
        self.county_a.save(update_fields=["fax"])
        self.zhou = Person.objects.create(
            name="周敏",
            unit=self.county_a,
            phone="139 0000 0011",
            office_phone="0571-88001235",
            email="zhoumin@dongcheng.gov.cn",
            wecom_userid="ZhouMin",
        )

    def serve(self, peer: PeerT) -> PeerT:
        """Start an HTTP peer for this test; it stops when the test ends."""
        peer.start()
        self.addCleanup(peer.stop)
        return peer

    def configure(self, **notify: Any) -> None:
        """Point the channels at this test's peers until the test ends."""
        self.enterContext(override_settings(XINBAO_NOTIFY={"http_timeout": self.TIMEOUT, **notify}))

    def queue(
        self,
        channel: str,
        *,
        person: Person | None = None,
        endpoint: Endpoint | None = None,
        document: str = "",
    ) -> Message:
        to = (
            services.Recipient.of_endpoint(endpoint)
            if endpoint is not None
            else services.Recipient.of_person(person or self.zhou)
        )
        return services.queue(channel=channel, to=to, event="test", context={}, document=document)

    def deliver(self, message: Message) -> Message:
        services.deliver_due()
        message.refresh_from_db()
        return message

    def attempts(self, message: Message) -> list[Attempt]:
        return list(message.attempts.order_by("id"))
