"""Fax through an email-to-fax gateway: a mail to ``{number}@gateway`` with the PDF attached.

The gateway faxes the attached PDF; so a fax without a PDF document is refused (chase
notices supply theirs). Delivery is the email transport's, SMTP settings included.
"""

from __future__ import annotations

import re

from xinbao.notify.conf import conf
from xinbao.notify.models import Channel, Message
from xinbao.notify.transports.base import TransportError
from xinbao.notify.transports.common import person_of
from xinbao.notify.transports.email import Attachment, EmailTransport


def fax_number_of(message: Message) -> str:
    """The unit's fax, else the person's office phone (many offices share the line), as digits."""
    person = person_of(message)
    unit = person.unit if person is not None else None
    if unit is None and message.user is not None:
        unit = message.user.unit
    candidates = [
        unit.fax if unit is not None else "",
        person.office_phone if person is not None else "",
    ]
    for number in candidates:
        digits = re.sub(r"\D", "", number)
        if digits:
            return digits
    return ""


class FaxTransport(EmailTransport):
    channel = Channel.FAX

    def address_of(self, message: Message) -> str:
        pattern = conf()["fax"]["address_pattern"]
        if not pattern:
            raise TransportError(
                "no email-to-fax gateway is configured (XINBAO_FAX_ADDRESS_PATTERN)",
                permanent=True,
            )
        number = fax_number_of(message)
        if not number:
            return ""
        try:
            return str(pattern.format(number=number))
        except (KeyError, IndexError, ValueError) as exc:
            raise TransportError(f"bad fax address pattern: {exc!r}", permanent=True) from None

    def attachments(self, message: Message) -> list[Attachment]:
        if not message.document:
            raise TransportError("a fax needs a PDF document and none is attached", permanent=True)
        parts = super().attachments(message)
        if not parts[0].content.startswith(b"%PDF-"):
            raise TransportError(
                f"the fax gateway takes PDF only; {parts[0].filename} is not a PDF", permanent=True
            )
        return [Attachment(parts[0].filename, parts[0].content, "application/pdf")]
