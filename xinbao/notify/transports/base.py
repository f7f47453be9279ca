"""The one interface every channel implements (after Healthchecks' transports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from xinbao.notify.models import Message


class TransportError(Exception):
    """A failed send. ``permanent`` failures are not retried (a bad address or key)."""

    def __init__(self, message: str, *, permanent: bool = False, response: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        self.response = response


@dataclass(frozen=True)
class Sent:
    """What a successful send returns: the provider's id and raw answer, for the record."""

    provider_id: str = ""
    response: str = ""
    waiting: bool = False
    """True when a person must still act (a phone call): the message is not yet sent."""


class Transport:
    """Send one message. Raise ``TransportError`` on failure; never swallow one."""

    channel: ClassVar[str]

    def send(self, message: Message) -> Sent:
        raise NotImplementedError

    def address_of(self, message: Message) -> str:
        """The address to use, resolved at send time from the person, user or endpoint."""
        raise NotImplementedError

    def close(self) -> None:
        """Let go of what the transport kept open between sends of one batch (a connection)."""
