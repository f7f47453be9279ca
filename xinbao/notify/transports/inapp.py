"""In-app: the message becomes a notification under the bell."""

from __future__ import annotations

from xinbao.notify.models import Channel, Message, Notification
from xinbao.notify.transports.base import Sent, Transport, TransportError


class InAppTransport(Transport):
    channel = Channel.IN_APP

    def address_of(self, message: Message) -> str:
        if message.user_id is None and message.person is not None:
            message.user_id = message.person.user_id
        return f"user:{message.user_id}" if message.user_id else ""

    def send(self, message: Message) -> Sent:
        if message.user_id is None:
            raise TransportError("the recipient has no login account", permanent=True)
        notification, _ = Notification.objects.get_or_create(
            message=message,
            defaults={
                "user_id": message.user_id,
                "title": message.subject,
                "body": message.body,
                "link": message.link,
            },
        )
        return Sent(provider_id=str(notification.pk))
