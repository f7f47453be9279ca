"""What several transports need: the recipient's person record and the message as plain text."""

from __future__ import annotations

import re

from django.core.exceptions import ObjectDoesNotExist

from xinbao.notify.conf import conf
from xinbao.notify.models import Endpoint, Message
from xinbao.notify.transports.base import TransportError
from xinbao.org.models import Person


def person_of(message: Message) -> Person | None:
    """The roster person the message is for: its own, or the one linked to its user."""
    if message.person is not None:
        return message.person
    if message.user is None:
        return None
    try:
        return message.user.person
    except ObjectDoesNotExist:
        return None


def mobile_of(message: Message) -> str:
    """The recipient's mobile number, without spaces or dashes ("" when there is none)."""
    person = person_of(message)
    number = (person.phone if person is not None else "") or (
        message.user.phone if message.user is not None else ""
    )
    return re.sub(r"[\s\-()]", "", number)


def absolute_link(message: Message) -> str:
    """The message's link as a full URL (links are stored as site paths)."""
    link = message.link
    if link.startswith("/"):
        return str(conf()["site_url"]).rstrip("/") + link
    return link


def plain_text(message: Message, *, with_subject: bool = True) -> str:
    """Subject, text and link, one per line; the subject only once when the text repeats it."""
    lines = []
    if with_subject and message.subject and message.body.strip() != message.subject.strip():
        lines.append(message.subject)
    lines.append(message.body)
    if message.link:
        lines.append(absolute_link(message))
    return "\n".join(lines)


def robot_of(message: Message) -> Endpoint:
    """The active robot endpoint the message goes to; a removed or disabled one is final."""
    endpoint = message.endpoint
    if endpoint is None:
        raise TransportError("the robot endpoint was removed", permanent=True)
    if not endpoint.is_active:
        raise TransportError(f"the robot “{endpoint.name}” is disabled", permanent=True)
    return endpoint


def robot_address(message: Message) -> str:
    """What is recorded as a robot message's address: never the webhook URL, which is a secret."""
    endpoint = message.endpoint
    return f"robot:{endpoint.pk} {endpoint.name}" if endpoint is not None else ""
