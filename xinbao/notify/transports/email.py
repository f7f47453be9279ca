"""Email over SMTP, with the message's document attached.

The Message-ID is derived from the outbox row's dedupe key, so a message sent again after a
crash (sent, but the sender died before recording it) carries the same Message-ID and the
receiving side can drop the duplicate.

SMTP replies 4xx (and no answer at all) are transient; 5xx replies are permanent.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import posixpath
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from xinbao.notify.conf import conf
from xinbao.notify.models import Channel, Message
from xinbao.notify.transports.base import Sent, Transport, TransportError
from xinbao.notify.transports.common import person_of, plain_text


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str


def message_id(message: Message, domain: str) -> str:
    """A Message-ID that is the same every time this outbox row is sent."""
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}.xinbao@{domain}>"


def smtp_error(exc: Exception) -> TransportError:
    """Classify what smtplib raised: 5xx is permanent, 4xx and lost connections are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        code, reply = replies[0] if replies else (0, b"")
        permanent = bool(replies) and all(500 <= c < 600 for c, _ in replies)
        text = _decode(reply)
        return TransportError(
            f"recipient refused: SMTP {code} {text}", permanent=permanent, response=f"{code} {text}"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, _decode(exc.smtp_error)
        return TransportError(
            f"SMTP {code} {text}", permanent=500 <= code < 600, response=f"{code} {text}"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TransportError(f"the SMTP server cannot: {exc}", permanent=True)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TransportError(f"the SMTP server's certificate: {exc}", permanent=True)
    return TransportError(f"SMTP connection failed: {type(exc).__name__}: {exc}")


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


class EmailTransport(Transport):
    """One SMTP connection serves the messages of a batch (``close`` ends it): a sender does
    not log in again for every mail."""

    channel = Channel.EMAIL

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None
        self._smtp_key: tuple[Any, ...] = ()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def address_of(self, message: Message) -> str:
        person = person_of(message)
        if person is not None and person.email:
            return person.email
        return message.user.email if message.user is not None else ""

    def send(self, message: Message) -> Sent:
        settings = conf()["email"]
        if not settings["host"]:
            raise TransportError("no SMTP server is configured (XINBAO_SMTP_HOST)", permanent=True)
        mail = self.compose(message, settings)
        reply = self.transmit(mail, message.address, settings)
        return Sent(provider_id=str(mail["Message-ID"]), response=reply)

    # The parts a fax (or another mail-borne channel) changes.

    def attachments(self, message: Message) -> list[Attachment]:
        """The message's document, read from storage; a missing file is final."""
        if not message.document:
            return []
        name = message.document.name or ""
        try:
            with message.document.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            raise TransportError(f"the document {name} is missing", permanent=True) from None
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return [
            Attachment(message.document_name or posixpath.basename(name), content, content_type)
        ]

    def text_of(self, message: Message) -> str:
        return plain_text(message, with_subject=False)

    # Shared by every mail-borne channel.

    def compose(self, message: Message, settings: dict[str, Any]) -> EmailMessage:
        sender = settings["from"]
        domain = parseaddr(sender)[1].rpartition("@")[2] or "xinbao.invalid"
        mail = EmailMessage()
        try:
            mail["From"] = sender
            mail["To"] = Address(display_name=message.recipient_name, addr_spec=message.address)
        except (ValueError, IndexError) as exc:
            raise TransportError(f"unusable address: {exc}", permanent=True) from None
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = message_id(message, domain)
        # Vacation responders and list servers must not answer a machine.
        mail["Auto-Submitted"] = "auto-generated"
        # Base64 rather than 8-bit: some office mail servers still lack 8BITMIME.
        mail.set_content(self.text_of(message), charset="utf-8", cte="base64")
        for part in self.attachments(message):
            maintype, _, subtype = part.content_type.partition("/")
            mail.add_attachment(
                part.content, maintype=maintype, subtype=subtype, filename=part.filename
            )
        return mail

    def transmit(self, mail: EmailMessage, to: str, settings: dict[str, Any]) -> str:
        """Hand the mail to the SMTP server; returns a line for the attempt's record."""
        host, port = settings["host"], int(settings["port"])
        security = settings["security"]
        timeout = float(settings.get("timeout") or conf()["http_timeout"])
        envelope_from = parseaddr(settings["from"])[1]
        key = (host, port, security, settings["user"], settings["password"], timeout)
        if self._smtp is not None and self._smtp_key != key:
            self.close()
        reused = self._smtp is not None
        try:
            if self._smtp is None:
                self._smtp, self._smtp_key = self._connect(settings, host, port, timeout), key
            try:
                self._smtp.send_message(mail, from_addr=envelope_from, to_addrs=[to])
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                if not reused:
                    raise
                # The server closed the connection kept from the last mail: once more, anew.
                self.close()
                self._smtp, self._smtp_key = self._connect(settings, host, port, timeout), key
                self._smtp.send_message(mail, from_addr=envelope_from, to_addrs=[to])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            # The server refused this mail and is still talking (smtplib sent RSET): the
            # connection serves the next one.
            raise smtp_error(exc) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise smtp_error(exc) from None
        return f"accepted by {host}:{port}"

    def _connect(
        self, settings: dict[str, Any], host: str, port: int, timeout: float
    ) -> smtplib.SMTP:
        security = settings["security"]
        # Loading the system's CA certificates costs ~50 ms: only when TLS is used, once.
        context = _tls_context() if security in ("ssl", "starttls") else None
        smtp = (
            smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            if security == "ssl"
            else smtplib.SMTP(host, port, timeout=timeout)
        )
        try:
            if security == "starttls":
                smtp.starttls(context=context)
            if settings["user"]:
                smtp.login(settings["user"], settings["password"])
        except BaseException:
            smtp.close()
            raise
        return smtp


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()
